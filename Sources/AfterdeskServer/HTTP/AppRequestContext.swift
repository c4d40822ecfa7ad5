import AfterdeskCore
import Hummingbird
import NIOCore

/// The context of every request: Hummingbird's basics, the peer's address (the sign-in limit per address), and who
/// is signed in once a group's authenticator has looked (`SessionAuthenticator`, `BearerAuthenticator`).
public struct AppRequestContext: RequestContext, ConnectionContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address; nil in router tests.
    public let peer: String?
    /// The connection, to close it after a refused body (`closeSoon`).
    let channel: (any Channel)?
    /// The person a group's authenticator found: set before the group's child context (`PageContext`, `APIContext`)
    /// is made from this one; nil on public routes, or where nobody is signed in.
    var identity: Identity?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peer = source.channel.remoteAddress?.ipAddress
        self.channel = source.channel
    }
}

/// Who a request acts for: a person signed in through a browser (with their session), or holding an API token.
struct Identity: Sendable {
    var principal: Principal
    /// The browser's session (its CSRF token); nil for a bearer token.
    var session: WebSession?
}

/// A context that knows its connection (`closeSoon`).
protocol ConnectionContext: RequestContext {
    var channel: (any Channel)? { get }
}

/// The context of a page group's routes: the person signed in, never optional. Made from the parent context after the
/// group's `SessionAuthenticator` found them; without one the group was built wrong, and the request fails as the
/// server's fault rather than running unauthenticated.
struct PageContext: ChildRequestContext, ConnectionContext {
    var coreContext: CoreRequestContextStorage
    let user: SignedIn
    let channel: (any Channel)?

    init(context: AppRequestContext) throws {
        guard let identity = context.identity, let session = identity.session else { throw GroupWithoutAuthenticator() }
        self.coreContext = context.coreContext
        self.user = SignedIn(principal: identity.principal, session: session)
        self.channel = context.channel
    }

    var principal: Principal { user.principal }
}

/// The context of an API group's routes: the token's person, never optional. The same person is in
/// `RequestPrincipal.current` while the route runs, for handlers that do not see Hummingbird's context (generated
/// OpenAPI handlers).
struct APIContext: ChildRequestContext, ConnectionContext {
    var coreContext: CoreRequestContextStorage
    let principal: Principal
    let channel: (any Channel)?

    init(context: AppRequestContext) throws {
        guard let identity = context.identity else { throw GroupWithoutAuthenticator() }
        self.coreContext = context.coreContext
        self.principal = identity.principal
        self.channel = context.channel
    }
}

/// The person an API request acts for, bound by `BearerAuthenticator` for the rest of the request (a task-local, as
/// swift-openapi-hummingbird prescribes for handlers that do not see the request context).
enum RequestPrincipal {
    @TaskLocal static var current: Principal?
}

/// A child context made in a group that has no authenticator: a fault of how the routes were built.
struct GroupWithoutAuthenticator: Error {}
