import AfterdeskCore
import Foundation

/// What receiving an inbound text did.
public struct InboundReceipt: Sendable, Equatable {
    /// The message id was seen for the first time (providers retry webhooks; an attacker can replay one).
    public var fresh: Bool
    /// Its keyword changed consent: a STOP always, a START only when fresh.
    public var applied: Bool
    /// The customers with the sender's number.
    public var customers: [Int64]
    /// A START seen before whose opt-in is still what stands (no STOP or other change since): the provider retried
    /// it, perhaps after the first answer was lost, and it may be confirmed again without being applied again.
    public var inForce = false
    /// For a STOP: an earlier STOP from the number still stood (no START since), so this one revokes nothing new.
    public var alreadyStopped = false
    /// When Afterdesk first received this message id (now, for a fresh one).
    public var firstReceived: Date? = nil

    public init(
        fresh: Bool, applied: Bool, customers: [Int64], firstReceived: Date? = nil
    ) {
        self.fresh = fresh
        self.applied = applied
        self.customers = customers
        self.firstReceived = firstReceived
    }
}
