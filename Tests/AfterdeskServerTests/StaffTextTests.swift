import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Issue 24, item 5: texting goes through Afterdesk. The task page's Text button opens a compose box that sends through
/// the store's SMS number and the gate (opt-outs, hours, caps); there is no `sms:` link to a salesperson's own phone.
@Suite(.serialized, .talliedByBackend) struct StaffTextTests {
    /// A reply task for Maria (who consents to texts), the clock at her last planned text (years on: the fixture's
    /// dispatch sent her first ones, and they are out of the 30 days by then).
    func mariaTask(_ f: WebFixture) async throws -> (task: Int64, due: Date, touch: Int64) {
        let maria = try #require(try await f.s.touches("D-1").last { $0.action == "sms" })
        let due = utc(maria.due)
        f.clock.advance(due.timeIntervalSince(f.clock.now))
        let task = try await f.s.db.createReplyTask(
            customerID: try await f.s.customer("D-1"), title: "Reply by text", detail: "They wrote: \"how much?\"", now: due, slaHours: 4)
        return (task, due, maria.id)
    }

    func nonce(_ page: String) -> String? {
        guard let r = page.range(of: #"name="nonce" value="[0-9a-f]+""#, options: .regularExpression) else { return nil }
        return String(page[r].dropFirst(#"name="nonce" value=""#.count).dropLast())
    }

    @Test(arguments: TestBackend.all) func aTextFromTheTaskPageGoesOutOnceThroughTheStoreNumber(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        let (task, _, _) = try await mariaTask(f)
        try await f.app().test(.router) { client in
            var karen = TestBrowser()
            try await karen.signIn(client, "kliu")
            let page = String(buffer: try await karen.get(client, "/tasks/\(task)").body)
            #expect(page.contains("action=\"/tasks/\(task)/text\"") && !page.contains("href=\"sms:"))
            let once = try #require(nonce(page))
            // A preset fills the box (a reply task names no product: the answer one); it states nothing about coverage or price.
            let preset = String(buffer: try await karen.get(client, "/tasks/\(task)?preset=0").body)
            #expect(preset.contains("thanks for your message. When is a good time to call you?</textarea>"))
            let sent = try await karen.post(
                client, "/tasks/\(task)/text", [("nonce", once), ("body", "Hi Maria, the price is the same as at the desk.")])
            #expect(sent.status == .seeOther && sent.headers[.location] == "/tasks/\(task)?texted=sent#messages")
            // The same form again (a double click): one text.
            _ = try await karen.post(
                client, "/tasks/\(task)/text", [("nonce", once), ("body", "Hi Maria, the price is the same as at the desk.")])
            let after = String(buffer: try await karen.get(client, "/tasks/\(task)?texted=sent").body)
            #expect(after.contains("Text sent.") && after.contains("the price is the same as at the desk."))
        }
        let staff = f.s.channels.sms.filter { $0.key.hasPrefix("staff-text-") }
        #expect(staff.count == 1)
        #expect(staff.first?.body.hasSuffix("— kliu, Lakeside Motors") == true)
        let rows = try await f.s.rows("SELECT status, task_id FROM outbox WHERE idempotency_key LIKE 'staff-text-%'")
        #expect(rows.count == 1 && rows[0][0] as String == "sent" && rows[0][1] as Int64 == task)
        // Contact data is never logged.
        #expect(!f.log.text.contains("555") && !f.log.text.contains("the price is the same"))
    }

    @Test(arguments: TestBackend.all) func theGateRefusesATextOutsideContactHoursAndAfterAStop(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        let (task, due, _) = try await mariaTask(f)
        // 23:30 in Austin.
        let night = LocalDate(due, in: TimeZone(identifier: "America/Chicago")!)
        f.clock.advance(
            ContactWindow.allDay.instant(on: night, atMinutes: 23 * 60 + 30, zone: TimeZone(identifier: "America/Chicago")!)
                .timeIntervalSince(f.clock.now))
        try await f.app().test(.router) { client in
            var karen = TestBrowser()
            try await karen.signIn(client, "kliu")
            let page = String(buffer: try await karen.get(client, "/tasks/\(task)").body)
            let late = try await karen.post(
                client, "/tasks/\(task)/text", [("nonce", try #require(nonce(page))), ("body", "Are you free?")])
            let body = String(buffer: late.body)
            #expect(late.status == .unprocessableContent && body.contains("Not sent now: outside contact hours"), "\(body)")
            #expect(body.contains("Are you free?"))  // what was written is kept
            // The customer texts STOP: no compose box, and a forged post is refused.
            _ = try await f.s.db.setSMSConsent(phone: "+15125550142", consent: false, source: "sms STOP test", now: f.clock.now)
            let stopped = String(buffer: try await karen.get(client, "/tasks/\(task)").body)
            #expect(!stopped.contains("/text\""))
            let forged = try await karen.post(client, "/tasks/\(task)/text", [("nonce", "00112233aabbccdd"), ("body", "Hello?")])
            #expect(forged.status == .unprocessableContent)
        }
        #expect(!f.s.channels.sms.contains { $0.key.hasPrefix("staff-text-") })
    }

    /// A person's text counts toward the caps of the automated ones: one contact a day.
    @Test(arguments: TestBackend.all) func aStaffTextCountsTowardTheCaps(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        let (task, due, touch) = try await mariaTask(f)
        let result = try await f.s.dispatcher.staffText(taskID: task, written: "Hi Maria", by: "Karen", nonce: "abcdef0123", now: due)
        #expect(result == .sent)
        try await f.s.db.completeTask(id: task, outcome: .wontDo, note: "answered", now: due)
        var decisions: [DispatchDecision] = []
        _ = try await f.s.dispatcher.run(now: due.addingTimeInterval(60)) { decisions.append($0) }
        let maria = try #require(decisions.first { $0.touch == touch })
        #expect(maria.result == "move" && maria.detail.contains("already contacted today"), "\(maria)")
    }

    @Test func anEmptyOrOverlongTextIsRefusedBeforeTheGate() {
        #expect(StaffTextRules.problem(StaffTextRules.body(" \n\u{7} ", signedBy: "K", dealer: "L"), maxSegments: 3) != nil)
        let long = String(repeating: "a", count: 480)
        #expect(StaffTextRules.problem(StaffTextRules.body(long, signedBy: "K", dealer: "L"), maxSegments: 3)?.contains("segments") == true)
        #expect(StaffTextRules.body("hi\u{0}\u{1b} there", signedBy: "K", dealer: "L") == "hi there\n— K, L")
    }
}
