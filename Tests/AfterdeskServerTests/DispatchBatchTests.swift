import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskPostgres

/// Dispatch's writes of a page (`record`, `completeOutbox`, `cancelClaimed`, `deferClaimed`), one statement per page
/// on PostgreSQL, row by row on SQLite: a page that mixes every outcome leaves the same rows on both.
@Suite(.talliedByBackend) struct DispatchBatchTests {
    static let now = utc("2026-10-05T15:00:00Z")

    /// A body carrying an offer link whose token is `seed` repeated to the token's length.
    static func body(_ seed: Character) -> String {
        "Your offer: https://afterdesk.lakeside.example/o/\(String(repeating: seed, count: OfferLinkText.tokenLength)) Reply STOP to opt out"
    }

    /// The touches of the scenario's three customers (D-1, D-2, D-3), first due first.
    static func planned(_ s: Scenario) async throws -> [(id: Int64, customer: Int64)] {
        try await s.rows(
            """
            SELECT t.id, t.customer_id FROM touches t JOIN customers c ON c.id = t.customer_id
            WHERE t.status = 'planned' ORDER BY c.last_name, t.due_at, t.id
            """
        ).map { ($0[0], $0[1]) }
    }

    /// Records a page of every kind on `backend`, then settles the claimed messages with every kind of result; the
    /// tables dispatch writes, read in an order that does not depend on the backend's ids.
    func mixedPage(_ backend: TestBackend) async throws -> [[String]] {
        let s = try await Scenario(backend: backend)
        let touches = try await Self.planned(s)
        try #require(touches.count >= 6)
        let deal: Int64 = try await s.rows("SELECT id FROM deals WHERE deal_number = 'D-1'")[0][0]
        // Another server sent this touch already: the record for it changes nothing.
        try await s.execute("UPDATE touches SET status = 'sent', sent_at = '2026-10-05T14:00:00Z' WHERE id = ?", [touches[4].id])
        func message(_ key: String, _ channel: OutboxChannel, _ seed: Character, link: Bool) -> NewOutboxMessage {
            var m = NewOutboxMessage(
                channel: channel, idempotencyKey: key, recipient: channel == .sms ? "+15125550142" : "maria@example.com",
                subject: channel == .email ? "Your offer" : nil, body: Self.body(seed),
                html: channel == .email ? "<p>\(Self.body(seed))</p>" : nil)
            if link {
                m.offerLink = NewOfferLink(
                    tokenHash: "hash-\(key)", dealID: deal, product: "vsc", reason: "declined", quotedCents: 249_500,
                    eligibleUntil: LocalDate(year: 2026, month: 12, day: 1), expiresAt: utc("2026-11-01T00:00:00Z"))
            }
            return m
        }
        let task = NewTask(
            storeID: 1, customerID: touches[0].customer, kind: .followUp, title: "Call Maria", detail: "about the VSC", assigneeID: nil,
            dueAt: Self.now, slaAt: utc("2026-10-06T15:00:00Z"))
        let tasks = try await s.db.record(
            [
                .dispatched(
                    touchID: touches[0].id, customerID: touches[0].customer,
                    messages: [message("k1", .sms, "a", link: true), message("k2", .email, "b", link: true)], task: task, dropped: []),
                .moved(touchID: touches[1].id, to: utc("2026-10-06T15:00:00Z"), reason: "quiet hours"),
                .skipped(touchID: touches[2].id, reason: "opted out"),
                // A second message with a key already queued in this page: the first stays.
                .dispatched(
                    touchID: touches[3].id, customerID: touches[3].customer, messages: [message("k1", .sms, "c", link: true)], task: nil,
                    dropped: ["email: no address"]),
                .dispatched(
                    touchID: touches[4].id, customerID: touches[4].customer, messages: [message("k4", .sms, "d", link: false)], task: task,
                    dropped: []),
                // The same touch twice: moved, then (still planned) dispatched.
                .moved(touchID: touches[5].id, to: utc("2026-10-07T15:00:00Z"), reason: "a later opening"),
                .dispatched(
                    touchID: touches[5].id, customerID: touches[5].customer, messages: [message("k5", .sms, "e", link: false)], task: nil,
                    dropped: []),
            ], now: Self.now)
        #expect(tasks.count == 1 && tasks[touches[0].id] != nil)
        try await s.db.enqueue(
            [message("k6", .email, "f", link: false), message("k7", .sms, "g", link: false)], customerID: nil, taskID: nil, now: Self.now)
        let claimed = try await s.db.claimOutbox(now: Self.now, limit: 100).map(\.id)
        try #require(claimed.count == 5)
        // Another server settled the third message meanwhile.
        try await s.execute("UPDATE outbox SET status = 'sent', provider_id = 'other' WHERE id = ?", [claimed[2]])
        try await s.db.completeOutbox(
            [
                (claimed[0], .sent(providerID: "SM1")), (claimed[1], .failed(error: "timeout", retryAt: utc("2026-10-05T16:00:00Z"))),
                (claimed[2], .sent(providerID: "SM3")), (claimed[0], .failed(error: "late second result", retryAt: nil)),
            ], now: Self.now)
        try await s.db.cancelClaimed([(claimed[3], "opted out since"), (claimed[1], "not sending any more")], now: Self.now)
        try await s.db.deferClaimed(
            [(claimed[4], utc("2026-10-06T14:00:00Z"), "quiet hours"), (claimed[4], utc("2026-10-09T14:00:00Z"), "second")], now: Self.now)
        return try await Self.state(s)
    }

