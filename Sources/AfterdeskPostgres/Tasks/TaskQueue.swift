import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// The tasks of `query` as `render` answers them, reused until any server commits to a table the answer reads,
    /// or the first of its open tasks' SLA passes (as SQLite's, by `data_version`): the queue is what every
    /// salesperson's app polls. The version comes from `TaskQueueListener`, bumped by each commit's notification.
    ///
    /// The version is read BEFORE the query, and that is what makes a kept answer safe. A commit is notified only once
    /// it is visible to every snapshot taken after (PostgreSQL delivers a notification once its transaction is no longer
    /// in progress). So a commit the query did not see was notified after the query's snapshot, hence after the version
    /// was read: it bumps the version past the one the answer is kept under, and the answer is not reused. Read after
    /// the query, the version could already count a commit the query missed, and a stale answer would be kept as
    /// fresh. (A commit the query did see may still bump it: one answer made again, never a stale one served.) While
    /// the listener is not listening the version is nil and nothing is kept.
    public func taskQueue<Value: Sendable>(
        _ query: TaskQuery, answers: PolledAnswers<TaskQuery, Value>, now: Date, render: @Sendable ([TaskRow]) -> Value
    ) async throws -> Value {
        taskQueueListener.start()
        let version = taskQueueListener.version
        return try await answers.answer(connection: taskQueueListener.slot, version: version, key: query, now: now.wholeSecond) {
            let rows = try await read { conn in try await taskRows(conn, query, now: now) }
            let flips = rows.lazy.filter { $0.status == .open && !$0.overdue }.map(\.slaAt).min()
            return (render(rows), flips)
        }
    }

    /// The tasks, soonest first (`TaskQuery`'s narrowing: an assignee as typed, their id, a store, one task).
    func taskRows(_ conn: PostgresConnection, _ query: TaskQuery, now: Date) async throws -> [TaskRow] {
        // SQLite's negative LIMIT is no limit; PostgreSQL's is LIMIT NULL.
        let limit: Int? = query.limit < 0 ? nil : query.limit
        let rows = try await conn.statement(
            """
            SELECT t.id, t.kind, t.title, t.detail, t.assignee_id, COALESCE(a.name, a.staff_code), COALESCE(e.name, e.staff_code),
                   c.first_name || ' ' || c.last_name, c.phone, c.email, t.due_at, t.sla_at, t.status, t.outcome, t.touch_id
            FROM tasks t JOIN customers c ON c.id = t.customer_id
            LEFT JOIN staff a ON a.id = t.assignee_id LEFT JOIN staff e ON e.id = t.escalated_to
            WHERE (\(query.status?.rawValue)::text IS NULL OR t.status = \(query.status?.rawValue))
              AND (\(query.assignee)::text IS NULL OR a.staff_code = \(query.assignee) OR a.id::text = \(query.assignee))
              AND (\(query.assigneeID)::int8 IS NULL OR t.assignee_id = \(query.assigneeID))
              AND (\(query.store)::text IS NULL OR t.store_id = (SELECT id FROM stores WHERE code = \(query.store)))
              AND (\(query.stores)::text[] IS NULL OR t.store_id IN (SELECT id FROM stores WHERE code = ANY(\(query.stores))))
              AND (\(query.taskID)::int8 IS NULL OR t.id = \(query.taskID))
            ORDER BY t.due_at, t.id LIMIT \(limit)::int8
            """, logger: logger
        ).decode(
            (
                Int64, String, String, String, Int64?, String?, String?, String, String?, String?, Date, Date, String, String?,
                Int64?
            ).self)
        var out: [TaskRow] = []
        var touches: [Int64: [Int]] = [:]
        // Overdue to the second, as the store writes instants.
        let second = now.wholeSecond
        for try await (id, kind, title, detail, assigneeID, assignee, escalatedTo, customer, phone, email, due, sla, status, outcome, touch)
            in rows
        {
            let status: TaskStatus = try TaskStoredText.value(status, of: "tasks", "status")
            if let touch { touches[touch, default: []].append(out.count) }
            out.append(
                TaskRow(
                    id: id, kind: try TaskStoredText.value(kind, of: "tasks", "kind"), title: title, detail: detail,
                    assigneeID: assigneeID, assignee: assignee, escalatedTo: escalatedTo, customer: customer, phone: phone, email: email,
                    dueAt: due, slaAt: sla, status: status, outcome: try TaskStoredText.optional(outcome, of: "tasks", "outcome"),
                    overdue: status == .open && sla < second))
        }
        try await addTouchItems(conn, touches: touches, to: &out)
        return out
    }

    /// Each task's vehicle (its touch's first item's, in key order), declined products (the distinct codes, sorted) and
    /// why now (the reason of the first product code's item): one query for all the tasks' touch items.
    private func addTouchItems(_ conn: PostgresConnection, touches: [Int64: [Int]], to out: inout [TaskRow]) async throws {
        guard !touches.isEmpty else { return }
        let items = try await conn.statement(
            """
            SELECT i.touch_id, i.product_code, i.reason, v.year || ' ' || v.make || ' ' || v.model
            FROM touch_items i JOIN deals d ON d.id = i.deal_id JOIN vehicles v ON v.id = d.vehicle_id
            WHERE i.touch_id = ANY(\(Array(touches.keys))) ORDER BY i.touch_id, i.deal_id, i.product_code
            """, logger: logger
        ).decode((Int64, String, String, String?).self)
        var fold = TaskTouchItems(touches: touches)
        for try await (touch, code, reason, vehicle) in items {
            fold.add(touch: touch, code: code, reason: reason, vehicle: vehicle, to: &out)
        }
        fold.finish(&out)
    }
}
