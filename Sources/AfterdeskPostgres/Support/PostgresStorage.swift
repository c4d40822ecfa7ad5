import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL backend (issue 29): every storage protocol on one database a dealer group runs, through a pool of
/// connections (`PostgresClient`). Opening it starts the pool and runs PostgreSQL's own migrations
/// (`PostgresMigrator`, under an advisory lock, so servers starting together migrate once); `close()` (or the value
/// going away) stops the pool.
public final class PostgresStorage: Sendable {
    let client: PostgresClient
    public let clock: Clock
    let logger: Logger
    /// The database's location for people: the URL with no password (it never holds one).
    public let location: String?
    /// Where and as whom the pool connects, as `open` resolved them (a backup's `pg_dump` connects the same way).
    let server: PostgresConnectionFacts
    /// Where uploads are kept: a folder every server of the group shares.
    let uploadsFolder: String
    /// How long a statement waits for a connection of the pool (`ConnectionWait`).
    let connectionWait: Duration
    private let running: Task<Void, Never>
    /// What tells this server that another (or itself) changed what the task queue reads.
    let taskQueueListener: TaskQueueListener

    private init(
        client: PostgresClient, server: PostgresConnectionFacts, clock: Clock, logger: Logger, location: String?, uploadsFolder: String,
        connectionWait: Duration
    ) {
        self.connectionWait = connectionWait
        self.client = client
        self.server = server
        self.clock = clock
        self.logger = logger
        self.location = location
        self.uploadsFolder = uploadsFolder
        taskQueueListener = TaskQueueListener(configuration: { try server.connectionConfiguration() }, logger: logger)
        let (started, signal) = AsyncStream<Void>.makeStream()
        self.started = started
        running = Task {
            signal.finish()
            await client.run()
        }
    }

    /// Finished once the pool's task has begun `run()`: queries made before it would make the pool warn that it was
    /// leased before it ran.
    private let started: AsyncStream<Void>

    /// Opens the database at `location` (`postgres://user@host:port/database`), migrating it.
    /// `uploads`: the folder uploads go to (nil: `afterdesk-uploads` in the system's temporary folder).
    /// `connectionWait`: how long a statement waits for a connection before it fails (`ConnectionWait`).
    public static func open(
        _ location: String, clock: Clock, uploads: String? = nil, maximumConnections: Int = 10,
        connectionWait: Duration = ConnectionWait.default,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "afterdesk.postgres")
    ) async throws -> PostgresStorage {
        let server = try PostgresLocation.facts(location, environment: environment)
        var configuration = server.configuration()
        configuration.options.maximumConnections = maximumConnections
        try await check(server, location: location, logger: logger)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let folder = uploads ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("afterdesk-uploads")
        let storage = PostgresStorage(
            client: client, server: server, clock: clock, logger: logger, location: PostgresLocation.forPeople(location),
            uploadsFolder: folder, connectionWait: connectionWait)
        for await _ in storage.started {}
        await Task.yield()
        do {
            try await PostgresMigrator.migrate(client, logger: logger)
        } catch {
            storage.close()
            throw PostgresErrors.migrationFailure(error, location: PostgresLocation.forPeople(location) ?? "PostgreSQL")
        }
        return storage
    }

    /// One connection made and closed before the pool starts: a server that cannot be reached, or that refuses the
    /// user, says so at once, in one line, where the pool would retry for a minute before giving up.
    /// With the facts `open` resolved (once: a password file's warning is said once).
    static func check(_ server: PostgresConnectionFacts, location: String, logger: Logger) async throws {
        let configuration = try server.connectionConfiguration()
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try? await connection.close()
        } catch {
            throw PostgresErrors.openFailure(error, location: PostgresLocation.forPeople(location) ?? "PostgreSQL")
        }
    }

    /// Stops the pool and the task queue's listener: every query after this fails.
    public func close() {
        taskQueueListener.stop()
        running.cancel()
    }

    /// Stops the pool and the listener and waits until their connections have ended: what a command does before it
    /// exits.
    public func shutdown() async {
        running.cancel()
        await taskQueueListener.stopAndWait()
        await running.value
    }

    deinit {
        taskQueueListener.stop()
        running.cancel()
    }

    // MARK: Running queries

    /// Runs `body` on one connection outside a transaction (each statement commits on its own).
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection(within: connectionWait) { conn in try await body(conn) }
        } catch { throw PostgresErrors.mapped(error) }
    }

    /// Runs `body` in one transaction (READ COMMITTED), committed when it returns, rolled back when it throws; a
    /// `StoreError` thrown inside comes out as itself. Once committed, the task queue's kept answers are ended at once
    /// (this server reads its own writes; its commit's notification, which ends them on every server, comes after).
    func write<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let value = try await transaction(body)
        taskQueueListener.committed()
        return value
    }

    /// `body` in one transaction, committed when it returns.
    private func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection(within: connectionWait) { conn in
                try await conn.inTransaction(logger) { conn in try await body(conn) }
            }
        } catch { throw PostgresErrors.mapped(error) }
    }

    /// Runs `body` in one `REPEATABLE READ` transaction without JIT (`withoutJIT`): every read sees one snapshot (a
    /// report, a backup).
    func snapshot<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction { conn in
            try await conn.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger)
            try await conn.run(Self.withoutJIT, logger)
            return try await body(conn)
        }
    }

    /// Turns PostgreSQL's JIT compiler off for the rest of the transaction. JIT (on by default since PostgreSQL 12)
    /// compiles a query it estimates costly before running it: the report's streams over a million deals and an
    /// import's set-based statements are such queries, and compiling took longer than running them (0.7 s of the
    /// delivered touches' 1.0 s; a fifth of an import's time). Set per transaction, not as a connection's startup
    /// parameter, which PgBouncer refuses.
    static let withoutJIT: PostgresQuery = "SET LOCAL jit = off"

    /// For a transaction of many small statements, each led by a few thousand keys (planning's chunks, an import's
    /// batches): no JIT (`withoutJIT`), no parallel workers, and an index read costed as for data in memory
    /// (`random_page_cost` 1.1, what PostgreSQL's documentation suggests for SSDs, instead of 4), for the rest of the
    /// transaction. On tables that grow while a first plan or import runs, the defaults had PostgreSQL scan the whole
    /// of `touches` with two parallel workers to find a chunk's customers' touches (70–150 ms a chunk, most of it
    /// starting the workers, for no rows; 1 ms by the index) and `plans` to delete a chunk's plans: 33 s of a
    /// million-deal plan (21.4 s and 11.2 s; 3.1 s and 7.3 s with these settings).
    static let keyedWork: PostgresQuery = """
        SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true),
               set_config('random_page_cost', '1.1', true)
        """
}

