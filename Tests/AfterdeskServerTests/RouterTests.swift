import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Builds a signed Twilio webhook request.
func twilioRequest(
    _ path: String, _ fields: [(String, String)], token: String = "tok", publicURL: String = "https://afterdesk.lakeside.example",
    signature: String? = nil
) -> (body: ByteBuffer, headers: HTTPFields) {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
    let sig = signature ?? Signatures.twilio(url: publicURL + path, parameters: fields, authToken: token)
    var headers = HTTPFields()
    headers[.contentType] = "application/x-www-form-urlencoded"
    headers[.init("X-Twilio-Signature")!] = sig
    return (ByteBuffer(string: body), headers)
}

@Suite(.serialized, .talliedByBackend) struct RouterTests {
    func app(_ s: Scenario, at: String) throws -> some ApplicationProtocol {
        Application(router: try buildRouter(ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc(at)))))
    }

    @Test(arguments: TestBackend.all) func aBadSignatureIsRefused(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        try await app(s, at: "2026-10-02T15:00:00Z").test(.router) { client in
            let forged = twilioRequest(
                "/webhooks/sms", [("From", "+15125550142"), ("Body", "STOP"), ("MessageSid", "SM1")], token: "not-the-token")
            try await client.execute(uri: "/webhooks/sms", method: .post, headers: forged.headers, body: forged.body) { r in
                #expect(r.status == .forbidden)
            }
            // Signed for another URL: refused too.
            let elsewhere = twilioRequest(
                "/webhooks/sms", [("From", "+15125550142"), ("Body", "STOP"), ("MessageSid", "SM1")], publicURL: "https://evil.example")
            try await client.execute(uri: "/webhooks/sms", method: .post, headers: elsewhere.headers, body: elsewhere.body) { r in
                #expect(r.status == .forbidden)
            }
            let status = twilioRequest("/webhooks/sms/status", [("MessageSid", "SM1"), ("MessageStatus", "delivered")], token: "x")
            try await client.execute(uri: "/webhooks/sms/status", method: .post, headers: status.headers, body: status.body) { r in
                #expect(r.status == .forbidden)
            }
        }
        // Nothing changed.
        #expect(try await s.rows("SELECT consent_sms FROM customers WHERE id = ?", [try await s.customer("D-1")])[0][0] as Bool)
        #expect(!(try await s.touches("D-1").filter { $0.action == "sms" }.isEmpty))
    }

    @Test(arguments: TestBackend.all) func stopThenStartThenHelp(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let customer = try await s.customer("D-1")
        try await app(s, at: "2026-10-02T15:00:00Z").test(.router) { client in
            let stop = twilioRequest(
                "/webhooks/sms", [("From", "+15125550142"), ("To", "+15125550100"), ("Body", "  stop "), ("MessageSid", "SM100")])
            try await client.execute(uri: "/webhooks/sms", method: .post, headers: stop.headers, body: stop.body) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("You are unsubscribed from Lakeside Motors texts"))
            }
            let left = try await s.touches("D-1")
            #expect(!left.isEmpty, "Maria's products are planned again on email")
            #expect(left.allSatisfy { $0.action != "sms" })
            let consent = try await s.rows("SELECT consent_sms, consent_sms_source FROM customers WHERE id = ?", [customer])[0]
            #expect(!(consent[0] as Bool))
            #expect((consent[1] as String).hasPrefix("sms STOP SM100"))

            let help = twilioRequest("/webhooks/sms", [("From", "+15125550142"), ("Body", "HELP"), ("MessageSid", "SM101")])
            try await client.execute(uri: "/webhooks/sms", method: .post, headers: help.headers, body: help.body) { r in
                #expect(String(buffer: r.body).contains("Lakeside Motors, (512) 555-0142"))
            }
            let start = twilioRequest("/webhooks/sms", [("From", "+15125550142"), ("Body", "START"), ("MessageSid", "SM102")])
            try await client.execute(uri: "/webhooks/sms", method: .post, headers: start.headers, body: start.body) { r in
                #expect(String(buffer: r.body).contains("resubscribed"))
            }
            #expect(try await s.rows("SELECT consent_sms FROM customers WHERE id = ?", [customer])[0][0] as Bool)
            #expect(try await s.touches("D-1").contains { $0.action == "sms" })
        }
    }

    @Test(arguments: TestBackend.all) func aReplyBecomesATaskForAPerson(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        try await app(s, at: "2026-10-02T15:00:00Z").test(.router) { client in
            let reply = twilioRequest(
                "/webhooks/sms", [("From", "+15125550142"), ("Body", "Yes, what would GAP cost a month?"), ("MessageSid", "SM200")])
            for _ in 0..<2 {  // the provider retries: one task only
                try await client.execute(uri: "/webhooks/sms", method: .post, headers: reply.headers, body: reply.body) { r in
                    #expect(r.status == .ok)
                }
            }
        }
        let tasks = try await s.db.tasks(now: utc("2026-10-02T15:00:00Z"))
        #expect(tasks.count == 1)
        #expect(tasks[0].kind == .reply)
        #expect(tasks[0].detail.contains("what would GAP cost a month?"))
        #expect(tasks[0].assignee == "Karen Liu")  // the deal's F&I manager
    }

    @Test(arguments: TestBackend.all) func deliveryStatusUpdatesTheOutbox(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let maria = try #require(try await s.touches("D-1").first)
        _ = try await s.dispatcher.run(now: utc(maria.due))
        let sid = try #require(s.channels.sms.first?.sid)
        try await app(s, at: "2026-10-02T15:00:00Z").test(.router) { client in
            let cb = twilioRequest("/webhooks/sms/status", [("MessageSid", sid), ("MessageStatus", "undelivered"), ("ErrorCode", "30006")])
            try await client.execute(uri: "/webhooks/sms/status", method: .post, headers: cb.headers, body: cb.body) { r in
                #expect(r.status == .noContent)
            }
        }
        let row = try await s.rows("SELECT status, provider_status, last_error FROM outbox")[0]
        #expect(row[0] as String == "undelivered" && row[1] as String == "undelivered" && row[2] as String == "provider error 30006")
    }

    /// The demo signed its links with a fixed "demo-secret" while `serve` checks the database's own secret, so every
    /// link the demo sent answered 403. The demo's dispatcher (`Dispatcher.recording`) sends an email here; its link is
    /// followed through the server `serve` builds on the same database.
    @Test(arguments: TestBackend.all) func aLinkFromADemoEmailWorksInTheServer(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        #expect(s.settings.signingSecret == nil)
        let recording = RecordingChannels()
        let demo = try await Dispatcher.recording(
            database: s.db, menu: menu, warranties: warranties, templates: templates, settings: s.settings,
            into: recording)
        let james = try #require(try await s.touches("D-2").first)
        _ = try await demo.run(now: utc(james.due))
        let email = try #require(recording.emails.first { $0.recipients == ["james@example.com"] })
        let link = try #require(
            email.data.components(separatedBy: "<").compactMap { part -> String? in
                guard part.hasPrefix("https://afterdesk.lakeside.example/unsubscribe?") else { return nil }
                return part.components(separatedBy: ">").first
            }.first)
        let path = String(link.dropFirst(s.settings.publicURL.count))
        // `serve`: the dispatcher of DispatchOptions, whose secret is the database's.
        let served = await Dispatcher(
            database: s.db, menu: menu, warranties: warranties, templates: templates, settings: s.settings,
            channels: .recording(s.channels), signingSecret: try Dispatcher.signingSecret(settings: s.settings, database: s.db))
        let customer = try await s.customer("D-2")
        try await Application(router: try buildRouter(ServerContext(dispatcher: served, clock: .fixed(utc(james.due))))).test(.router) {
            client in
            try await client.execute(uri: path, method: .get) { r in #expect(r.status == .ok) }
            #expect(try await s.rows("SELECT consent_email FROM customers WHERE id = ?", [customer])[0][0] as Bool)
            try await client.execute(uri: path, method: .post) { r in #expect(r.status == .ok) }
        }
        #expect(!(try await s.rows("SELECT consent_email FROM customers WHERE id = ?", [customer])[0][0] as Bool))
    }

    @Test(arguments: TestBackend.all) func theUnsubscribeLinkStopsEmailOnlyWithAValidToken(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let customer = try await s.customer("D-2")
        let emailTouchesBefore = try await s.touches("D-2").filter { $0.action == "email" }
        let url = s.dispatcher.unsubscribeURL(customer: customer)
        let path = String(url.dropFirst("https://afterdesk.lakeside.example".count))
        try await app(s, at: "2026-10-02T15:00:00Z").test(.router) { client in
            try await client.execute(uri: "/unsubscribe?c=\(customer)&t=forged", method: .get) { r in #expect(r.status == .forbidden) }
            // A valid token for another customer does not work for this one.
            let other = s.dispatcher.unsubscribeURL(customer: try await s.customer("D-1"))
            let otherToken = other.components(separatedBy: "t=")[1]
            try await client.execute(uri: "/unsubscribe?c=\(customer)&t=\(otherToken)", method: .get) { r in #expect(r.status == .forbidden)
            }
            #expect(try await s.rows("SELECT consent_email FROM customers WHERE id = ?", [customer])[0][0] as Bool)
            // The defect: a GET, which mail scanners make for every link, unsubscribed. Now it shows one button.
            for _ in 0..<3 {
                try await client.execute(uri: path, method: .get) { r in
                    #expect(r.status == .ok)
                    let html = String(buffer: r.body)
                    #expect(html.contains("<form method=\"post\" action=\"/unsubscribe?c=\(customer)&amp;t="))
                    #expect(!html.contains("You are unsubscribed"))
                }
            }
            #expect(try await s.rows("SELECT consent_email FROM customers WHERE id = ?", [customer])[0][0] as Bool)
            // RFC 8058 one-click: the mail client POSTs to the List-Unsubscribe URL.
            try await client.execute(
                uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "List-Unsubscribe=One-Click")
            ) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("You are unsubscribed"))
            }
        }
        #expect(!(try await s.rows("SELECT consent_email FROM customers WHERE id = ?", [customer])[0][0] as Bool))
        // Every pending email touch was cancelled (and there were some to cancel).
        #expect(!emailTouchesBefore.isEmpty)
        #expect(try await s.touches("D-2").allSatisfy { $0.action != "email" })
    }

    /// A token for a new user of `role`, as `afterdesk users add` and `tokens add` make them.
    func token(_ s: Scenario, _ name: String, _ role: Role, staff: String? = nil, expires: Date? = nil) async throws -> (
        id: Int64, token: String
    ) {
        try await s.db.addUser(name: name, role: role, staffCode: staff, store: nil, now: Date())
        var rng = SeededRandom(seed: UInt64(abs(name.hashValue)))
        let made = APITokens.generate(using: &rng)
        let id = try await s.db.addToken(user: name, tokenHash: made.hash, label: made.label, expiresAt: expires, now: Date())
        return (id, made.token)
    }

    func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    /// The defect: GET /api/tasks gave every open task, with names and phone numbers, to anyone who could reach the
    /// server, and POST …/done recorded sales for anyone.
    @Test(arguments: TestBackend.all) func theTaskAPINeedsATokenAndScopesEachRole(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let ana = try #require(try await s.touches("D-3").first)
        _ = try await s.dispatcher.run(now: utc(ana.due))
        try await s.db.addStaff(store: "main", code: "S9", name: "Sam Other", role: .sales, timeZone: "America/Chicago", now: Date())
        let victor = try await token(s, "vosei", .sales, staff: "F2")
        let sam = try await token(s, "sother", .sales, staff: "S9")
        let director = try await token(s, "fd", .financeDirector)
        let revoked = try await token(s, "gone", .admin)
        try await s.db.revokeToken(id: revoked.id, now: Date())
        let expired = try await token(s, "old", .admin, expires: utc(ana.due).addingTimeInterval(-60))
        let disabled = try await token(s, "left", .admin)
        try await s.db.disableUser(name: "left", now: Date())
        let taskID = try #require(try await s.db.tasks(now: utc(ana.due)).first?.id)
        try await app(s, at: ana.due).test(.router) { client in
            for headers: HTTPFields in [
                [:], bearer("adk_not-a-token"), bearer(revoked.token), bearer(expired.token), bearer(disabled.token),
                [.authorization: "Basic dm9zZWk6cGFzcw=="],
            ] {
                try await client.execute(uri: "/api/tasks", method: .get, headers: headers) { r in
                    #expect(r.status == .unauthorized)
                    let body = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: [String: String]]
                    #expect(body?["error"]?["code"] == "unauthorized")
                    #expect(!String(buffer: r.body).contains("Ana"))
                }
                try await client.execute(
                    uri: "/api/tasks/\(taskID)/done", method: .post, headers: headers,
                    body: ByteBuffer(string: "{\"outcome\":\"stop_contacting\"}")
                ) { r in #expect(r.status == .unauthorized) }
            }
            // Another salesperson sees none of Victor's tasks, and for them the task does not exist.
            try await client.execute(uri: "/api/tasks", method: .get, headers: bearer(sam.token)) { r in
                #expect(r.status == .ok)
                let list = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [Any]
                #expect(list?.count == 0)
            }
            try await client.execute(uri: "/api/tasks?assignee=F2", method: .get, headers: bearer(sam.token)) { r in
                let list = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [Any]
                #expect(list?.count == 0)
            }
            try await client.execute(
                uri: "/api/tasks/\(taskID)/done", method: .post, headers: bearer(sam.token),
                body: ByteBuffer(string: "{\"outcome\":\"stop_contacting\"}")
            ) { r in #expect(r.status == .notFound) }
            // The finance director has no task queue.
            try await client.execute(uri: "/api/tasks", method: .get, headers: bearer(director.token)) { r in
                #expect(r.status == .forbidden)
            }
            // Victor sees his own.
            try await client.execute(uri: "/api/tasks", method: .get, headers: bearer(victor.token)) { r in
                let list = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [[String: Any]]
                #expect(list?.count == 1 && list?.first?["id"] as? Int == Int(taskID))
            }
        }
        // Nothing was recorded by anyone refused.
        #expect(try await s.rows("SELECT status FROM tasks WHERE id = ?", [taskID])[0][0] as String == "open")
        // Only hashes are stored.
        let stored = try await s.rows("SELECT token_hash FROM api_tokens").map { $0[0] as String }
        #expect(stored.count == 6 && !stored.contains(victor.token) && stored.contains(APITokens.hash(victor.token)))
    }

    @Test(arguments: TestBackend.all) func healthMetricsAndTaskAPI(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let ana = try #require(try await s.touches("D-3").first)
        _ = try await s.dispatcher.run(now: utc(ana.due))
        let admin = try await token(s, "admin", .admin)
        try await app(s, at: ana.due).test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in
                #expect(String(buffer: r.body) == "{\"database\":\"ok\",\"status\":\"ok\"}")
            }
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(String(buffer: r.body).contains("afterdesk_open_tasks 1"))
            }
            var taskID: Int64 = 0
            try await client.execute(uri: "/api/tasks", method: .get, headers: bearer(admin.token)) { r in
                let tasks = try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [[String: Any]])
                #expect(tasks.count == 1)
                #expect(tasks[0]["title"] as? String == "Call Ana Ruiz about Vehicle Service Contract")
                #expect(tasks[0]["assignee"] as? String == "Victor Osei")
                taskID = Int64(try #require(tasks.first?["id"] as? Int))
            }
            try await client.execute(
                uri: "/api/tasks/\(taskID)/done", method: .post, headers: bearer(admin.token),
                body: ByteBuffer(string: "{\"outcome\":\"sold\",\"price\":\"2995.00\",\"cost\":\"1150\"}")
            ) { r in
                #expect(r.status == .ok)
            }
            // The queue polled again after the sale: the answer given before is not reused.
            try await client.execute(uri: "/api/v1/tasks", method: .get, headers: bearer(admin.token)) { r in
                #expect(String(buffer: r.body) == "[]")
            }
        }
        let event = try await s.rows("SELECT kind, product_code, price_cents, cost_cents, source FROM events WHERE kind = 'recovered'")
        #expect(event.count == 1)
        #expect(event[0][1] as String == "vsc" && event[0][2] as Int == 299_500 && event[0][3] as Int == 115_000)
        #expect((event[0][4] as String).hasPrefix("task:"))
        #expect(try await s.touches("D-3").isEmpty)  // bought: nothing more planned
    }
}

