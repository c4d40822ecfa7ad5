import Foundation
import Testing

@testable import AfterdeskCore

/// The net to the store (docs/reporting.md, "Net to the store"): the reserve on a small known history, the 30-contract
/// threshold, pro rata refunds, commissions, message costs and the worked example's figures.
enum KnownHistory {
    /// 40 VSC contracts of store LM with a 4-month term: 2 cancelled in month 1, 3 in month 3; 4 in force after 0 whole
    /// months, 6 after 2 and 25 after 5 (past the term).
    static let history = CancellationHistory(
        store: "LM", product: "vsc", cancelledInMonth: [1: 2, 3: 3], inForceAfterMonths: [0: 4, 2: 6, 5: 25])
    static let terms = ["vsc": CancellationTerms(annualRate: 0.08, termMonths: 4)]
    static var curve: CancellationCurve { .lifeTable(history, termMonths: 4) }

    /// The worked example's rules: commissions on VSC (10% and $25), tire & wheel and appearance (10%), the standard
    /// message costs, and the known history's curve for VSC and appearance.
    static var rules: NetToStoreRules {
        var r = NetToStoreRules()
        r.commissions = [
            "vsc": Commission(percentBasisPoints: 1_000, flatCents: 2_500), "tire_wheel": Commission(percentBasisPoints: 1_000),
            "appearance": Commission(percentBasisPoints: 1_000),
        ]
        r.reserve = ReserveTable(curves: ["LM": ["vsc": curve, "appearance": curve]])
        return r
    }
}

@Suite struct NetToStoreTests {
    /// Rules for the random ledgers of `ReportTests.theSummaryIsTheSumOfItsLines`: commissions with odd percents, the
    /// known curve for VSC and menu defaults for the others.
    static func randomRules(_ round: Int) -> NetToStoreRules {
        var r = NetToStoreRules()
        r.commissions = [
            "vsc": Commission(percentBasisPoints: Int64(round * 37 % 2_000), flatCents: 2_500),
            "gap": Commission(percentBasisPoints: 1_250), "maintenance": Commission(flatCents: Int64(round)),
        ]
        r.messageCosts = MessageCosts(smsUnits: 79, emailUnits: Int64(round % 3), taskUnits: 20_050)
        var table = ReserveTable(
            histories: [KnownHistory.history],
            terms: ["vsc": .init(annualRate: 0.08, termMonths: 4), "gap": .init(annualRate: 0.15), "tire_wheel": .init(annualRate: 0.05)])
        table.curves["LM"]?["appearance"] = KnownHistory.curve
        r.reserve = table
        return r
    }

