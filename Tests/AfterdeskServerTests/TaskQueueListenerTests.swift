import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskPostgres

/// PostgreSQL's kept queue answers (`TaskQueueListener`): ended by any server's commit to what the queue reads, and
/// never kept while the listener is not listening.
@Suite(.talliedByBackend) struct TaskQueueListenerTests {
    typealias Answers = TaskQueueAnswersTests

    /// A PostgreSQL scenario whose dispatch made Ana Ruiz's task, its storage listening, and the instant it ran.
    func listening() async throws -> (Scenario, PostgresStorage, Date) {
        let s = try await Scenario(backend: .postgres)
        let ana = try #require(try await s.touches("D-3").first)
        _ = try await s.dispatcher.run(now: utc(ana.due))
        let db = try #require(s.db as? PostgresStorage)
        try await Answers.listening(db)
        return (s, db, utc(ana.due))
    }

    @Test func anotherServersCommitEndsAnAnswer() async throws {
        let (_, db, now) = try await listening()
        let answers = PolledAnswers<TaskQuery, [TaskRow]>()
        let first = try await db.taskQueue(TaskQuery(store: "main"), answers: answers, now: now) { $0 }
        let again = try await db.taskQueue(TaskQuery(store: "main"), answers: answers, now: now) { $0 }
        #expect(first.count == 1 && again == first)
        #expect(answers.made == 1)
        // Another server on the same database completes the task.
        let other = try await PostgresStorage.open(try #require(db.location), clock: db.clock, maximumConnections: 1)
        let version = db.taskQueueListener.version
        try await other.completeTask(id: first[0].id, outcome: .noAnswer, now: now)
        await other.shutdown()
        try await Answers.notified(db, since: version)
        #expect(try await db.taskQueue(TaskQuery(store: "main"), answers: answers, now: now) { $0 }.isEmpty)
        #expect(answers.made == 2)
    }

    @Test func aCustomersNameChangedBySQLEndsAnAnswer() async throws {
        let (s, db, now) = try await listening()
        let answers = PolledAnswers<TaskQuery, [TaskRow]>()
        let first = try await db.taskQueue(TaskQuery(), answers: answers, now: now) { $0 }
        #expect(first.map(\.customer) == ["Ana Ruiz"])
        let version = db.taskQueueListener.version
        try await s.execute("UPDATE customers SET first_name = 'Anita' WHERE first_name = 'Ana'")
        try await Answers.notified(db, since: version)
        #expect(try await db.taskQueue(TaskQuery(), answers: answers, now: now) { $0 }.map(\.customer) == ["Anita Ruiz"])
        #expect(answers.made == 2)
    }

    @Test func aLostListenerKeepsNothingUntilItIsBackAndEndsWithTheStorage() async throws {
        let (s, db, now) = try await listening()
        let answers = PolledAnswers<TaskQuery, [TaskRow]>()
        let query = TaskQuery(store: "main")
        let first = try await db.taskQueue(query, answers: answers, now: now) { $0 }
        let version = db.taskQueueListener.version
        // Its backend is ended (a restart, a network cut): the version is nil until it listens again, then a new one.
        let ended = try await s.rows(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?",
            [TaskQueueListener.applicationName])
        #expect(ended.count == 1)
        try await Answers.waited("the listener to notice") { db.taskQueueListener.version == version ? nil : true }
        // Whether it is back yet or not, the answer kept before the gap is not reused: a commit in the gap went unheard.
        #expect(try await db.taskQueue(query, answers: answers, now: now) { $0 } == first)
        #expect(answers.made == 2)
        let back = try await Answers.listening(db)
        #expect(back != version)
        // Listening again, it keeps answers again.
        _ = try await db.taskQueue(query, answers: answers, now: now) { $0 }
        let made = answers.made
        #expect(try await db.taskQueue(query, answers: answers, now: now) { $0 } == first)
        #expect(answers.made == made)
        // Closing the storage ends the listener and its connection.
        await db.shutdown()
        let listeners = try await PostgresStorage.open(try #require(db.location), clock: db.clock, maximumConnections: 1)
        let left = try await listeners.read { conn in
            try await conn.one(
                Int64.self,
                """
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                AND application_name = \(TaskQueueListener.applicationName)
                """, listeners.logger)
        }
        await listeners.shutdown()
        #expect(left == 0)
    }

    @Test func heartbeatsKeepTheListenerListeningAndStopEndsIt() async throws {
        let (s, db, _) = try await listening()
        let facts = db.server
        let listener = TaskQueueListener(
            configuration: { try facts.connectionConfiguration() }, logger: db.logger, heartbeat: .milliseconds(20))
        listener.start()
        let version = try await TaskQueueAnswersTests.waited("the listener to listen") { listener.version }
        // Ten heartbeats later it listens on the same connection: the version has not moved.
        try await Task.sleep(for: .milliseconds(250))
        #expect(listener.version == version)
        // A commit is still heard.
        try await s.execute("UPDATE stores SET name = name")
        _ = try await TaskQueueAnswersTests.waited("the commit's notification") { listener.version.flatMap { $0 == version ? nil : $0 } }
        await listener.stopAndWait()
        #expect(listener.version == nil)
    }

    /// A heartbeat that gets no answer (a connection that died without a word) stops the keeping at once, and the
    /// listener does not wait for TCP to give up: it stops within its timeout.
    @Test func aHeartbeatWithoutAnAnswerStopsTheKeepingAndNeverHangsTheStop() async throws {
        let (_, db, _) = try await listening()
        let facts = db.server
        let listener = TaskQueueListener(
            configuration: { try facts.connectionConfiguration() }, logger: db.logger, heartbeat: .milliseconds(20),
            heartbeatTimeout: .milliseconds(200), heartbeatQuery: "SELECT pg_sleep(60)")
        listener.start()
        _ = try await TaskQueueAnswersTests.waited("the listener to listen") { listener.version }
        _ = try await TaskQueueAnswersTests.waited("the unanswered heartbeat to stop the keeping") {
            listener.version == nil ? true : nil
        }
        let start = ContinuousClock.now
        await listener.stopAndWait()
        // Not the 60 s the query would take: the watchdog closed its connection.
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(listener.version == nil)
    }
}
