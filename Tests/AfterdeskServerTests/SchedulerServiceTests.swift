import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// The scheduler as a service of `serve`'s service group.
@Suite(.serialized) struct SchedulerServiceTests {
    /// SIGTERM and SIGINT reach the scheduler as a graceful shutdown of the group: it stops waiting for its next round
    /// and returns (before, only the cancellation of a hand-made task group stopped it).
    @Test func theSchedulerStopsOnAGracefulShutdown() async throws {
        let s = try await Scenario()
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
    @Test func aRoundLeavesDispatchToTheHolderOfTheLock() async throws {
        let s = try await Scenario()
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
    @Test func aRoundFailsUploadsThatStoppedBeating() async throws {
        let s = try await Scenario()
        let at = utc("2026-10-02T15:00:00Z")
        let user = try await s.db.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: at)
        let silent = try await s.db.createWebImport(userID: user, fileName: "a.csv", path: "/x/a", profile: "canonical", now: at)
        let beating = try await s.db.createWebImport(userID: user, fileName: "b.csv", path: "/x/b", profile: "canonical", now: at)
        let later = at.addingTimeInterval(RunLiveness.staleAfter + 1)
        try await s.db.beatWebImport(id: beating, now: later)
        await Scheduler(interval: .seconds(3600), dispatcher: s.dispatcher, clock: .fixed(later), logger: Logger(label: "t")).runOnce()
        #expect(try await s.db.webImport(id: silent, visibleTo: nil)?.status == .failed)
        #expect(try await s.db.webImport(id: beating, visibleTo: nil)?.status == .queued)
    }

    /// An upload's import beats while it runs: a server starting two minutes after the import began leaves it alone.
    @Test func anUploadBeatsWhileItsImportRuns() async throws {
        let s = try await Scenario()
        let clock = MovableClock(utc("2026-10-02T15:00:00Z"))
        let user = try await s.db.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: clock.now)
        let id = try await s.db.createWebImport(userID: user, fileName: "a.csv", path: "/x/a", profile: "canonical", now: clock.now)
        try await s.db.updateWebImport(id: id, status: .running, now: clock.now)
        let started = clock.now
        clock.advance(100)
        let beat = ImportService.beat(id: id, db: s.db, clock: clock.clock, every: .milliseconds(10))
        let moved = Instant.iso8601(clock.now)
        for _ in 0..<250 where try s.rows("SELECT heartbeat_at FROM web_imports WHERE id = ?", [id])[0][0] as String? != moved {
            try await Task.sleep(for: .milliseconds(20))
        }
        beat.cancel()
        #expect(try await s.db.interruptWebImports(now: started.addingTimeInterval(RunLiveness.staleAfter + 1)) == 0)
        #expect(try await s.db.webImport(id: id, visibleTo: nil)?.status == .running)
    }
}
