import Foundation
import Testing

@testable import AfterdeskCore

/// The anytime interval (an asymptotic confidence sequence) and the power figures: against the published formula, on
/// the worked example, and under a year of daily looks (docs/reporting.md).
struct AnytimeTests {
    /// The normal-mixture boundary of Waudby-Smith et al. (2024), by hand:
    /// sqrt( 2(t σ² ρ² + 1) / (t² ρ²) · log( sqrt(t σ² ρ² + 1) / α ) ) at t = 1000, σ² = 4, ρ² = 0.01, α = 0.05:
    /// s = 41, 2·41 / (10⁶ · 0.01) = 0.0082, log(√41 / 0.05) = log(128.0625) = 4.852519, product 0.0397907, root 0.199476.
    @Test func theBoundaryIsThePublishedFormula() throws {
        let b = try #require(ConfidenceSequence.boundary(t: 1000, variance: 4, rho2: 0.01))
        #expect(abs(b - 0.199_475_938_690_9) < 1e-12)
        #expect(ConfidenceSequence.boundary(t: 0, variance: 4, rho2: 0.01) == nil)
        #expect(ConfidenceSequence.boundary(t: 10, variance: 4, rho2: 0) == nil)
    }

    /// The tuning: x = t σ² ρ² + 1 at t* solves x − log x = 1 − 2 log α (= 6.991465 at α = 0.05): x = 9.211968. The boundary
    /// at t* is then the narrowest over ρ.
    @Test func theTuningMakesTheBoundaryTightestAtOneYear() throws {
        #expect(abs(ConfidenceSequence.tightest() - 9.211_968_062_068) < 1e-9)
        let variance = 1.6e9  // (cents²: a standard deviation of $400 a decline)
        let rho2 = try #require(ConfidenceSequence.rho2(tStar: 3_650, variance: variance))
        #expect(abs(rho2 - 1.406_158_914_737_7e-12) < 1e-22)
        let atBest = try #require(ConfidenceSequence.boundary(t: 3_650, variance: variance, rho2: rho2))
        #expect(abs(atBest - 2_009.508_145) < 1e-3)
        for factor in [0.5, 0.9, 1.1, 2.0] {
            let other = try #require(ConfidenceSequence.boundary(t: 3_650, variance: variance, rho2: rho2 * factor))
            #expect(other > atBest)
        }
        // Wider than the fixed 95% interval at the same t (1.96 · 40,000 / √3650 = 1,297.69): the price of every look.
        #expect(atBest > 1.96 * 40_000 / 3_650.0.squareRoot())
    }

    /// Four units, p = 0.9: treated Y = $1,000, 0, 0 and held-out Y = $500: φ = 111,111.1, 0, 0, −500,000 cents. Σφ =
    /// −388,888.89, Σφ² = 262,345,679,012.35, mean −97,222.22, variance 56,134,259,259.26; tuned for t* = 365:
    /// half-width 1,016,380.386 (by the formula above).
    @Test func theIntervalComesFromTheSumsAlone() throws {
        var m = MaturitySums()
        let day = LocalDate(daysSinceEpoch: 20_000)
        m.add(arm: .treated, contractDate: day, net: 100_000, closed: true, y: 100_000)
        m.add(arm: .treated, contractDate: day, net: 0, closed: true, y: nil)
        m.add(arm: .treated, contractDate: day, net: 0, closed: true, y: nil)
        m.add(arm: .holdout, contractDate: day, net: 50_000, closed: true, y: 50_000)
        m.add(arm: .holdout, contractDate: day, net: 0, closed: false, y: nil)
        let s = try #require(m.pseudoOutcomes(treatedShare: 0.9))
        #expect(s.t == 4)
        #expect(abs(s.sum - -388_888.888_888_9) < 1e-6)
        #expect(abs(s.squares - 262_345_679_012.345_67) < 1e-2)
        let e = try #require(ConfidenceSequence.interval(sum: s.sum, squares: s.squares, t: s.t, tStar: 365))
        #expect(abs(e.value - -97_222.222_222) < 1e-5)
        #expect(abs(e.low - -1_113_602.608_717) < 1e-4)
        #expect(abs(e.high - 919_158.164_273) < 1e-4)
    }

