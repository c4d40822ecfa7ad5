import AfterdeskCore
import Foundation
import Testing

/// The holdout that ends (`holdout_months`) and the horizon planning stores (docs/reporting.md, "The measurement
/// horizon"), on the good row: a new 2026 Toyota contracted and delivered 2026-06-01 with 12 miles, its service
/// contract declined; basic warranty projected to end 2029-05-31 at 12,000 miles a year.
@Suite struct HoldoutEndTests {
    let warranties = try! MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
    func d(_ s: String) -> LocalDate { LocalDate(s)! }

    func menu(holdoutMonths: Int = 48) throws -> Menu {
        var m = try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
        m.holdoutMonths = holdoutMonths
        return m
    }

    func deal() throws -> DealRecord {
        var deal = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        deal.dealNumber = "D-HELD"
        deal.products = [ProductLine(code: "vsc", outcome: .declined, price: Money(dollars: 2_495))]
        return deal
    }

    var now: Date { ContactWindow.strict.instant(on: d("2026-06-01"), atMinutes: 9 * 60, zone: TimeZone(identifier: "America/Chicago")!) }

    func plan(_ deal: DealRecord, menu: Menu, heldOut: Bool, readings: [OdometerReading] = []) -> CustomerPlan {
        let facts = DeclineFacts(
            store: deal.store, dealNumber: deal.dealNumber, product: deal.products[0], deal: deal, laterReadings: readings,
            heldOut: heldOut)
        return Planner.make(menu: menu, warranties: warranties).plan(
            declines: [facts], permissions: ContactPermissions(sms: true, email: true, phone: true), now: now)
    }

    @Test func aHeldOutDealIsFollowedUpFromTheHoldoutsEnd() throws {
        // Held out for 24 months: until 2028-06-01. The warranty-expiry touches (2029) are planned; the second chance
        // (2026-07-01) stays dropped, naming the date.
        let p = plan(try deal(), menu: try menu(holdoutMonths: 24), heldOut: true)
        let vsc = try #require(p.products.first)
        #expect(vsc.holdout && vsc.heldOutUntil == d("2028-06-01") && vsc.noFollowUp == nil)
        let planned = p.touches.flatMap { t in t.items.map { ($0.touch, t.dueOn) } }
        #expect(planned.map(\.0) == ["expiry-90", "expiry-30", "expiry-7"])
        #expect(planned.allSatisfy { $0.1 >= d("2028-06-01") })
        let early = try #require(p.dropped.first { $0.item.touch == "second-chance" })
        #expect(early.why == "held out until 2028-06-01: no follow-up before, to measure what happens without one")
        // The same deal treated plans the second chance too.
        #expect(plan(try deal(), menu: try menu(holdoutMonths: 24), heldOut: false).touches.count == 4)
    }

    @Test func withTheDefault48MonthsTheseTouchesStayHeldOutAndExplainSaysUntilWhen() throws {
        let m = try menu()
        let p = plan(try deal(), menu: m, heldOut: true)
        let vsc = try #require(p.products.first)
        // 2029's expiry touches come before 2030-06-01: nothing is planned.
        #expect(p.touches.isEmpty && vsc.noFollowUp == .holdout && vsc.heldOutUntil == d("2030-06-01"))
        #expect(p.dropped.contains { $0.item.touch == "expiry-90" && $0.why.hasPrefix("held out until 2030-06-01") })
        let deal = try deal()
        let e = try #require(
            Explain.explain(
                CustomerDeals(
                    dealNumber: deal.dealNumber, store: deal.store, deals: [FollowUpDeal(record: deal, laterReadings: [], heldOut: true)]),
                planner: Planner.make(menu: m, warranties: warranties), now: now))
        #expect(e.products[0].holdout && e.products[0].heldOutUntil == "2030-06-01")
        let json = String(decoding: try JSONEncoder().encode(e), as: UTF8.self)
        #expect(json.contains("\"held_out_until\":\"2030-06-01\""))
    }

    @Test func theHorizonIsComputedWithoutTheReadingsSinceTheSale() throws {
        let m = try menu()
        // 60,000 miles a year since the sale: the after-warranty plan's 150,000 miles come in 2028, not 12 years on.
        let readings = [OdometerReading(date: d("2027-06-01"), miles: 60_012)]
        let withReadings = try #require(plan(try deal(), menu: m, heldOut: false, readings: readings).products.first)
        let atContract = try #require(plan(try deal(), menu: m, heldOut: false).products.first)
        let (soon, late) = (try #require(withReadings.eligibility.until), try #require(atContract.eligibility.until))
        #expect(soon < late)
        // The horizon is the window the facts at contract give, in both plans, and in both arms.
        #expect(withReadings.horizon == atContract.eligibility.until && atContract.horizon == atContract.eligibility.until)
        #expect(try #require(plan(try deal(), menu: m, heldOut: true, readings: readings).products.first).horizon == atContract.horizon)
    }
}
