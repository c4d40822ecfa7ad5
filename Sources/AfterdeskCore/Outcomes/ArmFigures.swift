import Foundation

/// The figures of one arm (DESIGN.md, "Measuring honestly").
public struct ArmFigures: Sendable, Equatable {
    public var declines = 0
    public var recontacted = 0
    public var recovered = 0
    public var grossCents: Int64 = 0
    public var chargebacksCents: Int64 = 0
    public var netCents: Int64 = 0
    public var reserveCents: Int64 = 0
    public var commissionsCents: Int64 = 0
    public var messageCostsCents: Int64 = 0
    public var netToStoreCents: Int64 = 0
    /// The reserves of lines whose reserve is left to the report, by what computes it: empty once settled.
    var reserveDue: [ReserveDue: Int] = [:]
    public init() {}

    public var recoveryRate: Double? { declines > 0 ? Double(recovered) / Double(declines) : nil }
    /// Σ net ÷ declines, in cents rounded half away from zero; nil without declines.
    public var marginPerDeclineCents: Int64? { declines > 0 ? ArmFigures.divide(netCents, by: Int64(declines)) : nil }

    mutating func add(_ row: some LedgerFigures) {
        declines += 1
        if row.recontacted { recontacted += 1 }
        if row.recovered { recovered += 1 }
        grossCents += row.marginGrossCents
        chargebacksCents += row.chargebacksCents
        netCents += row.marginNetCents
        reserveCents += row.reserveCents
        commissionsCents += row.commissionsCents
        messageCostsCents += row.messageCostsCents
        netToStoreCents += row.netToStoreCents
        if let due = row.reserveDue { reserveDue[due, default: 0] += 1 }
    }

    /// Adds the reserves left due, computed from `table` (the same sum as had each line had its reserve).
    mutating func settleReserve(_ table: ReserveTable, asOf: LocalDate) {
        for (due, n) in reserveDue {
            let cents = due.cents(table, asOf: asOf) * Int64(n)
            reserveCents += cents
            netToStoreCents -= cents
        }
        reserveDue = [:]
    }

    mutating func merge(_ o: ArmFigures) {
        declines += o.declines
        recontacted += o.recontacted
        recovered += o.recovered
        grossCents += o.grossCents
        chargebacksCents += o.chargebacksCents
        netCents += o.netCents
        reserveCents += o.reserveCents
        commissionsCents += o.commissionsCents
        messageCostsCents += o.messageCostsCents
        netToStoreCents += o.netToStoreCents
        reserveDue.merge(o.reserveDue, uniquingKeysWith: +)
    }

    static func divide(_ a: Int64, by b: Int64) -> Int64 {
        let q = (2 * a.magnitude + b.magnitude) / (2 * b.magnitude)
        return (a < 0) != (b < 0) ? -Int64(q) : Int64(q)
    }
}
