import Foundation

/// How the report counts one sale after the desk, for the dashboard's list of the latest sales: the cost it is
/// recorded at, the margin it adds, and whether the report's figures count it (the same attribution window as the
/// ledger, `LedgerRow`).
public struct SaleAttribution: Sendable, Equatable {
    /// Whether the report counts the sale, and why not.
    public enum Counted: Sendable, Equatable {
        case counted
        /// Sold `days` after the contract, over the report's attribution window of `limit` days.
        case tooLate(days: Int, limit: Int)
        /// The deal's contract date is outside the report's dates.
        case outsideDates
    }

    /// The sale's own cost, else the menu's dealer cost of the product; nil when neither is known.
    public var costCents: Int64?
    /// The cost is the menu's, not the sale's.
    public var costFromMenu: Bool
    /// Price less cost; nil without a cost.
    public var marginCents: Int64?
    public var counted: Counted

    /// How the report of `from`...`to` with an attribution window of `attributionDays` counts a sale of `priceCents`
    /// on `soldOn` after a contract of `contractDate` (nil: a date the store could not read).
    public init(
        contractDate: LocalDate?, soldOn: LocalDate?, priceCents: Int64, costCents: Int64?, menuCostCents: Int64?,
        attributionDays: Int, from: LocalDate, to: LocalDate
    ) {
        let cost = costCents ?? menuCostCents
        self.costCents = cost
        costFromMenu = costCents == nil && cost != nil
        marginCents = cost.map { priceCents - $0 }
        let days = contractDate.flatMap { c in soldOn.map { c.days(until: $0) } }
        if let days, days > attributionDays {
            counted = .tooLate(days: days, limit: attributionDays)
        } else if let c = contractDate, c < from || c > to {
            counted = .outsideDates
        } else {
            counted = .counted
        }
    }
}