    @Test func theLifeTableOfAKnownHistory() {
        let c = KnownHistory.curve
        // At risk in month 1: the 5 cancelled (months 1 and 3), the 31 in force after 1 or more months, half of the 4 in
        // force after 0: 38, so h1 = 2/38. Month 2: 3 + 31 + 0 = 34, nobody cancelled: 0. Month 3: 3 + 25 + 6/2 = 31,
        // h3 = 3/31. Month 4: 0 + 25: 0.
        #expect(c.source == .history && c.contracts == 40 && c.termMonths == 4)
        #expect(abs(c.hazards[0] - 2.0 / 38) < 1e-12 && c.hazards[1] == 0 && abs(c.hazards[2] - 3.0 / 31) < 1e-12 && c.hazards[3] == 0)
        // Refunds pro rata over 4 months: 3/4, 1/2, 1/4, 0 of the margin in months 1–4.
        // F(3) = 0; F(2) = h3 × 1/4 = 3/124; F(1) = h2 × 1/2 + (1 − h2) F(2) = 3/124;
        // F(0) = h1 × 3/4 + (1 − h1) F(1) = 3/76 + 18/19 × 3/124 = 147/2356.
        #expect(abs(c.factor(months: 0) - 147.0 / 2356) < 1e-12)
        #expect(abs(c.factor(months: 1) - 3.0 / 124) < 1e-12 && abs(c.factor(months: 2) - 3.0 / 124) < 1e-12)
        #expect(c.factor(months: 3) == 0 && c.factor(months: 4) == 0 && c.factor(months: 99) == 0)
        // $1,345.00 of margin: sold this month 134,500 × 147/2356 = 8,391.98 → $83.92; two months ago 134,500 × 3/124 =
        // 3,254.03 → $32.54.
        let table = ReserveTable(curves: ["LM": ["vsc": c]])
        let asOf = LocalDate("2026-06-30")!
        #expect(table.reserveCents(store: "LM", product: "vsc", gross: 134_500, soldOn: LocalDate("2026-06-10")!, asOf: asOf) == 8_392)
        #expect(table.reserveCents(store: "LM", product: "vsc", gross: 134_500, soldOn: LocalDate("2026-04-15")!, asOf: asOf) == 3_254)
        #expect(table.reserveCents(store: "LM", product: "vsc", gross: -5_000, soldOn: LocalDate("2026-06-10")!, asOf: asOf) == 0)
        #expect(table.reserveCents(store: "XX", product: "vsc", gross: 134_500, soldOn: LocalDate("2026-06-10")!, asOf: asOf) == 0)
    }

    @Test func thirtyContractsMakeTheStoresOwnCurveAndTwentyNineTheMenus() {
        var h = CancellationHistory(store: "LM", product: "vsc", cancelledInMonth: [1: 1], inForceAfterMonths: [3: 28])
        #expect(h.contracts == 29)
        let menu = ReserveTable(histories: [h], terms: KnownHistory.terms).curve(store: "LM", product: "vsc")
        // The menu's 8% a year: 1 − 0.92^(1/12) a month, every month of the 4.
        let monthly = 1 - pow(0.92, 1.0 / 12)
        #expect(menu?.source == .menu && menu?.contracts == 29 && menu?.hazards.count == 4)
        #expect(menu?.hazards.allSatisfy { abs($0 - monthly) < 1e-12 } == true)
        h.inForceAfterMonths[3] = 29
        let own = ReserveTable(histories: [h], terms: KnownHistory.terms).curve(store: "LM", product: "vsc")
        // 30 contracts: the life table, h1 = 1 / (1 + 29) and nothing after.
        #expect(own?.source == .history && own?.contracts == 30)
        #expect(own.map { abs($0.hazards[0] - 1.0 / 30) < 1e-12 && $0.hazards[1...].allSatisfy { $0 == 0 } } == true)
        // A store without history of the product gets the menu's default; a product without one, no curve.
        #expect(ReserveTable(histories: [], terms: KnownHistory.terms).curve(store: "LM", product: "vsc")?.source == .menu)
        #expect(ReserveTable(histories: [h], terms: [:]).curve(store: "LM", product: "gap") == nil)
    }

    @Test func refundsArePaidProRata() {
        // Every contract cancelled in month 2 of a 4-month term: the margin 1 − 2/4 = half of it goes back.
        let c = CancellationCurve(source: .menu, contracts: 0, termMonths: 4, hazards: [0, 1, 0, 0])
        #expect(c.factor(months: 0) == 0.5 && c.factor(months: 1) == 0.5 && c.factor(months: 2) == 0)
        // In month 4, the last: nothing left to refund.
        #expect(CancellationCurve(source: .menu, contracts: 0, termMonths: 4, hazards: [0, 0, 0, 1]).factor(months: 0) == 0)
        // Whole months since the sale, by the day of the month.
        let d = { (s: String) in LocalDate(s)! }
        #expect(CancellationHistory.months(from: d("2026-01-31"), to: d("2026-02-28")) == 0)
        #expect(CancellationHistory.months(from: d("2026-01-15"), to: d("2026-03-15")) == 2)
        #expect(CancellationHistory.months(from: d("2026-01-15"), to: d("2026-03-14")) == 1)
        #expect(CancellationHistory.months(from: d("2026-03-15"), to: d("2026-01-15")) == 0)
    }

