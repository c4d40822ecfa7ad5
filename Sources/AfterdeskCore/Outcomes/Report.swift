import Foundation

/// How the report's groups are formed (`afterdesk report --by`).
public enum ReportGrouping: String, Sendable, Equatable, CaseIterable, Codable {
    case product, month, staff, store, decline
    /// The books view: recoveries by the month sold, chargebacks by the month charged back (`MarginReport.books`).
    case saleMonth = "sale_month"
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
    /// The share of the declines' measurement windows elapsed at `as_of`.
    public var maturity = Maturity()
    /// Declines in the exports, refused rows included; only the total has it (a refused row has no group).
    public var declinesInExports: Int?
    public var rateDifference: Estimate?
    public var incrementalMargin: Estimate?
    public var verdict = Verdict.tooSmall
    /// The sums the anytime interval and the power are computed from, and those figures (ReportAnytime.swift).
    public var anytimeSums = MaturitySums()
    public var incrementalMarginAnytime: AnytimeEstimate?
    public var verdictAnytime = Verdict.tooSmall
    public var power: PowerFigures?
    public init(key: String? = nil) { self.key = key }

    public var declines: Int { treated.declines + holdout.declines }
    public var captureRate: Double? { declinesInExports.flatMap { $0 > 0 ? Double(declines) / Double($0) : nil } }
    public var recontactRate: Double? { treated.declines > 0 ? Double(treated.recontacted) / Double(treated.declines) : nil }

    mutating func add(_ row: some LedgerFigures) {
        switch row.arm {
        case .treated: treated.add(row)
        case .holdout: holdout.add(row)
        }
        if row.aged { aged += 1 }
        if row.recovered && row.arm == .treated {
            if row.attributed { attributed += 1 } else { unattributed += 1 }
        }
        tasksDone += row.tasksDone
        tasksDoneOnTime += row.tasksDoneOnTime
        tasksOpen += row.tasksOpen
        tasksOverdue += row.tasksOverdue
        maturity.add(window: max(row.contractDate.days(until: row.measuredUntil) + 1, 0), elapsed: row.measuredDays)
    }

    mutating func merge(_ o: ReportFigures) {
        deals += o.deals
        treated.merge(o.treated)
        holdout.merge(o.holdout)
        aged += o.aged
        attributed += o.attributed
        unattributed += o.unattributed
        tasksDone += o.tasksDone
        tasksDoneOnTime += o.tasksDoneOnTime
        tasksOpen += o.tasksOpen
        tasksOverdue += o.tasksOverdue
        maturity.merge(o.maturity)
        anytimeSums.merge(o.anytimeSums)
    }

    mutating func settleReserve(_ table: ReserveTable, asOf: LocalDate) {
        treated.settleReserve(table, asOf: asOf)
        holdout.settleReserve(table, asOf: asOf)
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
    /// What customers did on their offer pages for the same declines, when the store has counted it.
    public var offers: OfferFunnel?
    /// The books view's months (`by` `sale_month`), else empty.
    public var books: [BooksMonth] = []
    /// The arms compared within each store, when the declines come from two stores or more.
    public var stratified: StratifiedFigures?
}

/// Builds the report from the ledger's lines, given in deal order (the lines of a deal together), in one pass and in
/// memory that grows with the number of groups and of distinct deal outcomes, not with the number of declines. Builders
/// of disjoint runs of deals can be merged, so a ledger can be read in parts at once.
public struct ReportBuilder: Sendable {
    public private(set) var parameters: ReportParameters
    private var total = ReportFigures()
    private var totalDeals = ArmClasses()
    private var index: [String: Int] = [:]
    /// The groups' keys in `groups` order: a report has a few groups (products, months), found faster by comparing
    /// than by hashing.
    private var keys: [String] = []
    private let countsTotal: Bool
    private var groups: [ReportFigures] = []
    private var groupDeals: [ArmClasses] = []
    /// The deal being added, and its declines and net margin so far, in the total and in each of its groups.
    private var deal: (store: String, number: String, arm: Arm)?
    private var dealTotal = (declines: 0, net: Int64(0))
    private var dealGroups: [(group: Int, declines: Int, net: Int64)] = []
    private var lastMonth: (day: LocalDate, key: String)?
    /// The books view (`by` `sale_month` only) and the sums by store (the total's builder, over every store only).
    private var books = BooksView()
    private var strata = StoreStrata()
    private let byStore: Bool
    /// The share held out at the last line's store (lines come deal by deal, a store's deals mostly together).
    private var lastHeldOut: (store: String, percent: Int)?

    /// The percent of deals held out at `store`.
    private mutating func heldOut(_ store: String) -> Int {
        if let last = lastHeldOut, last.store == store { return last.percent }
        let percent = parameters.holdoutPercent(of: store)
        lastHeldOut = (store, percent)
        return percent
    }

