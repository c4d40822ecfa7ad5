import Foundation
import Logging
import PostgresNIO
import Synchronization

/// What lets a server keep the task queue's answers on PostgreSQL: one connection of its own (not the pool's) that
/// listens on `afterdesk_task_queue`, which the `p3-hot-paths` triggers notify, at commit, whenever any server changes a
/// table the queue reads; and a local version, bumped on every notification (and at once on this storage's own commits,
/// `committed()`, so it reads its own writes before their notification comes back). `version` is nil while the connection is
/// not listening (not yet started, lost, reconnecting): a commit then would go unheard, so nothing may be kept. On
/// (re)connecting the version is bumped, so no answer kept before the gap is reused after it.
///
/// Started by the first `taskQueue` call (a command that never reads the queue opens no connection for it), stopped
/// with the storage (`close()`, `shutdown()`, or the storage going away): the task ends and closes its connection.
final class TaskQueueListener: Sendable {
    static let channel = "afterdesk_task_queue"
    /// The listening connection's name in `pg_stat_activity`.
    static let applicationName = "afterdesk task queue"

    private struct State {
        var version: Int64 = 0
        var listening = false
        var task: Task<Void, Never>?
        var stopped = false
    }

    private let state = Mutex(State())
    private let configuration: @Sendable () throws -> PostgresConnection.Configuration
    private let logger: Logger
    /// How often the idle connection is checked (a `SELECT 1`).
    private let heartbeat: Duration
    /// How long a check may take: past it the connection is taken for lost (nothing kept from then on) and closed. A
    /// connection that died without a word (a network dropped, a failover) would otherwise leave its query waiting for
    /// TCP to give up, a quarter of an hour, while answers are kept that other servers' commits have made stale.
    private let heartbeatTimeout: Duration
    /// The heartbeat's query (a test's can hang, as a lost connection's does).
    private let heartbeatQuery: String

    init(
        configuration: @escaping @Sendable () throws -> PostgresConnection.Configuration, logger: Logger,
        heartbeat: Duration = .seconds(10), heartbeatTimeout: Duration = .seconds(5), heartbeatQuery: String = "SELECT 1"
    ) {
        self.heartbeatQuery = heartbeatQuery
        self.configuration = configuration
        self.logger = logger
        self.heartbeat = heartbeat
        self.heartbeatTimeout = heartbeatTimeout
    }

    /// This listener's answers' slot in a `PolledAnswers` (its versions are its own): unique to this listener, so a
    /// storage opened later never meets answers another kept under the same version numbers.
    let slot = "postgres-\(UUID().uuidString)"

    /// The version to keep an answer under, read before the answer's query; nil while not listening.
    var version: Int64? { state.withLock { $0.listening ? $0.version : nil } }

    /// This server committed a write: the version moves on now, not only when the commit's notification comes back.
    func committed() { state.withLock { $0.version += 1 } }

    /// Starts listening unless started (or stopped) already.
    func start() {
        state.withLock { s in
            guard s.task == nil, !s.stopped else { return }
            s.task = Task { [self] in await self.run() }
        }
    }

    /// Stops listening for good: the task ends, its connection closed.
    func stop() {
        let task = state.withLock { s in
            s.stopped = true
            s.listening = false
            return s.task
        }
        task?.cancel()
    }

    /// `stop()`, then waits for the task to end.
    func stopAndWait() async {
        stop()
        await state.withLock { $0.task }?.value
    }

    /// Connects and listens until stopped; a lost connection is made again after a pause (0.1 s, doubling to 3.2 s).
    private func run() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await listenOnce { failures = 0 }
            } catch {
                if !Task.isCancelled {
                    logger.warning("the task queue's listener lost its connection", metadata: ["error": "\(PostgresErrors.oneLine(error))"])
                }
            }
            state.withLock { $0.listening = false }
            failures += 1
            try? await Task.sleep(for: .milliseconds(100 * (1 << min(failures - 1, 5))))
        }
    }

    /// One connection: LISTEN, then the version bumped (the gap before it is covered) and bumped again on every
    /// notification, until the connection fails, a heartbeat fails, or the task is cancelled.
    private func listenOnce(listening: () -> Void) async throws {
        var configuration = try configuration()
        // Named apart from the pool's in pg_stat_activity.
        configuration.options.additionalStartupParameters = [("application_name", Self.applicationName), ("TimeZone", "UTC")]
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let notifications = try await connection.listen(Self.channel)
            state.withLock {
                $0.version += 1
                $0.listening = !$0.stopped
            }
            listening()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [self] in
                    for try await _ in notifications { self.state.withLock { $0.version += 1 } }
                }
                group.addTask { [self] in
                    while true {
                        try await Task.sleep(for: heartbeat)
                        try await check(connection)
                    }
                }
                // The first to end (the notifications' stream, or a failed heartbeat) ends this connection.
                try await group.next()
                group.cancelAll()
            }
        } catch {
            state.withLock { $0.listening = false }
            try? await connection.close()
            throw error
        }
        state.withLock { $0.listening = false }
        try? await connection.close()
    }

    /// One heartbeat: `SELECT 1`, answered within `heartbeatTimeout`, else the connection is taken for lost at once
    /// (`version` nil) and closed, which fails the query waiting on it; the answer is its row, read (`run`), not the
    /// statement's description. (A query written after the connection had closed is refused before it is written,
    /// `watched`; one PostgresNIO lost in the instant between, which nothing would fail, ends the process through
    /// `StatementWatch`.)
    private func check(_ connection: PostgresConnection) async throws {
        let watchdog = Task { [self] in
            try await Task.sleep(for: heartbeatTimeout)
            state.withLock { $0.listening = false }
            logger.warning("the task queue's listener got no answer to its heartbeat: reconnecting")
            try? await connection.close()
        }
        defer { watchdog.cancel() }
        try await connection.run(PostgresQuery(unsafeSQL: heartbeatQuery), logger)
    }
}
