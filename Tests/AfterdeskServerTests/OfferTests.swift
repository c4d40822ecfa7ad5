import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

@Suite(.serialized, .talliedByBackend) struct OfferTests {
    @Test(arguments: TestBackend.all) func eachMessageCarriesALinkWhoseTokenIsKeptOnlyAsAHash(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        let links = try await f.s.rows("SELECT * FROM offer_links ORDER BY id")
        #expect(!links.isEmpty)
        let outbox = try await f.s.rows("SELECT body, html, status FROM outbox WHERE channel IN ('sms', 'email')")
        // Every customer message has its own link; once sent, the outbox keeps it blanked, and the customer's copy whole.
        #expect(links.count == outbox.count)
        for m in outbox {
            #expect(m["status"] as String == "sent")
            #expect((m["body"] as String).contains("https://afterdesk.lakeside.example/o/[link]"))
            #expect(!(m["body"] as String).contains("/o/T0") && !((m["html"] as String?) ?? "").contains("/o/T0"))
        }
        #expect(f.s.channels.sms.allSatisfy { $0.body.contains("https://afterdesk.lakeside.example/o/T0") })
        for row in links {
            #expect(!"\(row)".contains(f.token))
            #expect((row["token_hash"] as String).count == 64)
            // Expiry: the end of the GAP window (60 days from the 2026-10-01 contract: the last day is 2026-11-30,
            // ending at midnight in Austin), before 60 days after sending.
            #expect(row["expires_at"] as String == "2026-12-01T06:00:00Z")
            #expect(row["quoted_cents"] as Int64 == 89_500)
        }
    }

    @Test(arguments: TestBackend.all) func aGETShowsTheOfferAndChangesNothingButTheVisit(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        let before = try await f.state()
        try await f.app().test(.router) { client in
            for _ in 0..<2 {
                let r = try await client.execute(uri: f.path, method: .get)
                #expect(r.status == .ok)
                let html = String(buffer: r.body)
                #expect(html.contains("Hi Maria,"))
                #expect(html.contains("GAP Protection for your 2026 Toyota Camry"))
                #expect(html.contains("VIN ending 0001"))
                #expect(html.contains("$895.00"))
                #expect(html.contains("November 30, 2026"))
                #expect(html.contains("what you still owe on the loan"), "the menu's coverage summary")
                #expect(html.contains("owe more on your loan than the vehicle is worth"), "why now")
                for value in ["I'm interested", "Call me", "Not now", "name=\"action\" value=\"call_me\""] {
                    #expect(html.contains(value), "\(value)")
                }
                // Nothing beyond the first name, the vehicle and the last four of the VIN.
                for secret in ["Lopez", "maria@example.com", "4T1B11HK7RU000001", "D-1", "Karen", "Dana"] {
                    #expect(!html.contains(secret), "\(secret) on the customer's page")
                }
                // Maria's number is the fixture's store number too: it is on the page once, as the store's.
                #expect(html.components(separatedBy: "555-0142").count == 2)
                #expect(r.headers[.referrerPolicy] == "no-referrer")
                #expect(r.headers[HTTPField.Name("X-Robots-Tag")!] == "noindex, nofollow")
                #expect(r.headers[.contentSecurityPolicy] == OfferController.csp)
                #expect(r.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(html.contains(#"<meta name="robots" content="noindex, nofollow">"#))
                #expect(!html.contains("<script"))
            }
        }
        #expect(try await f.state() == before)
        #expect(try await f.events("opened") == 2)
        #expect(try await f.s.rows("SELECT COUNT(*) FROM offer_events WHERE kind != 'opened'")[0][0] as Int == 0)
    }

    @Test(arguments: TestBackend.all) func callMeMakesOneUrgentTaskForTheDealsPersonDueWithinTheHour(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        try await f.app().test(.router) { client in
            let r = try await f.press(client, "call_me")
            #expect(r.status == .ok)
            #expect(String(buffer: r.body).contains("will call you within the hour"))
            // A second press, and "I'm interested" after it, join the open task.
            _ = try await f.press(client, "call_me")
            _ = try await f.press(client, "interested")
        }
        let tasks = try await f.s.rows("SELECT * FROM tasks WHERE offer_link_id IS NOT NULL")
        #expect(tasks.count == 1)
        let t = try #require(tasks.first)
        #expect(t["kind"] as String == "offer_reply")
        #expect((t["title"] as String).hasPrefix("Urgent: Maria Lopez pressed \"Call me\" about GAP Protection"))
        #expect(t["due_at"] as String == "2026-10-06T15:00:00Z")
        #expect(t["sla_at"] as String == "2026-10-06T16:00:00Z")
        // D-1's F&I manager is Karen Liu (F1).
        let karen: Int64 = try await f.s.rows("SELECT id FROM staff WHERE staff_code = 'F1'")[0][0]
        #expect(t["assignee_id"] as Int64? == karen)
        #expect(try await f.events("call_me") == 2)
        #expect(try await f.events("interested") == 1)
        // Every press points at the task.
        #expect(try await f.s.rows("SELECT COUNT(*) FROM offer_events WHERE task_id = ?", [t["id"] as Int64])[0][0] as Int == 3)
        // Karen's queue shows it.
        let queue = try await f.s.db.tasks(assigneeID: karen, now: f.clock.now)
        #expect(queue.contains { $0.title.hasPrefix("Urgent: Maria Lopez") })
    }