    /// The worked example as of 2026-06-30 with 120-day windows: closed (contract on or before 2026-03-02) are D-1 (2),
    /// D-2, D-3, D-4, D-5 (2) treated and D-7 (2) held out; D-6 and D-8 are still open. Treated Y: D-1 $1,345, D-2 $490,
    /// D-3 $600 (sold on day 120, within; its chargeback of Jun 20 counts), D-5 $515; held out: D-7 $1,345.
    @Test func theWorkedExampleHasItsClosedDeclinesAndPower() throws {
        let t = WorkedExample.report().report.total
        #expect(t.anytimeSums.treated.closed == 7)
        #expect(t.anytimeSums.treated.closedRecovered == 4)
        #expect(t.anytimeSums.treated.closedSum == 295_000)
        #expect(t.anytimeSums.holdout.closed == 2)
        #expect(t.anytimeSums.holdout.closedSum == 134_500)
        #expect(t.verdictAnytime == .tooSmall)
        // Power: lift seen $368.75 − $336.25 = $32.50 a decline. Fewer than 5 recoveries in either arm: both take the
        // variance of all 12 declines, Σnet² / 12 − mean² = 4,483,375 / 12 − (4,295 / 12)² = 245,510.24 dollars². n =
        // (1.959964 + 0.841621)² · v · (1/0.9 + 1/0.1) / 32.5² = 20,270.7 → 20,271; at $25: 34,257.4 → 34,258. Volume:
        // 12 declines over Jan 10 – Jun 30 (172 days) = 2.1235 a month; months (20,271 − 12) / 2.1235 → 9,541 and 16,127.
        let p = try #require(t.power)
        #expect(p.liftSeenCents == 3_250)
        #expect(p.minimumLiftCents == 2_500)
        #expect(p.declinesNeeded == 20_271)
        #expect(p.declinesNeededAtMinimum == 34_258)
        #expect(abs((p.declinesPerMonth ?? 0) - 2.123_546_5) < 1e-6)
        #expect(p.monthsToGo == 9_541)
        #expect(p.monthsToGoAtMinimum == 16_127)
        let text = try #require(ReportText.whenItWillKnow(t))
        #expect(
            text.contains(
                "a lift of $32.50 a decline (the size seen) needs about 20,271 declines, at about 2 declines a month, about 9,541 more months"
            ))
    }

    @Test func theJSONHasTheNewFieldsBesideTheOld() throws {
        let data = try ReportFormats.json(WorkedExample.report(by: .product).report)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["verdict"] as? String == "too_small")
        #expect(total["verdict_anytime"] as? String == "too_small")
        let anytime = try #require(total["incremental_margin_anytime"] as? [String: Any])
        #expect(anytime["declines"] as? Int == 9)
        #expect((anytime["per_decline"] as? [String: Any])?["value"] != nil)
        let power = try #require(total["power"] as? [String: Any])
        #expect(power["declines_needed"] as? Int == 20_271)
        #expect(power["minimum_lift"] as? String == "25.00")
        #expect(power["lift_seen"] as? String == "32.50")
        #expect(power["declines_per_month"] as? String == "2.1")
        #expect(power["months_to_go"] as? Int == 9_541)
        let groups = try #require(json["groups"] as? [[String: Any]])
        #expect(groups.allSatisfy { $0["verdict_anytime"] != nil && $0["power"] != nil })
    }

    /// A store with no effect (2% recovered in both arms) reads its anytime verdict every day for a year: over 1,000
    /// stores, at most 5% ever see "recovered".
    @Test func underNoEffectDailyLooksRarelySeeRecovered() {
        let sim = DailyLooks()
        let stores = Self.simulate(sim, count: 1_000, seed: 1)
        let falseRecovered = stores.filter { $0.anytimeRecovered != nil }.count
        let rate = Double(falseRecovered) / Double(stores.count)
        print(
            "daily looks, no effect: anytime 'recovered' in \(falseRecovered) of \(stores.count) stores (\(String(format: "%.1f", rate * 100))%)"
        )
        #expect(rate <= 0.05)
    }

    /// Under the demo's lift (2% → 8% of treated declines recovered), "recovered" within 10 months of go-live in at least
    /// 80% of 1,000 stores.
    @Test func underTheDemosLiftDailyLooksSeeRecoveredWithinTenMonths() {
        var sim = DailyLooks()
        sim.treatedRate = 0.08
        let stores = Self.simulate(sim, count: 1_000, seed: 2)
        let byTenMonths = Int((10 * PowerFigures.daysPerMonth).rounded(.down))
        let found = stores.filter { ($0.anytimeRecovered ?? Int.max) <= byTenMonths }.count
        let rate = Double(found) / Double(stores.count)
        print(
            "daily looks, 2% → 8%: anytime 'recovered' within 10 months in \(found) of \(stores.count) stores (\(String(format: "%.1f", rate * 100))%)"
        )
        #expect(rate >= 0.80)
        #expect(stores.allSatisfy { $0.anytimeNegative == nil || $0.anytimeRecovered == nil })
    }

    static func simulate(_ sim: DailyLooks, count: Int, seed: UInt64) -> [DailyLooks.Store] {
        Parallel.map(count) { sim.run(seed: seed &* 1_000_003 &+ UInt64($0)) }
    }
}

