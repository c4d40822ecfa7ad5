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
    public func claimOutbox(now: Date, limit: Int, by claimer: String?) async throws -> [OutboxMessage] {
        let now = now.wholeSecond
        return try await write { conn in
            try await conn.run(Self.claimPlan, logger)
            let rows = try await conn.rows(Self.claimQuery(now: now, limit: limit, by: claimer), logger)
            // A message whose row cannot be read is not sent, and does not stop the others: it becomes a dead letter
            // whose error names the column and the value.
            let (out, unreadable) = try Self.readable(rows)
            try await deadLetter(conn, unreadable, now: now)
            return out.sorted { $0.id < $1.id }
        }
    }

    /// How the claim is planned, for its transaction only: the page in `outbox_due`'s order (migration
    /// p5-outbox-order), stopping after it, whatever the statistics say. An outbox filled since it was last analyzed
    /// looks nearly empty, and PostgreSQL then read every queued message and sorted them, for each page.
    static let claimPlan: PostgresQuery = "SELECT set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true)"

    /// The claim of up to `limit` queued messages due at `now` (a whole second), oldest first.
    static func claimQuery(now: Date, limit: Int, by claimer: String? = nil) -> PostgresQuery {
        """
        UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = \(now), claimed_by = \(claimer)::text
        WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= \(now)
                     ORDER BY next_attempt_at, id LIMIT \(sqliteLimit(limit))::bigint FOR UPDATE SKIP LOCKED)
        RETURNING \(unescaped: Self.outboxColumns)
        """
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
    public func inDoubtOutbox(before: Date, _ scope: InDoubtScope) async throws -> [OutboxMessage] {
        let now = clock.now().wholeSecond
        let query: PostgresQuery =
            switch scope {
            case .held(let mine):
                """
                SELECT \(unescaped: Self.outboxColumns) FROM outbox WHERE status = 'sending' AND updated_at < \(before.wholeSecond)
                  AND next_attempt_at < \(before.wholeSecond)
                  AND (claimed_by IS NULL OR claimed_by = \(mine) OR NOT EXISTS (
                      SELECT 1 FROM leases l WHERE l.name = 'server:' || outbox.claimed_by AND l.expires_at > \(now)))
                ORDER BY id
                """
            case .own(let mine):
                """
                SELECT \(unescaped: Self.outboxColumns) FROM outbox WHERE status = 'sending' AND updated_at < \(before.wholeSecond)
                  AND next_attempt_at < \(before.wholeSecond)
                  AND claimed_by = \(mine)
                ORDER BY id
                """
            }
        return try await write { conn in
            let rows = try await conn.rows(query, logger)
            let (out, unreadable) = try Self.readable(rows)
            try await deadLetter(conn, unreadable, now: now)
            return out
        }
    }

    /// Marks as dead letters the messages whose rows cannot be read, each with the error that names the column and value.
    private func deadLetter(_ conn: PostgresConnection, _ messages: [(id: Int64, message: String)], now: Date) async throws {
        try await settle(conn, messages.map { ($0.id, "dead", $0.message) }, now: now, onlySending: false)
    }

    /// Gives each message its status and error in one statement (a message given twice keeps the first): only a
    /// `sending` one when `onlySending`. The ids changed.
    @discardableResult
    func settle(
        _ conn: PostgresConnection, _ items: [(id: Int64, status: String, error: String)], now: Date, onlySending: Bool
    ) async throws -> [Int64] {
        let items = Batches.firstOfEach(items, key: \.id)
        guard !items.isEmpty else { return [] }
        return try await conn.all(
            Int64.self,
            """
            UPDATE outbox o SET status = c.status, last_error = c.error, updated_at = \(now)
            FROM unnest(\(items.map(\.id))::int8[], \(items.map(\.status))::text[], \(items.map(\.error))::text[]) AS c(id, status, error)
            WHERE o.id = c.id AND (o.status = 'sending' OR NOT \(onlySending))
            RETURNING o.id
            """, logger)
    }

    /// Records how sends ended: the sent ones in one statement (their offer link tokens blanked in it), the failed ones
    /// in another (queued again for their retry, or dead without one), together in one transaction; a page of one kind
    /// (each email's result, sent alone) is its one statement, which commits on its own: one round trip. A message not
    /// `sending` (not claimed, or settled already) is left as it is; of two results for one message, the first is
    /// kept, as the second would find it settled.
    public func completeOutbox(_ results: [(id: Int64, result: SendResult)], now: Date) async throws {
        let now = now.wholeSecond
        var sent: [(id: Int64, providerID: String?)] = []
        var failed: [(id: Int64, status: String, error: String, retryAt: Date?)] = []
        for (id, result) in Batches.firstOfEach(results, key: \.id) {
            switch result {
            case .sent(let providerID): sent.append((id, providerID))
            case .failed(let error, let retryAt): failed.append((id, retryAt == nil ? "dead" : "queued", error, retryAt?.wholeSecond))
            }
        }
        func apply(_ conn: PostgresConnection) async throws {
            if !sent.isEmpty {
                try await conn.run(
                    """
                    UPDATE outbox o SET status = 'sent', provider_id = c.provider, sent_at = \(now), last_error = NULL, updated_at = \(now),
                        body = CASE WHEN o.channel IN ('sms', 'email') THEN \(unescaped: Self.redacted("o.body")) ELSE o.body END,
                        html = CASE WHEN o.channel IN ('sms', 'email') THEN \(unescaped: Self.redacted("o.html")) ELSE o.html END
                    FROM unnest(\(sent.map(\.id))::int8[], \(NullableArray(sent.map(\.providerID)))::text[]) AS c(id, provider)
                    WHERE o.id = c.id AND o.status = 'sending'
                    """, logger)
            }
            if !failed.isEmpty {
                try await conn.run(
                    """
                    UPDATE outbox o SET status = c.status, last_error = c.error, next_attempt_at = COALESCE(c.retry, o.next_attempt_at),
                        updated_at = \(now)
                    FROM unnest(\(failed.map(\.id))::int8[], \(failed.map(\.status))::text[], \(failed.map(\.error))::text[],
                                \(NullableArray(failed.map(\.retryAt)))::timestamptz[]) AS c(id, status, error, retry)
                    WHERE o.id = c.id AND o.status = 'sending'
                    """, logger)
            }
        }
        if sent.isEmpty && failed.isEmpty { return }
        if sent.isEmpty || failed.isEmpty { try await read(apply) } else { try await write(apply) }
    }

    /// `column` with its offer link tokens blanked, in SQL: `OfferLinkText.redacted` as a regular expression (every
    /// `/o/` followed by exactly a token's characters, base64url, not followed by another, becomes `/o/[link]`), so a
    /// sent message's text is blanked in the statement that marks it sent. The store keeps tokens only as hashes from
    /// then on. `OfferLinkRedactionTests` holds the two to the same answers.
    static func redacted(_ column: String) -> String {
        "regexp_replace(\(column), '/o/[A-Za-z0-9_-]{\(OfferLinkText.tokenLength)}(?![A-Za-z0-9_-])', '/o/\(OfferLinkText.redaction)', 'g')"
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
                    last_error = COALESCE(\(report.storedError)::text, last_error), updated_at = \(now.wholeSecond),
                    -- A report can come before the send is recorded: the provider has the text, so the link is blanked here too.
                    body = \(unescaped: Self.redacted("body")), html = \(unescaped: Self.redacted("html"))
                WHERE channel = 'sms' AND provider_id = \(providerID) AND provider_id IS NOT NULL
                RETURNING id
                """, logger)
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
            let rows = try await conn.statement("SELECT status, COUNT(*) FROM outbox GROUP BY status", logger: logger)
            for try await (status, n) in rows.decode((String, Int).self) { counts[status] = n }
            return counts
        }
    }
}
