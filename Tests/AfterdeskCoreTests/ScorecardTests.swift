import Foundation
import Testing

@testable import AfterdeskCore

/// The scorecard's fixture: five deals in stores A and B, as of 2026-06-30, a 120-day window, the menu's VSC cost
/// $1,000. Every expected figure below is computed by hand in the comments (cents).
enum ScorecardFixture {
    static func d(_ s: String) -> LocalDate { LocalDate(s)! }
    static func sale(_ source: RecoverySource, _ on: String, _ price: Int64, _ cost: Int64?, _ contract: String? = nil)
        -> DeclineHistory.Sale
    {
        DeclineHistory.Sale(source: source, soldOn: d(on), priceCents: price, costCents: cost, contractNumber: contract)
    }

    static let rules: ReportParameters = {
        var p = ReportParameters(
            asOf: d("2026-06-30"), from: d("2026-01-01"), to: d("2026-06-30"), attributionDays: 120, holdoutPercent: 10)
        p.dealerCosts = ["vsc": 100_000]
        return p
    }()

    /// (store, deal, contract date, F&I manager, desk sales as (product, gross))
    static let deals: [ScorecardDeal] = [
        deal("A", "A-1", "2026-01-10", "F1", [("vsc", 120_000), ("gap", 50_000)]),
        deal("A", "A-2", "2026-02-15", "F1", [("gap", 45_000)]),
        deal("A", "A-3", "2026-02-20", "F2", []),
        deal("B", "B-1", "2026-03-03", "F2", [("vsc", 133_333), ("tire", 1)]),
        deal("B", "B-2", "2026-04-04", nil, []),
    ]

    static func deal(_ store: String, _ n: String, _ on: String, _ fi: String?, _ desk: [(String, Int64)]) -> ScorecardDeal {
        ScorecardDeal(
            store: store, dealNumber: n, contractDate: d(on), fiManager: fi,
            desk: desk.map { ScorecardDeal.DeskSale(product: $0.0, grossCents: $0.1) })
    }

    static func decline(_ deal: ScorecardDeal, _ product: String, held: Bool = false, sales: [DeclineHistory.Sale] = []) -> DeclineHistory {
        DeclineHistory(
            store: deal.store, dealNumber: deal.dealNumber, product: product, contractDate: deal.contractDate, heldOut: held,
            fiManager: deal.fiManager, sales: sales)
    }

    static let histories: [DeclineHistory] = [
        // A-1's tire: contract Feb 1, $800 − $300: recovered, gross 50,000.
        decline(deals[0], "tire", sales: [sale(.contract, "2026-02-01", 80_000, 30_000, "C-1")]),
        // A-2's VSC: a task Mar 1, $2,000 without a cost: the menu's $1,000: gross 100,000. Its tire: nothing.
        decline(deals[1], "vsc", sales: [sale(.task, "2026-03-01", 200_000, nil)]),
        decline(deals[1], "tire"),
        // A-3's VSC sold Jul 5, after as_of; its GAP Jun 25, 125 days after the contract (the window ends Jun 19): neither.
        decline(deals[2], "vsc", sales: [sale(.contract, "2026-07-05", 200_000, 90_000, "C-3")]),
        decline(deals[2], "gap", sales: [sale(.dealImport, "2026-06-25", 60_000, 20_000)]),
        // B-1's GAP, held out, the deal import Mar 10, $600 − $200: recovered (both arms count), gross 40,000.
        decline(deals[3], "gap", held: true, sales: [sale(.dealImport, "2026-03-10", 60_000, 20_000)]),
        // B-2: two declines, nothing after.
        decline(deals[4], "vsc"), decline(deals[4], "gap"),
    ]

    static var ledger: [LedgerRow] { histories.map { LedgerRow($0, rules: rules.rules) } }

    static func card(_ by: ScorecardGrouping) -> Scorecard {
        ScorecardBuilder.scorecard(ScorecardParameters(report: rules, by: by), deals: deals, ledger: ledger)
    }

    /// A group's figures as the JSON writes them: key, deals, PVRs, and per product code, sold, share, recovered, share.
    static func figures(_ g: ScorecardGroup) -> String {
        let doc = GroupDoc(g)
        let products = doc.products.map {
            "\($0.code) \($0.soldDesk) \($0.penetrationDesk ?? "-") \($0.recovered) \($0.penetrationWithRecoveries ?? "-")"
        }
        return ([doc.key, String(doc.deals), doc.pvrDesk ?? "-", doc.pvrWithRecoveries ?? "-"] + products).joined(separator: " | ")
    }
}

