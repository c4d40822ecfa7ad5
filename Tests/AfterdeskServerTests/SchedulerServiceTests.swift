import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing

@testable import AfterdeskPostgres
@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// The scheduler as a service of `serve`'s service group.
@Suite(.serialized, .talliedByBackend) struct SchedulerServiceTests {
    /// SIGTERM and SIGINT reach the scheduler as a graceful shutdown of the group: it stops waiting for its next round
    /// and returns (before, only the cancellation of a hand-made task group stopped it).
    @Test(arguments: TestBackend.all) func theSchedulerStopsOnAGracefulShutdown(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let at = utc("2026-10-02T15:00:00Z")
        let scheduler = Scheduler.counted(every: .seconds(3600), dispatcher: s.dispatcher, clock: .fixed(at), logger: Logger(label: "t"))
        try await testGracefulShutdown { trigger in
            let run = Task { await scheduler.run() }
            for _ in 0..<250 where try await s.db.setting(Scheduler.lastRunKey) == nil { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await s.db.setting(Scheduler.lastRunKey) == "2026-10-02T15:00:00Z")
            // The round is over: the scheduler sleeps for an hour, unless the shutdown ends it.
            let watchdog = Task { () -> Bool in
                do { try await Task.sleep(for: .seconds(10)) } catch { return false }
                run.cancel()
                return true
            }
            trigger.triggerGracefulShutdown()
            await run.value
            watchdog.cancel()
            #expect(await !watchdog.value, "the scheduler did not stop on the graceful shutdown")
        }
    }

    /// Another process dispatching (holding the dispatch lock through the storage) leaves the round without a dispatch;
    /// once it lets go, the next round dispatches.
    @Test(arguments: TestBackend.all) func aRoundLeavesDispatchToTheHolderOfTheLock(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let at = utc("2026-10-02T15:00:00Z")
        let scheduler = Scheduler(interval: .seconds(3600), dispatcher: s.dispatcher, clock: .fixed(at), logger: Logger(label: "t"))
        let other = try #require(try await s.db.tryLock(.dispatch))
        await scheduler.runOnce()
        #expect(try await s.db.setting(Scheduler.lastRunKey) == nil)
        other.release()
        await scheduler.runOnce()
        #expect(try await s.db.setting(Scheduler.lastRunKey) == "2026-10-02T15:00:00Z")
        // The round let the lock go.
        #expect(try await s.db.tryLock(.dispatch) != nil)
    }

