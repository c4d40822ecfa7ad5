import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    static let outboxColumns = """
        id, idempotency_key, channel, recipient, subject, body, html, headers, status, attempts, last_error, provider_id,
        created_at, sent_at, customer_id, task_id
        """

    /// A message from a row with `outboxColumns`; a channel or status the outbox does not know is an integrity error
    /// naming the column and value.
    static func outboxMessage(_ row: PostgresRow) throws -> OutboxMessage {
        let r = DispatchRow(row)
        return OutboxMessage(
            id: try r.get("id"), idempotencyKey: try r.get("idempotency_key"), channel: try r.stored("channel", of: "outbox"),
            recipient: try r.get("recipient"), subject: try r.get("subject"), body: try r.get("body"), html: try r.get("html"),
            headers: try r.get("headers"), status: try r.stored("status", of: "outbox"), attempts: try r.get("attempts"),
            lastError: try r.get("last_error"), providerID: try r.get("provider_id"), createdAt: try r.get("created_at"),
            sentAt: try r.get("sent_at"), customerID: try r.get("customer_id"), taskID: try r.get("task_id"))
    }

    /// Claims up to `limit` queued messages whose time has come: they turn `sending`, with one more attempt counted,
    /// committed before any is handed to a provider. A crash after this leaves them `sending`: in doubt. Several
    /// servers may claim at once: each locks the rows it takes and skips those another holds (`SKIP LOCKED`), and a
    /// row another claimer changed meanwhile is checked again (no longer `queued`, it is not taken), so every message
    /// goes to exactly one claimer.
    public func claimOutbox(now: Date, limit: Int) async throws -> [OutboxMessage] {
        let now = now.wholeSecond
        return try await write { conn in
            let rows = try await conn.rows(
                """
                UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = \(now)
                WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= \(now)
                             ORDER BY next_attempt_at, id LIMIT \(sqliteLimit(limit))::bigint FOR UPDATE SKIP LOCKED)
                RETURNING \(unescaped: Self.outboxColumns)
                """, logger)
            // A message whose row cannot be read is not sent, and does not stop the others: it becomes a dead letter
            // whose error names the column and the value.
            let (out, unreadable) = try Self.readable(rows)
            try await deadLetter(conn, unreadable, now: now)
            return out.sorted { $0.id < $1.id }
        }
    }

    /// The messages of `rows` that read, and the ids of those that do not with the error that says why.
    private static func readable(_ rows: [PostgresRow]) throws -> (messages: [OutboxMessage], unreadable: [(id: Int64, message: String)]) {
        var out: [OutboxMessage] = []
        var unreadable: [(id: Int64, message: String)] = []
        for row in rows {
            do {
                out.append(try outboxMessage(row))
            } catch let e as StoreError where e.kind == .integrity {
                unreadable.append((try DispatchRow(row).get("id"), e.message))
            }
        }
        return (out, unreadable)
    }

    /// Messages left `sending` since before `before`: a process died while handing them to a provider. One whose row
    /// cannot be read becomes a dead letter naming the column and value (as in the claim), so it never stops
    /// dispatch, which reconciles before anything else.
    public func inDoubtOutbox(before: Date) async throws -> [OutboxMessage] {
        let now = clock.now().wholeSecond
        return try await write { conn in
            let rows = try await conn.rows(
                """
                SELECT \(unescaped: Self.outboxColumns) FROM outbox WHERE status = 'sending' AND updated_at < \(before.wholeSecond)
                ORDER BY id
                """, logger)
            let (out, unreadable) = try Self.readable(rows)
            try await deadLetter(conn, unreadable, now: now)
            return out
        }
    }

    /// Marks as dead letters the messages whose rows cannot be read, each with the error that names the column and value.
    private func deadLetter(_ conn: PostgresConnection, _ messages: [(id: Int64, message: String)], now: Date) async throws {
        for (id, message) in messages {
            try await conn.run(
                "UPDATE outbox SET status = 'dead', last_error = \(message), updated_at = \(now) WHERE id = \(id)", logger)
        }
    }

    /// Records how sends ended, in one transaction. A message not `sending` (not claimed, or settled already) is left
    /// as it is.
    public func completeOutbox(_ results: [(id: Int64, result: SendResult)], now: Date) async throws {
        let now = now.wholeSecond
        try await write { conn in
            for (id, result) in results {
                switch result {
                case .sent(let providerID):
                    if try await markSent(conn, id: id, providerID: providerID, now: now) { try await redactOfferLinks(conn, id: id) }
                case .failed(let error, let retryAt):
                    try await conn.run(
                        """
                        UPDATE outbox SET status = \(retryAt == nil ? "dead" : "queued"), last_error = \(error),
                        next_attempt_at = COALESCE(\(retryAt?.wholeSecond)::timestamptz, next_attempt_at), updated_at = \(now)
                        WHERE id = \(id) AND status = 'sending'
                        """, logger)
                }
            }
        }
    }

    /// Marks a `sending` message sent under `providerID`; false when it was not `sending`.
    func markSent(_ conn: PostgresConnection, id: Int64, providerID: String?, now: Date) async throws -> Bool {
        try await conn.one(
            Int64.self,
            """
            UPDATE outbox SET status = 'sent', provider_id = \(providerID)::text, sent_at = \(now), last_error = NULL,
            updated_at = \(now) WHERE id = \(id) AND status = 'sending' RETURNING id
            """, logger) != nil
    }

    /// Blanks the offer link tokens of a sent message: the store keeps them only as hashes from then on. (SQLite's
    /// LIKE ignores ASCII case: ILIKE finds the same rows.)
    func redactOfferLinks(_ conn: PostgresConnection, id: Int64) async throws {
        let rows = try await conn.query(
            """
            SELECT body, html FROM outbox WHERE id = \(id) AND channel IN ('sms', 'email')
            AND (body ILIKE '%/o/%' OR html ILIKE '%/o/%')
            """, logger: logger)
        var found: (body: String, html: String?)?
        for try await row in rows.decode((String, String?).self) { found = row }
        guard let (body, html) = found else { return }
        let (newBody, newHTML) = (OfferLinkText.redacted(body), html.map(OfferLinkText.redacted))
        // A later delivery report finds the text already blanked: nothing to write.
        guard newBody != body || newHTML != html else { return }
        try await conn.run("UPDATE outbox SET body = \(newBody), html = \(newHTML)::text WHERE id = \(id)", logger)
    }

    /// An SMS provider's delivery report, as `DeliveryReport` keeps it (a known status, a numeric error code). A report
    /// without a known status leaves the stored status as it was. Returns false when no message has the id.
    @discardableResult
    public func recordDeliveryStatus(providerID: String, report: DeliveryReport, now: Date) async throws -> Bool {
        try await write { conn in
            let mapped = report.status?.outboxStatus
            let ids = try await conn.all(
                Int64.self,
                """
                UPDATE outbox SET provider_status = COALESCE(\(report.status?.rawValue)::text, provider_status),
                    status = CASE WHEN \(mapped)::text IS NOT NULL AND status IN ('sent', 'sending', 'delivered', 'undelivered')
                                  THEN \(mapped)::text ELSE status END,
                    last_error = COALESCE(\(report.storedError)::text, last_error), updated_at = \(now.wholeSecond)
                WHERE channel = 'sms' AND provider_id = \(providerID) AND provider_id IS NOT NULL
                RETURNING id
                """, logger)
            // A report can come before the send is recorded: the provider has the text, so the link is blanked here too.
            for id in ids { try await redactOfferLinks(conn, id: id) }
            return !ids.isEmpty
        }
    }

    /// The outbox, newest first: `status` filters (e.g. `dead` for the dead letters).
    public func outbox(status: OutboxStatus?, limit: Int) async throws -> [OutboxMessage] {
        try await read { conn in
            let limit = sqliteLimit(limit)
            let rows =
                if let status {
                    try await conn.rows(
                        """
                        SELECT \(unescaped: Self.outboxColumns) FROM outbox WHERE status = \(status.rawValue)
                        ORDER BY id DESC LIMIT \(limit)::bigint
                        """, logger)
                } else {
                    try await conn.rows(
                        "SELECT \(unescaped: Self.outboxColumns) FROM outbox ORDER BY id DESC LIMIT \(limit)::bigint", logger)
                }
            return try rows.map(Self.outboxMessage)
        }
    }

    /// Puts a dead letter back in the queue, for after the provider is fixed.
    public func retryDeadLetter(id: Int64, now: Date) async throws -> Bool {
        let now = now.wholeSecond
        return try await write { conn in
            try await conn.one(
                Int64.self,
                """
                UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = \(now), updated_at = \(now)
                WHERE id = \(id) AND status = 'dead' RETURNING id
                """, logger) != nil
        }
    }

    /// Outbox counts by status.
    public func outboxCounts() async throws -> [String: Int] {
        try await read { conn in
            var counts: [String: Int] = [:]
            let rows = try await conn.query("SELECT status, COUNT(*) FROM outbox GROUP BY status", logger: logger)
            for try await (status, n) in rows.decode((String, Int).self) { counts[status] = n }
            return counts
        }
    }
}
