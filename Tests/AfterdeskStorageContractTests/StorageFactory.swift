import AfterdeskBackendTestSupport
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
