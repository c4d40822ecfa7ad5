import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

#if canImport(Glibc)
    import Glibc
#endif

/// The SQLite side of coordination: lock files an older release shares (SQLite only); and the liveness of import runs
/// (both backends).
@Suite(.talliedByBackend) struct CoordinationTests {
    /// Whether another open file description (an older binary's) can take the lock file now.
    func freeForOthers(_ file: String) -> Bool {
        let fd = open(file, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        defer { close(fd) }
        return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0
    }

    /// The locks are `flock`s on the files older releases lock, so an old and a new binary on one database exclude
    /// each other, both ways.
    @Test(arguments: [(LockName.dispatch, ".dispatch.lock"), (LockName.importing, "-import.lock")])
    func locksAreTheFilesOlderReleasesLock(_ name: LockName, _ suffix: String) async throws {
        let w = try Workspace()
        let db = try w.database()
        let file = w.path("test.sqlite") + suffix
        let held = try #require(try await db.tryLock(name))
        #expect(!freeForOthers(file))
        held.release()
        #expect(freeForOthers(file))
        // An older binary holding the file: the new one is refused.
        let fd = open(file, O_RDWR | O_CLOEXEC)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        #expect(try await db.tryLock(name) == nil)
        flock(fd, LOCK_UN)
        #expect(try await db.tryLock(name) != nil)
    }

    /// A run is judged by its heartbeat from any host, and by its process only on its own host.
    @Test(arguments: TestBackend.all) func runsThatStoppedBeatingAreInterrupted(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let sql = StoredSQL(db)
        let old = Instant.iso8601(fixedNow.addingTimeInterval(-RunLiveness.staleAfter - 1))
        let fresh = Instant.iso8601(fixedNow.addingTimeInterval(-30))
        // A process id no process has (above any pid_max).
        let gone: Int32 = 2_000_000_000
        let runs: [(file: String, pid: Int32, host: String?, started: String, beat: String?)] = [
            ("silent-elsewhere", 1, "other-machine", old, old),
            ("beating-elsewhere", gone, "other-machine", old, fresh),
            ("dead-here", gone, RunLiveness.host, fresh, fresh),
            ("from-before-hosts", gone, nil, fresh, nil),
            ("never-beat", 1, "other-machine", old, nil),
        ]
        for r in runs {
            try await sql.execute(
                "INSERT INTO import_runs (file, profile, started_at, status, pid, host, heartbeat_at) VALUES (?, 'x', ?, 'running', ?, ?, ?)",
                [r.file, r.started, r.pid, r.host, r.beat])
        }
        _ = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: ImportOptions(menu: try menu()))
        let status = try await sql.rows("SELECT file, status, host, heartbeat_at FROM import_runs ORDER BY id")
        let byFile = Dictionary(uniqueKeysWithValues: status.map { ($0["file"] as String, $0["status"] as String) })
        #expect(byFile["silent-elsewhere"] == "interrupted")
        #expect(byFile["beating-elsewhere"] == "running")
        #expect(byFile["dead-here"] == "interrupted")
        #expect(byFile["from-before-hosts"] == "interrupted")
        #expect(byFile["never-beat"] == "interrupted")
        // The new run says where it ran and when it last beat.
        let mine = try #require(status.last)
        #expect(mine["status"] as String == "completed")
        #expect(mine["host"] as String? == RunLiveness.host && mine["heartbeat_at"] as String? == Instant.iso8601(fixedNow))
    }

    @Test func stalenessIsJudgedAtTheThreshold() {
        #expect(!RunLiveness.isStale(lastBeat: fixedNow, now: fixedNow.addingTimeInterval(RunLiveness.staleAfter)))
        #expect(RunLiveness.isStale(lastBeat: fixedNow, now: fixedNow.addingTimeInterval(RunLiveness.staleAfter + 1)))
        #expect(RunLiveness.staleBefore(fixedNow) == fixedNow.addingTimeInterval(-RunLiveness.staleAfter))
        #expect(RunLiveness.beatInterval * 2 < RunLiveness.staleAfter)
    }
}