@Suite struct ScorecardTests {
    typealias F = ScorecardFixture

    @Test func theTotalAgainstTheHandComputation() {
        // Desk gross 120,000 + 50,000 + 45,000 + 133,333 + 1 = 348,334 over 5 deals: 69,666.8 → $696.67. Recovered
        // gross 50,000 + 100,000 + 40,000 = 190,000: 538,334 / 5 = 107,666.8 → $1,076.67. GAP sold on A-1, A-2 (2/5),
        // recovered on B-1 (3/5); tire sold on B-1 (1/5), recovered on A-1 (2/5); VSC sold on A-1, B-1, recovered on A-2.
        let t = F.card(.fiManager).total
        #expect(t.key == "all" && t.deskGrossCents == 348_334 && t.recoveredGrossCents == 190_000)
        #expect(
            F.figures(t)
                == "all | 5 | 696.67 | 1076.67 | gap 2 0.4000 1 0.6000 | tire 1 0.2000 1 0.4000 | vsc 2 0.4000 1 0.6000")
    }

    @Test func byFIManager() {
        // (none): B-2 alone, nothing sold or recovered. F1: A-1, A-2: desk 215,000 / 2, recovered 150,000 more.
        // F2: A-3, B-1: desk 133,334 / 2 = 66,667; with B-1's held-out GAP 173,334 / 2 = 86,667.
        let groups = F.card(.fiManager).groups.map(F.figures)
        #expect(
            groups == [
                "(none) | 1 | 0.00 | 0.00 | gap 0 0.0000 0 0.0000 | vsc 0 0.0000 0 0.0000",
                "F1 | 2 | 1075.00 | 1825.00 | gap 2 1.0000 0 1.0000 | tire 0 0.0000 1 0.5000 | vsc 1 0.5000 1 1.0000",
                "F2 | 2 | 666.67 | 866.67 | gap 0 0.0000 1 0.5000 | tire 1 0.5000 0 0.5000 | vsc 1 0.5000 0 0.5000",
            ])
    }

    @Test func byStoreSharesRoundToFourDecimals() {
        // A: 3 deals, desk 215,000 / 3 = 71,666.67 → $716.67; with 150,000: 365,000 / 3 → $1,216.67. 1/3 and 2/3.
        let groups = F.card(.store).groups.map(F.figures)
        #expect(
            groups == [
                "A | 3 | 716.67 | 1216.67 | gap 2 0.6667 0 0.6667 | tire 0 0.0000 1 0.3333 | vsc 1 0.3333 1 0.6667",
                "B | 2 | 666.67 | 866.67 | gap 0 0.0000 1 0.5000 | tire 1 0.5000 0 0.5000 | vsc 1 0.5000 0 0.5000",
            ])
    }

    @Test func byMonthOfContract() {
        // February: A-2 (GAP 45,000; VSC recovered 100,000) and A-3 (nothing): 22,500 and 72,500.
        let card = F.card(.month)
        #expect(card.groups.map(\.key) == ["2026-01", "2026-02", "2026-03", "2026-04"])
        #expect(
            F.figures(card.groups[1])
                == "2026-02 | 2 | 225.00 | 725.00 | gap 1 0.5000 0 0.5000 | tire 0 0.0000 0 0.0000 | vsc 0 0.0000 1 0.5000")
    }

    @Test func byProductEachOverAllTheDeals() {
        // GAP 95,000 / 5 = 19,000, with 40,000 more 27,000. Tire 1 / 5 → 0; with 50,000: 50,001 / 5 → 10,000.
        // VSC 253,333 / 5 = 50,666.6 → 50,667; with 100,000: 70,666.6 → 70,667.
        let groups = F.card(.product).groups.map(F.figures)
        #expect(
            groups == [
                "gap | 5 | 190.00 | 270.00 | gap 2 0.4000 1 0.6000",
                "tire | 5 | 0.00 | 100.00 | tire 1 0.2000 1 0.4000",
                "vsc | 5 | 506.67 | 706.67 | vsc 2 0.4000 1 0.6000",
            ])
    }

    @Test func theRecoveriesAreTheMarginReports() {
        // The same ledger summed by the report: the same recoveries and gross, in both arms.
        var report = ReportBuilder(F.rules)
        for row in F.ledger { report.add(row) }
        let t = report.finish().total
        let card = F.card(.fiManager).total
        #expect(card.productList.reduce(0) { $0 + $1.recovered } == t.treated.recovered + t.holdout.recovered)
        #expect(card.recoveredGrossCents == t.treated.grossCents + t.holdout.grossCents)
        #expect(t.treated.recovered + t.holdout.recovered == 3)
    }

    @Test func halvesMergeToTheWhole() {
        let p = ScorecardParameters(report: F.rules, by: .store)
        var first = ScorecardBuilder(p)
        var second = ScorecardBuilder(p)
        for deal in F.deals { deal.dealNumber < "B" ? first.add(deal) : second.add(deal) }
        for row in F.ledger { row.dealNumber < "B" ? first.add(row) : second.add(row) }
        first.merge(second)
        #expect(first.finish() == F.card(.store))
    }

    @Test func noDealsGiveNoFigures() {
        let card = ScorecardBuilder.scorecard(ScorecardParameters(report: F.rules), deals: [], ledger: [])
        #expect(card.groups.isEmpty && card.total.deals == 0 && card.total.pvrDeskCents == nil)
        let json = String(decoding: (try? ScorecardFormats.json(card)) ?? Data(), as: UTF8.self)
        #expect(json.contains("\"pvr_desk\":null") && json.contains("\"key\":\"all\""))
    }

    @Test func perDealRoundsHalfAwayFromZero() {
        #expect(ScorecardFigures.perDeal(5, 2) == 3)
        #expect(ScorecardFigures.perDeal(-5, 2) == -3)
        #expect(ScorecardFigures.perDeal(-4, 3) == -1)
        #expect(ScorecardFigures.perDeal(7, 3) == 2)
        #expect(ScorecardFigures.perDeal(5, 0) == nil)
        #expect(ScorecardFigures.perDeal(5, -1) == nil)
    }

    @Test func sharesHaveFourDecimals() {
        #expect(ScorecardFigures.share(1, 3) == "0.3333")
        #expect(ScorecardFigures.share(2, 3) == "0.6667")
        #expect(ScorecardFigures.share(1, 8) == "0.1250")
        #expect(ScorecardFigures.share(1, 20_000) == "0.0001")
        #expect(ScorecardFigures.share(3, 3) == "1.0000")
        #expect(ScorecardFigures.share(4, 3) == "1.3333")
        #expect(ScorecardFigures.share(0, 0) == nil)
    }

    @Test func theJSONHasTheShapeOfInterfaces() throws {
        let data = try ScorecardFormats.json(F.card(.fiManager))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["from", "to", "as_of", "store", "by", "groups", "total"])
        #expect(object["by"] as? String == "fi_manager" && object["as_of"] as? String == "2026-06-30")
        #expect(object["store"] is NSNull)
        let groups = try #require(object["groups"] as? [[String: Any]])
        let f1 = try #require(groups.first { $0["key"] as? String == "F1" })
        #expect(Set(f1.keys) == ["key", "deals", "pvr_desk", "pvr_with_recoveries", "products"])
        #expect(f1["deals"] as? Int == 2 && f1["pvr_desk"] as? String == "1075.00")
        let vsc = try #require((f1["products"] as? [[String: Any]])?.first { $0["code"] as? String == "vsc" })
        #expect(Set(vsc.keys) == ["code", "sold_desk", "penetration_desk", "recovered", "penetration_with_recoveries"])
        #expect(vsc["sold_desk"] as? Int == 1 && vsc["penetration_with_recoveries"] as? String == "1.0000")
    }

    @Test func theCSVHasALinePerGroupAndProduct() {
        let rows = ScorecardFormats.csvRows(F.card(.store))
        #expect(rows.count == 3 + 3 + 3)
        #expect(rows.allSatisfy { $0.count == ScorecardFormats.csvColumns.count })
        #expect(rows[0] == ["A", "3", "716.67", "1216.67", "gap", "2", "0.6667", "0", "0.6667"])
        #expect(rows.last == ["all", "5", "696.67", "1076.67", "vsc", "2", "0.4000", "1", "0.6000"])
        let text = ScorecardFormats.text(F.card(.store))
        #expect(text.contains("Store A: 3 deals, PVR $716.67 at the desk, $1,216.67 with recoveries"))
        #expect(text.contains("All deals: 5 deals"))
    }
}
