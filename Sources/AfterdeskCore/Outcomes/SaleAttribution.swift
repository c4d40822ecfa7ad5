import Foundation

/// How the report counts one sale after the desk, for the dashboard's list of the latest sales: the cost it is
/// recorded at, the margin it adds, and whether the report's figures count it (the same measurement end as the ledger,
/// `LedgerRow`: `MeasurementRule.end`).
public struct SaleAttribution: Sendable, Equatable {
    /// Whether the report counts the sale, and why not.
    public enum Counted: Sendable, Equatable {
        case counted
        /// Sold `days` after the contract, over the report's attribution window of `limit` days.
        case tooLate(days: Int, limit: Int)
        /// Horizon mode: sold `days` after the contract, after the decline's last day measured, `end` (its horizon, the
        /// menu's cap or the holdout's end).
        case afterEnd(days: Int, end: LocalDate)
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
        self.init(
            contractDate: contractDate, soldOn: soldOn, priceCents: priceCents, costCents: costCents, menuCostCents: menuCostCents,
            measurement: MeasurementRule(attributionDays: attributionDays), horizon: nil, from: from, to: to)
    }

    /// The same under the report's `measurement`, for a decline of `horizon` (stored when it was planned; nil: no rule
    /// closes it).
    public init(
        contractDate: LocalDate?, soldOn: LocalDate?, priceCents: Int64, costCents: Int64?, menuCostCents: Int64?,
        measurement: MeasurementRule, horizon: LocalDate?, from: LocalDate, to: LocalDate
    ) {
        let cost = costCents ?? menuCostCents
        self.costCents = cost
        costFromMenu = costCents == nil && cost != nil
        marginCents = cost.map { priceCents - $0 }
        let end = contractDate.map { measurement.end(contract: $0, horizon: horizon) }
        if let c = contractDate, let end, let soldOn, soldOn > end {
            let days = c.days(until: soldOn)
            counted = measurement.by == .window ? .tooLate(days: days, limit: c.days(until: end)) : .afterEnd(days: days, end: end)
        } else if let c = contractDate, c < from || c > to {
            counted = .outsideDates
        } else {
            counted = .counted
        }
    }
}
