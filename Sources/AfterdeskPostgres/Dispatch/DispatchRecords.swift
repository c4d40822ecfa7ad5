import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// A message to queue, with what it belongs to.
struct QueuedMessage {
    let message: NewOutboxMessage
    let touchID: Int64?
    let taskID: Int64?
    let customerID: Int64?
}

extension DispatchRecord {
    /// The touch the record is about.
    var touchID: Int64 {
        switch self {
        case .dispatched(let touch, _, _, _, _), .moved(let touch, _, _), .skipped(let touch, _): touch
        }
    }
}

extension PostgresStorage {
    /// Stores what dispatch decided for a page of touches in one transaction: outbox messages and tasks recorded,
    /// touches marked sent, moved or skipped. A touch no longer planned (an opt-out, a replan, another dispatcher got
    /// there first: the row's lock makes the second wait, then find it sent) is left alone: nothing is recorded for
    /// it. Returns the ids of the tasks created, by touch. A page is a few statements, not a few per touch: its touches
    /// claimed in one, then its tasks, messages and offer links each inserted in one, in the page's order (the ids and
    /// the first of two messages with one key are SQLite's row-by-row ones).
    @discardableResult
    public func record(_ records: [DispatchRecord], now: Date) async throws -> [Int64: Int64] {
        let now = now.wholeSecond
        let taskStores = records.compactMap { r -> Int64? in
            guard case .dispatched(_, _, _, let task?, _) = r else { return nil }
            return task.storeID
        }
        return try await write { conn in
            // The roster locks of the page's tasks' stores before any touch is claimed (`RosterLock`).
            if !taskStores.isEmpty { try await conn.run(RosterLock.take(taskStores, shared: true), logger) }
            var tasks: [Int64: Int64] = [:]
            for run in Batches.runs(records, key: \.touchID) {
                let claimed = try await claimTouches(conn, run, now: now)
                let sent = run.compactMap { r -> (touch: Int64, customer: Int64, messages: [NewOutboxMessage], task: NewTask?)? in
                    guard case .dispatched(let touch, let customer, let messages, let task, _) = r, claimed.contains(touch) else {
                        return nil
                    }
                    return (touch, customer, messages, task)
                }
                let made = try await DispatchTasks.insert(
                    conn, sent.compactMap { s in s.task.map { (s.touch, nil, $0) } }, now: now, logger)
                var taskOf: [Int64: Int64] = [:]
                for (row, s) in zip(made, sent.filter { $0.task != nil }) { taskOf[s.touch] = row }
                tasks.merge(taskOf) { first, _ in first }
                let messages = sent.flatMap { s in
                    s.messages.map { QueuedMessage(message: $0, touchID: s.touch, taskID: taskOf[s.touch], customerID: s.customer) }
                }
                let queued = try await insertOutbox(conn, messages, now: now)
                try await insertOfferLinks(conn, queued.filter { $0.message.offerLink != nil }, now: now)
            }
            return tasks
        }
    }

    /// Marks the run's touches still planned as each record says, in one statement; the ids it changed (a touch planned
    /// no longer is left as it is). The rows are locked in id order first, whatever order the join visits them in, so
    /// two dispatchers recording the same page wait for each other instead of deadlocking.
    private func claimTouches(_ conn: PostgresConnection, _ run: [DispatchRecord], now: Date) async throws -> Set<Int64> {
        let rows = run.map { record -> (id: Int64, status: String, reason: String?, sentAt: Date?, dueAt: Date?) in
            switch record {
            case .moved(let touch, let to, let reason): (touch, "planned", "moved: \(reason)", nil, to.wholeSecond)
            case .skipped(let touch, let reason): (touch, "skipped", reason, nil, nil)
            case .dispatched(let touch, _, _, _, let dropped):
                (touch, "sent", dropped.isEmpty ? nil : "sent without: " + dropped.joined(separator: "; "), now, nil)
            }
        }
        let ids = rows.map(\.id)
        return Set(
            try await conn.all(
                Int64.self,
                """
                UPDATE touches t SET status = c.status, status_reason = c.reason, sent_at = c.sent_at,
                    due_at = COALESCE(c.due_at, t.due_at)
                FROM unnest(\(ids)::int8[], \(rows.map(\.status))::text[], \(NullableArray(rows.map(\.reason)))::text[],
                            \(NullableArray(rows.map(\.sentAt)))::timestamptz[], \(NullableArray(rows.map(\.dueAt)))::timestamptz[])
                     AS c(id, status, reason, sent_at, due_at)
                WHERE t.id = c.id AND t.status = 'planned'
                  AND t.id IN (SELECT id FROM touches WHERE id = ANY(\(ids)) AND status = 'planned' ORDER BY id FOR UPDATE)
                RETURNING t.id
                """, logger))
    }

