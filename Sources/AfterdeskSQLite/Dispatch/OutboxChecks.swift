import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// What the outbox knows at the moment of sending about a page of claimed texts and emails to customers: those
    /// whose address was stopped since they were queued (the opt-out ledger, or staff's "stop all contact"), with why;
    /// and where every other one's customer lives. A message waiting for a retry, retried by an admin, or queued again
    /// after a crash was decided before the stop: the ledger is read again here.
    public func sendChecks(_ messages: [OutboxMessage]) async throws -> (stopped: [Int64: String], places: [Int64: RecipientPlace]) {
        let ids = messages.filter { ($0.channel == .sms || $0.channel == .email) && $0.customerID != nil }.map(\.id)
        guard !ids.isEmpty else { return ([:], [:]) }
        return try await writer.read { db in
            var stopped: [Int64: String] = [:]
            var places: [Int64: RecipientPlace] = [:]
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT o.id, c.state, c.zip, c.phone, (SELECT st.code FROM stores st WHERE st.id = c.store_id) AS store,
                      c.contact_stopped_at IS NOT NULL AS all_stopped,
                      (SELECT s.stopped FROM opt_out_state s WHERE s.channel = o.channel
                         AND s.address = CASE o.channel WHEN 'email' THEN lower(o.recipient) ELSE o.recipient END) AS address_stopped
                    FROM outbox o JOIN customers c ON c.id = o.customer_id WHERE o.id IN (\(marks(ids.count)))
                    """, arguments: StatementArguments(ids))
            {
                let id: Int64 = r["id"]
                if r["all_stopped"] as Bool {
                    stopped[id] = "not sent: the customer asked to stop all contact after it was queued"
                } else if (r["address_stopped"] as Bool?) == true {
                    stopped[id] = "not sent: the address was opted out (opt-out ledger) after it was queued"
                } else {
                    places[id] = RecipientPlace(state: r["state"], zip: r["zip"], phone: r["phone"], store: r["store"])
                }
            }
            return (stopped, places)
        }
    }

    /// Claimed messages that must not go: cancelled, with the reason, never to be retried.
    public func cancelClaimed(_ items: [(id: Int64, reason: String)], now: Date) async throws {
        guard !items.isEmpty else { return }
        let nowText = Instant.iso8601(now)
        try await writer.write { db in
            for (id, reason) in items {
                try db.execute(
                    sql: "UPDATE outbox SET status = 'cancelled', last_error = ?, updated_at = ? WHERE id = ? AND status = 'sending'",
                    arguments: [reason, nowText, id])
            }
        }
    }

    /// Claimed messages that may not go now (a retry that fell outside the customer's contact hours): queued again for
    /// `until`, the claim's attempt not counted.
    public func deferClaimed(_ items: [(id: Int64, until: Date, reason: String)], now: Date) async throws {
        guard !items.isEmpty else { return }
        let nowText = Instant.iso8601(now)
        try await writer.write { db in
            for (id, until, reason) in items {
                try db.execute(
                    sql: """
                        UPDATE outbox SET status = 'queued', attempts = MAX(attempts - 1, 0), next_attempt_at = ?, last_error = ?,
                        updated_at = ? WHERE id = ? AND status = 'sending'
                        """, arguments: [Instant.iso8601(until), reason, nowText, id])
            }
        }
    }
}
