import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

extension PostgresStorage {
    public func staff(store: String?) async throws -> [StaffRow] {
        try await read { conn in
            var out: [StaffRow] = []
            for try await (id, storeCode, code, name, role, active, open) in try await conn.statement(
                """
                SELECT s.id, st.code, s.staff_code, s.name, s.role, s.active,
                       (SELECT count(*) FROM tasks t WHERE t.assignee_id = s.id AND t.status = 'open')
                FROM staff s JOIN stores st ON st.id = s.store_id
                WHERE \(store)::text IS NULL OR st.code = \(store) ORDER BY st.code, s.staff_code
                """, logger: logger
            ).decode((Int64, String, String, String?, String, Bool, Int).self) {
                out.append(
                    StaffRow(
                        id: id, store: storeCode, code: code, name: name, role: try TaskStoredText.value(role, of: "staff", "role"),
                        active: active, openTasks: open))
            }
            return out
        }
    }

    /// Adds a member of staff, or updates (and reactivates) the one with that code.
    @discardableResult
    public func addStaff(store: String, code: String, name: String?, role: StaffRole, timeZone: String, now: Date) async throws -> Int64 {
        // The zone given for the store (used when this adds it): checked here, so every read of a stored zone can trust it.
        do { _ = try TimeZone.store(timeZone) } catch { throw StoreError("time zone: \(error)") }
        let at = now.wholeSecond
        return try await write { conn in
            try await conn.run(
                """
                INSERT INTO stores (code, name, time_zone, created_at) VALUES (\(store), \(store), \(timeZone), \(at))
                ON CONFLICT (code) DO NOTHING
                """, logger)
            guard
                let id = try await conn.one(
                    Int64.self,
                    """
                    INSERT INTO staff (store_id, staff_code, name, role, active, created_at)
                    VALUES ((SELECT id FROM stores WHERE code = \(store)), \(code), \(name), \(role.rawValue), true, \(at))
                    ON CONFLICT (store_id, staff_code) DO UPDATE
                    SET name = COALESCE(excluded.name, staff.name), role = excluded.role, active = true
                    RETURNING id
                    """, logger)
            else { throw StoreError.integrity("the staff member was not recorded") }
            return id
        }
    }

    /// Deactivates a member of staff; their open tasks are reassigned now, to the least loaded active colleague. The
    /// store's roster lock is taken alone first (`RosterLock`): tasks routed before and recorded meanwhile are then seen,
    /// or wait, and two deactivations in one store never hand tasks to each other. Of the staff rows only the person's
    /// is locked: an import updates the rows its deals name in their order, and a lock on the store's staff together
    /// could close a cycle with it.
    public func deactivateStaff(store: String, code: String, now: Date) async throws -> Int {
        try await write { conn in
            guard let storeID = try await conn.one(Int64.self, "SELECT id FROM stores WHERE code = \(store)", logger) else {
                throw StoreError.notFound("no staff member '\(code)' in store '\(store)'")
            }
            try await conn.run(RosterLock.take([storeID], shared: false), logger)
            guard
                let member = try await conn.one(
                    Int64.self, "SELECT id FROM staff WHERE store_id = \(storeID) AND staff_code = \(code) FOR NO KEY UPDATE", logger)
            else { throw StoreError.notFound("no staff member '\(code)' in store '\(store)'") }
            try await conn.run("UPDATE staff SET active = false WHERE id = \(member)", logger)
            // Open tasks escalated to them wait for an active manager: the next escalation pass picks one.
            try await conn.run(
                "UPDATE tasks SET escalated_to = NULL, escalated_at = NULL WHERE escalated_to = \(member) AND status = 'open'", logger)
            let open = try await conn.all(
                Int64.self, "SELECT id FROM tasks WHERE assignee_id = \(member) AND status = 'open' ORDER BY id FOR UPDATE", logger)
            try await RosterLock.handOn(conn, tasks: open, store: storeID, logger)
            return open.count
        }
    }

    /// The store's staff with their open task counts, and who got the store's newest task (for round-robin).
    public func staffSnapshot(storeID: Int64) async throws -> (staff: [StaffMember], lastAssigned: Int64?) {
        try await read { conn in try await staffSnapshot(conn, storeID: storeID) }
    }

