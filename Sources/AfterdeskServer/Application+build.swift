import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird
import Logging

/// What the HTTP application works with.
public struct ServerContext: Sendable {
    public var dispatcher: Dispatcher
    public var clock: Clock
    public var logger: Logger
    /// How often the scheduler runs dispatch, when this server runs it: `/health` says 503 when its last successful
    /// run is older than three intervals (at least 5 minutes).
    public var schedulerInterval: Duration?
    /// When the server started, for a scheduler that never succeeded.
    public var startedAt: Date
    /// What `/metrics` counts while the server runs.
    public var metrics = ServerMetrics()
    /// The offer page's rate limits, in memory.
    public var offerLimits = OfferLimits()
    /// The task queue's JSON as last answered, while the database is unchanged (`PolledAnswers`).
    public var taskAnswers = PolledAnswers<TaskQuery, [UInt8]>()
    /// The sign-in form's password check (bcrypt; tests count and hold it).
    public var passwords = PasswordVerifier.bcrypt
    /// The sign-in limits, from the settings (`sign_in_*`).
    public var signInLimits: SignInLimits
    public init(dispatcher: Dispatcher, clock: Clock, logger: Logger = Logger(label: "afterdesk"), schedulerInterval: Duration? = nil) {
        self.dispatcher = dispatcher
        self.clock = clock
        self.logger = logger
        self.schedulerInterval = schedulerInterval
        self.startedAt = clock.now()
        self.signInLimits = dispatcher.settings.signInLimits
    }
    var database: any Storage { dispatcher.database }
    var settings: Settings { dispatcher.settings }
}

/// The one function that builds the HTTP application, for `serve`, the tests and the benchmarks. Its connections keep
/// the settings' timeouts (`ServerTimeouts`: a head's deadline, an idle keep-alive's; bodies keep theirs where they
/// are read).
public func buildApplication(_ context: ServerContext, host: String = "127.0.0.1", port: Int = 8080) throws -> some ApplicationProtocol {
    Application(
        router: try buildRouter(context), server: .http1(timeouts: context.settings.server),
        configuration: .init(address: .hostname(host, port: port), serverName: "afterdesk"), logger: context.logger)
}

/// The routes (INTERFACES.md, HTTP routes others call), separately so tests can drive them. Each controller adds its
/// own; a `StoreError` any route throws becomes its status in `HTTPErrors`, the one place that decides, and on a web
/// page a page saying so (`PageErrorMiddleware`). The page templates are parsed here: one that does not parse stops
/// the server from starting.
public func buildRouter(_ ctx: ServerContext) throws -> Router<AppRequestContext> {
    let pages = try Pages.load(overrides: ctx.settings.pageTemplatesDir)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: MetricsMiddleware(metrics: ctx.metrics))
    router.add(middleware: SecurityHeadersMiddleware(https: ctx.settings.publicURL.lowercased().hasPrefix("https://")))
    router.add(middleware: PageErrorMiddleware(pages: pages, auth: WebAuth(ctx: ctx), logger: ctx.logger))
    router.add(middleware: StoreErrorMiddleware())
    OperationsController(ctx: ctx).addRoutes(to: router)
    InboundController(ctx, pages: pages).addRoutes(to: router)
    TaskAPIController(ctx: ctx).addRoutes(to: router)
    APIv1Controller(ctx: ctx).addRoutes(to: router)
    SignInController(ctx: ctx, pages: pages).addRoutes(to: router)
    TaskPagesController(ctx: ctx, pages: pages).addRoutes(to: router)
    DashboardController(ctx: ctx, pages: pages).addRoutes(to: router)
    ImportPagesController(ctx: ctx, pages: pages).addRoutes(to: router)
    DealPagesController(ctx: ctx, pages: pages).addRoutes(to: router)
    MenuPageController(ctx: ctx, pages: pages).addRoutes(to: router)
    AdminController(ctx: ctx, pages: pages).addRoutes(to: router)
    OptOutPagesController(ctx: ctx, pages: pages).addRoutes(to: router)
    OfferController(ctx: ctx, pages: pages).addRoutes(to: router)
    router.get(RouterPath(WebPaths.stylesheet)) { _, _ -> Response in
        Response(
            status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(string: pages.stylesheet)))
    }
    return router
}