extension AnytimeTests {
    /// The table says the anytime verdict and when it will know under the headline, and a group's months at its end.
    @Test func theTableSaysBothUnderTheHeadline() {
        let text = ReportText.render(WorkedExample.report(by: .product).report)
        print(text)
        #expect(text.contains("Anytime interval (safe to read every day): too small to conclude yet (9 declines whose 120-day"))
        #expect(text.contains("When it will know (80% power, 95% two-sided): a lift of $32.50 a decline (the size seen)"))
        #expect(text.contains("more months at $25.00 a decline"))
    }
}

extension AnytimeTests {
    /// The unit: closed when contract + 120 days is on or before as_of; its Y counts a sale within those 120 days only,
    /// even when `attribution_days` is longer (the ledger then counts a later sale, the anytime interval does not).
    @Test func aDeclineCountsOnceItsWindowHasClosedWithTheSalesInIt() {
        let d = WorkedExample.d
        var p = ReportParameters(
            asOf: d("2026-06-30"), from: d("2025-07-01"), to: d("2026-06-30"), attributionDays: 365, holdoutPercent: 10)
        func unit(_ contract: String, soldOn: String?) -> (closed: Bool, y: Int64?) {
            let sales = soldOn.map { [WorkedExample.sale(.contract, $0, 1_000, 400, "C")] } ?? []
            let h = DeclineHistory(store: "LM", dealNumber: "D", product: "vsc", contractDate: d(contract), heldOut: false, sales: sales)
            return p.evaluationUnit(LedgerRow(h, rules: p.rules))
        }
        #expect(unit("2026-03-02", soldOn: nil) == (true, nil))  // window ends Jun 30: closed
        #expect(unit("2026-03-03", soldOn: nil) == (false, nil))  // ends Jul 1: still open
        #expect(unit("2026-01-01", soldOn: "2026-05-01") == (true, 60_000))  // day 120: in
        #expect(unit("2026-01-01", soldOn: "2026-05-02") == (true, nil))  // day 121: the ledger's, not the window's
        p.evaluationDays = ["vsc": 180]
        #expect(unit("2026-01-01", soldOn: "2026-05-02") == (true, 60_000))  // a product's own horizon
        #expect(unit("2026-01-02", soldOn: nil) == (false, nil))
    }
}

