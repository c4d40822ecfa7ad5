import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// A PostgreSQL server's databases, through a maintenance connection (the tests' cluster; `copy-database`'s target):
/// made fresh from a template, or dropped. Names are checked to be plain identifiers, never quoted data.
public final class PostgresServer: Sendable {
    private let client: PostgresClient
    private let logger: Logger
    private let running: Task<Void, Never>
    private let location: String

    /// The server of `location`, through the database it names (usually `postgres`).
    public init(_ location: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        var configuration = try PostgresLocation.configuration(location, environment: environment)
        configuration.options.maximumConnections = 2
        logger = Logger(label: "afterdesk.postgres.server")
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.location = location
        running = Task { await client.run() }
    }

    deinit { running.cancel() }

    /// `location` with its database replaced by `database`.
    public func location(of database: String) -> String {
        guard var url = URLComponents(string: location) else { return location }
        url.path = "/" + database
        return url.string ?? location
    }

    /// Creates `name`, a copy of `template` (nil: an empty database); with `encoding`, an empty database (a copy of
    /// `template0`) so encoded, in the C locale.
    public func createDatabase(_ name: String, template: String? = nil, encoding: String? = nil) async throws {
        try Self.check(name)
        if let template { try Self.check(template) }
        if let encoding, !Self.isPlainName(encoding) { throw StoreError("an encoding's name is letters, digits and _: \(encoding)") }
        var sql = (encoding != nil ? "template0" : template).map { "CREATE DATABASE \(name) TEMPLATE \($0)" } ?? "CREATE DATABASE \(name)"
        if let encoding { sql += " ENCODING '\(encoding)' LC_COLLATE 'C' LC_CTYPE 'C'" }
        // A template still open elsewhere (the connections of a storage just closed) refuses to be copied: it is
        // tried again for a few seconds while they end.
        var attempt = 0
        while true {
            do {
                do {
                    try await run(PostgresQuery(unsafeSQL: sql))
                } catch { throw PostgresErrors.mapped(error) }
                return
            } catch  where PostgresErrors.sqlState(error) == "55006" && attempt < 50 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Drops `name` if it exists, ending its connections.
    public func dropDatabase(_ name: String) async throws {
        try Self.check(name)
        try await run(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
    }

    /// Whether database `name` exists.
    public func databaseExists(_ name: String) async throws -> Bool {
        try await client.withConnection(within: ConnectionWait.default) { conn in
            for try await n in try await conn.statement("SELECT count(*) FROM pg_database WHERE datname = \(name)", logger: logger)
                .decode(Int64.self)
            {
                return n > 0
            }
            return false
        }
    }

    /// Runs `query` on a connection waited for at most `ConnectionWait` (a server gone fails it, never hangs it).
    private func run(_ query: PostgresQuery) async throws {
        try await client.withConnection(within: ConnectionWait.default) { conn in
            try await conn.run(query, logger)
        }
    }

    private static func check(_ name: String) throws {
        guard isPlainName(name) else { throw StoreError("a database name is letters, digits and _: \(name)") }
    }

    /// ASCII letters, digits and `_`, not led by a digit, at most 63 of them: a name SQL can hold unquoted.
    private static func isPlainName(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_", name.count <= 63 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
