import Synchronization
import Testing

@testable import AfterdeskPostgres

/// `StatementWatch`: a statement whose connection closed and whose body still runs after the grace is one PostgresNIO
/// lost (written to a channel already closed): the watch says so once; a statement that ends, or whose connection is
/// open however long it runs, is left alone.
@Suite(.timeLimit(.minutes(1))) struct StatementWatchTests {
    /// A connection's closed flag, and what the watch said.
    final class Fake: Sendable {
        let closed = Atomic(false)
        let calls = Atomic(0)
        let said = Mutex("")
        var isClosed: @Sendable () -> Bool { { [self] in closed.load(ordering: .relaxed) } }
        func watch(grace: Duration = .milliseconds(200)) -> StatementWatch {
            StatementWatch(grace: grace, every: .milliseconds(20)) { [self] _, what in
                said.withLock { $0 = what }
                calls.add(1, ordering: .relaxed)
            }
        }
        /// Waits until the watch has spoken, 5 s at most.
        func spoken() async throws -> Int {
            for _ in 0..<250 where calls.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(20)) }
            return calls.load(ordering: .relaxed)
        }
    }

    @Test func aStatementStillRunningAGraceAfterItsConnectionClosedIsLost() async throws {
        let fake = Fake()
        let watch = fake.watch()
        let sql = "SELECT id\n  FROM customers WHERE phone = '+15125550100' AND email = $1"
        let lost = watch.watch(what: sql, isClosed: fake.isClosed)
        let other = watch.watch(what: sql, isClosed: fake.isClosed)
        try await Task.sleep(for: .milliseconds(300))
        #expect(fake.calls.load(ordering: .relaxed) == 0, "open, however long it runs")
        let closedAt = ContinuousClock.now
        fake.closed.store(true, ordering: .relaxed)
        #expect(try await fake.spoken() == 1)
        #expect(ContinuousClock.now - closedAt >= .milliseconds(200), "not before the grace")
        // It names the statement by its first words, on one line, and never by a value in it.
        #expect(fake.said.withLock { $0 } == "SELECT id FROM customers WHERE phone =")
        // Said once, though two are stuck and it keeps looking.
        try await Task.sleep(for: .milliseconds(200))
        #expect(fake.calls.load(ordering: .relaxed) == 1)
        lost.cancel()
        other.cancel()
    }

    @Test func aStatementThatEndsAfterItsConnectionClosedIsNotLost() async throws {
        let fake = Fake()
        let watch = fake.watch(grace: .seconds(1))
        let token = watch.watch(isClosed: fake.isClosed)
        fake.closed.store(true, ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(60))
        token.cancel()
        #expect(watch.watched == 0)
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(fake.calls.load(ordering: .relaxed) == 0)
    }

    @Test func aStatementIsNamedByItsWordsBeforeAnyValue() {
        #expect(StatementWatch.firstWords("COMMIT") == "COMMIT")
        #expect(StatementWatch.firstWords("SELECT pg_advisory_lock(2902, s)") == "SELECT pg_advisory_lock")
        #expect(StatementWatch.firstWords("UPDATE outbox SET status = $1 WHERE id = $2") == "UPDATE outbox SET status =")
        #expect(StatementWatch.firstWords(String(repeating: "a ", count: 100)).count <= 60)
        #expect(StatementWatch.firstWords("") == "")
    }

    @Test func theWatchRestsWhenNothingRunsAndLooksAgainForTheNext() async throws {
        let fake = Fake()
        let watch = fake.watch()
        watch.watch(isClosed: fake.isClosed).cancel()
        try await Task.sleep(for: .milliseconds(100))
        // The next statement is looked at by a watch started again.
        let token = watch.watch(isClosed: fake.isClosed)
        fake.closed.store(true, ordering: .relaxed)
        #expect(try await fake.spoken() == 1)
        token.cancel()
    }
}
