import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {

    public func staff(store: String? = nil) async throws -> [StaffRow] {
        try await writer.read { db in
            var sql = """
                SELECT s.id, st.code AS store_code, s.staff_code, s.name, s.role, s.active,
                       (SELECT COUNT(*) FROM tasks t WHERE t.assignee_id = s.id AND t.status = 'open') AS open_tasks
                FROM staff s JOIN stores st ON st.id = s.store_id
                """
            var args: StatementArguments = []
            if let store {
                sql += " WHERE st.code = ?"
                args += [store]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY st.code, s.staff_code", arguments: args).map {
                try StaffRow(
                    id: $0["id"], store: $0["store_code"], code: $0["staff_code"], name: $0["name"], role: $0.stored("role", of: "staff"),
                    active: $0["active"], openTasks: $0["open_tasks"])
            }
        }
    }

    /// Adds a member of staff, or updates (and reactivates) the one with that code.
    @discardableResult
    public func addStaff(store: String, code: String, name: String?, role: StaffRole, timeZone: String, now: Date) async throws -> Int64 {
        // The zone given for the store (used when this adds it): checked here, so every read of a stored zone can trust it.
        do { _ = try TimeZone.store(timeZone) } catch { throw StoreError("time zone: \(error)") }
        let nowText = Instant.iso8601(now)
        return try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO stores (code, name, time_zone, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
                arguments: [store, store, timeZone, nowText])
            let storeID = try Int64.fetchOne(db, sql: "SELECT id FROM stores WHERE code = ?", arguments: [store])!
            try db.execute(
                sql: """
                    INSERT INTO staff (store_id, staff_code, name, role, active, created_at) VALUES (?, ?, ?, ?, 1, ?)
                    ON CONFLICT (store_id, staff_code) DO UPDATE SET name = COALESCE(excluded.name, name), role = excluded.role, active = 1
                    """, arguments: [storeID, code, name, role.rawValue, nowText])
            guard
                let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM staff WHERE store_id = ? AND staff_code = ?", arguments: [storeID, code])
            else { throw StoreError.integrity("staff member '\(code)' was not recorded") }
            return id
        }
    }

    /// Deactivates a member of staff; their open tasks are reassigned now, to the least loaded active colleague.
    public func deactivateStaff(store: String, code: String, now: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE staff SET active = 0 WHERE staff_code = ? AND store_id = (SELECT id FROM stores WHERE code = ?)",
                arguments: [code, store])
            guard db.changesCount == 1,
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT s.id, s.store_id FROM staff s JOIN stores st ON st.id = s.store_id WHERE s.staff_code = ? AND st.code = ?
                        """, arguments: [code, store])
            else { throw StoreError.notFound("no staff member '\(code)' in store '\(store)'") }
            // Open tasks escalated to them wait for an active manager: the next escalation pass picks one.
            try db.execute(
                sql: "UPDATE tasks SET escalated_to = NULL, escalated_at = NULL WHERE escalated_to = ? AND status = 'open'",
                arguments: [row["id"] as Int64])
            // Open tasks of someone who left are reassigned now, to the least loaded active colleague.
            let open = try Int64.fetchAll(
                db, sql: "SELECT id FROM tasks WHERE assignee_id = ? AND status = 'open' ORDER BY id", arguments: [row["id"] as Int64])
            try handOn(db, open, store: row["store_id"])
            return open.count
        }
    }

    /// The store's staff with their open task counts, and who got the store's newest task (for round-robin).
    public func staffSnapshot(storeID: Int64) async throws -> (staff: [StaffMember], lastAssigned: Int64?) {
        try await writer.read { db in try staffSnapshot(db, storeID: storeID) }
    }

    /// Tasks `ids` of store `storeID` go on to the least loaded active colleagues, in order.
    func handOn(_ db: Database, _ ids: [Int64], store storeID: Int64) throws {
        guard !ids.isEmpty else { return }
        let (members, last) = try staffSnapshot(db, storeID: storeID)
        let newest = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM tasks WHERE store_id = ?", arguments: [storeID])
        for move in TaskRouting.reassignments(of: ids, staff: members, lastAssigned: last, newestTask: newest) {
            try db.execute(sql: "UPDATE tasks SET assignee_id = ? WHERE id = ?", arguments: [move.assignee, move.task])
        }
    }

    /// Tasks among `ids` assigned to someone inactive — deactivated after dispatch or an offer page routed them, before
    /// their transaction — go on as `deactivateStaff` hands on a person's open tasks. SQLite writes one transaction at a
    /// time: a deactivation committed before this one is seen here, and one after it sees these tasks.
    func handOnFromInactive(_ db: Database, tasks ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        var stranded: [Int64: [Int64]] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT t.id, t.store_id FROM tasks t JOIN staff s ON s.id = t.assignee_id
                WHERE t.id IN (SELECT value FROM json_each(?)) AND NOT s.active ORDER BY t.id
                """, arguments: [String(decoding: try JSONEncoder().encode(ids), as: UTF8.self)])
        {
            stranded[row["store_id"], default: []].append(row["id"])
        }
        for (store, tasks) in stranded.sorted(by: { $0.key < $1.key }) { try handOn(db, tasks, store: store) }
    }

    func staffSnapshot(_ db: Database, storeID: Int64) throws -> (staff: [StaffMember], lastAssigned: Int64?) {
        let members = try Row.fetchAll(
            db,
            sql: """
                SELECT s.id, s.role, s.active, (SELECT COUNT(*) FROM tasks t WHERE t.assignee_id = s.id AND t.status = 'open') AS open_tasks
                FROM staff s WHERE s.store_id = ? ORDER BY s.id
                """, arguments: [storeID]
        ).map { StaffMember(id: $0["id"], role: $0["role"], active: $0["active"], openTasks: $0["open_tasks"]) }
        let last = try Int64.fetchOne(
            db, sql: "SELECT assignee_id FROM tasks WHERE store_id = ? ORDER BY id DESC LIMIT 1", arguments: [storeID])
        return (members, last)
    }

    public func staffName(id: Int64) async throws -> String? {
        try await writer.read { db in
            try String.fetchOne(db, sql: "SELECT COALESCE(name, staff_code) FROM staff WHERE id = ?", arguments: [id])
        }
    }
}
