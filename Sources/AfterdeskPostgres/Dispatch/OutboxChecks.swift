import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// What the outbox knows at the moment of sending about a page of claimed texts and emails to customers: those
    /// whose address was stopped since they were queued (the opt-out ledger, or staff's "stop all contact"), with why;
    /// and where every other one's customer lives. A message waiting for a retry, retried by an admin, or queued again
    /// after a crash was decided before the stop: the ledger is read again here. Joined from the page's ids (`unnest`), so
    /// each message and customer is looked up by key (from `o.id = ANY(…)`, on tables not yet analyzed, PostgreSQL
    /// read every customer into a hash for each page).
    public func sendChecks(_ messages: [OutboxMessage]) async throws -> (stopped: [Int64: String], places: [Int64: RecipientPlace]) {
        let ids = messages.filter { ($0.channel == .sms || $0.channel == .email) && $0.customerID != nil }.map(\.id)
        guard !ids.isEmpty else { return ([:], [:]) }
        return try await read { conn in
            var stopped: [Int64: String] = [:]
            var places: [Int64: RecipientPlace] = [:]
            let rows = try await conn.statement(
                """
                SELECT o.id, c.state, c.zip, c.phone, (SELECT st.code FROM stores st WHERE st.id = c.store_id),
                  c.contact_stopped_at IS NOT NULL,
                  (SELECT s.stopped FROM opt_out_state s WHERE s.channel = o.channel
                     AND s.address = CASE o.channel WHEN 'email' THEN lower(o.recipient) ELSE o.recipient END)
                FROM unnest(\(Array(Set(ids)))::int8[]) AS k(id) JOIN outbox o ON o.id = k.id JOIN customers c ON c.id = o.customer_id
                """, logger: logger)
            for try await (id, state, zip, phone, store, allStopped, addressStopped) in rows.decode(
                (Int64, String?, String?, String?, String?, Bool, Bool?).self)
            {
                if allStopped {
                    stopped[id] = "not sent: the customer asked to stop all contact after it was queued"
                } else if addressStopped == true {
                    stopped[id] = "not sent: the address was opted out (opt-out ledger) after it was queued"
                } else {
                    places[id] = RecipientPlace(state: state, zip: zip, phone: phone, store: store)
                }
            }
            return (stopped, places)
        }
    }

    /// Claimed messages that must not go: cancelled, with the reason, never to be retried. One statement.
    public func cancelClaimed(_ items: [(id: Int64, reason: String)], now: Date) async throws {
        guard !items.isEmpty else { return }
        let now = now.wholeSecond
        _ = try await write { conn in
            try await settle(conn, items.map { ($0.id, "cancelled", $0.reason) }, now: now, onlySending: true)
        }
    }

    /// Claimed messages that may not go now (a retry that fell outside the customer's contact hours): queued again for
    /// `until`, the claim's attempt not counted. One statement (a message given twice keeps the first).
    public func deferClaimed(_ items: [(id: Int64, until: Date, reason: String)], now: Date) async throws {
        let items = Batches.firstOfEach(items, key: \.id)
        guard !items.isEmpty else { return }
        let now = now.wholeSecond
        try await write { conn in
            try await conn.run(
                """
                UPDATE outbox o SET status = 'queued', attempts = GREATEST(o.attempts - 1, 0), next_attempt_at = c.until,
                    last_error = c.reason, updated_at = \(now)
                FROM unnest(\(items.map(\.id))::int8[], \(items.map(\.until.wholeSecond))::timestamptz[], \(items.map(\.reason))::text[])
                     AS c(id, until, reason)
                WHERE o.id = c.id AND o.status = 'sending'
                """, logger)
        }
    }

    /// No log of sends yet on PostgreSQL: each page's results are committed by `completeOutbox`, and a message claimed
    /// by a process that died before that commit stays `sending`, in doubt, for dispatch's reconciliation. (SQLite's
    /// journal is a file beside the database, which several servers do not share; PostgreSQL's would be a table the
    /// dispatcher writes in its own short transaction per accepted send.)
    public func openSentLog() -> (any SentLog)? { nil }

    /// Nothing to settle without a log of sends: 0.
    @discardableResult public func settleSentLog(now: Date) async throws -> Int { 0 }
}
