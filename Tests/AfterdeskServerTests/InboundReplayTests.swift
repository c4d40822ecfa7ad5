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

/// Issue 23, items 6 and 9: what the provider's signed webhooks may change. A START applies only the first time its
/// message id is seen (a replayed one cannot undo a newer STOP); a delivery report keeps only a known status and a
/// numeric error code.
@Suite(.serialized, .talliedByBackend) struct InboundReplayTests {
    func app(_ s: Scenario, at: String = "2026-10-02T15:00:00Z") throws -> some ApplicationProtocol {
        Application(router: try buildRouter(ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc(at)))))
    }

    func text(_ client: some TestClientProtocol, _ body: String, sid: String) async throws -> String {
        let r = twilioRequest("/webhooks/sms", [("From", "+15125550142"), ("Body", body), ("MessageSid", sid)])
        let response = try await client.execute(uri: "/webhooks/sms", method: .post, headers: r.headers, body: r.body)
        #expect(response.status == .ok)
        return String(buffer: response.body)
    }

    func consent(_ s: Scenario) async throws -> Bool {
        try await s.rows("SELECT consent_sms FROM customers WHERE id = ?", [try await s.customer("D-1")])[0][0]
    }

    @Test(arguments: TestBackend.all) func aReplayedStartAfterANewerStopChangesNothing(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        try await app(s).test(.router) { client in
            _ = try await text(client, "STOP", sid: "SM1")
            #expect(try await text(client, "START", sid: "SM2").contains("resubscribed"))
            await #expect(try consent(s))
            _ = try await text(client, "STOP", sid: "SM3")
            await #expect(try !consent(s))
            // The START captured earlier, sent again with its valid signature: seen before, so it does not apply.
            let replay = try await text(client, "START", sid: "SM2")
            #expect(!replay.contains("resubscribed"))
            await #expect(try !consent(s))
            #expect(try await s.touches("D-1").allSatisfy { $0.action != "sms" })
            // A STOP always applies, seen before or not.
            _ = try await text(client, "START", sid: "SM4")
            await #expect(try consent(s))
            _ = try await text(client, "STOP", sid: "SM3")
            await #expect(try !consent(s))
        }
        // Each message id is kept once, in the order Afterdesk received them.
        let seen = try await s.rows("SELECT provider_id FROM inbound_messages ORDER BY id").map { $0[0] as String }
        #expect(seen == ["SM1", "SM2", "SM3", "SM4"])
    }

    /// The provider retries a START whose answer it never got: the opt-in still stands, so it is planned and confirmed
    /// again (not applied twice); once a newer STOP exists, the same retry is not answered.
    @Test(arguments: TestBackend.all) func aRetriedStartThatStillStandsIsConfirmedAgain(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        try await app(s).test(.router) { client in
            _ = try await text(client, "STOP", sid: "SM1")
            #expect(try await text(client, "START", sid: "SM2").contains("resubscribed"))
            #expect(try await text(client, "START", sid: "SM2").contains("resubscribed"))
            await #expect(try consent(s))
            #expect(try await s.touches("D-1").contains { $0.action == "sms" })
            _ = try await text(client, "STOP", sid: "SM3")
            #expect(try await !text(client, "START", sid: "SM2").contains("resubscribed"))
            await #expect(try !consent(s))
        }
    }

    /// Two copies of one START racing each other: the unique message id lets exactly one apply.
    @Test(arguments: TestBackend.all) func concurrentReplaysOfOneStartApplyOnce(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        _ = try await s.db.setSMSConsent(phone: "+15125550142", consent: false, source: "test", now: utc("2026-10-02T14:00:00Z"))
        let applied = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await s.db.receiveInbound(
                        providerID: "SM9", phone: "+15125550142", body: "START", keyword: .start, source: "sms START SM9",
                        now: utc("2026-10-02T15:00:00Z")
                    ).applied
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(applied == 1)
        await #expect(try consent(s))
        #expect(try await s.rows("SELECT COUNT(*) FROM inbound_messages WHERE provider_id = 'SM9'")[0][0] as Int == 1)
    }

    func report(_ client: some TestClientProtocol, sid: String, _ fields: [(String, String)]) async throws {
        let cb = twilioRequest("/webhooks/sms/status", [("MessageSid", sid)] + fields)
        let r = try await client.execute(uri: "/webhooks/sms/status", method: .post, headers: cb.headers, body: cb.body)
        #expect(r.status == .noContent)
    }

    func stored(_ s: Scenario, sid: String) async throws -> (status: String, provider: String?, error: String?) {
        let row = try await s.rows("SELECT status, provider_status, last_error FROM outbox WHERE provider_id = ?", [sid])[0]
        return (row[0], row[1], row[2])
    }

    @Test(arguments: TestBackend.all) func aDeliveryReportKeepsOnlyAKnownStatusAndANumericCode(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let maria = try #require(try await s.touches("D-1").first)
        _ = try await s.dispatcher.run(now: utc(maria.due))
        let sid = try #require(s.channels.sms.first?.sid)
        try await app(s).test(.router) { client in
            // The attack: a phone number and an email in both fields.
            try await report(
                client, sid: sid, [("MessageStatus", "call +15125550142"), ("ErrorCode", "maria.lopez@example.com 5125550142")])
            var now = try await stored(s, sid: sid)
            #expect(now.status == "sent" && now.provider == nil && now.error == nil, "\(now)")
            try await report(client, sid: sid, [("MessageStatus", "undelivered"), ("ErrorCode", "123456789")])  // nine digits: too long
            now = try await stored(s, sid: sid)
            #expect(now.status == "undelivered" && now.provider == "undelivered" && now.error == nil, "\(now)")
            try await report(client, sid: sid, [("MessageStatus", "Delivered"), ("ErrorCode", "30006")])
            now = try await stored(s, sid: sid)
            #expect(now.status == "delivered" && now.provider == "delivered" && now.error == "provider error 30006", "\(now)")
        }
        let everything = try await s.rows("SELECT provider_status, last_error FROM outbox").flatMap {
            [$0[0] as String?, $0[1] as String?]
        }
        #expect(!everything.contains { $0?.contains("555") == true || $0?.contains("@") == true })
        #expect(DeliveryReport(status: "canceled", errorCode: " 30007 ") == DeliveryReport(status: "CANCELED", errorCode: "30007"))
        #expect(DeliveryReport(status: "lost", errorCode: "３０００６").status == nil)
        #expect(DeliveryReport(status: "lost", errorCode: "３０００６").errorCode == nil)
        #expect(DeliveryReport.Status.allCases.count == 12)
    }
}
