import AfterdeskCore
import AfterdeskPostgres
import AfterdeskSQLite
import AfterdeskStorage
import Foundation
import Testing

/// Makes a fresh, empty storage of one backend for a scenario. `directory` is the scenario's own temporary folder
/// (removed after it): a backend on files puts them there; one on a server ignores it.
protocol StorageFactory: Sendable, CustomTestStringConvertible {
    var name: String { get }
    func make(clock: Clock, directory: URL) async throws -> any Storage
}

extension StorageFactory {
    var testDescription: String { name }
}

/// Every backend the contract runs against: a new backend is one more line here.
enum Backends {
    static let all: [any StorageFactory] = [SQLiteFileFactory(), SQLiteMemoryFactory(), PostgresFactory()]
}

/// SQLite on a file in the scenario's temporary folder.
struct SQLiteFileFactory: StorageFactory {
    var name: String { "sqlite-file" }
    func make(clock: Clock, directory: URL) async throws -> any Storage {
        try AfterdeskDatabase(path: directory.appendingPathComponent("contract.sqlite").path, clock: clock)
    }
}

/// SQLite in memory.
struct SQLiteMemoryFactory: StorageFactory {
    var name: String { "sqlite-memory" }
    func make(clock: Clock, directory: URL) async throws -> any Storage {
        try AfterdeskDatabase(inMemoryWith: clock)
    }
}

/// PostgreSQL: each scenario on its own database, a copy of one migrated template made once per test run, on the
/// cluster `scripts/test.sh` starts (`AFTERDESK_TEST_POSTGRES_URL`). Without one the scenario fails: never skipped.
struct PostgresFactory: StorageFactory {
    var name: String { "postgres" }
    func make(clock: Clock, directory: URL) async throws -> any Storage {
        try await PostgresTestDatabases.shared.fresh(clock: clock, uploads: directory.appendingPathComponent("uploads").path)
    }
}

/// The test run's PostgreSQL databases: the template, migrated once, and a copy of it per scenario.
actor PostgresTestDatabases {
    static let shared = PostgresTestDatabases()
    private var ready: Task<(PostgresServer, String), any Error>?
    private var made = 0
    private let run = "t\(getpid())_\(UInt32.random(in: 0...UInt32.max))"

    func fresh(clock: Clock, uploads: String) async throws -> PostgresStorage {
        // The first scenario makes the template; the others, started meanwhile, wait for the same task.
        let ready =
            self.ready
            ?? Task { [run] in
                let server = try Self.connect()
                let name = "afterdesk_template_\(run)"
                try await server.createDatabase(name)
                let storage = try await PostgresStorage.open(server.location(of: name), clock: clock, maximumConnections: 1)
                storage.close()
                return (server, name)
            }
        self.ready = ready
        let (server, template) = try await ready.value
        made += 1
        let name = "afterdesk_\(run)_\(made)"
        try await server.createDatabase(name, template: template)
        return try await PostgresStorage.open(server.location(of: name), clock: clock, uploads: uploads, maximumConnections: 4)
    }

    private static func connect() throws -> PostgresServer {
        guard let url = ProcessInfo.processInfo.environment["AFTERDESK_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw StoreError(
                "no PostgreSQL for the tests: run them with scripts/test.sh, or start one with "
                    + "eval \"$(scripts/pg-test-cluster.sh start)\" (AFTERDESK_TEST_POSTGRES_URL)")
        }
        return try PostgresServer(url)
    }
}
