import Foundation

/// The `stratified` block's estimate and interval (docs/reporting.md, "Several stores together"), in three steps so
/// that each stratum's bootstrap is a job of its own, run with the report's other intervals: `plan` (the strata of the
/// estimate, small stores pooled), `differences` (one stratum's resampled incremental margins, from its own seed) and
/// `concluded(with:)` (added resample by resample; the percentiles and the verdict).
extension StratifiedFigures {
    /// A store with fewer declines than this in an arm is pooled with the other small stores into one stratum,
    /// `(small stores)`. With one or a few held-out declines, a store's resampled held-out arm has (nearly) no spread,
    /// and the sum of many such strata has too narrow an interval (80 stores of 10 treated and 1 held-out declines,
    /// no effect: 7.5% false exclusions at 95%); pooled, they form one stratum large enough for the bootstrap
    /// (the test `smallStoresKeepTheFalseRecoveryRate`). Ten keeps every store of docs/reporting.md's example apart.
    public static let smallStoreDeclines = 10
    public static let smallStoresKey = "(small stores)"

    /// One stratum's bootstrap: its deals by class, its seed, and about how many draws a resample makes.
    struct Job: Sendable {
        var key: String
        var deals: ReportBuilder.ArmClasses
        var seed: UInt64
        var draws: Int { deals.draws }
    }

    /// The figures without their interval, and one job per stratum of the estimate (in its order).
    struct Plan: Sendable {
        var figures: StratifiedFigures
        var jobs: [Job]
    }

    /// The strata `strata` (with their deals by class) of a report of `parameters`: each store's incremental margin, the
    /// stores under `floor` declines in an arm pooled, and the jobs of the strata in the estimate.
    static func plan(
        _ strata: [Stratum], deals: [ReportBuilder.ArmClasses], parameters: ReportParameters, floor: Int = smallStoreDeclines
    ) -> Plan {
        var all = strata
        var small = Stratum(key: smallStoresKey)
        var smallDeals = ReportBuilder.ArmClasses()
        var jobs: [Job] = []
        for i in all.indices {
            all[i].incrementalMargin = margin(all[i])
            all[i].pooled = all[i].treated.declines < floor || all[i].holdout.declines < floor
            if all[i].pooled {
                small.deals += all[i].deals
                small.treated.merge(all[i].treated)
                small.holdout.merge(all[i].holdout)
                smallDeals.merge(deals[i])
            } else if all[i].inEstimate {
                jobs.append(Job(key: all[i].key, deals: deals[i], seed: parameters.seed(stratum: all[i].key)))
            }
        }
        var figures = StratifiedFigures(strata: all, incrementalMargin: nil, verdict: .tooSmall)
        if all.contains(where: \.pooled) {
            small.incrementalMargin = margin(small)
            figures.smallStores = small
            if small.inEstimate { jobs.append(Job(key: small.key, deals: smallDeals, seed: parameters.seed(stratum: small.key))) }
        }
        return Plan(figures: figures, jobs: jobs)
    }

    private static func margin(_ s: Stratum) -> Double? {
        Bootstrap.incrementalMargin(
            treatedDeclines: Double(s.treated.declines), treatedNet: Double(s.treated.netCents),
            holdoutDeclines: Double(s.holdout.declines), holdoutNet: Double(s.holdout.netCents))
    }

    /// A stratum's `resamples` resampled incremental margins, in resample order, each drawing its arms with the report's
    /// Poisson bootstrap (`Bootstrap.ArmSampler`) from the job's own seed; an arm that drew no declines adds no difference.
    static func differences(_ job: Job, resamples: Int) -> [Double] {
        let t = Bootstrap.ArmSampler(job.deals.treated.ordered, exactClasses: Bootstrap.exactClasses)
        let h = Bootstrap.ArmSampler(job.deals.holdout.ordered, exactClasses: Bootstrap.exactClasses)
        var rng = SeededRandom(seed: job.seed)
        var out: [Double] = []
        out.reserveCapacity(max(0, resamples))
        for _ in 0..<max(0, resamples) {
            let (dt, nt) = t.draw(&rng)
            let (dh, nh) = h.draw(&rng)
            out.append(Bootstrap.incrementalMargin(treatedDeclines: dt, treatedNet: nt, holdoutDeclines: dh, holdoutNet: nh) ?? 0)
        }
        return out
    }

    /// The figures with their interval, from the jobs' differences (in the plan's order): the strata's vectors added
    /// resample by resample, and the 2.5th and 97.5th percentiles (nearest rank) of the sums. The verdict is the total's
    /// rule applied to the counts of the strata in the estimate and to this interval.
    func concluded(with differences: [[Double]], resamples: Int) -> StratifiedFigures {
        var figures = self
        let included = estimated
        guard !included.isEmpty, resamples > 0, differences.count == included.count,
            differences.allSatisfy({ $0.count == resamples })
        else { return figures }
        var sums = [Double](repeating: 0, count: resamples)
        for d in differences { for i in sums.indices { sums[i] += d[i] } }
        sums.sort()
        let low = sums[max(0, Int(saturating: (0.025 * Double(resamples)).rounded(.up)) - 1)]
        let high = sums[min(resamples - 1, max(0, Int(saturating: (0.975 * Double(resamples)).rounded(.up)) - 1))]
        let value = included.reduce(0.0) { $0 + ($1.incrementalMargin ?? 0) }
        figures.incrementalMargin = Estimate(value: value, low: low, high: high)
        figures.verdict = Verdict.of(
            treatedDeclines: treatedDeclines, treatedRecovered: included.reduce(0) { $0 + $1.treated.recovered },
            holdoutDeclines: holdoutDeclines, holdoutRecovered: included.reduce(0) { $0 + $1.holdout.recovered },
            interval: (low, high))
        return figures
    }

    /// The whole block on this thread (the report runs the jobs beside its other intervals instead).
    static func conclude(
        _ strata: [Stratum], deals: [ReportBuilder.ArmClasses], parameters: ReportParameters, floor: Int = smallStoreDeclines
    ) -> StratifiedFigures {
        let plan = plan(strata, deals: deals, parameters: parameters, floor: floor)
        let resamples = parameters.resamples
        return plan.figures.concluded(with: plan.jobs.map { differences($0, resamples: resamples) }, resamples: resamples)
    }
}

extension ReportParameters {
    /// The seed of a stratum of the `stratified` block: the report's parameters (the horizon's settings included when
    /// they can change a figure, as for a group), the store's code (or `(small stores)`) and `(stratified)`; so adding a
    /// store leaves every other store's draws as they were.
    func seed(stratum key: String) -> UInt64 { seed(of: [key, "(stratified)"]) }
}