extension PostgresConnection {
    /// Refuses a statement on a connection that has closed, with the error PostgresNIO gives one it sees fail. PostgresNIO
    /// 1.33 writes a statement to its channel without a promise: written after the channel closed, the statement is
    /// dropped and never answered, and its caller waits for ever. PostgreSQL ends a session between two statements of a
    /// body (a restart, a failover, a terminated backend), so every statement looks first; what is left is the instant
    /// between the look and the write, which `StatementWatch` covers.
    func checkOpen() throws {
        if isClosed { throw PostgresFailure(sqlState: nil, message: "serverClosedConnection") }
    }

    /// `work`, a statement written to this connection, unless it has closed (`checkOpen`), watched until it returns
    /// (`StatementWatch`): a statement PostgreSQL answered, or whose connection's end reached it, has returned. Through
    /// `statement`, that is at PostgreSQL's BindComplete, its rows to come (failed by the connection's end like any
    /// stream); through `answered`, once its whole answer is in.
    func watched<T>(by statements: StatementWatch = .shared, what: String = "", _ work: () async throws -> T) async throws -> T {
        try checkOpen()
        let watch = statements.watch(self, what: what)
        defer { watch.cancel() }
        return try await work()
    }

    /// `query` on this connection, checked and watched (`watched`): every statement of the storage goes through it.
    @discardableResult
    func statement(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await watched(what: query.sql) { try await self.query(query, logger: logger) }
    }

    /// `body` in one transaction, committed when it returns, rolled back when it throws (its error thrown as it is), each
    /// of BEGIN, COMMIT and ROLLBACK checked (PostgresNIO's `withTransaction` writes them unchecked).
    func inTransaction<T: Sendable>(_ logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await run("BEGIN", logger)
        let value: T
        do {
            value = try await body(self)
        } catch {
            _ = try? await run("ROLLBACK", logger)
            throw error
        }
        try await commit(logger)
        return value
    }

    /// Commits the transaction under way, and makes sure it was: PostgreSQL answers the COMMIT of a transaction that a
    /// failed statement aborted by rolling it back, with the tag `ROLLBACK` and no error. That happens only when the
    /// failure went unread (rows of a `statement` left unread, their error with them); it is thrown, never taken for a
    /// commit.
    func commit(_ logger: Logger) async throws {
        let answer = try await answered("COMMIT", logger)
        guard answer.command == "COMMIT" else {
            logger.error("PostgreSQL answered COMMIT with \(answer.command): a statement of the transaction had failed unread")
            throw PostgresFailure(
                sqlState: "25P02", message: "the transaction was rolled back (\(answer.command)): a statement of it had failed")
        }
    }