    struct ArmClasses: Sendable {
        var treated = Bootstrap.Classes()
        var holdout = Bootstrap.Classes()
        mutating func add(_ arm: Arm, declines: Int, net: Int64) {
            switch arm {
            case .treated: treated.add(declines: declines, netCents: net)
            case .holdout: holdout.add(declines: declines, netCents: net)
            }
        }
        mutating func merge(_ o: ArmClasses) {
            treated.merge(o.treated)
            holdout.merge(o.holdout)
        }
        /// About how many draws a resample of both arms makes: what computing their interval costs.
        var draws: Int { Bootstrap.ArmSampler.draws(classes: treated.count) + Bootstrap.ArmSampler.draws(classes: holdout.count) }
    }

    /// `countsTotal` false: a builder whose report takes its total from another builder's, given the same lines, in
    /// `ReportBuilder.finish(_:)` (the first's); it counts only its groups.
    public init(_ parameters: ReportParameters, countsTotal: Bool = true) {
        self.parameters = parameters
        self.countsTotal = countsTotal
        byStore = countsTotal && parameters.store == nil
    }

    public mutating func add(_ row: LedgerRow) { add(row, parameters.evaluationUnit(row)) }

    private mutating func add(_ row: LedgerRow, _ unit: (closed: Bool, y: Int64?)) {
        if parameters.by == .saleMonth { books.add(row) }
        addLine(row, unit)
    }

    /// Adds a decline with nothing after the desk, as `add(LedgerRow(line))` would.
    public mutating func add(_ line: QuietLine) { addLine(line, parameters.evaluationUnit(line)) }

    /// Adds a line to each of `builders`, reports of the same declines grouped differently (their parameters equal
    /// but for `by`), with its anytime unit worked out once by the caller (`ReportParameters.evaluationUnit`, of the
    /// parameters at hand: reading them out of a builder would copy them, dictionaries and all, for every line).
    public static func add(_ row: LedgerRow, unit: (closed: Bool, y: Int64?), to builders: inout [ReportBuilder]) {
        for j in builders.indices { builders[j].add(row, unit) }
    }

    /// `add(_:to:)` of a decline with nothing after the desk.
    public static func add(_ line: QuietLine, unit: (closed: Bool, y: Int64?), to builders: inout [ReportBuilder]) {
        for j in builders.indices { builders[j].addLine(line, unit) }
    }

    private mutating func addLine(_ row: some LedgerFigures, _ unit: (closed: Bool, y: Int64?)) {
        if let d = deal, d.store != row.store || d.number != row.dealNumber { closeDeal() }
        if deal == nil {
            deal = (row.store, row.dealNumber, row.arm)
            if countsTotal { total.deals += 1 }
            if byStore { strata.open(store: row.store) }
        }
        if byStore { strata.add(row) }
        if countsTotal {
            total.add(row)
            total.addMaturity(row, unit, heldOutPercent: heldOut(row.store))
            dealTotal.declines += 1
            dealTotal.net += row.marginNetCents
        }
        guard let key = groupKey(row) else { return }
        let g: Int
        if let found = keys.count <= 32 ? keys.firstIndex(of: key) : index[key] {
            g = found
        } else {
            g = groups.count
            index[key] = g
            keys.append(key)
            groups.append(ReportFigures(key: key))
            groupDeals.append(ArmClasses())
        }
        groups[g].add(row)
        groups[g].addMaturity(row, unit, heldOutPercent: heldOut(row.store))
        if let i = dealGroups.firstIndex(where: { $0.group == g }) {
            dealGroups[i].declines += 1
            dealGroups[i].net += row.marginNetCents
        } else {
            groups[g].deals += 1
            dealGroups.append((g, 1, row.marginNetCents))
        }
    }

    /// `parameters.groupKey`, remembering the last month's key (a deal's lines, and most neighbours, share it).
    private mutating func groupKey(_ row: some LedgerFigures) -> String? {
        guard parameters.by == .month else { return parameters.groupKey(row) }
        if let m = lastMonth, m.day == row.contractDate { return m.key }
        let key = parameters.groupKey(row)
        lastMonth = key.map { (row.contractDate, $0) }
        return key
    }

    private mutating func closeDeal() {
        guard let d = deal else { return }
        if countsTotal { totalDeals.add(d.arm, declines: dealTotal.declines, net: dealTotal.net) }
        if byStore { strata.close(d.arm, declines: dealTotal.declines, net: dealTotal.net) }
        for part in dealGroups { groupDeals[part.group].add(d.arm, declines: part.declines, net: part.net) }
        deal = nil
        dealTotal = (0, 0)
        dealGroups.removeAll(keepingCapacity: true)
    }

