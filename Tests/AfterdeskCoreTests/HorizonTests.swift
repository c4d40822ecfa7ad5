import Foundation
import Testing

@testable import AfterdeskCore

/// The measurement horizon (docs/reporting.md, "The measurement horizon"): a recovery counts while the declined product
/// could still be bought, no later than `as_of`, the menu's cap and the holdout's end; and each cohort's maturity.
@Suite struct HorizonTests {
    func d(_ s: String) -> LocalDate { LocalDate(s)! }

    func rules(asOf: String, cap: Int? = nil, holdoutMonths: Int = 48, by: MeasureBy = .horizon) -> ReportRules {
        var r = ReportRules(asOf: d(asOf), attributionDays: 120)
        (r.measureBy, r.horizonCapDays, r.holdoutMonths) = (by, cap, holdoutMonths)
        return r
    }

    func row(
        _ rules: ReportRules, contract: String = "2026-01-01", horizon: String?, sale: String, touch: String? = nil, held: Bool = false
    ) -> LedgerRow {
        LedgerRow(
            DeclineHistory(
                store: "LM", dealNumber: "H", product: "vsc", contractDate: d(contract), heldOut: held,
                touches: touch.map { [WorkedExample.touch(1, $0, "sms")] } ?? [], sales: [WorkedExample.sale(.contract, sale, 2_000, 900)],
                horizon: horizon.map(d)), rules: rules)
    }

    @Test func aSaleCountsOnTheHorizonsLastDayAndNotTheDayAfterNorAfterAsOf() {
        let r = rules(asOf: "2027-12-31")
        #expect(row(r, horizon: "2026-09-30", sale: "2026-09-30").recovered)
        #expect(!row(r, horizon: "2026-09-30", sale: "2026-10-01").recovered)
        #expect(row(r, horizon: "2026-09-30", sale: "2026-10-01").measuredUntil == d("2026-09-30"))
        // Not known yet: sold after as_of, even inside the horizon.
        #expect(!row(rules(asOf: "2026-09-29"), horizon: "2026-09-30", sale: "2026-09-30").recovered)
        // Far past the old 120-day window, inside the horizon: counted (the warranty-expiry sale of a VSC).
        #expect(row(r, horizon: "2029-12-31", sale: "2027-06-01").recovered)
    }

    @Test func theCapAndTheHoldoutsEndCutTheHorizonInBothArms() {
        // horizon_cap_days 100: 2026-01-01 + 100 days = 2026-04-11.
        let capped = rules(asOf: "2027-12-31", cap: 100)
        #expect(row(capped, horizon: "2026-09-30", sale: "2026-04-11").recovered)
        #expect(!row(capped, horizon: "2026-09-30", sale: "2026-04-12").recovered)
        #expect(row(capped, horizon: "2026-03-01", sale: "2026-03-02").measuredUntil == d("2026-03-01"))
        // No rule closes the product: the holdout's end does. Contract 2026-01-15 + 48 months = 2030-01-15, the first day
        // a held-out deal is followed up: the last day measured is the day before, for both arms alike.
        let late = rules(asOf: "2031-01-01")
        for held in [false, true] {
            #expect(row(late, contract: "2026-01-15", horizon: nil, sale: "2030-01-14", held: held).recovered)
            #expect(!row(late, contract: "2026-01-15", horizon: nil, sale: "2030-01-15", held: held).recovered)
        }
        let short = rules(asOf: "2031-01-01", holdoutMonths: 12)
        #expect(!row(short, contract: "2026-01-15", horizon: "2029-01-01", sale: "2027-01-15").recovered)
        #expect(row(short, contract: "2026-01-15", horizon: "2029-01-01", sale: "2027-01-14").recovered)
    }

    @Test func inWindowModeTheHorizonIsNotReadAndTheLookBackStaysInBoth() {
        let window = rules(asOf: "2027-12-31", by: .window)
        // 2026-01-01 + 120 days = 2026-05-01, whatever the horizon says.
        #expect(row(window, horizon: "2026-01-31", sale: "2026-05-01").recovered)
        #expect(!row(window, horizon: "2029-01-31", sale: "2026-05-02").recovered)
        #expect(row(window, horizon: nil, sale: "2026-05-02").measuredUntil == d("2026-05-01"))
        // The touch's credit looks back attribution_days (120) from the sale in both modes.
        let r = rules(asOf: "2027-12-31")
        #expect(row(r, horizon: nil, sale: "2027-05-15", touch: "2027-01-15").attributedTouch == 1)
        #expect(row(r, horizon: nil, sale: "2027-05-15", touch: "2027-01-14").attributedTouch == nil)
        #expect(row(r, horizon: nil, sale: "2027-05-15", touch: "2027-01-14").recovered)
    }

