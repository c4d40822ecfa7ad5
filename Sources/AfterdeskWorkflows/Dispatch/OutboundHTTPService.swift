import AfterdeskDelivery
import ServiceLifecycle

/// The shared HTTP client of the SMS API and the webhooks (`OutboundHTTP`) as a service of the server's group: it
/// does nothing until the group shuts down, then closes the client's connections. Listed first in the group, it is
/// shut down last, after the scheduler's last dispatch page and the HTTP application.
public struct OutboundHTTPService: Service {
    let http: OutboundHTTP

    public init(_ http: OutboundHTTP = .shared) { self.http = http }

    public func run() async throws {
        // Cancelled or shut down gracefully: either way the client closes.
        try? await gracefulShutdown()
        await http.shutdown()
    }
}