    func staffSnapshot(_ conn: PostgresConnection, storeID: Int64) async throws -> (staff: [StaffMember], lastAssigned: Int64?) {
        try await Self.staffSnapshot(conn, storeID: storeID, logger)
    }

    static func staffSnapshot(_ conn: PostgresConnection, storeID: Int64, _ logger: Logger) async throws
        -> (staff: [StaffMember], lastAssigned: Int64?)
    {
        var members: [StaffMember] = []
        for try await (id, role, active, open) in try await conn.statement(
            """
            SELECT s.id, s.role, s.active, (SELECT count(*) FROM tasks t WHERE t.assignee_id = s.id AND t.status = 'open')
            FROM staff s WHERE s.store_id = \(storeID) ORDER BY s.id
            """, logger: logger
        ).decode((Int64, String, Bool, Int).self) {
            members.append(StaffMember(id: id, role: role, active: active, openTasks: open))
        }
        let last = try await conn.one(
            Int64?.self, "SELECT assignee_id FROM tasks WHERE store_id = \(storeID) ORDER BY id DESC LIMIT 1", logger)
        return (members, last ?? nil)
    }

    public func staffName(id: Int64) async throws -> String? {
        try await read { conn in
            try await conn.one(String.self, "SELECT COALESCE(name, staff_code) FROM staff WHERE id = \(id)", logger)
        }
    }
}

/// A store's roster lock, a transaction's advisory lock keyed on the store (class 2903): a deactivation holds it alone
/// while it marks the person inactive and hands their open tasks on; recording tasks that dispatch or an offer page
/// routed before their transaction holds it shared, then hands on any task whose person is inactive by then
/// (`handOnFromInactive`). So a deactivation either ends before the tasks are checked, and they go to someone active,
/// or starts after they are committed, and hands them on with the person's others; never a task left with someone who
/// has gone. A recording takes it first, before any row lock (dispatch's touches, an offer link): a deactivation waits
/// for a task's row another transaction holds, which may be waiting for those rows, so a recording that held them
/// while it waited here could close a cycle. Nothing else takes it.
enum RosterLock {
    /// Takes the lock of each store, in the keys' order (shared ones never wait in a cycle with one taken alone).
    static func take(_ stores: [Int64], shared: Bool) -> PostgresQuery {
        """
        SELECT \(unescaped: shared ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock")(2903, k)
        FROM (SELECT DISTINCT hashint8(s) AS k FROM unnest(\(stores)::int8[]) s ORDER BY 1) o
        """
    }

    /// Tasks among `ids` assigned to someone inactive (deactivated since they were routed) go on to the least loaded
    /// active colleague of their store, as `deactivateStaff` hands on a person's open tasks. Under the roster lock.
    static func handOnFromInactive(_ conn: PostgresConnection, tasks ids: [Int64], _ logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        var stranded: [Int64: [Int64]] = [:]
        for try await (task, store) in try await conn.statement(
            """
            SELECT t.id, t.store_id FROM tasks t JOIN staff s ON s.id = t.assignee_id
            WHERE t.id = ANY(\(ids)::int8[]) AND NOT s.active ORDER BY t.id
            """, logger: logger
        ).decode((Int64, Int64).self) {
            stranded[store, default: []].append(task)
        }
        for (store, tasks) in stranded.sorted(by: { $0.key < $1.key }) {
            try await handOn(conn, tasks: tasks, store: store, logger)
        }
    }

    /// Hands `tasks` of `store` on to its least loaded active colleagues, round-robin from its newest task's person
    /// (`TaskRouting.reassignments`). Under the roster lock.
    static func handOn(_ conn: PostgresConnection, tasks: [Int64], store: Int64, _ logger: Logger) async throws {
        guard !tasks.isEmpty else { return }
        let (members, last) = try await PostgresStorage.staffSnapshot(conn, storeID: store, logger)
        let newest = try await conn.one(Int64?.self, "SELECT max(id) FROM tasks WHERE store_id = \(store)", logger) ?? nil
        for move in TaskRouting.reassignments(of: tasks, staff: members, lastAssigned: last, newestTask: newest) {
            try await conn.run("UPDATE tasks SET assignee_id = \(move.assignee) WHERE id = \(move.task)", logger)
        }
    }
}
