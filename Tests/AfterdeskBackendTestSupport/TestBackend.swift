import AfterdeskCore
import AfterdeskPostgres
import AfterdeskSQLite
import AfterdeskStorage
import Foundation

/// A backend the tests run on: the router, API, page, dispatch and import tests take one as their argument
/// (`@Test(arguments: TestBackend.all)`), and each case gets a fresh, empty storage of it.
public enum TestBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    /// SQLite on a file in the test's own folder (the embedded default).
    case sqlite
    /// PostgreSQL: a database of its own, copied from a template migrated once per test run, on the cluster
    /// `scripts/test.sh` starts (`AFTERDESK_TEST_POSTGRES_URL`). Without one the test fails: it is never skipped.
    case postgres

    public static let all = TestBackend.allCases
    public var description: String { rawValue }

    /// A fresh storage whose clock is `clock`; `directory` is the test's folder (SQLite's file `<name>.sqlite` and the
    /// uploads go there; a test making two databases names them). The case is noted for the tally of the backends'
    /// passed tests (`TalliedByBackend`).
    public func make(clock: Clock, directory: URL, name: String = "test") async throws -> any Storage {
        BackendsUsed.note(self)
        switch self {
        case .sqlite:
            return try AfterdeskDatabase(path: directory.appendingPathComponent("\(name).sqlite").path, clock: clock)
        case .postgres:
            return try await PostgresTestDatabases.shared.fresh(
                clock: clock, uploads: directory.appendingPathComponent("\(name)-uploads").path)
        }
    }
}

/// The test run's PostgreSQL databases: the template, migrated once, and a copy of it per test case.
public actor PostgresTestDatabases {
    public static let shared = PostgresTestDatabases()
    private var ready: Task<(PostgresServer, String), any Error>?
    private var made = 0
    private let run = "t\(getpid())_\(UInt32.random(in: 0...UInt32.max))"

    /// A new database, a copy of the migrated template, opened with a pool of `connections`.
    public func fresh(clock: Clock, uploads: String, connections: Int = 4) async throws -> PostgresStorage {
        let name = try await freshDatabase()
        return try await PostgresStorage.open(
            try await location(of: name), clock: clock, uploads: uploads, maximumConnections: connections)
    }

    /// The name of a new database copied from the migrated template (for tests that open it themselves).
    public func freshDatabase() async throws -> String {
        let (server, template) = try await freshDatabaseTemplate()
        made += 1
        let name = "afterdesk_\(run)_\(made)"
        try await server.createDatabase(name, template: template)
        BackendsUsed.note(database: name)
        return name
    }

    /// Drops database `name` (a test case's, once it is over) `dropDelay` later, when a later case's databases are
    /// given here, ending the connections still open to it (`DROP DATABASE … WITH (FORCE)`). Not at once: a case's
    /// storage may still be ending work of its own as the case returns (a lock's release, a scheduler's last round, a
    /// pool closing), and a statement written just as PostgreSQL ends its session is lost by PostgresNIO 1.33, which
    /// `StatementWatch` answers by ending the process, the test run with it. The databases left at the end go with
    /// the run's throwaway cluster.
    public func drop(_ name: String) async throws {
        let now = ContinuousClock.now
        pendingDrops.append((name, now))
        let due = pendingDrops.prefix { now - $0.endedAt >= Self.dropDelay }.map(\.name)
        pendingDrops.removeFirst(due.count)
        guard let (server, _) = try await ready?.value else { return }
        for name in due { try await server.dropDatabase(name) }
    }

    /// How long after its case a database is dropped (`drop`): long past any work a closed storage still ends.
    static let dropDelay: Duration = .seconds(30)
    private var pendingDrops: [(name: String, endedAt: ContinuousClock.Instant)] = []

    /// The cluster and the migrated template, made by the first caller; the others, started meanwhile, wait for it.
    private func freshDatabaseTemplate() async throws -> (PostgresServer, String) {
        let ready =
            self.ready
            ?? Task { [run] in
                let server = try Self.connect()
                let name = "afterdesk_template_\(run)"
                try await server.createDatabase(name)
                let storage = try await PostgresStorage.open(server.location(of: name), clock: .live, maximumConnections: 1)
                storage.close()
                return (server, name)
            }
        self.ready = ready
        return try await ready.value
    }

    /// The location (`postgres://…`) of database `name` on the test cluster.
    public func location(of name: String) async throws -> String {
        _ = try await freshDatabaseTemplate()
        return try await ready?.value.0.location(of: name) ?? name
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