    /// Queues messages in one statement, in order, each unless one with its idempotency key is already in the outbox
    /// (or earlier in `messages`); those queued now.
    func insertOutbox(_ conn: PostgresConnection, _ messages: [QueuedMessage], now: Date) async throws -> [QueuedMessage] {
        guard !messages.isEmpty else { return [] }
        let m = messages.map(\.message)
        let keys = try await conn.all(
            String.self,
            """
            INSERT INTO outbox (idempotency_key, touch_id, task_id, customer_id, channel, recipient, subject, body, html, headers,
                                status, next_attempt_at, created_at, updated_at)
            SELECT k, touch, task, customer, channel, recipient, subject, body, html, headers, 'queued', \(now), \(now), \(now)
            FROM unnest(\(m.map(\.idempotencyKey))::text[], \(NullableArray(messages.map(\.touchID)))::int8[],
                        \(NullableArray(messages.map(\.taskID)))::int8[], \(NullableArray(messages.map(\.customerID)))::int8[],
                        \(m.map(\.channel.rawValue))::text[], \(m.map(\.recipient))::text[], \(NullableArray(m.map(\.subject)))::text[],
                        \(m.map(\.body))::text[], \(NullableArray(m.map(\.html)))::text[], \(NullableArray(m.map(\.headers)))::text[])
                 WITH ORDINALITY AS v(k, touch, task, customer, channel, recipient, subject, body, html, headers, n)
            ORDER BY n
            ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key
            """, logger)
        // Of two messages with one key, the first was queued (the statement inserts in order).
        var fresh = Set(keys)
        return messages.filter { fresh.remove($0.message.idempotencyKey) != nil }
    }

    /// Records messages not tied to a touch (a HELP reply, a reply task's CRM lead). Idempotent by key.
    public func enqueue(_ messages: [NewOutboxMessage], customerID: Int64?, taskID: Int64?, now: Date) async throws {
        let now = now.wholeSecond
        try await write { conn in
            _ = try await insertOutbox(
                conn, messages.map { QueuedMessage(message: $0, touchID: nil, taskID: taskID, customerID: customerID) }, now: now)
        }
    }
}

/// Task rows made by this area: dispatch's tasks (`record`) and an offer page's (`pressOffer`). The task area makes
/// its own (reply tasks).
enum DispatchTasks {
    /// Inserts an open task and returns its id. `now` is the creation instant, cut to the second.
    static func insert(
        _ conn: PostgresConnection, _ t: NewTask, touchID: Int64?, offerLinkID: Int64?, now: Date, _ logger: Logger
    ) async throws -> Int64 {
        guard let id = try await insert(conn, [(touchID, offerLinkID, t)], now: now, logger).first else {
            throw StoreError.integrity("the task was not recorded")
        }
        return id
    }

    /// Inserts open tasks in one statement, in order; their ids, in the same order. Their people were routed before
    /// this transaction: under their stores' roster locks, any deactivated since has their task handed on (`RosterLock`).
    /// The caller takes those locks (`RosterLock.take`) before its first row lock.
    static func insert(
        _ conn: PostgresConnection, _ tasks: [(touchID: Int64?, offerLinkID: Int64?, task: NewTask)], now: Date, _ logger: Logger
    ) async throws -> [Int64] {
        guard !tasks.isEmpty else { return [] }
        let t = tasks.map(\.task)
        let rows = try await conn.statement(
            """
            INSERT INTO tasks (store_id, customer_id, touch_id, kind, title, detail, assignee_id, due_at, sla_at, status,
                               created_at, offer_link_id)
            SELECT store, customer, touch, kind, title, detail, assignee, due, sla, 'open', \(now), link
            FROM unnest(\(t.map(\.storeID))::int8[], \(t.map(\.customerID))::int8[], \(NullableArray(tasks.map(\.touchID)))::int8[],
                        \(t.map(\.kind.rawValue))::text[], \(t.map(\.title))::text[], \(t.map(\.detail))::text[],
                        \(NullableArray(t.map(\.assigneeID)))::int8[], \(t.map(\.dueAt.wholeSecond))::timestamptz[],
                        \(t.map(\.slaAt.wholeSecond))::timestamptz[], \(NullableArray(tasks.map(\.offerLinkID)))::int8[])
                 WITH ORDINALITY AS v(store, customer, touch, kind, title, detail, assignee, due, sla, link, n)
            ORDER BY n
            RETURNING id, EXISTS (SELECT 1 FROM staff s WHERE s.id = tasks.assignee_id AND NOT s.active)
            """, logger: logger)
        var (ids, stranded): ([Int64], [Int64]) = ([], [])
        for try await (id, inactive) in rows.decode((Int64, Bool).self) {
            ids.append(id)
            if inactive { stranded.append(id) }
        }
        // Identity values are drawn in insertion order: sorted, the ids follow the tasks given.
        guard ids.count == tasks.count else { throw StoreError.integrity("the tasks were not recorded") }
        try await RosterLock.handOnFromInactive(conn, tasks: stranded, logger)
        return ids.sorted()
    }
}
