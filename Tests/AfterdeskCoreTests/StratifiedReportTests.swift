import Foundation
import Testing

@testable import AfterdeskCore

/// The `stratified` block: the arms compared within each store and combined. The fixture is the one of
/// docs/reporting.md ("Several stores together"), where pooling the stores reverses the sign (Simpson's paradox).
@Suite struct StratifiedReportTests {
    /// `count` declines of `store`, each on a deal of its own, the first `recovered` of them sold for `net` dollars of
    /// margin (price = net + $100 of cost).
    static func declines(_ store: String, held: Bool, count: Int, recovered: Int, net: Int64) -> [DeclineHistory] {
        (0..<count).map { i in
            var h = WorkedExample.decline(
                "\(store)-\(held ? "H" : "T")\(i)", "vsc", "2026-01-10", held: held, quoted: 1_000,
                sales: i < recovered ? [WorkedExample.sale(.contract, "2026-02-01", net + 100, 100, "\(store)-K\(i)")] : [])
            h.store = store
            return h
        }
    }

    /// Store A sells much and holds out most of its declines; store B sells little and treats most; store C has no
    /// held-out decline.
    static let simpson: [DeclineHistory] =
        declines("A", held: false, count: 10, recovered: 3, net: 1_000) + declines("A", held: true, count: 90, recovered: 18, net: 1_000)
        + declines("B", held: false, count: 90, recovered: 9, net: 500) + declines("B", held: true, count: 10, recovered: 0, net: 0)
        + declines("C", held: false, count: 5, recovered: 1, net: 200)

    static func report(_ histories: [DeclineHistory], by: ReportGrouping? = nil, store: String? = nil) -> MarginReport {
        var p = WorkedExample.parameters(by: by)
        p.store = store
        p.resamples = 4_000
        var b = ReportBuilder(p)
        for h in histories where store == nil || h.store == store { b.add(LedgerRow(h, rules: p.rules)) }
        return b.finish()
    }

    @Test func withinEachStoreAgainstTheHandComputation() throws {
        let r = Self.report(Self.simpson)
        let s = try #require(r.stratified)
        // A: $3,000 over 10 treated declines = $300; $18,000 over 90 held out = $200; (300 − 200) × 10 = $1,000.
        // B: $4,500 over 90 = $50; $0 over 10 = $0; (50 − 0) × 90 = $4,500. C: no held-out decline, left out.
        #expect(s.strata.map(\.key) == ["A", "B", "C"])
        #expect(s.strata.map { ReportFormats.money($0.incrementalMargin) } == ["1000.00", "4500.00", nil])
        #expect(s.strata[0].treated.marginPerDeclineCents == 30_000 && s.strata[0].holdout.marginPerDeclineCents == 20_000)
        #expect(s.strata[1].treated.marginPerDeclineCents == 5_000 && s.strata[1].holdout.marginPerDeclineCents == 0)
        #expect(s.leftOut == ["C"] && s.treatedDeclines == 100 && s.holdoutDeclines == 100 && s.strata[2].deals == 5)
        // Combined: 1,000 + 4,500 = $5,500, and its interval lies above zero.
        #expect(ReportFormats.money(s.incrementalMargin?.value) == "5500.00")
        let m = try #require(s.incrementalMargin)
        #expect(m.low > 0 && m.low < m.value && m.value < m.high)
        #expect(s.verdict == .recovered)
        // Pooled, as `total` keeps it: treated $7,700 over 105 declines, held out $18,000 over 100 = $180;
        // 7,700 − 180 × 105 = −$11,200: the holdout's rich store drags its arm up.
        #expect(ReportFormats.money(r.total.incrementalMargin?.value) == "-11200.00")
        #expect(r.total.verdict == .negative)
    }

    @Test func theIntervalAddsTheStoresUncertainties() throws {
        // The stores' resampled differences are independent and added: the combined interval's half-width is about the
        // root of the sum of the squares of each store's (the `--by store` intervals, another seed each).
        let r = Self.report(Self.simpson, by: .store)
        let s = try #require(r.stratified)
        let a = try #require(r.groups[0].incrementalMargin)
        let b = try #require(r.groups[1].incrementalMargin)
        let m = try #require(s.incrementalMargin)
        let expected = (pow((a.high - a.low) / 2, 2) + pow((b.high - b.low) / 2, 2)).squareRoot()
        #expect(abs((m.high - m.low) / 2 / expected - 1) < 0.1, "\(m) vs ±\(expected)")
        // The same report gives the same interval; the stratified block is the same under every grouping.
        #expect(Self.report(Self.simpson).stratified == s)
    }

