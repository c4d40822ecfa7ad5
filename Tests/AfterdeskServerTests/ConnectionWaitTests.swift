import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
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
}
