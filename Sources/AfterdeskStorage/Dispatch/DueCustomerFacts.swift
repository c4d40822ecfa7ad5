import AfterdeskCore
import Foundation

/// What the gate needs to know about the customers of a page of due touches, as a backend reads it.
public struct DueCustomerFacts: Sendable {
    public var contacts: [Int64: CustomerContact] = [:]
    /// Touches sent in the last 30 days, and texts people wrote on task pages.
    public var recent: [Int64: [Date]] = [:]
    /// SMS rows of the outbox in the last two days.
    public var texts: [Int64: [Date]] = [:]
    public var lastPurchase: [Int64: LocalDate] = [:]
    public var doNotCall: Set<String> = []
    /// Customers with an open reply task.
    public var awaitingReply: Set<Int64> = []

    public init() {}
}
