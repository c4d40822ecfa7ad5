import AfterdeskCore
import Foundation
import GRDB
import Testing

@testable import AfterdeskStore

/// The task queue's answers, reused while nothing was committed (`PolledAnswers`), on a real SQLite file.
@Suite struct TaskQueueAnswersTests {
    /// A scenario whose dispatch made Ana Ruiz's task (D-3), and the instant it ran.
    func withTask() async throws -> (Scenario, Date) {
        let s = try Scenario()
        let ana = try #require(try s.touches("D-3").first)
        _ = try await s.dispatcher.run(now: utc(ana.due))
        return (s, utc(ana.due))
    }

    @Test func anAnswerIsReusedUntilAnyConnectionCommits() async throws {
        let (s, now) = try await withTask()
        let answers = PolledAnswers<TaskQuery, [TaskRow]>()
        let query = TaskQuery(store: "main")
        let first = try s.db.taskQueue(query, answers: answers, now: now) { $0 }
        #expect(first.count == 1 && answers.made == 1)
        #expect(try s.db.taskQueue(query, answers: answers, now: now) { $0 } == first)
        #expect(answers.made == 1)
        // Another connection (as another process would) commits: the next answer is made again and shows it.
        try s.execute("UPDATE tasks SET title = 'Call Ana back' WHERE id = ?", [first[0].id])
        let changed = try s.db.taskQueue(query, answers: answers, now: now) { $0 }
        #expect(answers.made == 2 && changed.map(\.title) == ["Call Ana back"])
        // This database's own writer commits: the same.
        try s.db.completeTask(id: first[0].id, outcome: .noAnswer, now: now)
        #expect(try s.db.taskQueue(query, answers: answers, now: now) { $0 }.isEmpty)
        #expect(answers.made == 3)
    }

    @Test func anAnswerEndsWhenATasksSLAPasses() async throws {
        let (s, now) = try await withTask()
        let answers = PolledAnswers<TaskQuery, [TaskRow]>()
        let query = TaskQuery(store: "main")
        let task = try #require(try s.db.taskQueue(query, answers: answers, now: now) { $0 }.first)
        #expect(!task.overdue)
        let sla = try #require(Instant.parse(task.slaAt))
        // At the SLA itself the task is not yet overdue: the answer stands.
        #expect(try s.db.taskQueue(query, answers: answers, now: sla) { $0 }.first?.overdue == false)
        #expect(answers.made == 1)
        // A second later it is: made again.
        #expect(try s.db.taskQueue(query, answers: answers, now: sla.addingTimeInterval(1)) { $0 }.first?.overdue == true)
        #expect(answers.made == 2)
    }

    @Test func eachScopeHasItsOwnAnswer() async throws {
        let (s, now) = try await withTask()
        let other = try s.db.addStaff(store: "main", code: "S9", name: "Sam Other", role: "sales", timeZone: "America/Chicago", now: now)
        let answers = PolledAnswers<TaskQuery, [TaskRow]>()
        let victorsID = try #require(try s.db.tasks(now: now).first?.assigneeID)
        #expect(try s.db.taskQueue(TaskQuery(store: "main", assigneeID: victorsID), answers: answers, now: now) { $0 }.count == 1)
        #expect(try s.db.taskQueue(TaskQuery(store: "main", assigneeID: other), answers: answers, now: now) { $0 }.isEmpty)
        #expect(try s.db.taskQueue(TaskQuery(store: "north", assigneeID: victorsID), answers: answers, now: now) { $0 }.isEmpty)
        #expect(answers.made == 3)
    }

    /// A connection that also writes does not see its own commits in `data_version`: nothing is kept.
    @Test func aDatabaseWithOneConnectionKeepsNothing() throws {
        let db = try AfterdeskDatabase(inMemoryWith: .fixed(utc("2026-10-01T20:00:00Z")))
        let answers = PolledAnswers<TaskQuery, [TaskRow]>()
        for _ in 0..<3 { #expect(try db.taskQueue(TaskQuery(), answers: answers, now: utc("2026-10-01T20:00:00Z")) { $0 }.isEmpty) }
        #expect(answers.made == 3)
    }
}
