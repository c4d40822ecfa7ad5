import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import Testing

@testable import AfterdeskPostgres

/// A statement waits for a connection of the pool only so long (`ConnectionWait`): while PostgreSQL cannot be reached,
/// the pool would queue it until the server is back, and a round holding the dispatch lock (whose connection stays
/// open) would wait for its own next statement for ever.
@Suite(.talliedByBackend, .timeLimit(.minutes(1))) struct ConnectionWaitTests {
    @Test func aStatementWaitsForAConnectionOnlySoLongAndThenRunsAgain() async throws {
        let name = try await PostgresTestDatabases.shared.freshDatabase()
        let db = try await PostgresStorage.open(
            try await PostgresTestDatabases.shared.location(of: name), clock: .live, maximumConnections: 1,
            connectionWait: .seconds(1))
        defer { db.close() }
        // The pool's one connection is held by the dispatch lock, as a round holds it.
        let lock = try await db.lock(.dispatch)
        let started = ContinuousClock.now
        let error = await #expect(throws: StoreError.self) { _ = try await db.stores() }
        let waited = ContinuousClock.now - started
        #expect(error?.kind == .io)
        #expect(error?.message.contains("no connection to PostgreSQL within 1 s") == true)
        #expect(waited >= .milliseconds(900) && waited < .seconds(8), "waited \(waited)")
        // The statement that gave up left nothing queued: with the lock let go, the next one runs at once.
        lock.release()
        let again = ContinuousClock.now
        _ = try await db.stores()
        #expect(ContinuousClock.now - again < .seconds(5))
    }

    @Test func aCancelledWaitEndsAtOnceAndLeavesTheConnectionFree() async throws {
        let name = try await PostgresTestDatabases.shared.freshDatabase()
        let db = try await PostgresStorage.open(
            try await PostgresTestDatabases.shared.location(of: name), clock: .live, maximumConnections: 1,
            connectionWait: .seconds(30))
        defer { db.close() }
        let lock = try await db.lock(.dispatch)
        let waiting = Task { try await db.stores() }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        #expect(ContinuousClock.now - started < .seconds(5))
        lock.release()
        _ = try await db.stores()
    }

    /// PostgreSQL ends a session between two statements (a restart, a failover, a terminated backend): the next
    /// statement fails at once instead of being written to the closed channel, where PostgresNIO 1.33 loses it and its
    /// caller waits for ever (`PostgresConnection.checkOpen`). Without the check the statement is lost, and
    /// `StatementWatch` ends the test process 15 s later, saying so.
    @Test func aStatementOnAConnectionWhoseSessionEndedFailsAtOnce() async throws {
        let name = try await PostgresTestDatabases.shared.freshDatabase()
        let location = try await PostgresTestDatabases.shared.location(of: name)
        let db = try await PostgresStorage.open(location, clock: .live, maximumConnections: 1)
        let admin = try await PostgresStorage.open(location, clock: .live, maximumConnections: 1)
        defer {
            db.close()
            admin.close()
        }
        let logger = Logger(label: "test")
        let error = await #expect(throws: PostgresFailure.self) {
            try await db.read { conn in
                let pid = try await conn.one(Int32.self, "SELECT pg_backend_pid()", logger) ?? 0
                try await admin.read { try await $0.run("SELECT pg_terminate_backend(\(pid))", logger) }
                // PostgreSQL has ended the session; this process hears it and closes the channel.
                for _ in 0..<500 where !conn.isClosed { try await Task.sleep(for: .milliseconds(10)) }
                #expect(conn.isClosed)
                try await conn.run("SELECT 1", logger)
            }
        }
        #expect(error?.message == "serverClosedConnection")
        // The pool connects again: the next statement runs.
        _ = try await db.stores()
    }

    /// A statement is watched while it is written and answered, and no longer once it has been.
    @Test func aStatementIsWatchedUntilItIsAnswered() async throws {
        let name = try await PostgresTestDatabases.shared.freshDatabase()
        let db = try await PostgresStorage.open(
            try await PostgresTestDatabases.shared.location(of: name), clock: .live, maximumConnections: 1)
        defer { db.close() }
        let statements = StatementWatch { _, _ in Issue.record("nothing was lost") }
        let during = try await db.read { conn in
            try await conn.watched(by: statements) {
                let watched = statements.watched
                try await conn.query("SELECT pg_sleep(0.05)", logger: Logger(label: "test"))
                return watched
            }
        }
        #expect(during == 1)
        #expect(statements.watched == 0)
    }
}