    /// For random declines: the ledger's measurement end is min(horizon, contract + cap, contract + holdout_months − 1
    /// day) computed here from the calendar; a recovery is sold on or after the contract, by as_of and by that end; and a
    /// decline with nothing after the desk gets the same line from `QuietLine` as from its history.
    @Test func theMeasurementEndIsTheFirstOfItsRules() {
        var rng = SeededRandom(seed: 28)
        for _ in 0..<2_000 {
            let contract = d("2024-01-01").adding(days: Int.random(in: 0...900, using: &rng))
            let horizon = Bool.random(using: &rng) ? contract.adding(days: Int.random(in: -30...3_000, using: &rng)) : nil
            let cap = Bool.random(using: &rng) ? Int.random(in: 1...2_000, using: &rng) : nil
            let months = Int.random(in: 1...60, using: &rng)
            let asOf = contract.adding(days: Int.random(in: 0...2_500, using: &rng))
            var r = ReportRules(asOf: asOf, attributionDays: 120)
            (r.measureBy, r.horizonCapDays, r.holdoutMonths) = (.horizon, cap, months)
            let sales = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                DeclineHistory.Sale(
                    source: RecoverySource.allCases[Int.random(in: 0...2, using: &rng)],
                    soldOn: contract.adding(days: Int.random(in: -10...2_600, using: &rng)), priceCents: 100_000, costCents: 40_000)
            }
            let h = DeclineHistory(
                store: "LM", dealNumber: "P", product: "vsc", contractDate: contract, heldOut: Bool.random(using: &rng), sales: sales,
                horizon: horizon)
            let line = LedgerRow(h, rules: r)
            let end = [horizon, cap.map { contract.adding(days: $0) }, contract.adding(months: months).adding(days: -1)]
                .compactMap { $0 }.min()
            #expect(line.measuredUntil == end)
            if let on = line.recoveredOn {
                #expect(on >= contract && on <= asOf && on <= line.measuredUntil)
            }
            let known = sales.filter { $0.soldOn >= contract && $0.soldOn <= asOf }
            let first = known.min { ($0.source.precedence, $0.soldOn) < ($1.source.precedence, $1.soldOn) }
            #expect(line.recovered == (first.map { $0.soldOn <= line.measuredUntil } ?? false))
            var quiet = h
            quiet.sales = []
            #expect(
                LedgerRow(quiet, rules: r)
                    == LedgerRow(
                        QuietLine(
                            store: "LM", dealNumber: "P", product: "vsc", contractDate: contract, heldOut: h.heldOut, quotedCents: nil,
                            fiManager: nil, rules: r, horizon: horizon)))
        }
    }

    /// Three declines by hand, as of 2026-06-30 (the windows count both ends):
    /// - contract 2026-01-01, horizon 2026-03-31: 90 days, all elapsed;
    /// - contract 2026-06-01, horizon 2026-08-29: 90 days, 30 elapsed (June 1 to 30);
    /// - contract 2026-05-01, no horizon: the holdout's end, 2030-04-30: 1,461 days, 61 elapsed (May 1 to June 30).
    /// Total (90 + 30 + 61) ÷ (90 + 90 + 1,461) = 181 ÷ 1,641 = 0.1103; by month 1.0000, 0.0418 (61 ÷ 1,461), 0.3333.
    @Test func maturityByHand() throws {
        var p = ReportParameters(
            asOf: d("2026-06-30"), from: d("2025-07-01"), to: d("2026-06-30"), by: .month, attributionDays: 120, holdoutPercent: 10)
        p.measureBy = .horizon
        p.resamples = 10
        var b = ReportBuilder(p)
        for (deal, contract, horizon) in [
            ("M1", "2026-01-01", "2026-03-31"), ("M2", "2026-05-01", nil), ("M3", "2026-06-01", "2026-08-29"),
        ] {
            b.add(
                QuietLine(
                    store: "LM", dealNumber: deal, product: "vsc", contractDate: d(contract), heldOut: false, quotedCents: nil,
                    fiManager: nil, rules: p.rules, horizon: horizon.map(d)))
        }
        let report = b.finish()
        #expect(report.total.maturity.elapsedDays == 181 && report.total.maturity.windowDays == 1_641)
        let object = try #require(try JSONSerialization.jsonObject(with: ReportFormats.json(report)) as? [String: Any])
        #expect((object["total"] as? [String: Any])?["maturity"] as? String == "0.1103")
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.map { $0["key"] as? String } == ["2026-01", "2026-05", "2026-06"])
        #expect(groups.map { $0["maturity"] as? String } == ["1.0000", "0.0418", "0.3333"])
        #expect(object["measure_by"] as? String == "horizon" && object["holdout_months"] as? Int == 48)
        #expect(object.keys.contains("horizon_cap_days") && object["horizon_cap_days"] is NSNull)
        let column = try #require(ReportFormats.summaryColumns.firstIndex(of: "maturity"))
        #expect(ReportFormats.summaryCells(report.total)[column] == "0.1103")
        #expect(ReportText.render(report).contains("Maturity: 11.03% of the declines' measurement windows had elapsed"))
        #expect(ReportText.render(report).contains("A sale counts while the declined product could still be bought"))
        // The table by month has a maturity column: 2026-06 is a third of the way.
        #expect(ReportText.render(report).split(separator: "\n").contains { $0.hasPrefix("2026-06") && $0.contains("33.33%") })
    }

    @Test func theShippedMenuMeasuresByHorizonAndAnOldMenuByItsWindow() throws {
        let shipped = try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
        #expect(shipped.measureBy == .horizon && shipped.holdoutMonths == 48 && shipped.horizonCapDays == nil)
        #expect(shipped.attributionDays == 120 && shipped.warnings.isEmpty)
        // The products no vehicle fact closes: their horizon is the contract date plus their days, computed as the ledger
        // reads; the service contract's (plan classes: age, mileage, warranty) is read as planning stored it.
        let computed = ContractHorizons(menu: shipped)
        #expect(computed.codes == ["gap", "tire_wheel", "appearance", "maintenance"] && computed.days == [5, 90, 120, 1_095])
        #expect(computed.index(of: "vsc") == nil && computed.horizon(1, contract: d("2026-01-01")) == d("2026-04-01"))
        // The dashboard's sales take the same: computed, else stored.
        #expect(computed.horizon(of: "tire_wheel", contract: d("2026-01-01"), stored: nil) == d("2026-04-01"))
        #expect(computed.horizon(of: "vsc", contract: d("2026-01-01"), stored: d("2040-01-01")) == d("2040-01-01"))
        let old = DefaultMenus.menuYAML.replacingOccurrences(of: "measure_by: horizon\n", with: "")
            .replacingOccurrences(of: "holdout_months: 48\n", with: "")
        let window = try MenuLoader.loadMenu(yaml: old, file: "old.yaml")
        #expect(window.measureBy == .window && window.holdoutMonths == 48 && window.attributionDays == 120)
        let p = ReportParameters(asOf: d("2026-06-30"), from: d("2025-07-01"), to: d("2026-06-30"), menu: window)
        #expect(p.measureBy == .window && p.rules.measurement.end(contract: d("2026-01-01"), horizon: d("2026-01-02")) == d("2026-05-01"))
        let capped = try MenuLoader.loadMenu(
            yaml: DefaultMenus.menuYAML.replacingOccurrences(
                of: "measure_by: horizon\n", with: "measure_by: horizon\nhorizon_cap_days: 1095\n"),
            file: "capped.yaml")
        #expect(capped.horizonCapDays == 1_095)
        func adding(_ line: String) -> String { old.replacingOccurrences(of: "version: 1\n", with: "version: 1\n" + line) }
        let warned = try MenuLoader.loadMenu(yaml: adding("horizon_cap_days: 400\n"), file: "warned.yaml")
        #expect(warned.warnings.contains { $0.field == "horizon_cap_days" })
        for bad in ["measure_by: sometimes\n", "holdout_months: 0\n", "horizon_cap_days: 0\n"] {
            #expect(throws: MenuErrors.self) { try MenuLoader.loadMenu(yaml: adding(bad), file: "bad.yaml") }
        }
    }

    @Test func theDashboardsSalesFollowTheSameRule() {
        func sale(_ sold: String, horizon: String?) -> SaleAttribution.Counted {
            SaleAttribution(
                contractDate: d("2026-03-01"), soldOn: d(sold), priceCents: 79_900, costCents: 26_000, menuCostCents: nil,
                measurement: MeasurementRule(by: .horizon, attributionDays: 120), horizon: horizon.map(d), from: d("2026-01-01"),
                to: d("2026-12-31")
            ).counted
        }
        #expect(sale("2026-05-30", horizon: "2026-05-30") == .counted)
        #expect(sale("2026-05-31", horizon: "2026-05-30") == .afterEnd(days: 91, end: d("2026-05-30")))
        // Sold 2 years on, no rule closing the product: counted (the holdout's end, 2030-02-28, is later).
        #expect(sale("2028-03-01", horizon: nil) == .counted)
        #expect(sale("2030-03-01", horizon: nil) == .afterEnd(days: 1_461, end: d("2030-02-28")))
    }
}