@Suite(.serialized, .talliedByBackend) struct TaskTests {
    @Test(arguments: TestBackend.all) func routingOutcomesAndEscalation(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        try await s.db.addStaff(store: "main", code: "M1", name: "Gina Manager", role: .manager, timeZone: "America/Chicago", now: Date())
        let ana = try #require(try await s.touches("D-3").first)
        let at = utc(ana.due)
        _ = try await s.dispatcher.run(now: at)
        var task = try #require(try await s.db.tasks(now: at).first)
        #expect(task.assignee == "Victor Osei")  // the deal's F&I manager
        #expect(task.detail.contains("quoted $3,500.00"))
        // Deactivating him hands the task to the least loaded active colleague (not the manager).
        #expect(try await s.db.deactivateStaff(store: "main", code: "F2", now: at) == 1)
        task = try #require(try await s.db.tasks(now: at).first)
        #expect(task.assignee != "Victor Osei" && task.assignee != "Gina Manager")
        // Past the SLA (24 h): escalated to the store's manager, once.
        #expect(try await s.db.escalateOverdue(now: at.addingTimeInterval(23 * 3600)) == 0)
        #expect(try await s.db.escalateOverdue(now: at.addingTimeInterval(25 * 3600)) == 1)
        #expect(try await s.db.escalateOverdue(now: at.addingTimeInterval(26 * 3600)) == 0)
        task = try #require(try await s.db.tasks(now: at.addingTimeInterval(25 * 3600)).first)
        #expect(task.escalatedTo == "Gina Manager" && task.overdue)
        // Outcomes: a sale needs a price; "stop contacting" ends everything for the customer.
        await #expect(throws: StoreError.self) { try await s.db.completeTask(id: task.id, outcome: .sold, now: at) }
        let customer = try await s.db.completeTask(id: task.id, outcome: .stopContacting, now: at)
        await #expect(throws: StoreError.self) { try await s.db.completeTask(id: task.id, outcome: .booked, now: at) }
        _ = try await s.dispatcher.replan(customers: [customer], now: at)
        #expect(try await s.touches("D-3").isEmpty)
        let c = try await s.rows(
            "SELECT consent_sms, consent_email, consent_phone, contact_stopped_source FROM customers WHERE id = ?", [customer])[0]
        #expect(!(c[0] as Bool) && !(c[1] as Bool) && !(c[2] as Bool) && (c[3] as String).hasPrefix("task:"))
    }

