import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Synchronization

extension AfterdeskDatabase {
    /// The tasks of `query` as `render` answers them, reused while the database is unchanged (`PolledAnswers`): the
    /// queue is what every salesperson's app polls.
    public func taskQueue<Value: Sendable>(
        _ query: TaskQuery, answers: PolledAnswers<TaskQuery, Value>, now: Date, render: @Sendable ([TaskRow]) -> Value
    ) async throws -> Value {
        try await writer.read { db in
            // Only a pool's readers keep answers: a connection that writes does not see its own commits in
            // `data_version`.
            let version = db.configuration.readonly ? try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? -1 : nil
            return try answers.answer(
                connection: db.description, version: version, key: query, now: Date(timeIntervalSince1970: Double(now.epochSeconds))
            ) {
                let rows = try query.fetch(db, now: now)
                let flips = rows.lazy.filter { $0.status == .open && !$0.overdue }.map(\.slaAt).min()
                return (render(rows), flips)
            }
        }
    }
}

extension TaskQuery {
    /// The condition of a task in `stores`, its argument added. One store (most people's): the plain lookup, as the
    /// queue every salesperson polls reads it; several: one JSON argument.
    static func inStores(_ stores: [String], _ args: inout StatementArguments) -> String {
        if stores.count == 1 {
            args += [stores[0]]
            return "t.store_id = (SELECT id FROM stores WHERE code = ?)"
        }
        args += [StoreList.json(stores)]
        return "t.store_id IN (SELECT id FROM stores WHERE code IN (SELECT value FROM json_each(?)))"
    }

    /// The tasks, soonest first.
    func fetch(_ db: Database, now: Date) throws -> [TaskRow] {
        var conditions: [String] = []
        var args: StatementArguments = []
        if let status {
            conditions.append("t.status = ?")
            args += [status.rawValue]
        }
        if let assignee {
            conditions.append("(a.staff_code = ? OR CAST(a.id AS TEXT) = ?)")
            args += [assignee, assignee]
        }
        if let assigneeID {
            conditions.append("t.assignee_id = ?")
            args += [assigneeID]
        }
        if let store {
            conditions.append("t.store_id = (SELECT id FROM stores WHERE code = ?)")
            args += [store]
        }
        if let stores { conditions.append(Self.inStores(stores, &args)) }
        if let taskID {
            conditions.append("t.id = ?")
            args += [taskID]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        // The queue is polled: the statements are compiled once per connection (cached).
        let statement = try db.cachedStatement(
            sql: """
                SELECT t.id, t.kind, t.title, t.detail, t.assignee_id, COALESCE(a.name, a.staff_code) AS assignee,
                       COALESCE(e.name, e.staff_code) AS escalated_to, c.first_name || ' ' || c.last_name AS customer, c.phone, c.email,
                       t.due_at, t.sla_at, t.status, t.outcome, t.touch_id
                FROM tasks t JOIN customers c ON c.id = t.customer_id
                LEFT JOIN staff a ON a.id = t.assignee_id LEFT JOIN staff e ON e.id = t.escalated_to
                \(whereClause) ORDER BY t.due_at, t.id LIMIT ?
                """)
        var out: [TaskRow] = []
        var touches: [Int64: [Int]] = [:]
        let rows = try Row.fetchCursor(statement, arguments: args + [limit])
        // Overdue to the second, as the store writes instants.
        let second = Date(timeIntervalSince1970: Double(now.epochSeconds))
        while let r = try rows.next() {
            let sla = try r.instant("sla_at", of: "tasks")
            let status: TaskStatus = try r.stored("status", of: "tasks")
            if let touch: Int64 = r["touch_id"] { touches[touch, default: []].append(out.count) }
            out.append(
                try TaskRow(
                    id: r["id"], kind: r.stored("kind", of: "tasks"), title: r["title"], detail: r["detail"],
                    assigneeID: r["assignee_id"], assignee: r["assignee"], escalatedTo: r["escalated_to"], customer: r["customer"],
                    phone: r["phone"], email: r["email"], dueAt: r.instant("due_at", of: "tasks"), slaAt: sla, status: status,
                    outcome: r.optionalStored("outcome", of: "tasks"), overdue: status == .open && sla < second,
                    vehicle: nil, products: nil, why: nil))
        }
        try Self.addTouchItems(db, touches: touches, to: &out)
        return out
    }

    /// Each task's vehicle (its touch's first item's, in key order), declined products (the distinct codes, sorted) and
    /// why now (the reason of the first product code's item): one query for all the tasks' touch items.
    static func addTouchItems(_ db: Database, touches: [Int64: [Int]], to out: inout [TaskRow]) throws {
        guard !touches.isEmpty else { return }
        let ids = "[" + touches.keys.map(String.init).joined(separator: ",") + "]"
        let items = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT i.touch_id, i.product_code, i.reason, v.year || ' ' || v.make || ' ' || v.model AS vehicle
                    FROM touch_items i JOIN deals d ON d.id = i.deal_id JOIN vehicles v ON v.id = d.vehicle_id
                    WHERE i.touch_id IN (SELECT value FROM json_each(?)) ORDER BY i.touch_id, i.deal_id, i.product_code
                    """), arguments: [ids])
        var fold = TaskTouchItems(touches: touches)
        while let r = try items.next() {
            fold.add(touch: r["touch_id"], code: r["product_code"], reason: r["reason"], vehicle: r["vehicle"], to: &out)
        }
        fold.finish(&out)
    }
}
