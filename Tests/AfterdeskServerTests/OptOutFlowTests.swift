import AfterdeskBackendTestSupport
import AfterdeskStorage
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskCore
@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Issue 24, items 1 and 4, through the router: the unsubscribe link and RFC 8058 one-click are two sources in the
/// ledger; a STOP survives a re-import with consent Y and the gate sends nothing; a blocked phone gets no call task;
/// `/admin/opt-outs` shows the ledger and records an admin's stop and consent with evidence (admins only, CSRF);
/// the API's deal shows the opt-outs.
@Suite(.serialized, .talliedByBackend) struct OptOutFlowTests {
    func app(_ s: Scenario, at: String = "2026-10-02T15:00:00Z") throws -> some ApplicationProtocol {
        Application(router: try buildRouter(ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc(at)))))
    }

    func sources(_ s: Scenario) async throws -> [String] {
        try await s.rows("SELECT source FROM opt_outs ORDER BY id").map { $0[0] as String }
    }

    @Test(arguments: TestBackend.all) func theButtonAndOneClickAreRecordedAsWhatTheyAre(backend: TestBackend) async throws {
        for oneClick in [false, true] {
            let s = try await Scenario(backend: backend)
            let customer = try await s.customer("D-2")
            let path = String(s.dispatcher.unsubscribeURL(customer: customer).dropFirst(s.settings.publicURL.count))
            try await app(s).test(.router) { client in
                let body = oneClick ? ByteBuffer(string: "List-Unsubscribe=One-Click") : ByteBuffer()
                let h: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                try await client.execute(uri: path, method: .post, headers: h, body: body) { r in #expect(r.status == .ok) }
            }
            await #expect(try sources(s) == [oneClick ? "one_click" : "unsubscribe_link"])
            #expect(try await s.rows("SELECT address FROM opt_outs")[0][0] as String == "james@example.com")
        }
    }

    @Test(arguments: TestBackend.all) func aStopSurvivesAReImportWithConsentYAndTheGateSendsNothing(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        try await app(s).test(.router) { client in
            let r = twilioRequest("/webhooks/sms", [("From", "+15125550142"), ("Body", "Please stop texting me"), ("MessageSid", "SM1")])
            _ = try await client.execute(uri: "/webhooks/sms", method: .post, headers: r.headers, body: r.body)
        }
        // The same deal again with one field changed and consent Y.
        let file = s.dir.appendingPathComponent("again.csv").path
        try deals.replacingOccurrences(of: ",12,31250,", with: ",40,31250,").write(toFile: file, atomically: true, encoding: .utf8)
        _ = try await s.db.importDeals(files: [file], options: ImportOptions(menu: menu))
        _ = try await s.dispatcher.replan(customers: [try await s.customer("D-1")], now: utc("2026-10-02T15:00:00Z"))
        #expect(try await s.touches("D-1").allSatisfy { $0.action != "sms" })
        // Even a customer row turned back on by hand is held by the gate, which reads the ledger itself.
        try await s.execute("UPDATE customers SET consent_sms = ? WHERE id = ?", [true, try await s.customer("D-1")])
        let maria = try await s.customer("D-1")
        let due = try await s.db.dueTouches(now: utc("2027-06-01T15:00:00Z"), limit: 1_000).filter { $0.customer.id == maria }
        #expect(!due.isEmpty)
        #expect(due.allSatisfy { !$0.customer.consent.sms })
    }

    @Test func aBlockedPhoneGetsNoCallTask() throws {
        let gate = ComplianceGate()
        var input = GateInput(
            action: .task, items: [], zone: .gmt, state: "TX", consent: ContactPermissions(sms: false, email: false, phone: true),
            hasPhone: true, hasEmail: false, lastPurchase: LocalDate("2026-10-01")!)
        #expect(gate.refusal(input, today: LocalDate("2026-10-02")!) == nil)
        input.phoneStopped = true
        #expect(gate.refusal(input, today: LocalDate("2026-10-02")!) == "calls to the customer's number are stopped (opt-out ledger)")
    }

    @Test(arguments: TestBackend.all) func theAdminPageShowsTheLedgerAndRecordsWithTheSignedInUser(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        _ = try await f.s.db.setSMSConsent(
            phone: "+15125550142", consent: false, source: "STOP", reference: "SM7", now: utc("2026-10-02T15:00:00Z"))
        try await f.app().test(.router) { client in
            var fi = TestBrowser()
            try await fi.signIn(client, "kliu")
            #expect(try await fi.get(client, "/admin/opt-outs").status == .forbidden)
            var admin = TestBrowser()
            try await admin.signIn(client, "root")
            let page = String(buffer: try await admin.get(client, "/admin/opt-outs").body)
            #expect(page.contains("+15125550142") && page.contains("by the customer (STOP)") && page.contains("SM7"))
            // Without the form's token: refused, nothing written.
            let forged = try await admin.post(
                client, "/admin/opt-outs", [("action", "consent"), ("address", "+15125550142"), ("channel", "sms")], csrf: "forged")
            #expect(forged.status == .forbidden)
            let refused = try await admin.post(
                client, "/admin/opt-outs",
                [("action", "consent"), ("address", "(512) 555-0142"), ("channel", "sms"), ("date", "2026-10-01")])
            #expect(refused.status == .unprocessableContent)
            // Consent given on the day of the STOP or later (evidence dated before it is refused: the STOP revoked it).
            let today = LocalDate(f.clock.now, in: .gmt).description
            let ok = try await admin.post(
                client, "/admin/opt-outs",
                [
                    ("action", "consent"), ("address", "(512) 555-0142"), ("channel", "sms"), ("evidence", "signed form at the desk"),
                    ("date", today),
                ])
            #expect(ok.status == .seeOther)
            let stop = try await admin.post(
                client, "/admin/opt-outs", [("action", "stop"), ("address", "james@example.com"), ("channel", ""), ("reason", "letter")])
            #expect(stop.status == .seeOther)
            let history = String(buffer: try await admin.get(client, "/admin/opt-outs?address=5125550142").body)
            #expect(history.contains("by root (consent recorded: signed form at the desk, dated \(today))"))
        }
        let entries = try await f.s.rows("SELECT source, recorded_by FROM opt_outs ORDER BY id").map {
            "\($0[0] as String) \($0[1] as String)"
        }
        #expect(entries == ["keyword customer", "consent_restore root", "admin root"])
        #expect(try await f.s.rows("SELECT consent_sms FROM customers WHERE id = ?", [try await f.s.customer("D-1")])[0][0] as Bool)
        // The log names the user and the action, never the address.
        #expect(!f.log.text.contains("555-0142") && !f.log.text.contains("james@"))
    }

    /// Staff's "stop contacting" on the task page: kept in the ledger in the signed-in user's name, and a re-import with
    /// consent Y turns nothing back on.
    @Test(arguments: TestBackend.all) func stopContactingOnTheTaskPageIsKeptInTheSignedInUsersName(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var vosei = TestBrowser()
            try await vosei.signIn(client, "vosei")
            _ = try await vosei.get(client, "/tasks/\(f.taskID)")
            let r = try await vosei.post(client, "/tasks/\(f.taskID)/outcome", [("outcome", "stop_contacting")])
            #expect(r.status == .seeOther)
        }
        let ana = try await f.s.customer("D-3")
        let entries = try await f.s.rows("SELECT address, channel, source, recorded_by, reference FROM opt_outs ORDER BY id")
        #expect(entries.contains { ($0[0] as String) == "+15125550123" && ($0[1] as String) == "phone" })
        #expect(entries.contains { ($0[0] as String) == "customer:\(ana)" && ($0[1] as String) == "sms" })
        #expect(entries.allSatisfy { ($0[2] as String) == "staff_outcome" && ($0[3] as String) == "vosei" })
        let file = f.s.dir.appendingPathComponent("consent-y.csv").path
        try deals.replacingOccurrences(of: "Ana,Ruiz,,(512) 555-0123,TX,78702,N,N,N", with: "Ana,Ruiz,,(512) 555-0123,TX,78702,Y,Y,Y")
            .write(toFile: file, atomically: true, encoding: .utf8)
        _ = try await f.s.db.importDeals(files: [file], options: ImportOptions(menu: menu))
        let c = try await f.s.rows("SELECT consent_sms, consent_phone FROM customers WHERE id = ?", [ana])[0]
        #expect(!(c[0] as Bool) && !(c[1] as Bool))
    }

    @Test(arguments: TestBackend.all) func theAPIsDealShowsTheOptOuts(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        try await s.db.addUser(name: "kliu", role: .fiManager, staffCode: nil, store: nil, now: Date())
        var rng = SeededRandom(seed: 11)
        let made = APITokens.generate(using: &rng)
        _ = try await s.db.addToken(user: "kliu", tokenHash: made.hash, label: made.label, expiresAt: nil, now: Date())
        _ = try await s.db.setSMSConsent(
            phone: "+15125550142", consent: false, source: "STOP", reference: "SM1", now: utc("2026-10-02T15:00:00Z"))
        try await app(s).test(.router) { client in
            for path in ["/api/v1/deals/main/D-1", "/api/v1/deals/main/D-1/plan"] {
                let r = try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(made.token)"])
                #expect(r.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
                let optOuts = try #require(json["opt_outs"] as? [[String: Any]])
                #expect(optOuts.count == 1)
                #expect(optOuts.first?["sentence"] as? String == "SMS stopped on 2026-10-02 by the customer (STOP)")
                #expect(optOuts.first?["address_kind"] as? String == "phone")
                #expect(!String(buffer: r.body).contains("5550142"))
            }
        }
    }
}