    @Test func commissionsAreExactCentsRoundedHalfAwayFromZero() {
        let c = Commission(percentBasisPoints: 1_250, flatCents: 2_500)
        // 12.5% of $10.05 = 125.625 cents → 126; of $10.03 = 125.375 → 125; plus $25.
        #expect(c.cents(onGross: 1_005) == 126 + 2_500 && c.cents(onGross: 1_003) == 125 + 2_500)
        // 10% of 5 cents = 0.5 → 1 (half away from zero).
        #expect(Commission(percentBasisPoints: 1_000).cents(onGross: 5) == 1)
        // No percent on a gross at or below zero; the flat amount is paid.
        #expect(c.cents(onGross: -10_000) == 2_500 && c.cents(onGross: 0) == 2_500)
        #expect(FixedPoint.parse("0.0079", decimals: 4) == 79 && FixedPoint.parse("$2", decimals: 4) == 20_000)
        #expect(FixedPoint.parse("12.5", decimals: 2) == 1_250 && FixedPoint.parse(".5", decimals: 2) == 50)
        #expect(FixedPoint.parse("0.00001", decimals: 4) == nil && FixedPoint.parse("-1", decimals: 4) == nil)
        #expect(FixedPoint.parse("", decimals: 4) == nil && FixedPoint.parse("1e3", decimals: 4) == nil)
    }

    @Test func aTouchIsChargedToItsFirstDeclineOnly() {
        var p = WorkedExample.parameters()
        p.netToStore.messageCosts = MessageCosts(smsUnits: 79, emailUnits: 1, taskUnits: 20_000)
        func touch(_ id: Int64, _ channel: String, first: Bool) -> DeclineHistory.Touch {
            DeclineHistory.Touch(
                id: id, sentAt: "2026-02-01T15:00:00Z", sentOn: LocalDate("2026-02-01")!, channel: channel, template: "t",
                carriesCost: first)
        }
        // One SMS about the deal's GAP and VSC: charged to its first item (the storage marks it), here the VSC.
        let vsc = WorkedExample.decline("D-9", "vsc", "2026-01-10", quoted: 895, touches: [touch(1, "sms", first: true)])
        let gap = WorkedExample.decline("D-9", "gap", "2026-01-10", quoted: 895, touches: [touch(1, "sms", first: false)])
        #expect(LedgerRow(gap, rules: p.rules).messageCostsCents == 0)
        // 0.79 cents → 1 cent.
        #expect(LedgerRow(vsc, rules: p.rules).messageCostsCents == 1)
        #expect(LedgerRow(vsc, rules: p.rules).netToStoreCents == -1)
        // Two SMS, an email and a task: 79 + 79 + 1 + 20,000 = 20,159 hundredths of a cent → $2.02; a touch after as_of
        // costs nothing yet.
        let later = DeclineHistory.Touch(
            id: 9, sentAt: "2026-07-01T15:00:00Z", sentOn: LocalDate("2026-07-01")!, channel: "sms", template: "t")
        let many = WorkedExample.decline(
            "D-9", "vsc", "2026-01-10", quoted: 895,
            touches: [
                touch(1, "sms", first: true), touch(2, "sms", first: true), touch(3, "email", first: true), touch(4, "task", first: true),
                later,
            ])
        #expect(LedgerRow(many, rules: p.rules).messageCostsCents == 202)
    }

