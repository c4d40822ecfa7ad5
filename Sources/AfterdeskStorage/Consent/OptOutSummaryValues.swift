import AfterdeskCore
import Foundation

/// What the opt-out ledger holds, and whether it held: for the demo and operations.
public struct OptOutSummary: Sendable, Equatable {
    /// Addresses stopped now, by channel (sms, email, phone).
    public var stopped: [String: Int]
    /// Texts and emails handed to a provider after any stop of their address that no restore had lifted by then: must be 0.
    public var sentAfterStop: Int

    public init(
        stopped: [String: Int], sentAfterStop: Int
    ) {
        self.stopped = stopped
        self.sentAfterStop = sentAfterStop
    }
}
