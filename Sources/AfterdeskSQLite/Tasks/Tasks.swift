import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {

    /// Tasks, soonest first. `assignee` is a staff code or id as typed; `assigneeID` and `store` narrow the list to what
    /// a signed-in person may see.
    public func tasks(_ query: TaskQuery, now: Date) async throws -> [TaskRow] {
        try await writer.read { db in try query.fetch(db, now: now) }
    }

    /// Whose a task is and in which store, to decide who may see it; nil when there is no such task.
    public func taskOwner(id: Int64) async throws -> (assigneeID: Int64?, store: String)? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT t.assignee_id, s.code AS store_code FROM tasks t JOIN stores s ON s.id = t.store_id WHERE t.id = ?",
                arguments: [id]
            ).map { ($0["assignee_id"], $0["store_code"]) }
        }
    }

    /// Open tasks, and those of them past their SLA: for monitoring.
    public func taskCounts(now: Date) async throws -> (open: Int, overdue: Int) {
        try await writer.read { db in
            let r = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS open, COUNT(*) FILTER (WHERE sla_at < ?) AS overdue FROM tasks WHERE status = 'open'
                    """, arguments: [Instant.iso8601(now)])
            return (r?["open"] ?? 0, r?["overdue"] ?? 0)
        }
    }

    /// Records a task's outcome and applies what it means for the customer's follow-up (`TaskOutcome.effects`).
    /// Returns the customer, whose plans the caller re-plans. `product` picks the product sold or refused when the task
    /// covers several. A problem with what was given is a `StoreError` carrying the `TaskOutcomeProblem`.
    @discardableResult
    public func completeTask(
        id: Int64, outcome: TaskOutcome, product: String? = nil, price: Money? = nil, cost: Money? = nil,
        note: String? = nil, by user: String? = nil, now: Date
    ) async throws -> Int64 {
        // One rule for every door (command line, API, task page): checked before anything is read or written.
        do { try TaskOutcome.checkAmounts(price: price, cost: cost) } catch { throw StoreError(error) }
        let nowText = Instant.iso8601(now)
        return try await writer.write { db in
            guard
                let task = try Row.fetchOne(
                    db, sql: "SELECT customer_id, touch_id, offer_link_id, status, store_id FROM tasks WHERE id = ?", arguments: [id])
            else {
                throw StoreError.notFound("no task \(id)")
            }
            guard (task["status"] as String) == "open" else { throw StoreError.conflict("task \(id) is already done") }
            let customer: Int64 = task["customer_id"]
            let items = try Row.fetchAll(
                db,
                sql: """
                    SELECT i.deal_id, i.product_code FROM touch_items i WHERE i.touch_id = ?
                    UNION SELECT l.deal_id, l.product_code FROM offer_links l WHERE l.id = ?
                    ORDER BY 1, 2
                    """, arguments: [task["touch_id"] as Int64?, task["offer_link_id"] as Int64?]
            ).map { TaskItem(deal: $0["deal_id"], product: $0["product_code"]) }
            // Only a sale records a day (the store's): no other outcome waits on the store's zone, least of all a stop.
            let zone = outcome == .sold ? try Self.zone(ofStore: task["store_id"] as Int64, db) : .gmt
            let effects: [TaskEffect]
            do throws(TaskOutcomeProblem) {
                effects = try outcome.effects(
                    task: id, items: try TaskOutcome.items(items, task: id, product: product), price: price, cost: cost, note: note,
                    today: LocalDate(now, in: zone))
            } catch { throw StoreError(error) }
            let applying = TaskEffectContext(task: id, customer: customer, user: user, now: nowText)
            for effect in effects { try apply(effect, applying, db: db) }
            try db.execute(
                sql: """
                    UPDATE tasks SET status = 'done', outcome = ?, price_cents = ?, cost_cents = ?, note = ?, completed_at = ? WHERE id = ?
                    """, arguments: [outcome.rawValue, price?.cents, cost?.cents, note, nowText, id])
            return customer
        }
    }

    /// Moves an open task to a new due time (its SLA moves with it).
    public func rescheduleTask(id: Int64, to: Date, slaHours: Int) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE tasks SET due_at = ?, sla_at = ?, escalated_at = NULL, escalated_to = NULL WHERE id = ? AND status = 'open'",
                arguments: [Instant.iso8601(to), Instant.iso8601(to.addingTimeInterval(Double(slaHours) * 3600)), id])
            if db.changesCount != 1 { throw StoreError.notFound("no open task \(id)") }
        }
    }

    /// Hands open tasks past their SLA to the store's manager, once. Returns how many.
    public func escalateOverdue(now: Date) async throws -> Int {
        let nowText = Instant.iso8601(now)
        return try await writer.write { db in
            let overdue = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, store_id, assignee_id FROM tasks WHERE status = 'open' AND escalated_at IS NULL AND sla_at < ? ORDER BY id
                    """, arguments: [nowText])
            var count = 0
            for t in overdue {
                let (members, _) = try staffSnapshot(db, storeID: t["store_id"])
                guard let manager = TaskRouting.escalation(staff: members, excluding: t["assignee_id"]) else { continue }
                try db.execute(
                    sql: "UPDATE tasks SET escalated_to = ?, escalated_at = ? WHERE id = ?",
                    arguments: [manager, nowText, t["id"] as Int64])
                count += 1
            }
            return count
        }
    }

    // MARK: consent, opt-outs, stops

    /// Cancels a customer's planned touches (of `actions`, or all) and queued outbox messages to them.
    func cancelPending(_ db: Database, customer: Int64, actions: [String]?, reason: String, now: String) throws {
        let actionFilter = actions.map { " AND action IN (\($0.map { "'\($0)'" }.joined(separator: ",")))" } ?? ""
        try db.execute(
            sql: "UPDATE touches SET status = 'cancelled', status_reason = ? WHERE customer_id = ? AND status = 'planned'" + actionFilter,
            arguments: [reason, customer])
        let channelFilter =
            actions.map { " AND channel IN (\($0.map { "'\($0)'" }.joined(separator: ",")))" } ?? " AND channel IN ('sms', 'email')"
        try db.execute(
            sql: "UPDATE outbox SET status = 'cancelled', last_error = ?, updated_at = ? WHERE customer_id = ? AND status = 'queued'"
                + channelFilter,
            arguments: [reason, now, customer])
    }

    /// Creates a task now (a reply to answer), routed like a follow-up: to whoever has the customer's newest task,
    /// else the newest deal's F&I manager or salesperson, else round-robin.
    public func createReplyTask(customerID: Int64, title: String, detail: String, now: Date, slaHours: Int) async throws -> Int64 {
        let nowText = Instant.iso8601(now)
        return try await writer.write { db in
            guard
                let deal = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT store_id, fi_manager_id, salesperson_id FROM deals WHERE customer_id = ? ORDER BY contract_date DESC LIMIT 1
                        """, arguments: [customerID])
            else { throw StoreError.notFound("customer \(customerID) has no deal") }
            let storeID: Int64 = deal["store_id"]
            let (members, last) = try staffSnapshot(db, storeID: storeID)
            let previous = try Int64.fetchOne(
                db, sql: "SELECT assignee_id FROM tasks WHERE customer_id = ? ORDER BY id DESC LIMIT 1", arguments: [customerID])
            let assignee = TaskRouting.assignee(
                fiManager: previous ?? deal["fi_manager_id"], salesperson: deal["salesperson_id"], staff: members, lastAssigned: last)
            try db.execute(
                sql: """
                    INSERT INTO tasks (store_id, customer_id, touch_id, kind, title, detail, assignee_id, due_at, sla_at, status, created_at)
                    VALUES (?, ?, NULL, 'reply', ?, ?, ?, ?, ?, 'open', ?)
                    """,
                arguments: [
                    storeID, customerID, title, detail, assignee, nowText,
                    Instant.iso8601(now.addingTimeInterval(Double(slaHours) * 3600)), nowText,
                ])
            return db.lastInsertedRowID
        }
    }
}
