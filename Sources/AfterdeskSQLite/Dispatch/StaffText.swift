import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// A text a person writes on a task page, decided and queued in one write transaction: `decide` sees the customer
    /// as the gate sees a due SMS touch (consent, stops, do-not-call, every text in the last 30 days, staff texts
    /// included), and no other text can be queued for the customer between its decision and the queueing, so two
    /// people pressing Send at once cannot both pass a cap.
    public func staffText(taskID: Int64, now: Date, decide: @Sendable (DueTouch) -> StaffTextVerdict) async throws -> StaffTextOutcome {
        let nowText = Instant.iso8601(now)
        return try await writer.write { db in
            guard
                let t = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT t.customer_id, t.store_id, t.status, s.code FROM tasks t JOIN stores s ON s.id = t.store_id WHERE t.id = ?
                        """, arguments: [taskID])
            else { throw StoreError.notFound("no task \(taskID)") }
            guard (t["status"] as String) == "open" else { return .refused("the task is done: texts go from an open task") }
            let customerID: Int64 = t["customer_id"]
            let facts = try customerFacts(db, [customerID], now: now)
            guard let customer = facts.contacts[customerID] else { throw StoreError.notFound("no customer for task \(taskID)") }
            let touch = DueTouch(
                id: 0, storeID: t["store_id"], storeCode: t["code"], action: .sms, dueAt: now, customer: customer, items: [],
                recentTouches: facts.recent[customerID] ?? [],
                lastPurchase: facts.lastPurchase[customerID] ?? LocalDate(now, in: .gmt),
                phoneOnDoNotCall: customer.phone.map(facts.doNotCall.contains) ?? false, recentTexts: facts.texts[customerID] ?? [])
            switch decide(touch) {
            case .refuse(let why):
                return .refused(why)
            case .send(let message):
                try insertOutbox(db, message, touchID: nil, taskID: taskID, customerID: customerID, now: nowText)
                let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM outbox WHERE idempotency_key = ?", arguments: [message.idempotencyKey])
                guard let id else { throw StoreError.integrity("the text was not queued") }
                return .queued(id)
            }
        }
    }

    /// Claims one queued message to send it now (a text a person just wrote); nil when it is not queued any more
    /// (already sent, or taken by the scheduler).
    public func claimOutbox(id: Int64, now: Date) async throws -> OutboxMessage? {
        try await writer.write { db in
            try Row.fetchOne(
                db,
                sql: """
                    UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?, next_attempt_at = ?, claimed_by = NULL
                    WHERE id = ? AND status = 'queued'
                    RETURNING \(Self.outboxColumns)
                    """,
                arguments: [
                    Instant.iso8601(now), Instant.iso8601(now.addingTimeInterval(TimeInterval(OutboxClaim.inFlightSeconds))), id,
                ]
            ).map { try Self.outboxMessage($0) }
        }
    }
}