    /// The urgent task reaches the store's CRM as a touch's task does: an ADF lead and the webhook, queued once with the
    /// task and sent by the next dispatch.
    @Test(arguments: TestBackend.all) func theUrgentTaskGoesToTheCRMOnce(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        f.s.settings.crmLeadEmail = "leads@crm.example"
        f.s.settings.webhookURL = "https://crm.example/afterdesk"
        let before = f.s.channels.emails.count
        try await f.app().test(.router) { client in
            _ = try await f.press(client, "call_me")
            _ = try await f.press(client, "interested")  // joins the open task: nothing more is queued
        }
        let task: Int64 = try await f.s.rows("SELECT id FROM tasks WHERE offer_link_id IS NOT NULL")[0][0]
        let queued = try await f.s.rows(
            "SELECT channel, idempotency_key, recipient, body, html FROM outbox WHERE task_id = ? ORDER BY channel", [task])
        #expect(queued.map { $0["channel"] as String } == ["crm_lead", "webhook"])
        #expect(queued.map { $0["idempotency_key"] as String } == ["offer-task-\(task)-crm_lead", "offer-task-\(task)-webhook"])
        let lead = try #require(queued.first)
        #expect(lead["recipient"] as String == "leads@crm.example")
        #expect((lead["body"] as String).hasPrefix("Urgent: Maria Lopez pressed \"Call me\" about GAP Protection"))
        let adf: String = lead["html"]
        #expect(adf.contains("4T1B11HK7RU000001") && adf.contains("afterdesk-offer-task-\(task)") && adf.contains("Karen Liu"))
        let hook = try #require(
            try JSONSerialization.jsonObject(with: Data((queued[1]["body"] as String).utf8)) as? [String: Any])
        #expect(hook["event"] as? String == "task.created" && hook["kind"] as? String == "offer_reply" && hook["touch_id"] == nil)
        #expect(hook["products"] as? [String] == ["D-1:gap"] && hook["assignee"] as? String == "Karen Liu")
        #expect(hook["sla_at"] as? String == "2026-10-06T16:00:00Z" && hook["phone"] as? String == "+15125550142")
        // The next dispatch sends both.
        _ = try await f.s.dispatcher.run(now: f.clock.now)
        let leads = f.s.channels.emails.dropFirst(before).filter { $0.recipients == ["leads@crm.example"] }
        let otherLeads =
            try await f.s.rows("SELECT COUNT(*) FROM outbox WHERE channel = 'crm_lead' AND (task_id IS NULL OR task_id != ?)", [task])[0][0]
            as Int
        #expect(leads.count == 1 + otherLeads && leads.contains { $0.data.contains("Maria") })
        #expect(f.s.channels.posts.filter { String(decoding: $0.body, as: UTF8.self).contains("offer_reply") }.count == 1)
        #expect(try await f.s.rows("SELECT status FROM outbox WHERE task_id = ?", [task]).map { $0[0] as String } == ["sent", "sent"])
    }

    @Test(arguments: TestBackend.all) func aPressAfterHoursIsDueAnHourIntoTheNextOpenDay(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        // Saturday 2026-10-10 18:30 in Austin: half an hour left today, closed on Sunday, so 9:30 on Monday.
        f.clock.advance(utc("2026-10-10T23:30:00Z").timeIntervalSince(f.clock.now))
        try await f.app().test(.router) { client in
            let r = try await f.press(client, "interested")
            #expect(String(buffer: r.body).contains("will call you by 9:30 AM on Monday, October 12"))
        }
        let t = try #require(try await f.s.rows("SELECT due_at, sla_at FROM tasks WHERE offer_link_id IS NOT NULL").first)
        #expect(t["due_at"] as String == "2026-10-10T23:30:00Z")
        #expect(t["sla_at"] as String == "2026-10-12T14:30:00Z")
    }

    @Test(arguments: TestBackend.all) func notNowPausesTheProductAndTheGateHonoursIt(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        // Saturday 2026-10-10: GAP rests 14 days, past the reminder of day 21 (2026-10-22).
        f.clock.advance(4 * 86_400)
        try await f.app().test(.router) { client in
            let r = try await f.press(client, "not_now")
            #expect(String(buffer: r.body).contains("We will not bring up GAP Protection again before October 24, 2026"))
        }
        #expect(try await f.s.rows("SELECT until FROM follow_up_pauses")[0][0] as String == "2026-10-24")
        #expect(try await f.s.rows("SELECT COUNT(*) FROM tasks WHERE offer_link_id IS NOT NULL")[0][0] as Int == 0)
        #expect(try await f.events("not_now") == 1)
        // Until the pause ends, a touch that raises only GAP waits; after it, it goes.
        let gapTouches = try await f.s.rows(
            """
            SELECT t.id, t.due_at FROM touches t WHERE t.status = 'planned' AND t.customer_id = ?
              AND NOT EXISTS (SELECT 1 FROM touch_items i WHERE i.touch_id = t.id AND i.product_code != 'gap') ORDER BY t.due_at
            """, [try await f.s.customer("D-1")])
        let next = try #require(gapTouches.first { ($0["due_at"] as String) < "2026-10-24" })
        let id: Int64 = next["id"]
        let due = utc(next["due_at"])
        _ = try await f.s.dispatcher.run(now: due)
        let after = try #require(try await f.s.rows("SELECT status, due_at, status_reason FROM touches WHERE id = ?", [id]).first)
        #expect(after["status"] as String == "planned")
        #expect((after["due_at"] as String) >= "2026-10-24")
        #expect((after["status_reason"] as String).contains("Not now"))
    }

    @Test(arguments: TestBackend.all) func anExpiredLinkOffersANewOneAndNothingElse(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        f.clock.advance(utc("2026-12-01T06:00:00Z").timeIntervalSince(f.clock.now))
        let before = try await f.state()
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: f.path, method: .get)
            #expect(r.status == .gone)
            let html = String(buffer: r.body)
            #expect(html.contains("This link has expired"))
            #expect(html.contains("(512) 555-0142"), "the store's phone")
            #expect(html.contains("value=\"new_link\""))
            #expect(!html.contains("Maria"))
            // The offer's buttons do nothing any more.
            let call = try await f.press(client, "call_me")
            #expect(call.status == .gone)
        }
        #expect(try await f.state() == before)
        #expect(try await f.events("opened") == 0)
        try await f.app().test(.router) { client in
            let r = try await f.press(client, "new_link")
            #expect(String(buffer: r.body).contains("We will be in touch with you about GAP Protection"))
        }
        let t = try #require(try await f.s.rows("SELECT title FROM tasks WHERE offer_link_id IS NOT NULL").first)
        #expect(t["title"] as String == "Maria Lopez asked for a new link about GAP Protection")
        #expect(try await f.events("new_link") == 1)
    }

    @Test(arguments: TestBackend.all) func aSaleOnTheUrgentTaskIsARecoveryAndVoidsTheLink(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        try await f.app().test(.router) { client in _ = try await f.press(client, "call_me") }
        let task: Int64 = try #require(try await f.s.rows("SELECT id FROM tasks WHERE offer_link_id IS NOT NULL").first?[0])
        // The task page knows the product from the link.
        let detail = try #require(try await f.s.db.taskDetail(id: task, now: f.clock.now))
        #expect(detail.items.map(\.product) == ["gap"] && detail.vehicle == "2026 Toyota Camry")
        _ = try await f.s.db.completeTask(
            id: task, outcome: .sold, price: Money(cents: 89_500), cost: Money(cents: 30_000), now: f.clock.now)
        let recovery = try #require(try await f.s.rows("SELECT product_code, source, price_cents FROM recoveries").first)
        #expect(recovery["product_code"] as String == "gap" && recovery["source"] as String == "task")
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: f.path, method: .get)
            #expect(r.status == .gone)
            #expect(String(buffer: r.body).contains("You already have GAP Protection"))
        }
    }

    @Test(arguments: TestBackend.all) func aLinkIsVoidAfterAPurchase(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        _ = try await f.s.db.addStop(dealNumber: "D-1", store: "main", product: "gap", kind: .purchased, source: "task:1", now: f.clock.now)
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: f.path, method: .get)
            #expect(r.status == .gone)
            #expect(String(buffer: r.body).contains("You already have GAP Protection"))
            #expect(try await f.press(client, "interested").status == .gone)
        }
        #expect(try await f.s.rows("SELECT COUNT(*) FROM tasks WHERE offer_link_id IS NOT NULL")[0][0] as Int == 0)
    }

    @Test(arguments: TestBackend.all) func aLinkIsVoidAfterAnOptOutOfItsChannel(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        let maria = try await f.s.customer("D-1")
        if f.channel == "sms" {
            _ = try await f.s.dispatcher.receiveSMS(from: "+15125550142", body: " stop ", providerID: "SM1", now: f.clock.now)
        } else {
            _ = try await f.s.db.unsubscribeEmail(customerID: maria, source: "test", now: f.clock.now)
        }
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: f.path, method: .get)
            #expect(r.status == .gone)
            #expect(String(buffer: r.body).contains("This link no longer works"))
        }
    }

    @Test(arguments: TestBackend.all) func unknownMalformedAndCrossSiteRequestsDoNothing(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        let before = try await f.state()
        try await f.app().test(.router) { client in
            for uri in ["/o/AAAAAAAAAAAAAAAAAAAAAA", "/o/short", "/o/\(f.token)x", "/o/%27%20OR%201%3D1"] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == .notFound, "\(uri)")
                #expect(String(buffer: r.body).contains("This link is not valid"))
            }
            #expect(try await f.press(client, "call_me", site: "cross-site").status == .forbidden)
            #expect(try await f.press(client, "call_me", origin: "https://evil.example").status == .forbidden)
            #expect(try await f.press(client, "buy_everything").status == .badRequest)
        }
        #expect(try await f.state() == before)
        #expect(try await f.s.rows("SELECT COUNT(*) FROM offer_events")[0][0] as Int == 0)
    }

    @Test(arguments: TestBackend.all) func theRoutesAreRateLimited(backend: TestBackend) async throws {
        let f = try await OfferFixture(
            backend: backend,
            limits: OfferLimits(perAddress: RateLimiter(limit: 3, window: 60), pressesPerLink: RateLimiter(limit: 2, window: 3600)))
        try await f.app().test(.router) { client in
            for _ in 0..<3 { #expect(try await client.execute(uri: f.path, method: .get).status == .ok) }
            let refused = try await client.execute(uri: f.path, method: .get)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "60")
            // Guessing tokens counts too.
            #expect(try await client.execute(uri: "/o/AAAAAAAAAAAAAAAAAAAAAA", method: .get).status == .tooManyRequests)
            f.clock.advance(61)
            #expect(try await client.execute(uri: f.path, method: .get).status == .ok)
            // Presses per link: two an hour.
            #expect(try await f.press(client, "not_now").status == .ok)
            #expect(try await f.press(client, "not_now").status == .ok)
            #expect(try await f.press(client, "not_now").status == .tooManyRequests)
        }
        #expect(try await f.events("opened") == 4)
        #expect(try await f.events("not_now") == 2)
    }

    @Test(arguments: TestBackend.all) func theReportCountsVisitsAndPresses(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        try await f.app().test(.router) { client in
            _ = try await client.execute(uri: f.path, method: .get)
            _ = try await client.execute(uri: f.path, method: .get)
            _ = try await f.press(client, "call_me")
        }
        let funnel = try await f.s.db.offerFunnel(
            from: LocalDate(year: 2026, month: 1, day: 1)!, to: LocalDate(year: 2026, month: 12, day: 31)!, stores: nil)
        let links: Int = try await f.s.rows("SELECT COUNT(*) FROM offer_links")[0][0]
        #expect(funnel.linksSent == links)
        #expect(funnel.opened == 1 && funnel.callMe == 1 && funnel.interested == 0 && funnel.notNow == 0)
        let none = try await f.s.db.offerFunnel(
            from: LocalDate(year: 2026, month: 1, day: 1)!, to: LocalDate(year: 2026, month: 12, day: 31)!, stores: ["elsewhere"])
        #expect(none == OfferFunnel())
        // The report carries the funnel in its JSON and its text.
        let report = try await f.s.db.marginReport(
            ReportParameters(
                asOf: LocalDate(year: 2026, month: 12, day: 1)!, from: LocalDate(year: 2026, month: 1, day: 1)!,
                to: LocalDate(year: 2026, month: 12, day: 1)!, attributionDays: 120, holdoutPercent: 10), now: f.clock.now)
        #expect(report.offers == funnel)
        let json = String(decoding: try ReportFormats.json(report), as: UTF8.self)
        #expect(json.contains(#""offers":{"call_me":1,"declines_reached":"#), "\(json)")
        #expect(ReportText.render(report).contains("Offer pages: \(links) links sent about"))
    }
}
