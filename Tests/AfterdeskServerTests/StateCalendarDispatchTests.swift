import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskSQLite
import AfterdeskServer
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import GRDB
import Testing

/// The state calendar through the store and the dispatcher: the outbox's texts count against a state's cap, whatever
/// wrote them.
@Suite(.serialized, .talliedByBackend) struct StateCalendarDispatchTests {
    /// Maria, in Florida with a Miami number: three texts in the last 24 hours sit in the outbox (two automated, one
    /// written by a person — an ordinary `sms` row), so her planned text waits until the oldest leaves the 24 hours.
    @Test(arguments: TestBackend.all) func aFloridiansFourthTextIn24HoursWaitsWhateverWroteTheFirstThree(backend: TestBackend) async throws
    {
        let (s, maria, due, customer) = try await floridian(backend)
        try await seedTexts(s, customer: customer, hoursBefore: [20, 10, 2], due: due)
        let summary = try await s.dispatcher.run(now: due)
        #expect(s.channels.sms.isEmpty && summary.movedByStateRules >= 1)
        // Not before the oldest of the three (20 hours before) leaves the 24 hours.
        #expect(try await movedByTheCap(s, maria) >= due.addingTimeInterval(4 * 3_600))
    }

    @Test(arguments: TestBackend.all) func twoTextsInTheOutboxLeaveRoomForTheThird(backend: TestBackend) async throws {
        let (s, _, due, customer) = try await floridian(backend)
        try await seedTexts(s, customer: customer, hoursBefore: [10, 2], due: due)
        let summary = try await s.dispatcher.run(now: due)
        #expect(summary.sms == 1)
    }

    /// A retry queued three days ago, before the two days the stores read back, beside two texts sent in the last 24
    /// hours: not yet sent (waiting out a provider's failures, due again in an hour) it counts as going now; sent an
    /// hour ago, at its sending (`TextCount`). Either way it is Maria's third, and her planned text waits until the
    /// oldest, sent 10 hours before, leaves the 24 hours. Counted at its queueing, or read back by it, it left room, and
    /// two texts could reach her within the hour.
    @Test(arguments: TestBackend.all, [false, true])
    func aRetryQueuedDaysAgoCountsAsGoingNowOrAtItsSending(backend: TestBackend, sent: Bool) async throws {
        let (s, maria, due, customer) = try await floridian(backend)
        try await seedTexts(s, customer: customer, hoursBefore: [10, 2], due: due)
        let (queued, retry) = (Instant.iso8601(due.addingTimeInterval(-72 * 3_600)), Instant.iso8601(due.addingTimeInterval(3_600)))
        try await s.execute(
            """
            INSERT INTO outbox (idempotency_key, customer_id, channel, recipient, body, status, next_attempt_at, created_at,
                updated_at, attempts)
            VALUES ('seed-retry', ?, 'sms', '+13055550142', 'A text', 'queued', ?, ?, ?, 3)
            """, [customer, retry, queued, queued])
        if sent {
            let hourAgo = Instant.iso8601(due.addingTimeInterval(-3_600))
            try await s.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, updated_at = ? WHERE idempotency_key = 'seed-retry'", [hourAgo, hourAgo])
        }
        let summary = try await s.dispatcher.run(now: due)
        #expect(s.channels.sms.isEmpty && summary.movedByStateRules >= 1)
        #expect(try await movedByTheCap(s, maria) >= due.addingTimeInterval(14 * 3_600))
    }

    /// `TextCount` on plain values: every status but queued and sending (sent, delivered, undelivered, dead, cancelled)
    /// at its own instant; queued or in flight, now, whenever it was queued (a minute after `now` too: queued by another
    /// server while this run decides, it must not escape the gate's count of what is at or before now).
    @Test func aTextCountsAtItsSendingOrAsGoingNow() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for at in [now.addingTimeInterval(-3 * 86_400), now.addingTimeInterval(-60), now, now.addingTimeInterval(60)] {
            for status in OutboxStatus.allCases {
                let unsent = status == .queued || status == .sending
                #expect(TextCount.at(status: status.rawValue, sentOrCreated: at, now: now) == (unsent ? now : at), "\(status)")
            }
        }
    }

    /// Planning from the store reads the area code of the phone (whose state's law applies), never the number.
    @Test(arguments: TestBackend.all) func plansFromTheStoreKnowTheAreaCodeNotTheNumber(backend: TestBackend) async throws {
        let s = try await Scenario(
            backend: backend, csv: deals.replacingOccurrences(of: "(512) 555-0142,TX,78701", with: "(305) 555-0142,TX,78701"))
        let record = try #require(try await s.db.customerDeals(ofDeal: "D-1")?.records.first)
        #expect(record.buyerAreaCode == 305 && record.buyerPhone == nil)
    }

    /// Maria's deal with a Miami number in Florida: the scenario, her first planned touch, its due instant, and her.
    func floridian(_ backend: TestBackend) async throws -> (Scenario, Int64, Date, Int64) {
        let s = try await Scenario(
            backend: backend, csv: deals.replacingOccurrences(of: "(512) 555-0142,TX,78701", with: "(305) 555-0142,FL,33131"))
        let maria = try #require(try await s.touches("D-1").first)
        return (s, maria.id, utc(maria.due), try await s.customer("D-1"))
    }

    /// Where the touch was moved, once it is checked that Florida's cap moved it.
    func movedByTheCap(_ s: Scenario, _ touch: Int64) async throws -> Date {
        let moved = try #require(try await s.rows("SELECT due_at, status_reason FROM touches WHERE id = ?", [touch]).first)
        #expect(moved[1] as String == "moved: at most 3 texts in 24 hours (state law)")
        return utc(moved[0])
    }

    func seedTexts(_ s: Scenario, customer: Int64, hoursBefore: [Int], due: Date) async throws {
        for (i, h) in hoursBefore.enumerated() {
            let at = Instant.iso8601(due.addingTimeInterval(Double(-h) * 3_600))
            try await s.execute(
                """
                INSERT INTO outbox (idempotency_key, customer_id, channel, recipient, body, status, next_attempt_at, created_at,
                    sent_at, updated_at)
                VALUES (?, ?, 'sms', '+13055550142', 'A text', 'sent', ?, ?, ?, ?)
                """, ["seed-\(i)", customer, at, at, at, at])
        }
    }
}
