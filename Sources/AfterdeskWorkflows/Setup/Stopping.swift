import Foundation

/// How long `serve` may take to stop. A graceful stop (SIGTERM, SIGINT) lets the page in flight end whole and the
/// requests in progress answer, which takes seconds; past `gracefully` whatever is still running is cancelled, and a
/// task that ignores its cancellation for `cancelled` more ends the process (ServiceLifecycle's fatal error, which says
/// which service). Then the command (`Afterdesk.main`) closes the connections, for `closing` at most (`Stopping.closed`). A server that
/// stops uncleanly loses nothing: a dispatch killed mid-page is reconciled as after `kill -9` (docs/operations.md).
public enum Stopping {
    public static let gracefully: Duration = .seconds(20)
    public static let cancelled: Duration = .seconds(15)
    public static let closing: Duration = .seconds(10)

    /// Runs `work` (closing connections), waiting `limit` at most: whether it finished. Work still running after the limit
    /// is left to the process's exit, which closes its sockets (PostgreSQL then ends their sessions and frees their locks).
    public static func closed(within limit: Duration = closing, _ work: @escaping @Sendable () async -> Void) async -> Bool {
        let (ended, report) = AsyncStream<Bool>.makeStream()
        let closing = Task {
            await work()
            report.yield(true)
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            report.yield(false)
        }
        defer { timer.cancel() }
        for await finished in ended {
            if !finished { closing.cancel() }
            return finished
        }
        return false
    }
}