extension AnytimeTests {
    /// `anytime_window: horizon`: a decline's unit closes at its measurement end (`measured_until`), and a sale anywhere
    /// before it counts; `anytime_window: 180` sets the days; anything else is refused, naming the field.
    @Test func aStoreMayCloseTheUnitAtTheHorizon() throws {
        let d = WorkedExample.d
        func menu(_ line: String) throws -> Menu {
            try MenuLoader.loadMenu(
                yaml: DefaultMenus.menuYAML.replacingOccurrences(of: "version: 1\n", with: "version: 1\n" + line), file: "m.yaml")
        }
        #expect(try menu("").anytimeWindow == .days(120))
        #expect(try menu("anytime_window: 180\n").anytimeWindow == .days(180))
        let byHorizon = try menu("anytime_window: horizon\n")
        #expect(byHorizon.anytimeWindow == .horizon)
        for bad in ["anytime_window: 12\n", "anytime_window: forever\n"] {
            #expect(throws: MenuErrors.self) { try menu(bad) }
        }
        // Tire & wheel's horizon in the shipped menu: the contract + 90 days.
        var p = ReportParameters(asOf: d("2026-06-30"), from: d("2025-07-01"), to: d("2026-06-30"), menu: byHorizon)
        #expect(p.anytimeByHorizon && p.anytimeWindowName == "measurement horizon")
        let json = try #require(
            try JSONSerialization.jsonObject(with: ReportFormats.json(MarginReport(parameters: p, total: ReportFigures(), groups: [])))
                as? [String: Any])
        #expect(json["anytime_window"] as? String == "horizon")
        func unit(_ contract: String, soldOn: String?) -> (closed: Bool, y: Int64?) {
            let sales = soldOn.map { [WorkedExample.sale(.contract, $0, 1_000, 400, "C")] } ?? []
            let h = DeclineHistory(
                store: "LM", dealNumber: "D", product: "tire_wheel", contractDate: d(contract), heldOut: false, sales: sales,
                horizon: p.contractHorizons.horizon(of: "tire_wheel", contract: d(contract), stored: nil))
            return p.evaluationUnit(LedgerRow(h, rules: p.rules))
        }
        #expect(unit("2026-04-01", soldOn: nil) == (true, nil))  // horizon Jun 30: closed
        #expect(unit("2026-04-02", soldOn: nil) == (false, nil))  // Jul 1: open
        #expect(unit("2026-04-01", soldOn: "2026-06-30") == (true, 60_000))  // the horizon's last day
        p.anytimeByHorizon = false
        #expect(unit("2026-04-01", soldOn: nil) == (false, nil))  // 120 days: Jul 30, still open
        #expect(ReportText.anytime(ReportFigures(), window: p.anytimeWindowName).contains("declines whose 120-day window has closed"))
    }
}

