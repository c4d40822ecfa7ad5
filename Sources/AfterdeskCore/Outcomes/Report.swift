import Foundation

/// How the report's groups are formed (`afterdesk report --by`).
public enum ReportGrouping: String, Sendable, Equatable, CaseIterable, Codable {
    case product, month, staff, store, decline
}

/// What a report covers and how it is computed; the bootstrap is seeded from these, so the same report gives the same
/// interval.
public struct ReportParameters: Sendable, Equatable {
    public var asOf: LocalDate
    public var from: LocalDate
    public var to: LocalDate
    public var store: String?
    public var by: ReportGrouping?
    public var attributionDays: Int
    public var holdoutPercent: Int
    public var resamples = 10_000

    public init(
        asOf: LocalDate, from: LocalDate, to: LocalDate, store: String? = nil, by: ReportGrouping? = nil, attributionDays: Int,
        holdoutPercent: Int
    ) {
        self.asOf = asOf
        self.from = from
        self.to = to
        self.store = store
        self.by = by
        self.attributionDays = attributionDays
        self.holdoutPercent = holdoutPercent
    }

    public var rules: ReportRules { ReportRules(asOf: asOf, attributionDays: attributionDays) }

    /// The bootstrap's seed for a group (nil: the total): a stable hash of the report's parameters and the group's key.
    public func seed(group: String?) -> UInt64 {
        var h = StableHasher()
        for part in [asOf.description, from.description, to.description, store ?? "*", String(attributionDays), group ?? "(total)"] {
            h.add(part)
        }
        return h.value
    }

    /// The group a ledger line belongs to, for `by`.
    public func groupKey(_ row: LedgerRow) -> String? {
        switch by {
        case .product: row.product
        case .month: String(row.contractDate.description.prefix(7))
        case .staff: row.fiManager ?? "(none)"
        case .store: row.store
        case .decline, nil: nil
        }
    }
}

/// The figures of one arm (DESIGN.md, "Measuring honestly").
public struct ArmFigures: Sendable, Equatable {
    public var declines = 0
    public var recontacted = 0
    public var recovered = 0
    public var grossCents: Int64 = 0
    public var chargebacksCents: Int64 = 0
    public var netCents: Int64 = 0

    public var recoveryRate: Double? { declines > 0 ? Double(recovered) / Double(declines) : nil }
    /// Σ net ÷ declines, in cents rounded half away from zero; nil without declines.
    public var marginPerDeclineCents: Int64? { declines > 0 ? ArmFigures.divide(netCents, by: Int64(declines)) : nil }

    mutating func add(_ row: LedgerRow) {
        declines += 1
        if row.recontacted { recontacted += 1 }
        if row.recovered { recovered += 1 }
        grossCents += row.marginGrossCents
        chargebacksCents += row.chargebacksCents
        netCents += row.marginNetCents
    }

    static func divide(_ a: Int64, by b: Int64) -> Int64 {
        let q = (2 * a.magnitude + b.magnitude) / (2 * b.magnitude)
        return (a < 0) != (b < 0) ? -Int64(q) : Int64(q)
    }
}

/// A figure with its 95% interval.
public struct Estimate: Sendable, Equatable {
    public var value: Double
    public var low: Double
    public var high: Double
    public init(value: Double, low: Double, high: Double) {
        self.value = value
        self.low = low
        self.high = high
    }
}

/// The summary of a group of declines (or of all of them).
public struct ReportFigures: Sendable, Equatable {
    public var key: String?
    public var deals = 0
    public var treated = ArmFigures()
    public var holdout = ArmFigures()
    public var aged = 0
    public var attributed = 0
    public var unattributed = 0
    public var tasksDone = 0
    public var tasksDoneOnTime = 0
    public var tasksOpen = 0
    public var tasksOverdue = 0
    /// Declines in the exports, refused rows included; only the total has it (a refused row has no group).
    public var declinesInExports: Int?
    public var rateDifference: Estimate?
    public var incrementalMargin: Estimate?
    public var verdict = Verdict.tooSmall

    public var declines: Int { treated.declines + holdout.declines }
    public var captureRate: Double? { declinesInExports.flatMap { $0 > 0 ? Double(declines) / Double($0) : nil } }
    public var recontactRate: Double? { treated.declines > 0 ? Double(treated.recontacted) / Double(treated.declines) : nil }

    mutating func add(_ row: LedgerRow) {
        switch row.arm {
        case .treated: treated.add(row)
        case .holdout: holdout.add(row)
        }
        if row.aged { aged += 1 }
        if row.recovered && row.arm == .treated {
            if row.attributedTouch != nil { attributed += 1 } else { unattributed += 1 }
        }
        tasksDone += row.tasksDone
        tasksDoneOnTime += row.tasksDoneOnTime
        tasksOpen += row.tasksOpen
        tasksOverdue += row.tasksOverdue
    }

