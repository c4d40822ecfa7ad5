import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// Tasks, soonest first. `assignee` is a staff code or id as typed; `assigneeID` and `store` narrow the list to what
    /// a signed-in person may see.
    public func tasks(_ query: TaskQuery, now: Date) async throws -> [TaskRow] {
        try await read { conn in try await taskRows(conn, query, now: now) }
    }

    /// Whose a task is and in which store, to decide who may see it; nil when there is no such task.
    public func taskOwner(id: Int64) async throws -> (assigneeID: Int64?, store: String)? {
        try await read { conn in
            for try await (assignee, store) in try await conn.statement(
                "SELECT t.assignee_id, s.code FROM tasks t JOIN stores s ON s.id = t.store_id WHERE t.id = \(id)", logger: logger
            ).decode((Int64?, String).self) {
                return (assignee, store)
            }
            return nil
        }
    }

    /// Open tasks, and those of them past their SLA: for monitoring.
    public func taskCounts(now: Date) async throws -> (open: Int, overdue: Int) {
        try await read { conn in
            for try await (open, overdue) in try await conn.statement(
                """
                SELECT count(*), count(*) FILTER (WHERE sla_at < \(now.wholeSecond)) FROM tasks WHERE status = 'open'
                """, logger: logger
            ).decode((Int, Int).self) {
                return (open, overdue)
            }
            return (0, 0)
        }
    }

    /// Moves an open task to a new due time (its SLA moves with it).
    public func rescheduleTask(id: Int64, to: Date, slaHours: Int) async throws {
        let sla = to.addingTimeInterval(Double(slaHours) * 3600)
        try await write { conn in
            let moved = try await conn.one(
                Int64.self,
                """
                UPDATE tasks SET due_at = \(to.wholeSecond), sla_at = \(sla.wholeSecond), escalated_at = NULL, escalated_to = NULL
                WHERE id = \(id) AND status = 'open' RETURNING id
                """, logger)
            if moved == nil { throw StoreError.notFound("no open task \(id)") }
        }
    }

    /// Hands open tasks past their SLA to the store's manager, once. Returns how many. Each overdue task is locked as it
    /// is read, and one a concurrent run holds is skipped: two servers escalating at once move each task once.
    /// Never to a manager deactivated meanwhile: see below, and `deactivateStaff`, which clears escalations to them.
    public func escalateOverdue(now: Date) async throws -> Int {
        let at = now.wholeSecond
        return try await write { conn in
            var overdue: [(id: Int64, store: Int64, assignee: Int64?)] = []
            for try await row in try await conn.statement(
                """
                SELECT id, store_id, assignee_id FROM tasks WHERE status = 'open' AND escalated_at IS NULL AND sla_at < \(at)
                ORDER BY id FOR UPDATE SKIP LOCKED
                """, logger: logger
            ).decode((Int64, Int64, Int64?).self) {
                overdue.append(row)
            }
            // Escalating changes nobody's open tasks: each store's staff is read once.
            var staffOf: [Int64: [StaffMember]] = [:]
            var count = 0
            for t in overdue {
                let members: [StaffMember]
                if let known = staffOf[t.store] {
                    members = known
                } else {
                    members = try await staffSnapshot(conn, storeID: t.store).staff
                    staffOf[t.store] = members
                }
                guard let manager = TaskRouting.escalation(staff: members, excluding: t.assignee) else { continue }
                // The manager held against a deactivation and read again: one being deactivated (their row locked) is
                // passed over without waiting for it, and the task is left for the next pass (waiting, while this
                // holds overdue tasks the deactivation may hand on, could close a cycle); one deactivated after this
                // commits finds the escalation and clears it.
                guard
                    try await conn.one(Bool.self, "SELECT active FROM staff WHERE id = \(manager) FOR SHARE SKIP LOCKED", logger)
                        == true
                else {
                    staffOf[t.store] = nil
                    continue
                }
                try await conn.run("UPDATE tasks SET escalated_to = \(manager), escalated_at = \(at) WHERE id = \(t.id)", logger)
                count += 1
            }
            return count
        }
    }

    /// Creates a task now (a reply to answer), routed like a follow-up: to whoever has the customer's newest task,
    /// else the newest deal's F&I manager or salesperson, else round-robin; never to someone deactivated meanwhile.
    public func createReplyTask(customerID: Int64, title: String, detail: String, now: Date, slaHours: Int) async throws -> Int64 {
        let at = now.wholeSecond
        let sla = now.addingTimeInterval(Double(slaHours) * 3600).wholeSecond
        return try await write { conn in
            var deal: (store: Int64, fi: Int64?, sales: Int64?)?
            for try await row in try await conn.statement(
                """
                SELECT store_id, fi_manager_id, salesperson_id FROM deals WHERE customer_id = \(customerID)
                ORDER BY contract_date DESC LIMIT 1
                """, logger: logger
            ).decode((Int64, Int64?, Int64?).self) {
                deal = row
            }
            guard let deal else { throw StoreError.notFound("customer \(customerID) has no deal") }
            let previous = try await conn.one(
                Int64?.self, "SELECT assignee_id FROM tasks WHERE customer_id = \(customerID) ORDER BY id DESC LIMIT 1", logger)
            // The person chosen is held against a deactivation (`deactivateStaff` locks the store's staff FOR NO KEY
            // UPDATE, which the task's foreign key check alone would not wait for) and read again: one in progress ends
            // first, and then, inactive, they are passed over and the routing runs again on the staff as they are now;
            // one that starts after waits for this task, then hands it on with the person's others. One row at a time,
            // the chosen one's: a lock on the store's staff together could close a cycle with an import, which updates
            // staff rows in the order its deals name them.
            var assignee: Int64?
            var passedOver: Set<Int64> = []
            while true {
                let (members, last) = try await staffSnapshot(conn, storeID: deal.store)
                let available = members.map { m in
                    var m = m
                    if passedOver.contains(m.id) { m.active = false }
                    return m
                }
                assignee = TaskRouting.assignee(
                    fiManager: previous.flatMap { $0 } ?? deal.fi, salesperson: deal.sales, staff: available, lastAssigned: last)
                guard let chosen = assignee,
                    try await conn.one(Bool.self, "SELECT active FROM staff WHERE id = \(chosen) FOR SHARE", logger) != true
                else { break }
                passedOver.insert(chosen)
            }
            guard
                let id = try await conn.one(
                    Int64.self,
                    """
                    INSERT INTO tasks (store_id, customer_id, touch_id, kind, title, detail, assignee_id, due_at, sla_at, status, created_at)
                    VALUES (\(deal.store), \(customerID), NULL, 'reply', \(title), \(detail), \(assignee), \(at), \(sla), 'open', \(at))
                    RETURNING id
                    """, logger)
            else { throw StoreError.integrity("the reply task was not recorded") }
            return id
        }
    }
}