    @Test func oneStoreHasNoStratifiedBlock() throws {
        #expect(Self.report(Self.simpson, store: "A").stratified == nil)
        #expect(Self.report(Self.declines("A", held: false, count: 40, recovered: 4, net: 100)).stratified == nil)
        #expect(Self.report(WorkedExample.histories).stratified == nil)
        let json = try #require(
            try JSONSerialization.jsonObject(with: ReportFormats.json(Self.report(WorkedExample.histories))) as? [String: Any])
        #expect(json["stratified"] == nil)
    }

    @Test func theJSONAndTheTableShowIt() throws {
        let r = Self.report(Self.simpson)
        let object = try #require(try JSONSerialization.jsonObject(with: ReportFormats.json(r)) as? [String: Any])
        let s = try #require(object["stratified"] as? [String: Any])
        #expect((s["incremental_margin"] as? [String: Any])?["value"] as? String == "5500.00")
        #expect(s["verdict"] as? String == "recovered" && s["left_out"] as? [String] == ["C"])
        #expect(s["treated_declines"] as? Int == 100 && s["holdout_declines"] as? Int == 100)
        let stores = try #require(s["stores"] as? [[String: Any]])
        #expect(stores.map { $0["key"] as? String } == ["A", "B", "C"])
        #expect(stores[1]["incremental_margin"] as? String == "4500.00" && stores[1]["in_estimate"] as? Bool == true)
        #expect(stores[2]["incremental_margin"] is NSNull && stores[2]["in_estimate"] as? Bool == false)
        #expect((stores[0]["holdout"] as? [String: Any])?["margin_per_decline"] as? String == "200.00")
        let text = ReportText.render(r)
        #expect(text.contains("Within each store, combined (2 of 3 stores): $5,500.00 (95% interval"))
        #expect(
            text.contains("C: 5 treated, 0 held-out declines; net per decline $40.00 vs —; under 10 declines in an arm: in (small stores)"))
        #expect(
            text.contains("(small stores): 5 treated, 0 held-out declines; net per decline $40.00 vs —; left out: no held-out declines"))
        #expect(stores[2]["pooled"] as? Bool == true && stores[0]["pooled"] as? Bool == false)
        #expect((s["small_stores"] as? [String: Any])?["in_estimate"] as? Bool == false)
    }

    /// For random ledgers over three stores, the stratified value is the sum of the `--by store` groups' incremental
    /// margins over the stores with both arms, and its figures are the groups'.
    @Test func theStrataAreTheStoreGroups() {
        var rng = SeededRandom(seed: 606)
        for round in 0..<30 {
            let histories = RandomLedger.histories(round: round, rng: &rng)
            var p = WorkedExample.parameters(by: .store)
            p.asOf = LocalDate("2026-09-01")!
            p.resamples = 20
            var b = ReportBuilder(p)
            for h in histories { b.add(LedgerRow(h, rules: p.rules)) }
            let r = b.finish()
            guard let s = r.stratified else {
                #expect(r.groups.count < 2, "round \(round)")
                continue
            }
            #expect(s.strata.map(\.key) == r.groups.map(\.key), "round \(round)")
            for (stratum, group) in zip(s.strata, r.groups) {
                #expect(stratum.treated == group.treated && stratum.holdout == group.holdout && stratum.deals == group.deals)
                #expect(stratum.incrementalMargin == group.incrementalMargin?.value, "round \(round)")
            }
            // The stores under 10 declines in an arm count together.
            let apart = zip(s.strata, r.groups).filter { !$0.0.pooled }.compactMap { $0.1.incrementalMargin?.value }
            let sum = apart.reduce(0, +) + (s.smallStores?.incrementalMargin ?? 0)
            #expect(abs((s.incrementalMargin?.value ?? 0) - sum) < 1e-6, "round \(round)")
            // Read in two parts by deal (as the store reads its halves) and merged: the same block, interval included.
            let rows = histories.map { LedgerRow($0, rules: p.rules) }
            let cut = rows.firstIndex { $0.dealNumber == rows[rows.count / 2].dealNumber } ?? 0
            var first = ReportBuilder(p)
            var second = ReportBuilder(p)
            for row in rows[..<cut] { first.add(row) }
            for row in rows[cut...] { second.add(row) }
            first.merge(second)
            #expect(first.finish().stratified == s, "round \(round)")
        }
    }

    /// A stratum's draws follow the horizon's settings as a group's do: a report that measures otherwise draws afresh; in
    /// window mode (the old `attribution_days` window) the seeds are those of before the horizon.
    @Test func aStratumsSeedTakesTheHorizonsSettingsAsAGroupsDoes() {
        var window = WorkedExample.parameters(by: nil)
        window.measureBy = .window
        var horizon = window
        horizon.measureBy = .horizon
        var capped = horizon
        capped.horizonCapDays = 365
        #expect(window.seed(stratum: "A") != horizon.seed(stratum: "A") && horizon.seed(stratum: "A") != capped.seed(stratum: "A"))
        #expect(horizon.seed(stratum: "A") != horizon.seed(stratum: "B") && horizon.seed(stratum: "A") != horizon.seed(group: "A"))
        var h = StableHasher()
        for part in [window.asOf.description, window.from.description, window.to.description, "*", String(window.attributionDays), "A"]
            + ["(stratified)"]
        {
            h.add(part)
        }
        #expect(window.seed(stratum: "A") == h.value)
    }
}
