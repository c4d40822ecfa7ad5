import Foundation
import Testing

@testable import AfterdeskCore

/// The `stratified` interval's coverage when the follow-up does nothing: many small stores (one held-out decline each)
/// beside a few large ones. Pooled, the small stores keep the false exclusions near the nominal 5%.
@Suite struct StratifiedSimulationTests {
    /// A store of `treated` and `held` declines, each on a deal of its own, every one recovered with the same chance in
    /// both arms (no effect), for $200, $500 or $1,000 of net margin.
    static func store(
        _ key: String, treated: Int, held: Int, rng: inout SeededRandom
    ) -> (StratifiedFigures.Stratum, ReportBuilder.ArmClasses) {
        var s = StratifiedFigures.Stratum(key: key)
        var deals = ReportBuilder.ArmClasses()
        for (arm, count) in [(Arm.treated, treated), (.holdout, held)] {
            for _ in 0..<count {
                var f = ArmFigures()
                f.declines = 1
                if rng.next() % 100 < 15 {
                    f.recovered = 1
                    f.netCents = [20_000, 50_000, 100_000][Int(rng.next() % 3)]
                    f.grossCents = f.netCents
                }
                if arm == .treated { s.treated.merge(f) } else { s.holdout.merge(f) }
                deals.add(arm, declines: 1, net: f.netCents)
                s.deals += 1
            }
        }
        return (s, deals)
    }

    /// The share of `groups` simulated dealer groups whose interval lies above zero, and above or below.
    static func falseRates(groups: Int, floor: Int, small: Int = 60, large: Int = 3) -> (recovered: Double, excluded: Double) {
        var rng = SeededRandom(seed: 2_028)
        var recovered = 0
        var excluded = 0
        for g in 0..<groups {
            var strata: [(StratifiedFigures.Stratum, ReportBuilder.ArmClasses)] = []
            for i in 0..<small { strata.append(store("S\(1_000 + i)", treated: 10, held: 1, rng: &rng)) }
            for i in 0..<large { strata.append(store("L\(i)", treated: 80, held: 20, rng: &rng)) }
            var p = WorkedExample.parameters(by: nil)
            p.from = LocalDate("2026-01-01")!.adding(days: g)
            p.resamples = 400
            let s = StratifiedFigures.conclude(strata.map(\.0), deals: strata.map(\.1), parameters: p, floor: floor)
            guard let m = s.incrementalMargin else { continue }
            if m.low > 0 { recovered += 1 }
            if m.low > 0 || m.high < 0 { excluded += 1 }
        }
        return (Double(recovered) / Double(groups), Double(excluded) / Double(groups))
    }

    @Test func smallStoresKeepTheFalseRecoveryRate() {
        let pooled = Self.falseRates(groups: 300, floor: StratifiedFigures.smallStoreDeclines)
        print(
            "stratified, no effect, 300 groups of 60 stores (10 treated, 1 held out) and 3 (80, 20), small stores pooled: "
                + "\(pooled.recovered * 100)% recovered, \(pooled.excluded * 100)% exclude zero")
        #expect(pooled.excluded <= 0.08)
        if let env = ProcessInfo.processInfo.environment["AFTERDESK_STRATIFIED_SIM"], let floor = Int(env) {
            for (small, large) in [(80, 0), (60, 3)] {
                let r = Self.falseRates(groups: 300, floor: floor, small: small, large: large)
                print(
                    "floor \(floor), \(small) small and \(large) large stores: \(r.recovered * 100)% recovered, \(r.excluded * 100)% excluded"
                )
            }
        }
    }
}
