import AfterdeskCore
import Foundation

/// Counts for monitoring (`/metrics`): no customer data.
public struct MonitoringCounts: Sendable {
    /// Messages by channel and status.
    public var outbox: [(channel: String, status: String, count: Int)]
    /// Touches by status.
    public var touches: [(status: String, count: Int)]
    /// Skipped touches by reason: the reason's words before any colon (its details left out), the 20 most frequent.
    public var skipped: [(reason: String, count: Int)]

    public init(
        outbox: [(channel: String, status: String, count: Int)], touches: [(status: String, count: Int)],
        skipped: [(reason: String, count: Int)]
    ) {
        self.outbox = outbox
        self.touches = touches
        self.skipped = skipped
    }
}
