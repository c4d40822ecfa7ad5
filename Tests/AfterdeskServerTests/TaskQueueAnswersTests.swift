import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskPostgres
@testable import AfterdeskSQLite

/// The task queue's answers (`PolledAnswers`): reused while nothing was committed (SQLite's `data_version`;
/// PostgreSQL's notifications, counted by `TaskQueueListener`), never stale.
@Suite(.talliedByBackend) struct TaskQueueAnswersTests {
    /// On PostgreSQL, starts the storage's listener and waits until it listens; its version (nil on SQLite).
    @discardableResult
    static func listening(_ db: any Storage) async throws -> Int64? {
        guard let listener = (db as? PostgresStorage)?.taskQueueListener else { return nil }
        listener.start()
        return try await waited("the listener to listen") { listener.version }
    }

    /// On PostgreSQL, waits until a commit's notification moved the listener's version past `version`.
    @discardableResult
    static func notified(_ db: any Storage, since version: Int64?) async throws -> Int64? {
        guard let listener = (db as? PostgresStorage)?.taskQueueListener else { return nil }
        return try await waited("a notification") { listener.version.flatMap { $0 == version ? nil : $0 } }
    }

    /// `value` once it is not nil, checked every 2 ms for up to 10 s.
    static func waited<T>(_ what: String, _ value: () -> T?) async throws -> T {
        for _ in 0..<5_000 {
            if let v = value() { return v }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw StoreError("waited 10 s for \(what)")
    }

    /// A scenario whose dispatch made Ana Ruiz's task (D-3), and the instant it ran.
    func withTask(_ backend: TestBackend) async throws -> (Scenario, Date) {
        let s = try await Scenario(backend: backend)
        let ana = try #require(try await s.touches("D-3").first)
        _ = try await s.dispatcher.run(now: utc(ana.due))
        return (s, utc(ana.due))
    }

    @Test(arguments: TestBackend.all) func anAnswerIsReusedUntilAnyConnectionCommits(backend: TestBackend) async throws {
        let (s, now) = try await withTask(backend)
        var version = try await Self.listening(s.db)
        let answers = PolledAnswers<TaskQuery, [TaskRow]>()
        let query = TaskQuery(store: "main")
        let first = try await s.db.taskQueue(query, answers: answers, now: now) { $0 }
        #expect(first.count == 1 && answers.made == 1)
        #expect(try await s.db.taskQueue(query, answers: answers, now: now) { $0 } == first)
        #expect(answers.made == 1)
        // Another connection (as another process would) commits: the next answer is made again and shows it.
        try await s.execute("UPDATE tasks SET title = 'Call Ana back' WHERE id = ?", [first[0].id])
        version = try await Self.notified(s.db, since: version)
        let changed = try await s.db.taskQueue(query, answers: answers, now: now) { $0 }
        #expect(answers.made == 2 && changed.map(\.title) == ["Call Ana back"])
        #expect(try await s.db.taskQueue(query, answers: answers, now: now) { $0 } == changed)
        #expect(answers.made == 2)
        // This database's own writer commits: the same.
        try await s.db.completeTask(id: first[0].id, outcome: .noAnswer, now: now)
        try await Self.notified(s.db, since: version)
        #expect(try await s.db.taskQueue(query, answers: answers, now: now) { $0 }.isEmpty)
        #expect(answers.made == 3)
    }

    @Test(arguments: TestBackend.all) func anAnswerEndsWhenATasksSLAPasses(backend: TestBackend) async throws {
        let (s, now) = try await withTask(backend)
        try await Self.listening(s.db)
        let answers = PolledAnswers<TaskQuery, [TaskRow]>()
        let query = TaskQuery(store: "main")
        let task = try #require(try await s.db.taskQueue(query, answers: answers, now: now) { $0 }.first)
        #expect(!task.overdue)
        let sla = task.slaAt
        // At the SLA itself the task is not yet overdue: the answer stands.
        #expect(try await s.db.taskQueue(query, answers: answers, now: sla) { $0 }.first?.overdue == false)
        #expect(answers.made == 1)
        // A second later it is: made again.
        #expect(try await s.db.taskQueue(query, answers: answers, now: sla.addingTimeInterval(1)) { $0 }.first?.overdue == true)
        #expect(answers.made == 2)
    }

    @Test(arguments: TestBackend.all) func eachScopeHasItsOwnAnswer(backend: TestBackend) async throws {
        let (s, now) = try await withTask(backend)
        let other = try await s.db.addStaff(
            store: "main", code: "S9", name: "Sam Other", role: .sales, timeZone: "America/Chicago", now: now)
        let answers = PolledAnswers<TaskQuery, [TaskRow]>()
        let victorsID = try #require(try await s.db.tasks(now: now).first?.assigneeID)
        #expect(try await s.db.taskQueue(TaskQuery(store: "main", assigneeID: victorsID), answers: answers, now: now) { $0 }.count == 1)
        #expect(try await s.db.taskQueue(TaskQuery(store: "main", assigneeID: other), answers: answers, now: now) { $0 }.isEmpty)
        #expect(try await s.db.taskQueue(TaskQuery(store: "north", assigneeID: victorsID), answers: answers, now: now) { $0 }.isEmpty)
        #expect(answers.made == 3)
    }

    /// A connection that also writes does not see its own commits in `data_version`: nothing is kept. (SQLite only: an
    /// in-memory database.)
    @Test func aDatabaseWithOneConnectionKeepsNothing() async throws {
        let db = try AfterdeskDatabase(inMemoryWith: .fixed(utc("2026-10-01T20:00:00Z")))
        let answers = PolledAnswers<TaskQuery, [TaskRow]>()
        for _ in 0..<3 { #expect(try await db.taskQueue(TaskQuery(), answers: answers, now: utc("2026-10-01T20:00:00Z")) { $0 }.isEmpty) }
        #expect(answers.made == 3)
    }
}

/// The queue's vehicle, products and why, read with one query for the page's touch items, against the three correlated
/// subqueries per task they replaced.
@Suite(.talliedByBackend) struct TaskQueueTouchItemsTests {
    /// The subqueries, in `backend`'s dialect (PostgreSQL's `string_agg` for SQLite's `group_concat`).
    static func reference(_ backend: TestBackend) -> String {
        let products =
            backend == .sqlite
            ? """
            (SELECT group_concat(product_code, ', ') FROM (SELECT DISTINCT product_code FROM touch_items
                  WHERE touch_id = t.touch_id ORDER BY product_code))
            """
            : "(SELECT string_agg(DISTINCT product_code, ', ' ORDER BY product_code) FROM touch_items WHERE touch_id = t.touch_id)"
        return """
            SELECT t.id,
                   (SELECT v.year || ' ' || v.make || ' ' || v.model FROM touch_items i JOIN deals d ON d.id = i.deal_id
                      JOIN vehicles v ON v.id = d.vehicle_id WHERE i.touch_id = t.touch_id LIMIT 1) AS vehicle,
                   \(products) AS products,
                   (SELECT reason FROM touch_items WHERE touch_id = t.touch_id ORDER BY product_code LIMIT 1) AS why
            FROM tasks t ORDER BY t.id
            """
    }

    @Test(arguments: TestBackend.all) func theSameAsTheSubqueriesOnTasksOfSeveralItemsAndDeals(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let ana = try #require(try await s.touches("D-3").first)
        _ = try await s.dispatcher.run(now: utc(ana.due))
        let task = try #require(try await s.rows("SELECT id, touch_id, customer_id FROM tasks").first)
        // The task's touch also names a later deal's products, one of them sorting first, and the same product again.
        let later: Int64 = try await s.rows("SELECT id FROM deals WHERE deal_number = 'D-2'")[0][0]
        for (product, reason) in [("appearance", "a later deal's first code"), ("vsc", "the same product again"), ("zz", "last")] {
            try await s.execute(
                "INSERT INTO touch_items (touch_id, deal_id, product_code, touch_name, template, reason) VALUES (?, ?, ?, 'x', 'x', ?)",
                [task["touch_id"] as Int64, later, product, reason])
        }
        // A reply task, with no touch.
        try await s.execute(
            """
            INSERT INTO tasks (store_id, customer_id, kind, title, detail, due_at, sla_at, status, created_at)
            VALUES (1, ?, 'reply', 'Reply', 'x', '2026-10-02T00:00:00Z', '2026-10-02T04:00:00Z', 'open', '2026-10-02T00:00:00Z')
            """, [task["customer_id"] as Int64])
        let got = try await s.db.tasks(status: nil, now: utc(ana.due)).sorted { $0.id < $1.id }
        let expected = try await s.rows(Self.reference(backend))
        #expect(got.count == 2 && expected.count == 2)
        for (g, e) in zip(got, expected) {
            #expect(g.id == e["id"] as Int64)
            #expect(g.vehicle == e["vehicle"] as String? && g.products == e["products"] as String? && g.why == e["why"] as String?)
        }
        #expect(got[0].products == "appearance, vsc, zz" && got[0].vehicle != nil && got[1].products == nil)
    }
}
