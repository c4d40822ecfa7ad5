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

/// The routes (INTERFACES.md, HTTP routes others call), separately so tests can drive them. Every controller adds its
/// routes to the groups it is given (`RouteGroups`): each group authenticates, checks the role against the access
/// table (`Area`) and answers errors in its own format. The page templates are parsed here: one that does not parse
/// stops the server from starting.
public func buildRouter(_ ctx: ServerContext) throws -> Router<AppRequestContext> {
    let pages = try Pages.load(overrides: ctx.settings.pageTemplatesDir)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: MetricsMiddleware(metrics: ctx.metrics))
    router.add(middleware: SecurityHeadersMiddleware(https: ctx.settings.publicURL.lowercased().hasPrefix("https://")))
    router.add(middleware: NULAddressMiddleware())
    let groups = RouteGroups(router: router, ctx: ctx, pages: pages)
    router.add(middleware: UnmatchedRouteMiddleware(pages: groups.pageErrors))
    OperationsController(ctx: ctx).addRoutes(to: groups.publicJSON())
    InboundController(ctx, pages: pages).addRoutes(to: groups.publicJSON())
    TaskAPIController(ctx: ctx).addRoutes(to: groups.api(.tasks))
    try APIHandlers(ctx: ctx).register(in: groups)
    SignInController(ctx: ctx, pages: pages).addRoutes(
        public: groups.publicPages(lookingForSession: true), signedIn: groups.pages(nil, returnToPage: false))
    TaskPagesController(ctx: ctx, pages: pages).addRoutes(to: groups.pages(.tasks))
    DashboardController(ctx: ctx, pages: pages).addRoutes(to: groups.pages(.figures))
    ScorecardController(ctx: ctx, pages: pages).addRoutes(to: groups.pages(.figures))
    ImportPagesController(ctx: ctx, pages: pages).addRoutes(to: groups.pages(.imports), uploads: groups.pages(.imports, token: .streamed))
    DealPagesController(ctx: ctx, pages: pages).addRoutes(to: groups.pages(.deals))
    MenuPageController(ctx: ctx, pages: pages).addRoutes(to: groups.pages(.menu))
    AdminController(ctx: ctx, pages: pages).addRoutes(to: groups.pages(.admin))
    OptOutPagesController(ctx: ctx, pages: pages).addRoutes(to: groups.pages(.admin))
    StoresPageController(ctx: ctx, pages: pages).addRoutes(to: groups.pages(.admin))
    OfferController(ctx: ctx, pages: pages).addRoutes(to: groups.publicPages())
    groups.publicPages().get(RouterPath(WebPaths.stylesheet)) { _, _ -> Response in
        Response(
            status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(string: pages.stylesheet)))
    }
    return router
}
