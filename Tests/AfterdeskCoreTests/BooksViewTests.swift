import Foundation
import Testing

@testable import AfterdeskCore

/// The books view (`report --by sale_month`): the worked example by hand, and for random ledgers the identity that
/// reconciles it with the cohort view.
@Suite struct BooksViewTests {
    static func books(asOf: String) -> MarginReport {
        var p = WorkedExample.parameters(by: .saleMonth)
        p.asOf = LocalDate(asOf)!
        p.resamples = 200
        var b = ReportBuilder(p)
        for h in WorkedExample.histories { b.add(LedgerRow(h, rules: p.rules)) }
        return b.finish()
    }

    /// (key, recovered, gross, chargebacks, net) of each month, both arms, in dollars.
    static func figures(_ r: MarginReport) -> [String] {
        r.books.map { m in
            let b = m.both
            return "\(m.key) \(b.recovered) \(b.grossCents / 100) \(b.chargebacksCents / 100) \(b.netCents / 100)"
        }
    }

    @Test func theWorkedExampleByTheMonthSold() {
        // As of 2026-06-30. Sales: AS-1 Feb 10 ($1,345, treated); the D-2 import Mar 20 ($490, treated) and AS-7 Mar 1
        // ($1,345, held out); AS-5 Apr 1 ($515, treated); AS-3 Jun 1 ($1,200, treated), charged back Jun 20 ($600).
        // AS-5's cancellation of Jul 15 is after as_of.
        let r = Self.books(asOf: "2026-06-30")
        #expect(Self.figures(r) == ["2026-02 1 1345 0 1345", "2026-03 2 1835 0 1835", "2026-04 1 515 0 515", "2026-06 1 1200 600 600"])
        let march = r.books[1]
        #expect(march.treated.grossCents == 49_000 && march.holdout.grossCents == 134_500 && march.holdout.recovered == 1)
        // The months add up to the cohort total: gross 3,550 + 1,345 = 4,895; net 2,950 + 1,345 = 4,295.
        let total = BooksFormats.total(r.books)
        #expect(total.both.grossCents == 489_500 && total.both.netCents == 429_500 && total.both.recovered == 5)
        #expect(total.treated.netCents == r.total.treated.netCents && total.holdout.netCents == r.total.holdout.netCents)
        #expect(r.groups.isEmpty)

        // As of 2026-07-31, AS-5's $300 chargeback lands in July, a month with no sale: net −$300 there, and April keeps
        // its $515. The cohort view puts it on AS-5's line (contract month March).
        let later = Self.books(asOf: "2026-07-31")
        #expect(Self.figures(later).last == "2026-07 0 0 300 -300")
        #expect(Self.figures(later)[2] == "2026-04 1 515 0 515")
        #expect(later.total.treated.chargebacksCents == 90_000)
    }

    @Test func theLedgerListsEveryChargebackDate() throws {
        // Two cancellations of one contract, on different dates, and one of another sale that does not count.
        let h = DeclineHistory(
            store: "LM", dealNumber: "E", product: "vsc", contractDate: LocalDate("2026-01-01")!, heldOut: false,
            sales: [WorkedExample.sale(.contract, "2026-02-01", 2_000, 1_000, "K1")],
            cancellations: [
                .init(contractNumber: "K1", cancelDate: LocalDate("2026-05-03")!, chargebackCents: 10_000),
                .init(contractNumber: "K1", cancelDate: LocalDate("2026-03-09")!, chargebackCents: 25_050),
                .init(contractNumber: "K2", cancelDate: LocalDate("2026-03-10")!, chargebackCents: 99_900),
            ])
        let row = LedgerRow(h, rules: ReportRules(asOf: LocalDate("2026-12-31")!, attributionDays: 120))
        #expect(row.chargebacksCents == 35_050 && row.chargedBack.map(\.on.description) == ["2026-03-09", "2026-05-03"])
        let at = try #require(LedgerRow.columns.firstIndex(of: "charged_back_on"))
        #expect(LedgerRow.columns.count == row.cells.count)
        #expect(row.cells[at] == "2026-03-09 250.50; 2026-05-03 100.00")
        let one = LedgerRow(h, rules: ReportRules(asOf: LocalDate("2026-04-30")!, attributionDays: 120))
        // One cancellation is written the same way: its date and amount.
        #expect(one.cells[at] == "2026-03-09 250.50" && one.chargebacksCents == 25_050)
        let quiet = LedgerRow(WorkedExample.histories[1], rules: WorkedExample.parameters().rules)
        #expect(quiet.cells[at] == "" && LedgerRow.Chargeback.json(quiet.chargedBack) == "[]")
        // The JSON ledger's array of {on, amount}.
        let array = try #require(
            try JSONSerialization.jsonObject(with: Data(LedgerRow.Chargeback.json(row.chargedBack).utf8)) as? [[String: String]])
        #expect(array == [["on": "2026-03-09", "amount": "250.50"], ["on": "2026-05-03", "amount": "100.00"]])
    }

    @Test func theJSONAndCSVOfTheBooksView() throws {
        let r = Self.books(asOf: "2026-07-31")
        let object = try #require(try JSONSerialization.jsonObject(with: ReportFormats.json(r)) as? [String: Any])
        #expect(object["by"] as? String == "sale_month" && object["stratified"] == nil)
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.map { $0["key"] as? String } == ["2026-02", "2026-03", "2026-04", "2026-06", "2026-07"])
        let march = groups[1]
        #expect(march["recovered"] as? Int == 2 && march["margin_gross"] as? String == "1835.00" && march["declines"] == nil)
        #expect((march["holdout"] as? [String: Any])?["margin_net"] as? String == "1345.00")
        #expect(groups[4]["chargebacks"] as? String == "300.00" && groups[4]["margin_net"] as? String == "-300.00")
        // The total stays the cohort view's, with its interval.
        #expect((object["total"] as? [String: Any])?["declines"] as? Int == 12)
        let lines = BooksFormats.csv(r).split(separator: "\n")
        #expect(lines.first == Substring(BooksFormats.columns.joined(separator: ",")))
        #expect(lines[1].hasPrefix("total,5,4895.00,900.00,3995.00,4,3550.00,900.00,2650.00,1,1345.00,0.00,1345.00"))
        #expect(lines.count == 7)
        #expect(ReportText.render(r).contains("By sale month (the books view"))
    }
}

