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
        public init(key: String) { self.key = key }
        public var inEstimate: Bool { incrementalMargin != nil }
    }

    /// Every store with a decline in the report, by code.
    public var strata: [Stratum]
    /// Σ over the stores in the estimate of their incremental margin, with its 95% interval.
    public var incrementalMargin: Estimate?
    public var verdict: Verdict
    /// The stores left out of the estimate: an arm without declines.
    public var leftOut: [String] { strata.filter { !$0.inEstimate }.map(\.key) }
    /// The declines of each arm in the stores of the estimate.
    public var treatedDeclines: Int { strata.filter(\.inEstimate).reduce(0) { $0 + $1.treated.declines } }
    public var holdoutDeclines: Int { strata.filter(\.inEstimate).reduce(0) { $0 + $1.holdout.declines } }

    /// The figures, interval and verdict of the strata `strata` (with their deals by class, for the bootstrap).
    ///
    /// Each resample draws every store's arms with the report's Poisson bootstrap (`Bootstrap.ArmSampler`), from one
    /// seeded generator, store after store in code order, and adds up the stores' resampled incremental margins; the
    /// interval is the 2.5th and 97.5th percentiles (nearest rank) of those sums. A store's arm that drew no declines in
    /// a resample adds no difference, as in the total's bootstrap. The verdict is the total's rule applied to the counts
    /// of the stores in the estimate and to this interval.
    static func conclude(_ strata: [Stratum], deals: [ReportBuilder.ArmClasses], resamples: Int, seed: UInt64) -> StratifiedFigures {
        var all = strata
        var samplers: [(Bootstrap.ArmSampler, Bootstrap.ArmSampler)] = []
        for i in all.indices {
            let (t, h) = (all[i].treated, all[i].holdout)
            all[i].incrementalMargin = Bootstrap.incrementalMargin(
                treatedDeclines: Double(t.declines), treatedNet: Double(t.netCents), holdoutDeclines: Double(h.declines),
                holdoutNet: Double(h.netCents))
            if all[i].inEstimate {
                samplers.append(
                    (
                        Bootstrap.ArmSampler(deals[i].treated.ordered, exactClasses: Bootstrap.exactClasses),
                        Bootstrap.ArmSampler(deals[i].holdout.ordered, exactClasses: Bootstrap.exactClasses)
                    ))
            }
        }
        var figures = StratifiedFigures(strata: all, incrementalMargin: nil, verdict: .tooSmall)
        let included = all.filter(\.inEstimate)
        guard !included.isEmpty, resamples > 0 else { return figures }
        let value = included.reduce(0.0) { $0 + ($1.incrementalMargin ?? 0) }
        var rng = SeededRandom(seed: seed)
        var sums: [Double] = []
        sums.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for (t, h) in samplers {
                let (dt, nt) = t.draw(&rng)
                let (dh, nh) = h.draw(&rng)
                sum += Bootstrap.incrementalMargin(treatedDeclines: dt, treatedNet: nt, holdoutDeclines: dh, holdoutNet: nh) ?? 0
            }
            sums.append(sum)
        }
        sums.sort()
        let low = sums[max(0, Int(saturating: (0.025 * Double(resamples)).rounded(.up)) - 1)]
        let high = sums[min(resamples - 1, max(0, Int(saturating: (0.975 * Double(resamples)).rounded(.up)) - 1))]
        figures.incrementalMargin = Estimate(value: value, low: low, high: high)
        figures.verdict = Verdict.of(
            treatedDeclines: figures.treatedDeclines, treatedRecovered: included.reduce(0) { $0 + $1.treated.recovered },
            holdoutDeclines: figures.holdoutDeclines, holdoutRecovered: included.reduce(0) { $0 + $1.holdout.recovered },
            interval: (low, high))
        return figures
    }
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

    /// The strata in store order, with their deals; nil under two stores.
    var byStore: (strata: [StratifiedFigures.Stratum], deals: [ReportBuilder.ArmClasses])? {
        guard strata.count >= 2 else { return nil }
        let order = strata.indices.sorted { strata[$0].key < strata[$1].key }
        return (order.map { strata[$0] }, order.map { deals[$0] })
    }

    /// About how many draws a resample makes.
    var draws: Int { deals.reduce(0) { $0 + $1.draws } }
}
