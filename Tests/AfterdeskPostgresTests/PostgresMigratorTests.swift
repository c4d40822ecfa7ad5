import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import AfterdeskPostgres

/// PostgreSQL's schema history on the test run's cluster (`AFTERDESK_TEST_POSTGRES_URL`, started by scripts/test.sh):
/// migrated once however many servers start together, pinned by hash, refused when a shipped migration changed.
@Suite struct PostgresMigratorTests {
    static let clock = Clock.fixed(Date(timeIntervalSince1970: 1_795_440_000))

    /// A new, empty database on the test cluster, and the server that made it.
    static func emptyDatabase() async throws -> (PostgresServer, String) {
        let url = try #require(
            ProcessInfo.processInfo.environment["AFTERDESK_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 },
            "no PostgreSQL for the tests: run scripts/test.sh, or eval \"$(scripts/pg-test-cluster.sh start)\"")
        let server = try PostgresServer(url)
        let name = "migrator_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        try await server.createDatabase(name)
        return (server, name)
    }

    @Test func fourServersStartingTogetherMigrateOnce() async throws {
        let (server, name) = try await Self.emptyDatabase()
        let location = server.location(of: name)
        let storages = try await withThrowingTaskGroup(of: PostgresStorage.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresStorage.open(location, clock: Self.clock, maximumConnections: 2) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(storages.count == 4)
        let storage = try #require(storages.first)
        let recorded = try await storage.read { conn in
            try await conn.all(String.self, "SELECT name FROM afterdesk_migrations ORDER BY name", storage.logger)
        }
        #expect(recorded == PostgresMigrations.shipped.map(\.name).sorted())
        let tables = try await storage.read { conn in
            try await conn.one(
                Int64.self,
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('afterdesk_migrations', 'afterdesk_copies')",
                storage.logger)
        }
        // SQLite's 38 tables (scripts/pg-schema-check.sh compares them column by column), besides PostgreSQL's own two.
        #expect(tables == 38)
        for s in storages { await s.shutdown() }
        try await server.dropDatabase(name)
    }

    @Test func aShippedMigrationIsPinnedByItsHash() {
        // Never edited once shipped: a change to the baseline's text is a new migration, not an edit.
        #expect(
            PostgresMigrations.shipped.map(\.name) == [
                "p1-baseline", "p2-copies", "p3-hot-paths", "p4-plan-indexes", "p5-outbox-order",
                "p6-user-stores", "p7-leases", "p8-outbox-claims", "p9-outbox-customer-channel", "p10-ledger-touches",
            ])
        #expect(PostgresMigrator.hash(PostgresMigrations.baseline) == PostgresMigratorTests.baselineHash)
        #expect(PostgresMigrator.hash(PostgresMigrations.hotPaths) == PostgresMigratorTests.hotPathsHash)
    }

    @Test func aMigrationChangedAfterItRanIsRefused() async throws {
        try await Self.expectRefused(
            after: "UPDATE afterdesk_migrations SET hash = hash + 1 WHERE name = 'p1-baseline'",
            StoreError.integrity("PostgreSQL migration p1-baseline was changed after it ran here"))
    }

    @Test func aLocationNeverHoldsItsPasswordAndIsShownWithoutOne() throws {
        #expect(throws: StoreError.self) {
            _ = try PostgresLocation.configuration("postgres://afterdesk:secret@db.example.com/afterdesk", environment: [:])
        }
        #expect(throws: StoreError.self) { _ = try PostgresLocation.configuration("postgres://db.example.com/afterdesk", environment: [:]) }
        #expect(throws: StoreError.self) {
            _ = try PostgresLocation.configuration("postgres://a@db.example.com/afterdesk?sslmode=maybe", environment: [:])
        }
        let remote = try PostgresLocation.configuration(
            "postgres://afterdesk@db.example.com:6432/group", environment: ["AFTERDESK_DB_PASSWORD": "pw"])
        #expect(remote.host == "db.example.com" && remote.port == 6432 && remote.database == "group")
        #expect(remote.username == "afterdesk" && remote.password == "pw")
        #expect(PostgresLocation.forPeople("postgres://a:secret@h/d?sslmode=disable") == "postgres://a@h/d")
        #expect(PostgresLocation.isPostgres("postgresql://a@h/d") && !PostgresLocation.isPostgres("afterdesk.sqlite"))
        #expect(PostgresLocation.isPostgres("POSTGRES://a@h/d") && PostgresLocation.isPostgres("PostgreSQL://a@h/d"))
    }
}

extension PostgresMigratorTests {
    /// The hash `p1-baseline` was shipped with.
    static let baselineHash: Int64 = -5_553_168_754_653_394_932
    /// Migrates a new database, changes its migration history with `tamper`, and expects the next open to be refused
    /// with `refusal`.
    static func expectRefused(after tamper: PostgresQuery, _ refusal: StoreError) async throws {
        let (server, name) = try await emptyDatabase()
        let location = server.location(of: name)
        let first = try await PostgresStorage.open(location, clock: clock, maximumConnections: 1)
        try await first.write { conn in try await conn.run(tamper, first.logger) }
        await first.shutdown()
        await #expect(throws: refusal) { _ = try await PostgresStorage.open(location, clock: clock, maximumConnections: 1) }
        try await server.dropDatabase(name)
    }

    /// A database not encoded in UTF-8 is refused before anything is written to it.
    @Test func aDatabaseNotEncodedInUTF8IsRefused() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["AFTERDESK_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 })
        let server = try PostgresServer(url)
        let name = "latin1_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        try await server.createDatabase(name, encoding: "LATIN1")
        await #expect(
            throws: StoreError.integrity(
                "this PostgreSQL database is encoded LATIN1; Afterdesk needs a UTF8 database "
                    + "(CREATE DATABASE … TEMPLATE template0 ENCODING 'UTF8': docs/operations.md)")
        ) { _ = try await PostgresStorage.open(server.location(of: name), clock: Self.clock, maximumConnections: 1) }
        try await server.dropDatabase(name)
    }

    static let hotPathsHash: Int64 = -6_858_825_183_093_971_272

    /// A server of an older release never opens a database a newer one migrated: it would write what the newer schema
    /// no longer means.
    @Test func aDatabaseMigratedByANewerReleaseIsRefused() async throws {
        try await Self.expectRefused(
            after: "INSERT INTO afterdesk_migrations (name, hash) VALUES ('p99-from-the-future', 1)",
            StoreError.integrity(
                "this database was migrated by a newer Afterdesk (migration p99-from-the-future is unknown to this release): "
                    + "run the newer release"))
    }
}
