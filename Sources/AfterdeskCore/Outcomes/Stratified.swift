import Foundation

/// The arms compared within each store and combined (docs/reporting.md, "Several stores together"): the report's
/// `stratified` block, given when its declines come from two stores or more.
public struct StratifiedFigures: Sendable, Equatable {
    /// One store's figures.
    public struct Stratum: Sendable, Equatable {
        public var key: String
        public var deals = 0
        public var treated = ArmFigures()
        public var holdout = ArmFigures()
        /// (margin per treated decline − per held-out decline) × treated declines, in cents; nil when an arm has no
        /// declines (the store is then left out of the estimate).
        public var incrementalMargin: Double?
        /// Under `smallStoreDeclines` declines in an arm: the store's declines count in the `smallStores` stratum.
        public var pooled = false
        public init(key: String) { self.key = key }
        public var inEstimate: Bool { incrementalMargin != nil }
    }

    /// Every store with a decline in the report, by code.
    public var strata: [Stratum]
    /// The stores with under `smallStoreDeclines` declines in an arm, together (key `(small stores)`); nil without one.
    public var smallStores: Stratum?
    /// Σ over the stores in the estimate of their incremental margin, with its 95% interval.
    public var incrementalMargin: Estimate?
    public var verdict: Verdict
    /// The strata of the estimate: each store of `smallStoreDeclines` declines or more in both arms, and the small stores
    /// together, when each arm has a decline.
    public var estimated: [Stratum] { (strata.filter { !$0.pooled } + (smallStores.map { [$0] } ?? [])).filter(\.inEstimate) }
    /// The stores left out of the estimate: the small stores, when together they lack an arm.
    public var leftOut: [String] {
        smallStores?.inEstimate == false ? strata.filter(\.pooled).map(\.key) : strata.filter { !$0.pooled && !$0.inEstimate }.map(\.key)
    }
    /// The declines of each arm in the strata of the estimate.
    public var treatedDeclines: Int { estimated.reduce(0) { $0 + $1.treated.declines } }
    public var holdoutDeclines: Int { estimated.reduce(0) { $0 + $1.holdout.declines } }
}

/// The report's sums by store, for the `stratified` block: each store's arms, line by line, and its deals by class,
/// deal by deal. A report's lines come deal by deal, so the store is looked up once per deal.
struct StoreStrata: Sendable {
    private(set) var strata: [StratifiedFigures.Stratum] = []
    private(set) var deals: [ReportBuilder.ArmClasses] = []
    /// The store of the deal being added.
    private var current = -1

    /// A deal of `store` starts.
    mutating func open(store: String) {
        if current >= 0 && strata[current].key == store {
            // the same store as the last deal: most deals
        } else if let i = strata.firstIndex(where: { $0.key == store }) {
            current = i
        } else {
            current = strata.count
            strata.append(.init(key: store))
            deals.append(ReportBuilder.ArmClasses())
        }
        strata[current].deals += 1
    }

    mutating func add(_ row: some LedgerFigures) {
        guard current >= 0 else { return }
        switch row.arm {
        case .treated: strata[current].treated.add(row)
        case .holdout: strata[current].holdout.add(row)
        }
    }

    /// The open deal is complete: its arm, declines and net margin.
    mutating func close(_ arm: Arm, declines: Int, net: Int64) {
        guard current >= 0 else { return }
        deals[current].add(arm, declines: declines, net: net)
    }

    mutating func merge(_ other: StoreStrata) {
        for (j, s) in other.strata.enumerated() {
            if let i = strata.firstIndex(where: { $0.key == s.key }) {
                strata[i].deals += s.deals
                strata[i].treated.merge(s.treated)
                strata[i].holdout.merge(s.holdout)
                deals[i].merge(other.deals[j])
            } else {
                strata.append(s)
                deals.append(other.deals[j])
            }
        }
    }

    mutating func settleReserve(_ table: ReserveTable, asOf: LocalDate) {
        for i in strata.indices {
            strata[i].treated.settleReserve(table, asOf: asOf)
            strata[i].holdout.settleReserve(table, asOf: asOf)
        }
    }

    /// The strata in store order, with their deals; nil under two stores.
    var byStore: (strata: [StratifiedFigures.Stratum], deals: [ReportBuilder.ArmClasses])? {
        guard strata.count >= 2 else { return nil }
        let order = strata.indices.sorted { strata[$0].key < strata[$1].key }
        return (order.map { strata[$0] }, order.map { deals[$0] })
    }

    /// About how many draws a resample makes.
    var draws: Int { deals.reduce(0) { $0 + $1.draws } }
}
