import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskSQLite
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// The shipped menu's dealer GAP waiver through the store and the dispatcher (issue 25, item 3): Maria's declined GAP
/// is one task for her F&I manager on the day after the contract, and no GAP message is ever planned.
@Suite(.serialized, .talliedByBackend) struct DealerWaiverDispatchTests {
    @Test(arguments: TestBackend.all) func theWaiverIsOneTaskForTheFIManagerInTheFundingWindow(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend, withMenu: shippedMenu)
        let gapTouches = try await s.rows(
            """
            SELECT t.action, t.due_at, i.touch_name FROM touches t JOIN touch_items i ON i.touch_id = t.id
            WHERE i.product_code = 'gap'
            """)
        #expect(gapTouches.map { $0[0] as String } == ["task"])
        #expect(gapTouches.map { $0[2] as String } == ["recontract"])
        let due = try #require(gapTouches.first.map { $0[1] as String })
        #expect(due.hasPrefix("2026-10-02"))
        _ = try await s.dispatcher.run(now: utc(due))
        let task = try #require(try await s.rows("SELECT title, detail, assignee_id FROM tasks").first)
        let detail: String = task[1]
        #expect(detail.contains("re-contract with GAP before the lender funds: LTV 1.19 at contract, funding window closes 2026-10-06"))
        // The desk's own quote, within the days it holds: said as quoted.
        #expect(detail.contains("GAP Protection (deal D-1, quoted $895.00)"))
        let karen: Int64 = try #require(try await s.rows("SELECT id FROM staff WHERE name = 'Karen Liu'").first)[0]
        #expect(task[2] as Int64? == karen)
        #expect(s.channels.sms.isEmpty && s.channels.emails.isEmpty)
    }

    /// A presumed decline (a DMS export lists only what was sold) is never "quoted": the task says the price of the day.
    @Test(arguments: TestBackend.all) func aPresumedDeclineIsNotSaidToHaveBeenQuoted(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend, withMenu: shippedMenu)
        try await s.execute("UPDATE deal_products SET presumed = ? WHERE product_code = 'gap'", [true])
        let due: String = try await s.rows(
            "SELECT t.due_at FROM touches t JOIN touch_items i ON i.touch_id = t.id WHERE i.product_code = 'gap'")[0][0]
        _ = try await s.dispatcher.run(now: utc(due))
        let detail: String = try await s.rows("SELECT detail FROM tasks")[0][0]
        #expect(detail.contains("GAP Protection (deal D-1, from $895.00)") && !detail.contains("quoted"))
    }
}

/// The offer page's "why now" for GAP and the items' new facts (issue 25, items 3 and 5): above the cap, nothing says
/// GAP covers the difference; DueItem carries what pricing and GAP need.
@Suite(.talliedByBackend) struct GAPWhyNowTests {
    @Test(arguments: TestBackend.all) func aboveTheCapGAPIsNotSaidToCoverTheDifference(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        var item = try await #require(
            try s.db.dueTouches(now: utc("2031-01-01T16:00:00Z"), limit: 1_000).flatMap(\.items).first { $0.product == "gap" })
        // D-1: $34,500 financed on a $29,000 car, a new car delivered with 12 miles.
        #expect(item.amountFinancedCents == 34_500_00 && item.vehicleValueCents == 29_000_00 && item.loanToValuePercent == 119)
        #expect(item.odometer == 12 && item.inServiceDate == LocalDate(year: 2026, month: 10, day: 1) && !item.presumed)
        #expect(s.dispatcher.whyNow(item, on: LocalDate(year: 2027, month: 1, day: 1)!).contains("GAP would cover the difference"))
        // $43,500 is exactly 1.50: covered. $43,500.01 and $43,644 (1.50496, which rounds to 1.50) are above the cap:
        // the waiver excludes what is financed above 150% of value.
        for (financed, covers) in [(Int64(43_500_00), true), (43_500_01, false), (43_644_00, false), (43_645_00, false)] {
            item.amountFinancedCents = financed
            let text = s.dispatcher.whyNow(item, on: LocalDate(year: 2027, month: 1, day: 1)!)
            #expect(text.contains("covers the difference") == false)
            #expect(text.contains("GAP would cover the difference") == covers, "\(financed): \(text)")
        }
        item.amountFinancedCents = nil
        #expect(!s.dispatcher.whyNow(item, on: LocalDate(year: 2027, month: 1, day: 1)!).contains("cover the difference"))
    }
}
