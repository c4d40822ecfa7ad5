import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

extension DealImporter {
    /// Marks 'interrupted' the runs left 'running' by a process that died (kill -9, a power cut, a machine gone): those
    /// whose heartbeat (or start, before the first beat) is older than `RunLiveness.staleAfter`, seen from any host;
    /// and, on the run's own host, at once, those whose process no longer exists (a process id means nothing on
    /// another machine, so `kill(pid, 0)` is asked only there).
    static func interruptStaleRuns(_ db: Database, now: Date) throws {
        let running = try Row.fetchAll(
            db, sql: "SELECT id, pid, host, started_at, heartbeat_at FROM import_runs WHERE status = 'running'")
        for run in running {
            let id: Int64 = run["id"]
            // Read without trapping whatever the columns hold: a run whose times cannot be read shows no sign of life.
            let lastBeat = text(run, "heartbeat_at").flatMap(Instant.parse) ?? text(run, "started_at").flatMap(Instant.parse)
            let stale = lastBeat.map { RunLiveness.isStale(lastBeat: $0, now: now) } ?? true
            let pid: Int32? = if case .int64(let p) = (run["pid"] as DatabaseValue).storage { Int32(exactly: p) } else { nil }
            if stale || processIsGone(pid: pid, host: text(run, "host")) {
                try db.execute(sql: "UPDATE import_runs SET status = 'interrupted' WHERE id = ?", arguments: [id])
            }
        }
    }

    /// The text in `column`, or nil for NULL or anything else.
    private static func text(_ row: Row, _ column: String) -> String? {
        if case .string(let s) = (row[column] as DatabaseValue).storage { return s }
        return nil
    }

    /// Whether the run's process is known to be gone: on this host (a run from before hosts were recorded ran here,
    /// as only one machine could then use the file), another process than this one that no longer exists.
    static func processIsGone(pid: Int32?, host: String?) -> Bool {
        guard let pid, host == nil || host == RunLiveness.host, pid != getpid() else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