    /// Costs stop where sales stop: a touch delivered after the decline's measurement end (here the 120-day window,
    /// contract Jan 10 + 120 = May 10) buys nothing the report counts, in either arm, and is not charged.
    @Test func aTouchAfterTheMeasurementEndIsNotCharged() {
        var p = WorkedExample.parameters()
        p.netToStore.messageCosts = MessageCosts(smsUnits: 79, emailUnits: 1, taskUnits: 20_000)
        func task(_ day: String) -> DeclineHistory.Touch {
            DeclineHistory.Touch(id: 1, sentAt: day + "T15:00:00Z", sentOn: LocalDate(day)!, channel: "task", template: "t")
        }
        func costs(_ day: String) -> Int64 {
            LedgerRow(WorkedExample.decline("D-9", "vsc", "2026-01-10", quoted: 895, touches: [task(day)]), rules: p.rules)
                .messageCostsCents
        }
        #expect(costs("2026-05-10") == 200)  // the window's last day
        #expect(costs("2026-05-11") == 0)  // the day after, before as_of
    }

    @Test func theWorkedExampleNetToTheStore() {
        var p = WorkedExample.parameters()
        p.netToStore = KnownHistory.rules
        let rows = WorkedExample.histories.map { LedgerRow($0, rules: p.rules) }
        var b = ReportBuilder(p)
        for r in rows { b.add(r) }
        let t = b.finish(declinesInExports: 13).total
        // Commissions: D-1 VSC 10% of 1,345 + 25 = $159.50; D-2 tire & wheel $49.00; D-3 VSC 10% of 1,200 + 25 = $145.00
        // (cancelled: the commission stays); D-5 appearance $51.50: treated $405.00. D-7 held out: $159.50.
        #expect(t.treated.commissionsCents == 40_500 && t.holdout.commissionsCents == 15_950)
        // Reserve: D-1 VSC and D-7 are 4 and 3 whole months old, past the 4-month curve's refunds: nothing; D-3 is
        // cancelled: its chargeback, no reserve; D-5 appearance, 2 months (Apr 1 to Jun 30): 51,500 × 3/124 = 1,245.97 →
        // $12.46.
        #expect(rows[5].reserveCents == 1_246 && t.treated.reserveCents == 1_246 && t.holdout.reserveCents == 0)
        // Message costs: D-1's SMS 0.79¢ → 1¢, D-2's email 0.01¢ → 0, D-4's SMS 1¢, D-5's task $2.00: $2.02.
        #expect(t.treated.messageCostsCents == 202 && t.holdout.messageCostsCents == 0)
        // Net to the store: 2,950.00 − 12.46 − 405.00 − 2.02 = $2,530.52; held out 1,345.00 − 159.50 = $1,185.50.
        #expect(t.treated.netToStoreCents == 253_052 && t.holdout.netToStoreCents == 118_550)
        // Every figure of the report without these rules is unchanged, the interval too.
        let plain = WorkedExample.report().report.total
        var same = t
        for arm in [\ReportFigures.treated, \ReportFigures.holdout] {
            same[keyPath: arm].reserveCents = plain[keyPath: arm].reserveCents
            same[keyPath: arm].commissionsCents = plain[keyPath: arm].commissionsCents
            same[keyPath: arm].messageCostsCents = plain[keyPath: arm].messageCostsCents
            same[keyPath: arm].netToStoreCents = plain[keyPath: arm].netToStoreCents
        }
        #expect(same == plain)
        // Without a menu's commissions and a reserve table, only the standard message costs are netted.
        #expect(plain.treated.commissionsCents == 0 && plain.treated.reserveCents == 0 && plain.treated.messageCostsCents == 202)
        #expect(plain.treated.netToStoreCents == plain.treated.netCents - 202)
    }