    /// `query`'s whole answer: its rows and its tag, or its error, whenever PostgreSQL raised it. A `statement` that
    /// makes rows returns at PostgreSQL's BindComplete, before it has run: its rows, and an error raised while making
    /// them (a deadlock, a lock timeout, a division by zero), come after, and are lost with the rows when they go
    /// unread (a statement without rows returns at its end, its error thrown). Read through postgres-nio's future
    /// interface, which asks for the next rows as each arrive, not as a consumer's task gets round to it: postgres-nio
    /// 1.33 stops the process when the server's end of the connection falls between a row sequence's read and its
    /// reader's next demand (RowStreamStateMachine: "How can we receive a body part, after a channelReadComplete, but no
    /// read has been forwarded yet"), which reading every statement through sequences once met. Long reads (a page of
    /// a cursor aside, the report's and dispatch's streams, a backup) still go through `statement`.
    ///
    /// The rows are taken one by one as they arrive (postgres-nio's `onRow`), not gathered by its `all()`, which copies
    /// the rows gathered so far at each read of the connection.
    func answered(_ query: PostgresQuery, _ logger: Logger) async throws -> Answer {
        try await watched(what: query.sql) {
            let rows = Answer.Rows()
            let done: EventLoopFuture<PostgresQueryMetadata> = self.query(query, logger: logger) { rows.add($0) }
            let metadata = try await done.get()
            return Answer(rows: rows.taken(), command: metadata.command)
        }
    }

    /// A statement's whole answer: its rows, and its command tag's command (`COMMIT`, `ROLLBACK`, `SELECT`, …).
    struct Answer: Sendable {
        var rows: [PostgresRow]
        var command: String

        /// The rows as they arrive, on the connection's event loop, taken once the statement has ended.
        final class Rows: Sendable {
            private let rows = Mutex<[PostgresRow]>([])
            func add(_ row: PostgresRow) { rows.withLock { $0.append(row) } }
            func taken() -> [PostgresRow] {
                rows.withLock { r in
                    defer { r = [] }
                    return r
                }
            }
        }
    }

    /// Runs `query` to its end (`answered`), its rows discarded: its error, if any, thrown as itself.
    func run(_ query: PostgresQuery, _ logger: Logger) async throws {
        _ = try await answered(query, logger)
    }

    /// The rows of `query`, all of them, in memory (`answered`). A task cancelled (a report given up, a planning
    /// stopped) stops here: the future interface, unlike a row sequence, does not hear of it. (`run` does not look,
    /// so a ROLLBACK, a COMMIT or an unlock always goes out.)
    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRow] {
        try Task.checkCancellation()
        return try await answered(query, logger).rows
    }

    /// The first column of the first row of `query`, or nil (`answered`: for a query of one row, or a few; a task
    /// cancelled stops here, as at `rows`).
    func one<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery, _ logger: Logger) async throws -> T? {
        try Task.checkCancellation()
        return try await answered(query, logger).rows.first.map { try $0.decode(T.self) }
    }

    /// The first column of each row of `query` (`answered`; a task cancelled stops here, as at `rows`).
    func all<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery, _ logger: Logger) async throws -> [T] {
        try Task.checkCancellation()
        return try await answered(query, logger).rows.map { try $0.decode(T.self) }
    }

    /// `count` ids drawn from the identity of `table`'s `id`, ascending (for rows written in bulk with ids of their own).
    /// The sequence is named once (`OFFSET 0` keeps the subquery from being folded into each row): `nextval` of
    /// `pg_get_serial_sequence` looked the name up again for every id, ten times the cost (5 s of a million-deal plan).
    func drawIDs(_ count: Int, of table: String, _ logger: Logger) async throws -> [Int64] {
        guard count > 0 else { return [] }
        let ids = try await all(
            Int64.self,
            PostgresQuery(
                unsafeSQL: """
                    SELECT nextval(q.s) FROM (SELECT pg_get_serial_sequence('\(table)', 'id')::regclass AS s OFFSET 0) q
                    CROSS JOIN generate_series(1, \(count))
                    """), logger
        ).sorted()
        guard ids.count == count else { throw StoreError("\(table): \(count) ids could not be drawn", kind: .conflict) }
        return ids
    }
}

extension PostgresStorage {
    /// A requirement not yet built on PostgreSQL (issue 29, step a in progress): says so, never pretends.
    static func unbuilt(_ function: String) -> StoreError {
        StoreError("not yet built on PostgreSQL: \(function)", kind: .conflict)
    }
}
