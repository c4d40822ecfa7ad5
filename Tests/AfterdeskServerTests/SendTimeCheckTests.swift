import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// The review of issue 24: a message decided before a STOP, or inside the contact hours, may be handed to the provider
/// later (a retry, an admin's `outbox retry`, a send queued again after a crash). The ledger and the calendar are read
/// again at the moment of sending.
@Suite(.serialized, .talliedByBackend) struct SendTimeCheckTests {
    func queueText(_ s: Scenario, key: String, at: Date) async throws -> Int64 {
        try await s.db.enqueue(
            [NewOutboxMessage(channel: .sms, idempotencyKey: key, recipient: "+15125550142", body: "Hi Maria, a test text.")],
            customerID: try await s.customer("D-1"), now: at)
        return try await s.rows("SELECT id FROM outbox WHERE idempotency_key = ?", [key])[0][0]
    }

    @Test(arguments: TestBackend.all) func aDeadLetterRetriedAfterAStopIsCancelledNotSent(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let noon = utc("2026-10-05T17:00:00Z")  // Monday 12:00 in Austin
        let id = try await queueText(s, key: "test-dead", at: noon)
        try await s.execute("UPDATE outbox SET status = 'dead' WHERE id = ?", [id])
        _ = try await s.db.setSMSConsent(phone: "+15125550142", consent: false, source: "sms STOP SMX", now: noon)
        #expect(try await s.db.retryDeadLetter(id: id, now: noon))
        _ = try await s.dispatcher.run(now: noon.addingTimeInterval(60))
        #expect(!s.channels.sms.contains { $0.key == "test-dead" })
        let row = try await s.rows("SELECT status, last_error FROM outbox WHERE id = ?", [id])[0]
        #expect(row[0] as String == "cancelled" && (row[1] as String).contains("opted out"), "\(row)")
    }

    @Test(arguments: TestBackend.all) func aRetryThatFallsOutsideTheCustomersHoursWaitsForThem(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let night = utc("2026-10-06T04:30:00Z")  // Monday 23:30 in Austin
        let id = try await queueText(s, key: "test-night", at: night)
        _ = try await s.dispatcher.run(now: night)
        #expect(!s.channels.sms.contains { $0.key == "test-night" })
        let row = try await s.rows("SELECT status, next_attempt_at, attempts, last_error FROM outbox WHERE id = ?", [id])[0]
        // Tuesday 9:00 in Austin (Texas: no texts before 9:00), the attempt not counted.
        #expect(row[0] as String == "queued" && row[1] as String == "2026-10-06T14:00:00Z" && row[2] as Int == 0, "\(row)")
        #expect((row[3] as String).hasPrefix("waiting"))
        _ = try await s.dispatcher.run(now: utc("2026-10-06T14:00:00Z"))
        #expect(s.channels.sms.contains { $0.key == "test-night" })
    }
}
