import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    static let outboxColumns = """
        id, idempotency_key, channel, recipient, subject, body, html, headers, status, attempts, last_error, provider_id,
        created_at, sent_at, customer_id, task_id
        """

    static func outboxMessage(_ r: Row) throws -> OutboxMessage {
        try OutboxMessage(
            id: r["id"], idempotencyKey: r["idempotency_key"], channel: r.stored("channel", of: "outbox"), recipient: r["recipient"],
            subject: r["subject"], body: r["body"], html: r["html"], headers: r["headers"], status: r.stored("status", of: "outbox"),
            attempts: r["attempts"], lastError: r["last_error"], providerID: r["provider_id"],
            createdAt: r.instant("created_at", of: "outbox"), sentAt: r.optionalInstant("sent_at", of: "outbox"),
            customerID: r["customer_id"], taskID: r["task_id"])
    }

    /// Claims up to `limit` queued messages whose time has come: they turn `sending`, with one more attempt counted,
    /// committed before any is handed to a provider. A crash after this leaves them `sending`: in doubt.
    public func claimOutbox(now: Date, limit: Int, by claimer: String?) async throws -> [OutboxMessage] {
        let nowText = Instant.iso8601(now)
        return try await writer.write { db in
            // Read through the C API, by position in `outboxColumns`: a page holds whole message bodies.
            let s = try RawStatement(
                db,
                """
                UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?1, claimed_by = ?3
                WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2)
                RETURNING \(Self.outboxColumns)
                """)
            s.bind(1, nowText)
            s.bind(2, Int64(limit))
            if let claimer { s.bind(3, claimer) }
            defer { s.reset() }
            var out: [OutboxMessage] = []
            // A message whose row cannot be read is not sent, and does not stop the others: it becomes a dead letter
            // whose error names the column and the value.
            var unreadable: [(id: Int64, error: StoreError)] = []
            while try s.step() {
                let channelText = s.text(2) ?? ""
                let createdText = s.text(12) ?? ""
                guard let channel = OutboxChannel(rawValue: channelText) else {
                    unreadable.append((s.int64(0), .unreadable("outbox", "channel", channelText, as: "a known OutboxChannel")))
                    continue
                }
                guard let created = Instant.parse(bytes: s.bytes(12)) ?? Instant.parse(createdText) else {
                    unreadable.append((s.int64(0), .unreadable("outbox", "created_at", createdText, as: "an instant")))
                    continue
                }
                let sentText = s.optionalText(13)
                let sent = sentText.flatMap(Instant.parse)
                if let sentText, sent == nil {
                    unreadable.append((s.int64(0), .unreadable("outbox", "sent_at", sentText, as: "an instant")))
                    continue
                }
                // `status` is what the UPDATE set.
                out.append(
                    OutboxMessage(
                        id: s.int64(0), idempotencyKey: s.text(1) ?? "", channel: channel, recipient: s.text(3) ?? "",
                        subject: s.optionalText(4), body: s.text(5) ?? "", html: s.optionalText(6), headers: s.optionalText(7),
                        status: .sending, attempts: s.int(9), lastError: s.optionalText(10),
                        providerID: s.optionalText(11), createdAt: created, sentAt: sent,
                        customerID: s.optionalInt64(14), taskID: s.optionalInt64(15)))
            }
            s.reset()
            try Self.deadLetter(db, unreadable.map { ($0.id, $0.error.message) }, now: nowText)
            return out.sorted { $0.id < $1.id }
        }
    }

    /// Messages left `sending` since before `before`: a process died while handing them to a provider. One whose row
    /// cannot be read becomes a dead letter naming the column and value (as in the claim), so it never stops
    /// dispatch, which reconciles before anything else.
    public func inDoubtOutbox(before: Date, _ scope: InDoubtScope) async throws -> [OutboxMessage] {
        let nowText = Instant.iso8601(clock.now())
        let (whose, mine): (String, String?) =
            switch scope {
            case .held(let mine):
                (
                    """
                    (claimed_by IS NULL OR claimed_by = ?2 OR NOT EXISTS (
                        SELECT 1 FROM leases l WHERE l.name = 'server:' || outbox.claimed_by AND l.expires_at > ?3))
                    """, mine
                )
            case .own(let mine): ("claimed_by = ?2", mine)
            }
        let arguments: StatementArguments =
            if case .held = scope { [Instant.iso8601(before), mine, nowText] } else { [Instant.iso8601(before), mine] }
        return try await writer.write { db in
            var out: [OutboxMessage] = []
            var unreadable: [(id: Int64, message: String)] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.outboxColumns) FROM outbox WHERE status = 'sending' AND updated_at < ?1 AND next_attempt_at < ?1
                      AND \(whose)
                    ORDER BY id
                    """,
                arguments: arguments)
            {
                do {
                    out.append(try Self.outboxMessage(row))
                } catch let e as StoreError where e.kind == .integrity {
                    unreadable.append((row["id"], e.message))
                }
            }
            try Self.deadLetter(db, unreadable, now: nowText)
            return out
        }
    }

    /// Marks as dead letters the messages whose rows cannot be read, each with the error that names the column and value.
    static func deadLetter(_ db: Database, _ messages: [(id: Int64, message: String)], now: String) throws {
        for (id, message) in messages {
            try db.execute(
                sql: "UPDATE outbox SET status = 'dead', last_error = ?, updated_at = ? WHERE id = ?", arguments: [message, now, id])
        }
    }

    /// Records how sends ended, in one transaction.
    public func completeOutbox(_ results: [(id: Int64, result: SendResult)], now: Date) async throws {
        let nowText = Instant.iso8601(now)
        try await writer.write { db in
            let sent = try db.cachedStatement(
                sql: """
                    UPDATE outbox SET status = 'sent', provider_id = ?, sent_at = ?, last_error = NULL, updated_at = ? WHERE id = ? AND status = 'sending'
                    """)
            let failed = try db.cachedStatement(
                sql: """
                    UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at), updated_at = ?
                    WHERE id = ? AND status = 'sending'
                    """)
            for (id, result) in results {
                switch result {
                case .sent(let providerID):
                    try sent.execute(arguments: [providerID, nowText, nowText, id])
                    if db.changesCount == 1 { try redactOfferLinks(db, id: id) }
                case .failed(let error, let retryAt):
                    try failed.execute(arguments: [retryAt == nil ? "dead" : "queued", error, retryAt.map(Instant.iso8601), nowText, id])
                }
            }
        }
    }

    /// Blanks the offer link tokens of a sent message: the store keeps them only as hashes from then on.
    func redactOfferLinks(_ db: Database, id: Int64) throws {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql:
                        "SELECT body, html FROM outbox WHERE id = ? AND channel IN ('sms', 'email') AND (body LIKE '%/o/%' OR html LIKE '%/o/%')"
                ),
                arguments: [id])
        else { return }
        let body: String = row["body"]
        let html: String? = row["html"]
        let (newBody, newHTML) = (OfferLinkText.redacted(body), html.map(OfferLinkText.redacted))
        // A later delivery report finds the text already blanked: nothing to write.
        guard newBody != body || newHTML != html else { return }
        try db.cachedStatement(sql: "UPDATE outbox SET body = ?, html = ? WHERE id = ?").execute(arguments: [newBody, newHTML, id])
    }

    /// An SMS provider's delivery report, as `DeliveryReport` keeps it (a known status, a numeric error code). A report
    /// without a known status leaves the stored status as it was. Returns false when no message has the id.
    @discardableResult
    public func recordDeliveryStatus(providerID: String, report: DeliveryReport, now: Date) async throws -> Bool {
        try await writer.write { db in
            let mapped = report.status?.outboxStatus
            try db.execute(
                sql: """
                    UPDATE outbox SET provider_status = COALESCE(?, provider_status),
                                      status = CASE WHEN ? IS NOT NULL AND status IN ('sent', 'sending', 'delivered', 'undelivered')
                                                    THEN ? ELSE status END,
                                      last_error = COALESCE(?, last_error), updated_at = ?
                    WHERE channel = 'sms' AND provider_id = ? AND provider_id IS NOT NULL
                    """, arguments: [report.status?.rawValue, mapped, mapped, report.storedError, Instant.iso8601(now), providerID])
            let changed = db.changesCount > 0
            // A report can come before the send is recorded: the provider has the text, so the link is blanked here too.
            for id in try Int64.fetchAll(
                db, sql: "SELECT id FROM outbox WHERE channel = 'sms' AND provider_id = ?", arguments: [providerID])
            {
                try redactOfferLinks(db, id: id)
            }
            return changed
        }
    }

    /// The outbox, newest first: `status` filters (e.g. `dead` for the dead letters).
    public func outbox(status: OutboxStatus? = nil, limit: Int = 100) async throws -> [OutboxMessage] {
        try await writer.read { db in
            var sql = "SELECT \(Self.outboxColumns) FROM outbox"
            var args: StatementArguments = []
            if let status {
                sql += " WHERE status = ?"
                args += [status.rawValue]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY id DESC LIMIT ?", arguments: args + [limit]).map {
                try Self.outboxMessage($0)
            }
        }
    }

    /// Puts a dead letter back in the queue, for after the provider is fixed.
    public func retryDeadLetter(id: Int64, now: Date) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql:
                    "UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'dead'",
                arguments: [Instant.iso8601(now), Instant.iso8601(now), id])
            return db.changesCount == 1
        }
    }

    /// Outbox counts by status.
    public func outboxCounts() async throws -> [String: Int] {
        try await writer.read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status").map {
                    ($0["status"], $0["n"])
                })
        }
    }
}
