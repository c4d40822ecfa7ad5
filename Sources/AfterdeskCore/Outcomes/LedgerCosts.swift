import Foundation

/// The ledger's net to the store columns (docs/reporting.md, "Net to the store").
extension LedgerRow {
    /// The cost of the touches delivered about a decline on or before `end` that carry their cost (a touch about several
    /// declines is charged to its first), summed in hundredths of a cent and rounded to the cent half away from zero.
    static func messageCosts(_ touches: [DeclineHistory.Touch], until end: LocalDate, _ costs: MessageCosts) -> Int64 {
        var units: Int64 = 0
        for t in touches where t.carriesCost && t.sentOn <= end { units += costs.units(channel: t.channel) }
        return units == 0 ? 0 : FixedPoint.divideRounded(units, by: 100)
    }

    /// The commission of a recovery (both arms: a sale pays it whoever made it), and its reserve when it is not
    /// cancelled on `as_of`: the margin it is expected to give back to cancellations still to come.
    mutating func chargeRecovery(_ h: DeclineHistory, sale: DeclineHistory.Sale, rules: borrowing ReportRules) {
        let n = rules.netToStore
        commissionsCents = n.commissions[h.product]?.cents(onGross: marginGrossCents) ?? 0
        guard n.reserve != nil || n.defersReserve else { return }
        let cancelled = h.cancellations.contains { $0.contractNumber == sale.contractNumber && $0.cancelDate <= rules.asOf }
        guard !cancelled else { return }
        let due = ReserveDue(store: h.store, product: h.product, grossCents: marginGrossCents, soldOn: sale.soldOn)
        guard let table = n.reserve else {
            reserveDue = due
            return
        }
        reserveCents = due.cents(table, asOf: rules.asOf)
    }
}

/// A recovery's reserve still to be computed: what `ReserveTable.reserveCents` needs of the line. Lines of the same
/// figures are counted together, so a report's sums settle once its table is known.
public struct ReserveDue: Sendable, Hashable {
    public var store: String
    public var product: String
    public var grossCents: Int64
    public var soldOn: LocalDate

    /// By the amount and the day alone: a report's lines differ in those, and hashing the codes would cost more.
    public func hash(into h: inout Hasher) {
        h.combine(grossCents)
        h.combine(soldOn.daysSinceEpoch)
    }

    public func cents(_ table: ReserveTable, asOf: LocalDate) -> Int64 {
        table.reserveCents(store: store, product: product, gross: grossCents, soldOn: soldOn, asOf: asOf)
    }
}
