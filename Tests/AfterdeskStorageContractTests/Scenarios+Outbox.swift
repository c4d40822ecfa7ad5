import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

/// The outbox: claims, completions, dead letters, the sent log, delivery reports and send checks.
extension Scenarios {
    static let outboxArea: [(name: String, run: Scenario)] = [
        ("outbox: a claimed message is not claimed again; enqueue is idempotent by key", outboxClaims),
        ("outbox: concurrent claimers together get every message exactly once", outboxConcurrentClaims),
        ("outbox: completions, deferrals, cancellations and counts", outboxCompletes),
        ("outbox: a dead letter is retried once", outboxDeadLetter),
        ("outbox: the sent log settles a crash's sends; a claim never completed is in doubt", sentLogReplay),
        ("outbox: a delivery report moves a sent text; send checks see an opt-out made after queueing", deliveryAndChecks),
    ]

    @Sendable static func outboxClaims(_ s: any Storage, _ f: Fixture) async throws {
        try await s.enqueue((1...3).map { email("k\($0)") }, customerID: nil, taskID: nil, now: f.now)
        try await s.enqueue([email("k1")], customerID: nil, taskID: nil, now: f.now)
        #expect(try await s.outbox(status: nil, limit: 100).count == 3)
        // Not yet due: nothing is claimed.
        #expect(try await s.claimOutbox(now: f.at(-60), limit: 10).isEmpty)
        let first = try await s.claimOutbox(now: f.now, limit: 2)
        #expect(first.count == 2 && first.allSatisfy { $0.status == .sending && $0.attempts == 1 })
        let second = try await s.claimOutbox(now: f.now, limit: 2)
        #expect(second.count == 1 && !first.map(\.id).contains(second[0].id))
        #expect(try await s.claimOutbox(now: f.now, limit: 2).isEmpty)
        #expect(try await s.claimOutbox(id: first[0].id, now: f.now) == nil)
        // One message alone: claimed once.
        try await s.enqueue([email("k4")], customerID: nil, taskID: nil, now: f.now)
        let k4 = try #require(try await s.outbox(status: .queued, limit: 10).first)
        #expect(try await s.claimOutbox(id: k4.id, now: f.now)?.status == .sending)
        #expect(try await s.claimOutbox(id: k4.id, now: f.now) == nil)
        #expect(try await s.outboxCounts() == ["sending": 4])
    }

    /// Eight claimers at once, small pages each, until the queue is empty: every message is claimed by exactly one of
    /// them (none twice, none lost), each attempted once.
    @Sendable static func outboxConcurrentClaims(_ s: any Storage, _ f: Fixture) async throws {
        try await s.enqueue((1...50).map { email("race-\($0)") }, customerID: nil, taskID: nil, now: f.now)
        let claims = try await withThrowingTaskGroup(of: [OutboxMessage].self) { group in
            for claimer in 0..<8 {
                group.addTask {
                    var mine: [OutboxMessage] = []
                    while true {
                        let page = try await s.claimOutbox(now: f.now, limit: 1 + claimer % 3)
                        if page.isEmpty { return mine }
                        mine += page
                        await Task.yield()
                    }
                }
            }
            var all: [[OutboxMessage]] = []
            for try await mine in group { all.append(mine) }
            return all
        }
        let ids = claims.flatMap { $0.map(\.id) }
        #expect(ids.count == 50)
        #expect(Set(ids).count == ids.count)
        let queued = Set(try await s.outbox(status: nil, limit: 100).map(\.id))
        #expect(Set(ids) == queued)
        #expect(claims.joined().allSatisfy { $0.attempts == 1 && $0.status == .sending })
        #expect(try await s.outboxCounts() == ["sending": 50])
    }

    @Sendable static func outboxCompletes(_ s: any Storage, _ f: Fixture) async throws {
        try await s.enqueue((1...4).map { email("k\($0)") }, customerID: nil, taskID: nil, now: f.now)
        let c = try await s.claimOutbox(now: f.now, limit: 10)
        try #require(c.count == 4)
        try await s.completeOutbox(
            [(c[0].id, .sent(providerID: "p1")), (c[1].id, .failed(error: "busy", retryAt: f.at(600)))], now: f.now)
        try await s.deferClaimed([(id: c[2].id, until: f.at(3_600), reason: "quiet hours")], now: f.now)
        try await s.cancelClaimed([(id: c[3].id, reason: "opted out")], now: f.now)
        let byID = Dictionary(uniqueKeysWithValues: try await s.outbox(status: nil, limit: 100).map { ($0.id, $0) })
        #expect(byID[c[0].id]?.status == .sent && byID[c[0].id]?.providerID == "p1" && byID[c[0].id]?.sentAt != nil)
        #expect(byID[c[1].id]?.status == .queued && byID[c[1].id]?.lastError == "busy")
        #expect(byID[c[2].id]?.status == .queued && byID[c[2].id]?.attempts == 0)
        #expect(byID[c[3].id]?.status == .cancelled && byID[c[3].id]?.lastError == "opted out")
        #expect(try await s.outboxCounts() == ["sent": 1, "queued": 2, "cancelled": 1])
        // Each comes back when its time does: the retry at 10 minutes, the deferred at an hour.
        #expect(try await s.claimOutbox(now: f.at(601), limit: 10).map(\.id) == [c[1].id])
        #expect(try await s.claimOutbox(now: f.at(3_601), limit: 10).map(\.id) == [c[2].id])
        // A completion of a message not claimed changes nothing.
        try await s.completeOutbox([(c[0].id, .failed(error: "late", retryAt: nil))], now: f.now)
        #expect(try await s.outbox(status: .sent, limit: 10).map(\.id) == [c[0].id])
    }