    /// Touches, tasks, outbox and offer links as text, without the backend's ids.
    static func state(_ s: Scenario) async throws -> [[String]] {
        let queries = [
            """
            SELECT c.last_name, t.action, t.status, t.status_reason, t.sent_at, t.due_at FROM touches t
            JOIN customers c ON c.id = t.customer_id ORDER BY c.last_name, t.planned_at, t.action, t.due_at
            """,
            """
            SELECT t.kind, t.title, t.status, t.due_at, t.sla_at, t.created_at, t.touch_id IS NOT NULL AS has_touch FROM tasks t ORDER BY t.id
            """,
            """
            SELECT o.idempotency_key, o.channel, o.recipient, o.subject, o.body, o.html, o.status, o.attempts, o.last_error,
                   o.provider_id, o.next_attempt_at, o.sent_at, o.updated_at, o.touch_id IS NOT NULL AS has_touch,
                   o.task_id IS NOT NULL AS has_task, o.customer_id IS NOT NULL AS has_customer
            FROM outbox o ORDER BY o.id
            """,
            """
            SELECT l.token_hash, l.channel, l.product_code, l.reason, l.quoted_cents, l.eligible_until, l.created_at, l.expires_at
            FROM offer_links l ORDER BY l.id
            """,
        ]
        var out: [[String]] = []
        for q in queries { out.append(try await s.rows(q).map(\.description)) }
        return out
    }

    @Test func aMixedPageLeavesTheSameRowsOnBothBackends() async throws {
        let lite = try await mixedPage(.sqlite)
        let postgres = try await mixedPage(.postgres)
        for (l, p) in zip(lite, postgres) { #expect(l == p) }
        // The page did what it says: five messages (k1, k2, k5, k6, k7), one task, two links, a token blanked once sent.
        let outbox = lite[2]
        #expect(outbox.count == 5 && lite[1].count == 1 && lite[3].count == 2)
        #expect(outbox.filter { $0.contains("aaaaaaaaaa") }.isEmpty && outbox.contains { $0.contains("bbbbbbbbbb") })
    }

    /// PostgreSQL blanks a sent message's tokens in SQL (`PostgresStorage.redacted`): the same text as
    /// `OfferLinkText.redacted`, which SQLite uses, on every edge of a token.
    @Test func theSQLRedactionIsOfferLinkTexts() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("afterdesk-redaction-\(UUID().uuidString)")
        let db = try await TestBackend.postgres.make(clock: .fixed(Self.now), directory: dir)
        let token = "aZ09-_" + String(repeating: "k", count: OfferLinkText.tokenLength - 6)
        let samples = [
            "", "/o/", "/o/\(token)", "see /o/\(token) now", "/o/\(token)b", "/o/\(token)-", "/o/\(token)_", "/o/\(token).",
            "/O/\(token)", "/o//o/\(token)", "/o/\(token.dropLast())", "/o/\(token.dropLast()) x", "/o/\(token)é", "é/o/\(token)",
            "/o/\(token)/o/\(token)", "/o/\(token) /o/\(token)\n/o/\(token)?q=1", "/o/\(token)\(token)", "/o/[link]", "/o/ \(token)",
            "https://x.example/o/\(token)", "/o/\(String(repeating: "é", count: OfferLinkText.tokenLength))",
        ]
        let sql = StoredSQL(db)
        for text in samples {
            let got = try await sql.value("SELECT \(PostgresStorage.redacted("CAST(? AS text)"))", [text], as: String.self)
            #expect(got == OfferLinkText.redacted(text), "\(text)")
        }
        #expect(OfferLinkText.redacted("/o/\(token)") == "/o/[link]")
    }
}
