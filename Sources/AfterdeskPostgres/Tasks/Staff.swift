import AfterdeskCore
import AfterdeskStorage
import Foundation
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
    /// store's staff are locked first (in id order), so two deactivations in one store never hand tasks to each other.
    public func deactivateStaff(store: String, code: String, now: Date) async throws -> Int {
        try await write { conn in
            var member: Int64?
            var storeID: Int64?
            for try await (id, sid, staffCode) in try await conn.statement(
                """
                SELECT s.id, s.store_id, s.staff_code FROM staff s
                WHERE s.store_id = (SELECT id FROM stores WHERE code = \(store)) ORDER BY s.id FOR NO KEY UPDATE
                """, logger: logger
            ).decode((Int64, Int64, String).self) where staffCode == code {
                member = id
                storeID = sid
            }
            guard let member, let storeID else { throw StoreError.notFound("no staff member '\(code)' in store '\(store)'") }
            try await conn.run("UPDATE staff SET active = false WHERE id = \(member)", logger)
            let open = try await conn.all(
                Int64.self, "SELECT id FROM tasks WHERE assignee_id = \(member) AND status = 'open' ORDER BY id FOR UPDATE", logger)
            let (members, last) = try await staffSnapshot(conn, storeID: storeID)
            let newest = try await conn.one(Int64?.self, "SELECT max(id) FROM tasks WHERE store_id = \(storeID)", logger) ?? nil
            for move in TaskRouting.reassignments(of: open, staff: members, lastAssigned: last, newestTask: newest) {
                try await conn.run("UPDATE tasks SET assignee_id = \(move.assignee) WHERE id = \(move.task)", logger)
            }
            return open.count
        }
    }

    /// The store's staff with their open task counts, and who got the store's newest task (for round-robin).
    public func staffSnapshot(storeID: Int64) async throws -> (staff: [StaffMember], lastAssigned: Int64?) {
        try await read { conn in try await staffSnapshot(conn, storeID: storeID) }
    }

    func staffSnapshot(_ conn: PostgresConnection, storeID: Int64) async throws -> (staff: [StaffMember], lastAssigned: Int64?) {
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
