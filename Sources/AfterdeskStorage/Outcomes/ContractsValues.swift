import AfterdeskCore
import Foundation

/// A sale after the desk as the dashboard lists it, newest first: every source (the report counts one per decline).
public struct RecentRecovery: Sendable, Equatable {
    public var store: String
    public var dealNumber: String
    public var contractDate: LocalDate
    public var product: String
    public var soldOn: LocalDate
    public var priceCents: Int64
    public var costCents: Int64?
    public var source: RecoverySource
    public var soldBy: String?
    /// The decline's horizon (`decline_horizons`): the last day it could be bought by the facts at contract; nil when no
    /// rule closes it or it was never planned.
    public var horizon: LocalDate? = nil

    public init(
        store: String, dealNumber: String, contractDate: LocalDate, product: String, soldOn: LocalDate, priceCents: Int64,
        costCents: Int64? = nil, source: RecoverySource, soldBy: String? = nil
    ) {
        self.store = store
        self.dealNumber = dealNumber
        self.contractDate = contractDate
        self.product = product
        self.soldOn = soldOn
        self.priceCents = priceCents
        self.costCents = costCents
        self.source = source
        self.soldBy = soldBy
    }
}