    @Test func theJSONAndTheLedgerCarryTheNewFigures() throws {
        var p = WorkedExample.parameters()
        p.netToStore = KnownHistory.rules
        var b = ReportBuilder(p)
        for h in WorkedExample.histories { b.add(LedgerRow(h, rules: p.rules)) }
        let object = try #require(try JSONSerialization.jsonObject(with: ReportFormats.json(b.finish())) as? [String: Any])
        let total = try #require(object["total"] as? [String: Any])
        let treated = try #require(total["treated"] as? [String: Any])
        #expect(treated["reserve"] as? String == "12.46" && treated["commissions"] as? String == "405.00")
        #expect(treated["message_costs"] as? String == "2.02" && treated["net_to_store"] as? String == "2530.52")
        #expect(treated["margin_net"] as? String == "2950.00")
        #expect(total["net_to_store"] as? String == "3716.02" && total["commissions"] as? String == "564.50")
        // Which curve each product's reserve came from; none without a table (the report before this release).
        let curves = try #require(object["reserve_curves"] as? [[String: Any]])
        #expect(curves.map { $0["product"] as? String } == ["appearance", "vsc"])
        #expect(
            curves.allSatisfy { $0["source"] as? String == "history" && $0["contracts"] as? Int == 40 && $0["term_months"] as? Int == 4 })
        let plain = try JSONSerialization.jsonObject(with: ReportFormats.json(WorkedExample.report().report)) as? [String: Any]
        #expect(plain?["reserve_curves"] == nil)
        #expect(
            ReportText.render(b.finish()).contains("Reserve curves: appearance: the store's 40 contracts; vsc: the store's 40 contracts."))
        // The ledger's new columns come last.
        #expect(Array(LedgerRow.columns.dropLast().suffix(4)) == ["reserve", "commissions", "message_costs", "net_to_store"])
        let d5 = LedgerRow(WorkedExample.histories[5], rules: p.rules)
        #expect(Array(d5.cells.dropLast().suffix(4)) == ["12.46", "51.50", "2.00", "449.04"])
        #expect(ReportFormats.summaryColumns.last == "holdout_net_to_store")
        #expect(ReportFormats.summaryCells(b.finish().total).count == ReportFormats.summaryColumns.count)
    }

    @Test func theMenuGivesCommissionsAndCancellationDefaults() {
        func issues(_ from: String, _ to: String) -> [String] {
            do {
                _ = try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML.replacingOccurrences(of: from, with: to), file: "m.yaml")
                return []
            } catch { return error.issues.map(\.field) }
        }
        let menu = try? MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
        #expect(menu?.product("vsc")?.commission == Commission(percentBasisPoints: 1_000, flatCents: 2_500))
        #expect(menu?.product("vsc")?.cancellation == CancellationTerms(annualRate: 0.08, termMonths: 60))
        #expect(menu?.product("tire_wheel")?.cancellation == CancellationTerms(annualRate: 0.05, termMonths: 36))
        let rules = menu.map(NetToStoreRules.init(menu:))
        #expect(rules?.commissions.count == 5 && rules?.cancellation.count == 5 && rules?.reserve == nil)
        let vsc = "commission: { percent: 10, flat: 25.00 }"
        #expect(issues(vsc, "commission: { percent: 12.5% }").isEmpty)
        #expect(issues(vsc, "commission: { percent: 101 }") == ["products[0].commission.percent"])
        #expect(issues(vsc, "commission: { percent: 1.234 }") == ["products[0].commission.percent"])
        #expect(issues(vsc, "commission: { flat: -5 }") == ["products[0].commission.flat"])
        #expect(issues(vsc, "commission: {}") == ["products[0].commission"])
        #expect(issues(vsc, "commission: 10") == ["products[0].commission"])
        let terms = "cancellation: { annual_rate: 0.08, term_months: 60 }"
        #expect(issues(terms, "cancellation: { annual_rate: 1.5 }") == ["products[0].cancellation.annual_rate"])
        #expect(issues(terms, "cancellation: { term_months: 60 }") == ["products[0].cancellation.annual_rate"])
        #expect(issues(terms, "cancellation: { annual_rate: 0.08, term_months: 0 }") == ["products[0].cancellation.term_months"])
        #expect(issues(terms, "cancellation: { annual_rate: 0.1, rate: 1 }") == ["products[0].cancellation.rate"])
    }
}
