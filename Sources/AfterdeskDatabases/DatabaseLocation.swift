import AfterdeskCore
import AfterdeskPostgres
import AfterdeskSQLite
import AfterdeskStorage
import Foundation
import Logging

/// The one place a database's location becomes a storage, for the command line, the demo and the bench: a location
/// beginning `postgres://` or `postgresql://` opens PostgreSQL (`PostgresStorage`, a pool of connections, migrated on
/// open); anything else is a SQLite file (`AfterdeskDatabase`, created and migrated on first use). Every PostgreSQL
/// storage opened here is remembered, so that `closeAll()` ends its pool before the process exits.
public enum DatabaseLocation {
    /// Whether `location` names PostgreSQL rather than a SQLite file.
    public static func isPostgres(_ location: String) -> Bool { PostgresLocation.isPostgres(location) }

    /// The location as people may see it: a PostgreSQL URL without any password or query; a path as it is.
    public static func forPeople(_ location: String) -> String {
        isPostgres(location) ? PostgresLocation.forPeople(location) ?? "PostgreSQL" : location
    }

    /// On PostgreSQL, the default folder of uploads: `afterdesk-uploads` in the working directory (every server of a
    /// group must share it; `serve --uploads` says where). On SQLite uploads are kept beside the database file.
    public static let defaultPostgresUploads = "afterdesk-uploads"

    /// Opens the database at `location`. A PostgreSQL server that cannot be reached, or that refuses the user, is a
    /// `StoreError` of kind `io` with one line naming the location (never its password: `PostgresStorage.open` checks
    /// one connection first); a malformed location, or one holding a password, is one of kind `invalid`.
    public static func open(
        _ location: String, clock: Clock, uploads: String? = nil, maximumConnections: Int = 10,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> any Storage {
        guard isPostgres(location) else { return try AfterdeskDatabase(path: location, clock: clock) }
        var logger = Logger(label: "afterdesk.postgres")
        // The pool's own attempts (a refused connection, retried) are not the command's output: the one error is.
        logger.logLevel = .critical
        let storage = try await PostgresStorage.open(
            location, clock: clock, uploads: uploads ?? defaultPostgresUploads, maximumConnections: maximumConnections,
            environment: environment, logger: logger)
        await Opened.shared.add(storage)
        return storage
    }

    /// Ends the pool of every PostgreSQL storage opened here, waiting for its connections to close.
    public static func closeAll() async {
        for storage in await Opened.shared.takeAll() { await storage.shutdown() }
    }

    /// Ends the pool of `storage` when it is PostgreSQL (a SQLite file needs nothing).
    public static func close(_ storage: any Storage) async {
        guard let pg = storage as? PostgresStorage else { return }
        await Opened.shared.remove(pg)
        await pg.shutdown()
    }

    /// The PostgreSQL storages opened and not yet closed.
    actor Opened {
        static let shared = Opened()
        private var storages: [PostgresStorage] = []
        func add(_ s: PostgresStorage) { storages.append(s) }
        func remove(_ s: PostgresStorage) { storages.removeAll { $0 === s } }
        func takeAll() -> [PostgresStorage] {
            defer { storages = [] }
            return storages
        }
    }
}
