import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// Stores what dispatch decided for a page of touches in one transaction: outbox messages and tasks recorded,
    /// touches marked sent, moved or skipped. A touch no longer planned (an opt-out, a replan, another dispatcher got
    /// there first: the row's lock makes the second wait, then find it sent) is left alone: nothing is recorded for
    /// it. Returns the ids of the tasks created, by touch.
    @discardableResult
    public func record(_ records: [DispatchRecord], now: Date) async throws -> [Int64: Int64] {
        let now = now.wholeSecond
        return try await write { conn in
            var tasks: [Int64: Int64] = [:]
            for record in records {
                switch record {
                case .moved(let touch, let to, let reason):
                    _ = try await claimTouch(conn, touch, status: "planned", reason: "moved: \(reason)", sentAt: nil, dueAt: to.wholeSecond)
                case .skipped(let touch, let reason):
                    _ = try await claimTouch(conn, touch, status: "skipped", reason: reason, sentAt: nil, dueAt: nil)
                case .dispatched(let touch, let customer, let messages, let task, let dropped):
                    let reason = dropped.isEmpty ? nil : "sent without: " + dropped.joined(separator: "; ")
                    guard try await claimTouch(conn, touch, status: "sent", reason: reason, sentAt: now, dueAt: nil) else { continue }
                    var taskID: Int64?
                    if let t = task {
                        taskID = try await DispatchTasks.insert(conn, t, touchID: touch, offerLinkID: nil, now: now, logger)
                        tasks[touch] = taskID
                    }
                    for m in messages {
                        let queued = try await insertOutbox(conn, m, touchID: touch, taskID: taskID, customerID: customer, now: now)
                        if let link = m.offerLink, queued {
                            try await insertOfferLink(conn, link, touchID: touch, channel: m.channel, customerID: customer, now: now)
                        }
                    }
                }
            }
            return tasks
        }
    }

    /// Marks a touch still planned as `status`; false when it is planned no longer (nothing changed).
    private func claimTouch(
        _ conn: PostgresConnection, _ touch: Int64, status: String, reason: String?, sentAt: Date?, dueAt: Date?
    ) async throws -> Bool {
        try await conn.one(
            Int64.self,
            """
            UPDATE touches SET status = \(status), status_reason = \(reason)::text, sent_at = \(sentAt)::timestamptz,
            due_at = COALESCE(\(dueAt)::timestamptz, due_at) WHERE id = \(touch) AND status = 'planned' RETURNING id
            """, logger) != nil
    }

    /// Queues a message unless one with its idempotency key is already in the outbox; true when it was queued now.
    func insertOutbox(
        _ conn: PostgresConnection, _ m: NewOutboxMessage, touchID: Int64?, taskID: Int64?, customerID: Int64?, now: Date
    ) async throws -> Bool {
        try await conn.one(
            Int64.self,
            """
            INSERT INTO outbox (idempotency_key, touch_id, task_id, customer_id, channel, recipient, subject, body, html, headers,
                                status, next_attempt_at, created_at, updated_at)
            VALUES (\(m.idempotencyKey), \(touchID)::bigint, \(taskID)::bigint, \(customerID)::bigint, \(m.channel.rawValue),
                    \(m.recipient), \(m.subject)::text, \(m.body), \(m.html)::text, \(m.headers)::text, 'queued', \(now), \(now), \(now))
            ON CONFLICT (idempotency_key) DO NOTHING RETURNING id
            """, logger) != nil
    }

    /// Records messages not tied to a touch (a HELP reply, a reply task's CRM lead). Idempotent by key.
    public func enqueue(_ messages: [NewOutboxMessage], customerID: Int64?, taskID: Int64?, now: Date) async throws {
        let now = now.wholeSecond
        try await write { conn in
            for m in messages { _ = try await insertOutbox(conn, m, touchID: nil, taskID: taskID, customerID: customerID, now: now) }
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
        let id = try await conn.one(
            Int64.self,
            """
            INSERT INTO tasks (store_id, customer_id, touch_id, kind, title, detail, assignee_id, due_at, sla_at, status,
                               created_at, offer_link_id)
            VALUES (\(t.storeID), \(t.customerID), \(touchID)::bigint, \(t.kind.rawValue), \(t.title), \(t.detail),
                    \(t.assigneeID)::bigint, \(t.dueAt.wholeSecond), \(t.slaAt.wholeSecond), 'open', \(now), \(offerLinkID)::bigint)
            RETURNING id
            """, logger)
        guard let id else { throw StoreError.integrity("the task was not recorded") }
        return id
    }
}
