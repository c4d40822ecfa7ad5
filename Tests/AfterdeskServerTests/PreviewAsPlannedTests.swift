import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Issue 25, item 6: `afterdesk preview` rendered every touch as of today, so the 30-days-before text read "your
/// factory warranty ends in about 1624 days". Each touch is now rendered as of its planned day, unless `--now` says
/// otherwise, and a touch that is not planned says so.
@Suite(.talliedByBackend) struct PreviewAsPlannedTests {
    static let today = utc("2026-10-02T15:00:00Z")

    @Test(arguments: TestBackend.all) func eachTouchIsRenderedAsOfItsPlannedDay(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let (_, item, _) = try #require(try await s.db.previewFacts(dealNumber: "D-1", store: nil, product: "vsc"))
        let ends = try #require(item.basicExpiresOn)
        let planned = try #require(try await s.db.previewTouches(dealID: item.dealID, product: "vsc")["expiry-30"]?.dueOn)
        let daysLeft = planned.days(until: ends)
        #expect((28...32).contains(daysLeft))
        // Action: preview the deal's VSC without --now.
        let previews = try await s.dispatcher.preview(dealNumber: "D-1", product: "vsc", now: Self.today)
        let expiry30 = previews.filter { $0.template == "vsc-expiry-30" }
        // Only the channel the plan makes it by: D-1 consented to texts, so the text.
        let action = try #require(try await s.db.previewTouches(dealID: item.dealID, product: "vsc")["expiry-30"]?.action)
        #expect(action == .sms && expiry30.map(\.channel) == ["sms"])
        for p in expiry30 {
            #expect(p.asOf == planned.description)
            #expect(((p.subject ?? "") + " " + p.body).contains("about \(daysLeft) days"), "\(p.subject ?? "") \(p.body)")
        }
        // No preview counts the days from today: over 1,000 days for a warranty three years away.
        let fromToday = LocalDate(Self.today, in: TimeZone(identifier: "America/Chicago")!).days(until: ends)
        for p in previews { #expect(!((p.subject ?? "") + p.body).contains("about \(fromToday) days"), "\(p.template): \(p.body)") }
    }

    @Test(arguments: TestBackend.all) func nowRendersEveryTouchAsOfThatInstant(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let (_, item, _) = try #require(try await s.db.previewFacts(dealNumber: "D-1", store: nil, product: "vsc"))
        let ends = try #require(item.basicExpiresOn)
        let previews = try await s.dispatcher.preview(
            dealNumber: "D-1", product: "vsc", touch: "expiry-30", now: Self.today, asOf: Self.today)
        let sms = try #require(previews.first { $0.channel == "sms" })
        #expect(sms.asOf == "2026-10-02")
        #expect(sms.body.contains("about \(LocalDate(year: 2026, month: 10, day: 2)!.days(until: ends)) days"), "\(sms.body)")
    }

    @Test(arguments: TestBackend.all) func aTouchNotPlannedSaysSoAndIsNotRendered(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        // Setup: the expiry-90 touch already went out.
        try await s.execute(
            """
            UPDATE touches SET status = 'sent' WHERE id IN (SELECT touch_id FROM touch_items WHERE product_code = 'vsc'
            AND touch_name = 'expiry-90' AND deal_id = (SELECT id FROM deals WHERE deal_number = 'D-1'))
            """)
        let previews = try await s.dispatcher.preview(dealNumber: "D-1", product: "vsc", touch: "expiry-90", now: Self.today)
        #expect(previews.count == 1)
        #expect(previews.first?.channel == "none")
        #expect(previews.first?.note?.contains("already sent") == true, "\(previews)")
        // With --now it is rendered as of then, and still says it is not planned.
        let asOf = try await s.dispatcher.preview(dealNumber: "D-1", product: "vsc", touch: "expiry-90", now: Self.today, asOf: Self.today)
        #expect(asOf.contains { $0.channel == "sms" && $0.note?.contains("already sent") == true })
    }
}