    /// The intervals and the verdict, once every line is in.
    mutating func conclude(treatedDeals: Bootstrap.Classes, holdoutDeals: Bootstrap.Classes, resamples: Int, seed: UInt64) {
        rateDifference = Intervals.newcombe(treated.recovered, of: treated.declines, minus: holdout.recovered, of: holdout.declines)
            .map { Estimate(value: $0.value, low: $0.low, high: $0.high) }
        incrementalMargin = Bootstrap.incrementalMargin(treated: treatedDeals, holdout: holdoutDeals, resamples: resamples, seed: seed)
            .map { Estimate(value: $0.value, low: $0.low, high: $0.high) }
        verdict = Verdict.of(
            treatedDeclines: treated.declines, treatedRecovered: treated.recovered, holdoutDeclines: holdout.declines,
            holdoutRecovered: holdout.recovered, interval: incrementalMargin.map { ($0.low, $0.high) })
    }
}

/// The margin report: its parameters, the total and the groups.
public struct MarginReport: Sendable, Equatable {
    public var parameters: ReportParameters
    public var total: ReportFigures
    public var groups: [ReportFigures]
}

/// Builds the report from the ledger's lines, given in deal order (the lines of a deal together), in one pass and in
/// memory that grows with the number of groups and of distinct deal outcomes, not with the number of declines.
public struct ReportBuilder: Sendable {
    public let parameters: ReportParameters
    private var total = ReportFigures()
    private var groups: [String: ReportFigures] = [:]
    private var totalDeals = (treated: Bootstrap.Classes(), holdout: Bootstrap.Classes())
    private var groupDeals: [String: (treated: Bootstrap.Classes, holdout: Bootstrap.Classes)] = [:]
    /// The deal being added, and its declines and net margin so far, in the total and in each of its groups.
    private var deal: (store: String, number: String, arm: Arm)?
    private var dealTotal = (declines: 0, net: Int64(0))
    private var dealGroups: [String: (declines: Int, net: Int64)] = [:]

    public init(_ parameters: ReportParameters) {
        self.parameters = parameters
    }

    public mutating func add(_ row: LedgerRow) {
        if let d = deal, d.store != row.store || d.number != row.dealNumber { closeDeal() }
        if deal == nil {
            deal = (row.store, row.dealNumber, row.arm)
            total.deals += 1
        }
        total.add(row)
        dealTotal.declines += 1
        dealTotal.net += row.marginNetCents
        if let key = parameters.groupKey(row) {
            if dealGroups[key] == nil { groups[key, default: ReportFigures(key: key)].deals += 1 }
            groups[key, default: ReportFigures(key: key)].add(row)
            dealGroups[key, default: (0, 0)].declines += 1
            dealGroups[key, default: (0, 0)].net += row.marginNetCents
        }
    }

    private mutating func closeDeal() {
        guard let d = deal else { return }
        add(&totalDeals, arm: d.arm, dealTotal)
        for (key, part) in dealGroups { add(&groupDeals[key, default: (Bootstrap.Classes(), Bootstrap.Classes())], arm: d.arm, part) }
        deal = nil
        dealTotal = (0, 0)
        dealGroups.removeAll(keepingCapacity: true)
    }

    private func add(_ classes: inout (treated: Bootstrap.Classes, holdout: Bootstrap.Classes), arm: Arm, _ part: (declines: Int, net: Int64)) {
        switch arm {
        case .treated: classes.treated.add(declines: part.declines, netCents: part.net)
        case .holdout: classes.holdout.add(declines: part.declines, netCents: part.net)
        }
    }

    /// The report. `declinesInExports` is the total's count of declines in the imported files, refused rows included.
    public mutating func finish(declinesInExports: Int? = nil) -> MarginReport {
        closeDeal()
        let p = parameters
        total.declinesInExports = declinesInExports.map { max($0, total.declines) }
        total.conclude(
            treatedDeals: totalDeals.treated, holdoutDeals: totalDeals.holdout, resamples: p.resamples, seed: p.seed(group: nil))
        var out: [ReportFigures] = []
        for key in groups.keys.sorted() {
            guard var g = groups[key], let deals = groupDeals[key] else { continue }
            g.conclude(treatedDeals: deals.treated, holdoutDeals: deals.holdout, resamples: p.resamples, seed: p.seed(group: key))
            out.append(g)
        }
        return MarginReport(parameters: p, total: total, groups: out)
    }
}