    @Test(arguments: TestBackend.all) func tasksGoToTheCRMAsADFLeadAndSignedWebhook(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        s.settings.crmLeadEmail = "leads@crm.example"
        s.settings.webhookURL = "https://crm.example/hooks/afterdesk"
        s.settings.webhookSecret = "hook-secret"
        let ana = try #require(try await s.touches("D-3").first)
        let at = utc(ana.due)
        _ = try await s.dispatcher.run(now: at)
        let lead = try #require(s.channels.emails.first { $0.recipients == ["leads@crm.example"] })
        #expect(lead.data.contains("multipart/mixed"))
        #expect(lead.data.contains("Content-Type: application/xml"))
        let post = try #require(s.channels.posts.first)
        #expect(post.url == "https://crm.example/hooks/afterdesk")
        let signature = try #require(post.headers["X-Afterdesk-Signature"])
        #expect(signature == Signatures.webhook(body: post.body, secret: "hook-secret", timestamp: Int(at.timeIntervalSince1970)))
        let payload = try JSONSerialization.jsonObject(with: post.body) as! [String: Any]
        #expect(payload["event"] as? String == "task.created")
        #expect(payload["assignee"] as? String == "Victor Osei")
    }

    @Test(arguments: TestBackend.all) func doNotCallAfterTheRelationshipSkipsTheCall(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        #expect(try await s.db.addDoNotCall(["+15125550123"], source: "national registry", now: Date()) == 1)
        #expect(try await s.db.addDoNotCall(["+15125550123"], source: "national registry", now: Date()) == 0)
        // Pretend the sale was 19 months ago.
        try await s.execute("UPDATE deals SET contract_date = '2025-03-01' WHERE deal_number = 'D-3'")
        let ana = try #require(try await s.touches("D-3").first)
        let summary = try await s.dispatcher.run(now: utc(ana.due))
        #expect(summary.tasks == 0 && summary.skipped >= 1)
        #expect((try await s.rows("SELECT status_reason FROM touches WHERE id = ?", [ana.id])[0][0] as String).contains("do-not-call"))
    }
}

/// The one place a store error becomes a status, and a route that throws one answers with it.
@Suite struct HTTPErrorMappingTests {
    @Test func everyKindHasItsStatus() {
        let expected: [StoreError.Kind: HTTPResponse.Status] = [
            .notFound: .notFound, .invalid: .unprocessableContent, .ambiguous: .unprocessableContent, .conflict: .unprocessableContent,
            .refusedFile: .unprocessableContent, .io: .internalServerError, .integrity: .internalServerError,
        ]
        for kind in StoreError.Kind.allCases {
            #expect(HTTPErrors.status(for: StoreError("x", kind: kind)) == expected[kind], "\(kind)")
        }
        // The detail of a failure inside the server is not shown to the caller.
        #expect(HTTPErrors.response(for: .io("cannot open /srv/afterdesk/db-import.lock")).status == .internalServerError)
    }
}