    @Sendable static func outboxDeadLetter(_ s: any Storage, _ f: Fixture) async throws {
        try await s.enqueue([email("k1")], customerID: nil, taskID: nil, now: f.now)
        let c = try #require(try await s.claimOutbox(now: f.now, limit: 10).first)
        try await s.completeOutbox([(c.id, .failed(error: "rejected", retryAt: nil))], now: f.now)
        #expect(try await s.outbox(status: .dead, limit: 10).map(\.id) == [c.id])
        #expect(try await s.claimOutbox(now: f.at(86_400), limit: 10).isEmpty)
        #expect(try await s.retryDeadLetter(id: c.id, now: f.at(60)))
        #expect(try await s.retryDeadLetter(id: c.id, now: f.at(60)) == false)
        let again = try await s.claimOutbox(now: f.at(60), limit: 10)
        #expect(again.map(\.id) == [c.id] && again.first?.attempts == 1)
    }

    @Sendable static func sentLogReplay(_ s: any Storage, _ f: Fixture) async throws {
        try await s.enqueue((1...2).map { email("k\($0)") }, customerID: nil, taskID: nil, now: f.now)
        let c = try await s.claimOutbox(now: f.now, limit: 10)
        try #require(c.count == 2)
        // Claimed and never completed: in doubt once the claim is older than `before`.
        #expect(try await s.inDoubtOutbox(before: f.now).isEmpty)
        #expect(try await s.inDoubtOutbox(before: f.at(60)).map(\.id) == c.map(\.id))
        if let log = s.openSentLog() {
            // The provider accepted the first; the process died before the outbox's commit.
            try log.append(id: c[0].id, providerID: "p1")
            #expect(try await s.settleSentLog(now: f.at(30)) == 1)
            let first = try await s.outbox(status: .sent, limit: 10)
            #expect(first.map(\.id) == [c[0].id] && first.first?.providerID == "p1")
            #expect(try await s.inDoubtOutbox(before: f.at(60)).map(\.id) == [c[1].id])
            #expect(try await s.settleSentLog(now: f.at(40)) == 0)
            // A log emptied once the outbox's commit says what it lists: nothing left to settle.
            try log.append(id: c[1].id, providerID: "p2")
            try log.clear()
            #expect(try await s.settleSentLog(now: f.at(45)) == 0)
            #expect(try await s.inDoubtOutbox(before: f.at(60)).map(\.id) == [c[1].id])
        } else {
            // A backend that commits each send itself has nothing to settle.
            #expect(try await s.settleSentLog(now: f.at(30)) == 0)
            #expect(try await s.inDoubtOutbox(before: f.at(60)).count == 2)
        }
    }

    @Sendable static func deliveryAndChecks(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        let phone = try #require(try await phoneOf(s, deal: "D-10001"))
        let customer = try #require(try await s.customers(withPhone: phone).first)
        let text = NewOutboxMessage(channel: .sms, idempotencyKey: "sms1", recipient: phone, body: "hello")
        try await s.enqueue([text, email("e1", to: "maria.lopez@example.com")], customerID: customer, taskID: nil, now: f.now)
        let claimed = try await s.claimOutbox(now: f.now, limit: 10)
        let checks = try await s.sendChecks(claimed)
        #expect(checks.stopped.isEmpty && checks.places.count == 2)
        #expect(checks.places.values.allSatisfy { $0.state == "TX" })
        let sms = try #require(claimed.first { $0.channel == .sms })
        try await s.completeOutbox(claimed.map { ($0.id, .sent(providerID: "P-\($0.id)")) }, now: f.now)
        let delivered = try await s.recordDeliveryStatus(
            providerID: "P-\(sms.id)", report: DeliveryReport(status: "delivered", errorCode: nil), now: f.at(5))
        #expect(delivered)
        #expect(try await s.outbox(status: .delivered, limit: 10).map(\.id) == [sms.id])
        #expect(
            !(try await s.recordDeliveryStatus(
                providerID: "nobody", report: DeliveryReport(status: "delivered", errorCode: nil), now: f.at(5))))
        // An opt-out after queueing stops the next text at its send check.
        _ = try await s.setSMSConsent(phone: phone, consent: false, source: "admin", reference: nil, now: f.at(10))
        try await s.enqueue(
            [NewOutboxMessage(channel: .sms, idempotencyKey: "sms2", recipient: phone, body: "again")], customerID: customer, taskID: nil,
            now: f.at(10))
        let next = try await s.claimOutbox(now: f.at(10), limit: 10)
        let stopped = try await s.sendChecks(next).stopped
        #expect(next.count == 1 && stopped[next[0].id] != nil)
    }
}
