import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStore
import Foundation
import Hummingbird
import Logging

/// What the HTTP application works with.
public struct ServerContext: Sendable {
    public var dispatcher: Dispatcher
    public var clock: Clock
    public var logger: Logger
    public init(dispatcher: Dispatcher, clock: Clock, logger: Logger = Logger(label: "afterdesk")) {
        self.dispatcher = dispatcher
        self.clock = clock
        self.logger = logger
    }
    var database: AfterdeskDatabase { dispatcher.database }
    var settings: Settings { dispatcher.settings }
}

/// The one function that builds the HTTP application, for `serve`, the tests and the benchmarks.
public func buildApplication(_ context: ServerContext, host: String = "127.0.0.1", port: Int = 8080) -> some ApplicationProtocol {
    Application(
        router: buildRouter(context), configuration: .init(address: .hostname(host, port: port), serverName: "afterdesk"),
        logger: context.logger)
}

/// The routes (INTERFACES.md, HTTP routes others call), separately so tests can drive them. Each controller adds its
/// own; a `StoreError` any route throws becomes its status in `HTTPErrors`, the one place that decides.
public func buildRouter(_ ctx: ServerContext) -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: StoreErrorMiddleware())
    OperationsController(ctx: ctx).addRoutes(to: router)
    InboundController(ctx).addRoutes(to: router)
    TaskAPIController(ctx: ctx).addRoutes(to: router)
    return router
}
