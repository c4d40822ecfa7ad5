import Hummingbird
import NIOCore

/// The context of every request: Hummingbird's basics and the peer's address (the sign-in limit per address).
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address; nil in router tests.
    public let peer: String?
    /// The connection, to close it after a refused body (`closeSoon`).
    let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peer = source.channel.remoteAddress?.ipAddress
        self.channel = source.channel
    }
}