    /// The reserves of lines added with `defersReserve` (each group's, the total's, each store's), from `table`, which
    /// the report then shows: as if every line had been given it.
    public mutating func settleReserve(_ table: ReserveTable) {
        let asOf = parameters.asOf
        total.settleReserve(table, asOf: asOf)
        for g in groups.indices { groups[g].settleReserve(table, asOf: asOf) }
        strata.settleReserve(table, asOf: asOf)
        parameters.netToStore.reserve = table
        parameters.netToStore.defersReserve = false
    }

    /// Adds the lines another builder was given (other deals than this one's).
    public mutating func merge(_ other: ReportBuilder) {
        closeDeal()
        var o = other
        o.closeDeal()
        total.merge(o.total)
        totalDeals.merge(o.totalDeals)
        books.merge(o.books)
        strata.merge(o.strata)
        for (key, j) in o.index {
            if let i = index[key] {
                groups[i].merge(o.groups[j])
                groupDeals[i].merge(o.groupDeals[j])
            } else {
                index[key] = groups.count
                keys.append(key)
                groups.append(o.groups[j])
                groupDeals.append(o.groupDeals[j])
            }
        }
    }

    /// The report. `declinesInExports` is the total's count of declines in the imported files, refused rows included.
    public func finish(declinesInExports: Int? = nil) -> MarginReport {
        var r = ReportBuilder.finish([self])[0]
        r.total.declinesInExports = declinesInExports.map { max($0, r.total.declines) }
        return r
    }

    /// The reports of builders given the same declines, grouped differently (or not at all). Their intervals are computed
    /// at once, on every core, costliest first: each group's, and the total's once (the seed does not depend on the
    /// grouping, so the total's interval is the same in each).
    public static func finish(_ builders: [ReportBuilder]) -> [MarginReport] {
        var bs = builders
        for i in bs.indices { bs[i].closeDeal() }
        // (builder, group index or nil for the total)
        var items: [(builder: Int, group: Int?, figures: ReportFigures, deals: ArmClasses)] = []
        for (b, builder) in bs.enumerated() {
            for key in builder.index.keys.sorted() {
                if let g = builder.index[key] { items.append((b, g, builder.groups[g], builder.groupDeals[g])) }
            }
            let sameAsFirst =
                b > 0
                && (!builder.countsTotal || builder.total.declines == bs[0].total.declines && builder.total.deals == bs[0].total.deals)
            if !sameAsFirst { items.append((b, nil, builder.total, builder.totalDeals)) }
        }
        let work = items
        let parameters = bs.map(\.parameters)
        // The first builder counts the total: over two stores or more, the stratified block's strata are jobs too
        // (indices after the items'), and all run costliest first: the strata's resampled differences are added at the end.
        let plan = bs.first?.strata.byStore.map { StratifiedFigures.plan($0.strata, deals: $0.deals, parameters: parameters[0]) }
        let jobs = plan?.jobs ?? []
        let costs = items.map(\.deals.draws) + jobs.map(\.draws)
        let order = costs.indices.sorted { (costs[$0], $1) > (costs[$1], $0) }
        let concluded = Parallel.map(order.count) { (n: Int) -> (ReportFigures?, [Double]) in
            let i = order[n]
            guard i < work.count else {
                return (nil, StratifiedFigures.differences(jobs[i - work.count], resamples: parameters[0].resamples))
            }
            let item = work[i]
            let p = parameters[item.builder]
            var f = item.figures
            f.conclude(
                treatedDeals: item.deals.treated, holdoutDeals: item.deals.holdout, resamples: p.resamples, seed: p.seed(group: f.key))
            f.concludeAnytime(p)
            return (f, [])
        }
        var totals: [ReportFigures?] = Array(repeating: nil, count: bs.count)
        var groups = bs.map(\.groups)
        var differences = [[Double]](repeating: [], count: jobs.count)
        for (i, c) in zip(order, concluded) {
            if i >= items.count {
                differences[i - items.count] = c.1
            } else if let f = c.0 {
                if let g = items[i].group { groups[items[i].builder][g] = f } else { totals[items[i].builder] = f }
            }
        }
        let stratified = plan?.figures.concluded(with: differences, resamples: parameters[0].resamples)
        return bs.indices.map { b in
            let keys = bs[b].index.keys.sorted()
            return MarginReport(
                parameters: bs[b].parameters, total: totals[b] ?? totals[0] ?? bs[b].total,
                groups: keys.compactMap { bs[b].index[$0].map { groups[b][$0] } }, books: bs[b].books.sorted,
                stratified: stratified)
        }
    }
}