/// For random ledgers: Σ over the books months of each money figure is the cohort total's (treated + held out), and
/// each month is what an F&I log would show: the counted sales sold in it and the chargebacks dated in it.
@Suite struct BooksIdentityTests {
    @Test func theBooksViewSumsToTheCohortViewAndToTheLog() {
        var rng = SeededRandom(seed: 2828)
        for round in 0..<40 {
            let histories = RandomLedger.histories(round: round, rng: &rng)
            var p = WorkedExample.parameters(by: .saleMonth)
            p.asOf = LocalDate("2026-09-01")!
            p.resamples = 20
            let rows = histories.map { LedgerRow($0, rules: p.rules) }
            // Read in two parts (as the store reads its halves), merged.
            let cut = rows.firstIndex { $0.dealNumber == rows[rows.count / 2].dealNumber } ?? 0
            var first = ReportBuilder(p)
            var second = ReportBuilder(p)
            for r in rows[..<cut] { first.add(r) }
            for r in rows[cut...] { second.add(r) }
            first.merge(second)
            let report = first.finish()
            let sum = BooksFormats.total(report.books)
            for (books, cohort) in [(sum.treated, report.total.treated), (sum.holdout, report.total.holdout)] {
                #expect(books.recovered == cohort.recovered, "round \(round)")
                #expect(books.grossCents == cohort.grossCents && books.chargebacksCents == cohort.chargebacksCents, "round \(round)")
                #expect(books.netCents == cohort.netCents, "round \(round)")
            }
            // The log, from the histories: a counted sale in the month it was sold; each cancellation of it, dated by
            // as_of, in its month.
            var log: [String: (Int, Int64, Int64)] = [:]
            for (h, r) in zip(histories, rows) {
                guard let sold = r.recoveredOn else { continue }
                log[String(sold.description.prefix(7)), default: (0, 0, 0)].0 += 1
                log[String(sold.description.prefix(7)), default: (0, 0, 0)].1 += r.marginGrossCents
                for c in h.cancellations where c.contractNumber == r.contractNumber && c.cancelDate <= p.asOf {
                    log[String(c.cancelDate.description.prefix(7)), default: (0, 0, 0)].2 += c.chargebackCents
                }
            }
            #expect(report.books.map(\.key) == log.keys.sorted(), "round \(round)")
            for m in report.books {
                let b = m.both
                #expect(log[m.key].map { $0 == (b.recovered, b.grossCents, b.chargebacksCents) } == true, "round \(round) \(m.key)")
            }
        }
    }
}

/// Random declines on random deals of three stores: touches, sales of every source, cancellations (some of them
/// several per contract) and tasks.
enum RandomLedger {
    static func histories(round: Int, rng: inout SeededRandom, stores: [String] = ["S1", "S2", "S3"]) -> [DeclineHistory] {
        let products = ["vsc", "gap", "tire_wheel", "appearance", "maintenance"]
        var histories: [DeclineHistory] = []
        for deal in 0..<Int.random(in: 1...60, using: &rng) {
            let held = rng.chance(0.2)
            let store = rng.pick(stores)
            let contract = LocalDate("2026-01-01")!.adding(days: Int.random(in: 0...300, using: &rng))
            for product in products.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)).sorted() {
                var h = WorkedExample.decline("R\(round)-\(deal)", product, contract.description, held: held, quoted: 900)
                h.store = store
                for source in RecoverySource.allCases where rng.chance(0.2) {
                    let on = contract.adding(days: Int.random(in: -5...200, using: &rng))
                    h.sales.append(WorkedExample.sale(source, on.description, Int64.random(in: 100...3_000, using: &rng), 90, "K\(deal)"))
                    for _ in 0..<Int.random(in: 0...2, using: &rng) {
                        h.cancellations.append(
                            .init(
                                contractNumber: source == .contract ? "K\(deal)" : nil,
                                cancelDate: on.adding(days: Int.random(in: 0...120, using: &rng)),
                                chargebackCents: Int64.random(in: 100...50_000, using: &rng)))
                    }
                }
                histories.append(h)
            }
        }
        return histories
    }
}
