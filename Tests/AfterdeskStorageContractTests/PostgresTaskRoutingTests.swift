import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO
import Testing

@testable import AfterdeskPostgres

/// Routing a task on PostgreSQL while someone is being deactivated on another server: SQLite writes one at a time, so
/// only PostgreSQL can interleave them.
@Suite struct PostgresTaskRoutingTests {
    /// A reply arrives while an admin deactivates the F&I manager it would go to: the deactivation (its staff locked, the
    /// person marked inactive, not yet committed) is held open while the reply's task is made; the task waits for it and
    /// goes to someone active, never to the person just deactivated (whose open tasks the deactivation had already
    /// handed on, so a task given them now would wait for its deadline with no one to do it).
    @Test func aReplyTaskWaitsForADeactivationInProgressAndGoesToSomeoneActive() async throws {
        let f = try Fixture()
        let s = try await dealership(f)
        defer { s.close() }
        let (customer, manager, store) = try #require(try await customerWithManager(s))
        // Unhindered, the reply goes to that F&I manager.
        let before = try await s.createReplyTask(customerID: customer, title: "Reply", detail: "d", now: f.now, slaHours: 4)
        #expect(try await assignee(s, before) == manager)
        // What deactivateStaff does first: the store's roster lock, the person's row locked and marked inactive; the reply's
        // task is made meanwhile, on another connection, unless it waits for this transaction.
        let id = try await replyTask(
            s, customer: customer, at: f.now, wait: .milliseconds(500),
            while: [
                "SELECT pg_advisory_xact_lock(2903, hashint8(\(store)))",
                "SELECT id FROM staff WHERE id = \(manager) FOR NO KEY UPDATE",
                "UPDATE staff SET active = false WHERE id = \(manager)",
            ])
        let given = try await assignee(s, id)
        #expect(given != nil && given != manager, "the reply's task went to the F&I manager being deactivated")
    }

