import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// A text a person writes on a task page, decided and queued in one transaction: `decide` sees the customer as the
    /// gate sees a due SMS touch (consent, stops, do-not-call, every text in the last 30 days, staff texts included).
    /// The task's row and its customer's are locked first, so two people pressing Send at once (on one task, or on two
    /// tasks of one customer, on any server) decide one after the other, each seeing the other's text, and cannot both
    /// pass a cap. (`NO KEY UPDATE`: rows that merely refer to the task or the customer, such as dispatch's outbox
    /// rows, are written meanwhile without waiting.)
    public func staffText(taskID: Int64, now: Date, decide: @Sendable (DueTouch) -> StaffTextVerdict) async throws -> StaffTextOutcome {
        try await write { conn in
            let rows = try await conn.statement(
                """
                SELECT t.customer_id, t.store_id, t.status, s.code FROM tasks t JOIN stores s ON s.id = t.store_id
                WHERE t.id = \(taskID) FOR NO KEY UPDATE OF t
                """, logger: logger)
            var found: (customer: Int64, store: Int64, status: String, code: String)?
            for try await row in rows.decode((Int64, Int64, String, String).self) { found = row }
            guard let t = found else { throw StoreError.notFound("no task \(taskID)") }
            guard t.status == "open" else { return .refused("the task is done: texts go from an open task") }
            try await conn.run("SELECT id FROM customers WHERE id = \(t.customer) FOR NO KEY UPDATE", logger)
            let facts = try await customerFacts(conn, [t.customer], now: now)
            guard let customer = facts.contacts[t.customer] else { throw StoreError.notFound("no customer for task \(taskID)") }
            let touch = DueTouch(
                id: 0, storeID: t.store, storeCode: t.code, action: .sms, dueAt: now, customer: customer, items: [],
                recentTouches: facts.recent[t.customer] ?? [], lastPurchase: facts.lastPurchase[t.customer] ?? LocalDate(now, in: .gmt),
                phoneOnDoNotCall: customer.phone.map(facts.doNotCall.contains) ?? false, recentTexts: facts.texts[t.customer] ?? [])
            switch decide(touch) {
            case .refuse(let why):
                return .refused(why)
            case .send(let message):
                _ = try await insertOutbox(
                    conn, [QueuedMessage(message: message, touchID: nil, taskID: taskID, customerID: t.customer)], now: now.wholeSecond)
                let id = try await conn.one(
                    Int64.self, "SELECT id FROM outbox WHERE idempotency_key = \(message.idempotencyKey)", logger)
                guard let id else { throw StoreError.integrity("the text was not queued") }
                return .queued(id)
            }
        }
    }

    /// Claims one queued message to send it now (a text a person just wrote); nil when it is not queued any more
    /// (already sent, or taken by the scheduler).
    public func claimOutbox(id: Int64, now: Date) async throws -> OutboxMessage? {
        try await write { conn in
            try await conn.rows(
                """
                UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = \(now.wholeSecond),
                    next_attempt_at = \(now.wholeSecond.addingTimeInterval(TimeInterval(OutboxClaim.inFlightSeconds))), claimed_by = NULL
                WHERE id = \(id) AND status = 'queued' RETURNING \(unescaped: Self.outboxColumns)
                """, logger
            ).first.map(Self.outboxMessage)
        }
    }
}