/// A group whose stores hold out different shares: each decline's pseudo-outcome is weighed by its own store's share,
/// in the pooled report's anytime interval and power, and the report says which stores hold out another share.
@Suite struct AnytimeSharesTests {
    @Test func eachDeclineIsWeighedByItsOwnStoresShare() throws {
        var m = MaturitySums()
        var atTen = MaturitySums()
        var atHalf = MaturitySums()
        let day = LocalDate(daysSinceEpoch: 20_000)
        let lines: [(Arm, Int64?, Int)] = [
            (.treated, 100_000, 10), (.treated, nil, 10), (.holdout, 40_000, 10), (.holdout, nil, 10),
            (.treated, 30_000, 50), (.holdout, nil, 50), (.holdout, 70_000, 50), (.treated, nil, 50),
        ]
        for (arm, y, percent) in lines {
            m.add(arm: arm, contractDate: day, net: y ?? 0, closed: true, y: y, holdoutPercent: percent)
            if percent == 10 { atTen.add(arm: arm, contractDate: day, net: y ?? 0, closed: true, y: y) }
            if percent == 50 { atHalf.add(arm: arm, contractDate: day, net: y ?? 0, closed: true, y: y) }
        }
        let ten = try #require(atTen.pseudoOutcomes(treatedShare: 0.9))
        let half = try #require(atHalf.pseudoOutcomes(treatedShare: 0.5))
        let both = try #require(m.pseudoOutcomes(heldOutPercent: 10))
        #expect(both.t == 8 && abs(both.sum - (ten.sum + half.sum)) < 1e-6 && abs(both.squares - (ten.squares + half.squares)) < 1e-3)
        // At the group's 10% for every line, as before, the sum differs: the held-out $700 at a 50% store would count
        // as −$7,000 instead of −$1,400.
        let atGroupShare = try #require(m.pseudoOutcomes(treatedShare: 0.9))
        #expect(abs(atGroupShare.sum - both.sum) > 1)
        // Power's spread: the declines' mean of 1/p and 1/(1 − p), 4 at p = 0.9 and 4 at 0.5: (4/0.9 + 4/0.5) / 8 and
        // (4/0.1 + 4/0.5) / 8 = 6 (not 1/(1 − 0.7) = 3.3: an average share understates what is needed).
        let inverse = try #require(m.inverseShares())
        #expect(abs(inverse.treated - (4 / 0.9 + 8) / 8) < 1e-12 && abs(inverse.holdout - 6) < 1e-12)
        #expect(atTen.inverseShares() == nil && m.treatedShare(heldOutPercent: 10) == 0.9)
        // A store holding out none of its deals has no contrast: its declines are left out, the others' interval stands.
        var withNone = m
        withNone.add(arm: .treated, contractDate: day, net: 90_000, closed: true, y: 90_000, holdoutPercent: 0)
        #expect(withNone.byHoldoutPercent.map(\.percent) == [0, 10, 50])
        #expect(withNone.pseudoOutcomes(heldOutPercent: 10)! == both)
        #expect(withNone.inverseShares()! == inverse)
        // One share alone: exactly what the report computed before.
        #expect(atTen.pseudoOutcomes(heldOutPercent: 10)! == ten)
        var one = MaturitySums()
        for (arm, y, _) in lines { one.add(arm: arm, contractDate: day, net: y ?? 0, closed: true, y: y, holdoutPercent: 10) }
        #expect(one.pseudoOutcomes(heldOutPercent: 10)! == one.pseudoOutcomes(treatedShare: 0.9)!)
        // Parts merged equal the whole, whatever the order.
        var merged = MaturitySums()
        var first = MaturitySums()
        var second = MaturitySums()
        for (i, (arm, y, percent)) in lines.enumerated() {
            if i % 3 == 0 {
                first.add(arm: arm, contractDate: day, net: y ?? 0, closed: true, y: y, holdoutPercent: percent)
            } else {
                second.add(arm: arm, contractDate: day, net: y ?? 0, closed: true, y: y, holdoutPercent: percent)
            }
        }
        merged.merge(second)
        merged.merge(first)
        #expect(merged.pseudoOutcomes(heldOutPercent: 10)! == both)
    }

    @Test func thePooledReportWeighsEachStoreByItsShareAndSaysSo() throws {
        var p = WorkedExample.parameters()
        p.storeHoldouts = ["A": 50]
        p.resamples = 200
        var b = ReportBuilder(p)
        for h in StratifiedReportTests.simpson { b.add(LedgerRow(h, rules: p.rules)) }
        let r = b.finish()
        let sums = r.total.anytimeSums
        #expect(sums.byHoldoutPercent.map(\.percent).sorted() == [10, 50])
        #expect(sums.byHoldoutPercent.first { $0.percent == 50 }?.holdout.closed == 90)
        let weighed = try #require(sums.pseudoOutcomes(heldOutPercent: 10))
        let perYear = (r.total.declinesPerMonth(p) ?? 0) * 12
        let expected = try #require(ConfidenceSequence.interval(sum: weighed.sum, squares: weighed.squares, t: weighed.t, tStar: perYear))
        #expect(r.total.incrementalMarginAnytime?.perDecline == expected)
        #expect(ReportText.render(r).contains("10% of deals are held out; 50% at A."))
        // A report of some stores names theirs alone: one share for all, or each store's.
        p.stores = ["B", "C"]
        #expect(p.heldOutText == "10% of deals are held out")
        p.stores = ["A"]
        #expect(p.heldOutText == "50% of deals are held out")
        p.stores = ["B", "A"]
        #expect(p.heldOutText == "50% of deals are held out at A, 10% at B")
        // A report of one store says its own share alone.
        p.stores = nil
        p.store = "A"
        p.holdoutPercent = 50
        #expect(p.heldOutText == "50% of deals are held out")
    }
}