    /// A reply while an import updates the store's staff rows (an import upserts each member its deals name, in their
    /// order, holding each row to its commit): the reply holds only the person it chose, so the two never wait on each
    /// other in a cycle (a reply that held the store's staff together could deadlock with it, and be lost).
    @Test func aReplyTaskAndAnImportUpdatingTheStaffNeverDeadlock() async throws {
        let f = try Fixture()
        let s = try await dealership(f)
        defer { s.close() }
        let (customer, manager, store) = try #require(try await customerWithManager(s))
        // Two other members of the store, the lowest id and the highest: the import updates the highest, then the lowest.
        let others = try await s.read { conn in
            try await conn.all(Int64.self, "SELECT id FROM staff WHERE store_id = \(store) AND id <> \(manager) ORDER BY id", s.logger)
        }
        let (low, high) = (try #require(others.first), try #require(others.last))
        try #require(low != high)
        let id = try await replyTask(
            s, customer: customer, at: f.now, wait: .milliseconds(300), while: ["UPDATE staff SET name = name WHERE id = \(high)"],
            then: ["UPDATE staff SET name = name WHERE id = \(low)"])
        #expect(try await assignee(s, id) == manager)
    }

    /// Dispatch routed a task to a salesperson; while it records the page, an admin on another server deactivates them
    /// (the store's roster lock taken, the person marked inactive, not yet committed, their open tasks already handed
    /// on). The page waits for the deactivation at the roster lock, holding no touch meanwhile (a task completed while
    /// the deactivation waits for it may be waiting for those touches: a cycle), then gives its task to someone active;
    /// recorded without waiting, it would commit with the person just deactivated, after their tasks were handed on.
    @Test func aDispatchedTaskWaitsForADeactivationInProgressAndGoesToSomeoneActive() async throws {
        let f = try Fixture()
        let s = try await dealership(f)
        defer { s.close() }
        _ = try await s.planCustomers(
            planner: f.planner, now: f.now, customerIDs: nil, rangeSize: 2_000, transactionSize: 50_000, progress: nil)
        let t = try #require(try await s.dueTouches(now: f.at(800 * 86_400), limit: 1, after: nil).first)
        let leaving = try await s.addStaff(
            store: t.storeCode, code: "L1", name: "Lee Leaving", role: .sales, timeZone: "America/Chicago", now: f.now)
        let record = DispatchRecord.dispatched(
            touchID: t.id, customerID: t.customer.id, messages: [],
            task: NewTask(
                storeID: t.storeID, customerID: t.customer.id, kind: .followUp, title: "Call", detail: "d", assigneeID: leaving,
                dueAt: f.now, slaAt: f.at(3_600)),
            dropped: [])
        let started = AsyncStream<Void>.makeStream()
        let recording = Task {
            for await _ in started.stream { break }
            return try await s.record([record], now: f.now)
        }
        try await s.write { conn in
            defer { started.continuation.finish() }
            try await conn.run(RosterLock.take([t.storeID], shared: false), s.logger)
            try await conn.run("UPDATE staff SET active = false WHERE id = \(leaving)", s.logger)
            started.continuation.yield()
            try #require(try await rosterWaiter(s), "the page was recorded without waiting for the deactivation")
            // Waiting, the page holds its touch no more than before it began.
            let free = try await s.write { other in
                try await other.one(Int64.self, "SELECT id FROM touches WHERE id = \(t.id) FOR UPDATE NOWAIT", s.logger)
            }
            #expect(free == t.id)
        }
        let task = try #require(try await recording.value[t.id])
        let given = try await assignee(s, task)
        #expect(given != nil && given != leaving, "the dispatched task went to the salesperson being deactivated")
    }

    /// A deactivation while an import updates the store's staff rows in its deals' order (the highest id, then the
    /// lowest, the one deactivated): the deactivation locks the person's row alone, so the two never wait on each other
    /// in a cycle (one that locked the store's staff in id order held the lowest and waited for the highest: deadlock).
    @Test func aDeactivationAndAnImportUpdatingTheStaffNeverDeadlock() async throws {
        let f = try Fixture()
        let s = try await dealership(f)
        defer { s.close() }
        let (_, _, store) = try #require(try await customerWithManager(s))
        let staff = try await s.read { conn in
            try await conn.rows("SELECT id, staff_code FROM staff WHERE store_id = \(store) ORDER BY id", s.logger)
                .map { try $0.decode((Int64, String).self) }
        }
        let (low, high) = (try #require(staff.first), try #require(staff.last))
        try #require(low.0 != high.0)
        let code = try #require(
            try await s.read { conn in try await conn.one(String.self, "SELECT code FROM stores WHERE id = \(store)", s.logger) })
        let started = AsyncStream<Void>.makeStream()
        let deactivation = Task {
            for await _ in started.stream { break }
            return try await s.deactivateStaff(store: code, code: low.1, now: f.now)
        }
        try await s.write { conn in
            defer { started.continuation.finish() }
            try await conn.run("UPDATE staff SET name = name WHERE id = \(high.0)", s.logger)
            started.continuation.yield()
            try await Task.sleep(for: .milliseconds(300))
            try await conn.run("UPDATE staff SET name = name WHERE id = \(low.0)", s.logger)
        }
        _ = try await deactivation.value
        let members = try await s.staff(store: code)
        #expect(members.first { $0.id == low.0 }?.active == false)
    }

    /// Whether a transaction of this database comes to wait for a roster lock (`RosterLock`) within 10 s.
    func rosterWaiter(_ s: PostgresStorage) async throws -> Bool {
        for _ in 0..<1_000 {
            let waiting = try await s.read { conn in
                try await conn.one(
                    Int64.self,
                    """
                    SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 2903 AND NOT granted
                        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """, s.logger)
            }
            if (waiting ?? 0) > 0 { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// The id of a reply's task for `customer`, made while a transaction of its own runs `first`, waits `wait`, then
    /// runs `then` and commits: the reply starts once `first` is done.
    func replyTask(
        _ s: PostgresStorage, customer: Int64, at now: Date, wait: Duration, while first: [String], then: [String] = []
    ) async throws -> Int64 {
        let started = AsyncStream<Void>.makeStream()
        let reply = Task {
            for await _ in started.stream { break }
            return try await s.createReplyTask(customerID: customer, title: "Reply", detail: "d", now: now, slaHours: 4)
        }
        try await s.write { conn in
            for statement in first { try await conn.run(PostgresQuery(unsafeSQL: statement), s.logger) }
            started.continuation.yield()
            try await Task.sleep(for: wait)
            for statement in then { try await conn.run(PostgresQuery(unsafeSQL: statement), s.logger) }
        }
        return try await reply.value
    }

    /// An overdue task's escalation while an admin deactivates the store's only manager (their row locked, marked
    /// inactive, not yet committed): the pass goes on without waiting for them (it holds overdue tasks the deactivation
    /// may hand on: waiting could close a cycle) and escalates nothing to them; the task waits for the next pass.
    @Test(.timeLimit(.minutes(1))) func anEscalationPassesOverAManagerBeingDeactivated() async throws {
        let f = try Fixture()
        let s = try await emptyDatabase(f)
        defer { s.close() }
        let made = try #require(try await tasksFromDispatch(s, f, count: 1).first)
        try await s.rescheduleTask(id: made.id, to: f.now, slaHours: 1)
        let manager = try await s.addStaff(
            store: made.touch.storeCode, code: "M1", name: "Morgan Manager", role: .manager, timeZone: "America/Chicago", now: f.now)
        let escalated = try await s.write { conn in
            try await conn.run(RosterLock.take([made.touch.storeID], shared: false), s.logger)
            try await conn.run("SELECT id FROM staff WHERE id = \(manager) FOR NO KEY UPDATE", s.logger)
            try await conn.run("UPDATE staff SET active = false WHERE id = \(manager)", s.logger)
            // Another server's pass, meanwhile (waiting for this transaction would never end: the test holds it).
            return try await s.escalateOverdue(now: f.at(7_200))
        }
        #expect(escalated == 0, "an overdue task was escalated to the manager being deactivated")
        let open = try await s.tasks(
            assignee: nil, status: .open, limit: 10, store: nil, assigneeID: nil, taskID: made.id, now: f.at(7_200))
        #expect(open.first?.escalatedTo == nil)
    }

    /// A new, empty database, opened as a server would.
    func emptyDatabase(_ f: Fixture) async throws -> PostgresStorage {
        let name = try await PostgresTestDatabases.shared.freshDatabase()
        let location = try await PostgresTestDatabases.shared.location(of: name)
        return try await PostgresStorage.open(location, clock: .fixed(f.now), uploads: f.path("u"), maximumConnections: 4)
    }

    /// A new database with the fixture's dealership imported (not planned), opened as a server would.
    func dealership(_ f: Fixture) async throws -> PostgresStorage {
        let s = try await emptyDatabase(f)
        let imported = try await s.importDeals(files: [try f.write("deals.csv", f.dealershipCSV(days: 25))], options: f.importOptions())
        #expect(imported.inserted > 20)
        return s
    }

    /// A customer whose newest deal has an F&I manager, with another active colleague in the store to take a task: the
    /// customer, the manager and the store.
    func customerWithManager(_ s: PostgresStorage) async throws -> (Int64, Int64, Int64)? {
        try await s.read { conn in
            try await conn.rows(
                """
                SELECT d.customer_id, d.fi_manager_id, d.store_id FROM deals d
                WHERE d.fi_manager_id IS NOT NULL AND d.contract_date = (SELECT max(contract_date) FROM deals e WHERE e.customer_id = d.customer_id)
                    AND (SELECT count(*) FROM staff s WHERE s.store_id = d.store_id AND s.active) > 2
                ORDER BY d.id LIMIT 1
                """, s.logger
            ).first.map { try $0.decode((Int64, Int64, Int64).self) }
        }
    }

    /// The staff id task `id` is assigned to.
    func assignee(_ s: PostgresStorage, _ id: Int64) async throws -> Int64? {
        try await s.read { conn in try await conn.one(Int64?.self, "SELECT assignee_id FROM tasks WHERE id = \(id)", s.logger) } ?? nil
    }
}