    /// Each round fails the uploads whose import stopped beating, whichever server notices first.
    @Test(arguments: TestBackend.all) func aRoundFailsUploadsThatStoppedBeating(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let at = utc("2026-10-02T15:00:00Z")
        let user = try await s.db.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: at)
        let silent = try await s.db.createWebImport(userID: user, fileName: "a.csv", path: "/x/a", profile: "canonical", now: at)
        let beating = try await s.db.createWebImport(userID: user, fileName: "b.csv", path: "/x/b", profile: "canonical", now: at)
        let later = at.addingTimeInterval(RunLiveness.staleAfter + 1)
        try await s.db.beatWebImport(id: beating, clock: .fixed(later))
        await Scheduler(interval: .seconds(3600), dispatcher: s.dispatcher, clock: .fixed(later), logger: Logger(label: "t")).runOnce()
        #expect(try await s.db.webImport(id: silent, visibleTo: nil)?.status == .failed)
        #expect(try await s.db.webImport(id: beating, visibleTo: nil)?.status == .queued)
    }

    /// While an import runs (holding the import lock, and the database's writer for minutes), no upload is judged by
    /// its heartbeat: the beats wait for the writer with everything else. Once the import lock is free, a silent
    /// upload is failed.
    @Test(arguments: TestBackend.all) func noUploadIsFailedWhileAnImportRuns(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let at = utc("2026-10-02T15:00:00Z")
        let user = try await s.db.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: at)
        let waiting = try await s.db.createWebImport(userID: user, fileName: "a.csv", path: "/x/a", profile: "canonical", now: at)
        let later = at.addingTimeInterval(RunLiveness.staleAfter + 60)
        let scheduler = Scheduler(interval: .seconds(3600), dispatcher: s.dispatcher, clock: .fixed(later), logger: Logger(label: "t"))
        let importing = try #require(try await s.db.tryLock(.importing))
        await scheduler.runOnce()
        #expect(try await ImportService.failStoppedUploads(s.db, now: later) == 0)
        #expect(try await s.db.webImport(id: waiting, visibleTo: nil)?.status == .queued)
        importing.release()
        await scheduler.runOnce()
        #expect(try await s.db.webImport(id: waiting, visibleTo: nil)?.status == .failed)
    }

    /// A beat's instant is the clock's when the write is made: one that waited for the storage (SQLite's one writer,
    /// every connection of PostgreSQL's pool) does not land old. The storage is held until the test lets it go, so a
    /// slow machine cannot release it before the clock has moved.
    @Test(arguments: TestBackend.all) func aBeatIsDatedWhenItIsWritten(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let clock = MovableClock(utc("2026-10-02T15:00:00Z"))
        let user = try await s.db.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: clock.now)
        let id = try await s.db.createWebImport(userID: user, fileName: "a.csv", path: "/x/a", profile: "canonical", now: clock.now)
        let hold = StorageHold()
        let busy = Task { try await hold.keepBusy(s) }
        try await hold.whenHeld()
        let beat = Task { try await s.db.beatWebImport(id: id, clock: clock.clock) }
        try await Task.sleep(for: .milliseconds(100))
        clock.advance(90)
        hold.release()
        try await busy.value
        try await beat.value
        #expect(try await s.rows("SELECT heartbeat_at FROM web_imports WHERE id = ?", [id])[0][0] as String? == Instant.iso8601(clock.now))
    }

    /// An upload's import beats while it runs: a server starting two minutes after the import began leaves it alone.
    @Test(arguments: TestBackend.all) func anUploadBeatsWhileItsImportRuns(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let clock = MovableClock(utc("2026-10-02T15:00:00Z"))
        let user = try await s.db.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: clock.now)
        let id = try await s.db.createWebImport(userID: user, fileName: "a.csv", path: "/x/a", profile: "canonical", now: clock.now)
        try await s.db.updateWebImport(id: id, status: .running, now: clock.now)
        let started = clock.now
        clock.advance(100)
        let beat = ImportService.beat(id: id, db: s.db, clock: clock.clock, every: .milliseconds(10))
        let moved = Instant.iso8601(clock.now)
        for _ in 0..<250 where try await s.rows("SELECT heartbeat_at FROM web_imports WHERE id = ?", [id])[0][0] as String? != moved {
            try await Task.sleep(for: .milliseconds(20))
        }
        beat.cancel()
        await beat.value
        #expect(try await s.db.interruptWebImports(now: started.addingTimeInterval(RunLiveness.staleAfter + 1)) == 0)
        #expect(try await s.db.webImport(id: id, visibleTo: nil)?.status == .running)
    }
}

/// Holds a scenario's storage until released: SQLite's one writer, or every connection of the test's PostgreSQL pool.
final class StorageHold: Sendable {
    private let state = Mutex((holding: 0, released: false))
    private let needed = 4

    func keepBusy(_ s: Scenario) async throws {
        switch s.backend {
        case .sqlite:
            try await (s.db as! AfterdeskDatabase).writer.write { _ in
                self.state.withLock { $0.holding = self.needed }
                while !self.isReleased { Thread.sleep(forTimeInterval: 0.005) }
            }
        case .postgres:
            let storage = s.db as! PostgresStorage
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<needed {
                    group.addTask {
                        try await storage.write { _ in
                            self.state.withLock { $0.holding += 1 }
                            while !self.isReleased { try await Task.sleep(for: .milliseconds(5)) }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    var isReleased: Bool { state.withLock { $0.released } }
    func release() { state.withLock { $0.released = true } }

    /// Returns once the whole storage is held (within 30 s).
    func whenHeld() async throws {
        let end = ContinuousClock.now + .seconds(30)
        while state.withLock({ $0.holding < needed }) {
            guard ContinuousClock.now < end else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
