import AfterdeskCore
import AfterdeskStorage
import CSQLiteConfig
import Foundation
import GRDB
import GRDBSQLite

/// The one type that owns the SQLite file. It runs the migrations when it opens and offers
/// workflow-level operations (import deals, list deals, …); SQL lives here and nowhere else.
public final class AfterdeskDatabase: Sendable {
    let writer: any DatabaseWriter
    public let clock: Clock
    public let path: String?
    /// The locks of `LockStorage` when the database is in memory (on a file, they are files beside it).
    let localLocks = LocalLocks()

    /// Applied once, before the first connection of the process opens.
    static let sqliteConfigured: Bool = {
        _ = afterdesk_keep_heap()
        return afterdesk_sqlite_configure() == 1
    }()

    /// Opens (creating and migrating if needed) the database at `path`, in WAL mode.
    public convenience init(path: String, clock: Clock) throws {
        try self.init(path: path, clock: clock, variableLimit: nil)
    }

    /// `variableLimit`, for tests: the most `?` one statement may bind on every connection (SQLITE_LIMIT_VARIABLE_NUMBER),
    /// to prove no query depends on a SQLite built with a high limit.
    init(path: String, clock: Clock, variableLimit: Int32?) throws {
        _ = AfterdeskDatabase.sqliteConfigured
        var config = AfterdeskDatabase.configuration()
        config.prepareDatabase { db in
            // WAL with NORMAL sync: committed transactions survive a process crash (kill -9);
            // only a power loss can drop the last few, and never corrupts the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // The log grows while a long planning or import runs (a reader's snapshot keeps it from starting over);
            // once a checkpoint starts it over, the file is cut back to 64 MiB rather than kept at its largest.
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
            if let variableLimit { sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_VARIABLE_NUMBER, variableLimit) }
        }
        let pool = try DatabasePool(path: path, configuration: config)
        self.writer = pool
        self.clock = clock
        self.path = path
        try Migrations.migrator.migrate(pool)
    }

    /// A private in-memory database, for tests and benchmarks of the server.
    public init(inMemoryWith clock: Clock) throws {
        _ = AfterdeskDatabase.sqliteConfigured
        let queue = try DatabaseQueue(configuration: AfterdeskDatabase.configuration())
        self.writer = queue
        self.clock = clock
        self.path = nil
        try Migrations.migrator.migrate(queue)
    }

    private static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.label = "afterdesk"
        return config
    }

    /// Names of the migrations applied, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await writer.read { db in try Migrations.migrator.appliedMigrations(db) }
    }

    // MARK: Settings

    public func setting(_ key: String) async throws -> String? {
        try await writer.read { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) }
    }

    public func setSetting(_ key: String, _ value: String) async throws {
        let now = Instant.iso8601(clock.now())
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT(key) DO UPDATE SET value = excluded.value,
                        updated_at = CASE WHEN value = excluded.value THEN updated_at ELSE excluded.updated_at END
                    """, arguments: [key, value, now])
        }
    }

    public func settingIfAbsent(_ key: String, _ value: String) async throws -> String {
        let now = Instant.iso8601(clock.now())
        return try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING",
                arguments: [key, value, now])
            return try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) ?? value
        }
    }

    /// Counts rows of the main tables, for summaries and tests.
    public func counts() async throws -> [String: Int] {
        try await writer.read { db in
            var out: [String: Int] = [:]
            for t in [
                "stores", "staff", "customers", "vehicles", "deals", "deal_products", "events", "import_runs", "rejects",
                "odometer_readings",
            ] {
                out[t] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(t)") ?? 0
            }
            out["declines"] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deal_products WHERE outcome = 'declined'") ?? 0
            return out
        }
    }
}
