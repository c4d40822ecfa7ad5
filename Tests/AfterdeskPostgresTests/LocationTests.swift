import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import AfterdeskPostgres

/// What a group's IT person gets wrong in a location, a password or a role, said in one line that names what to fix:
/// the location's rules (no parameter but `sslmode`, an IPv6 address in brackets), the password's sources (an empty
/// variable is not set, a password file that cannot be read is named with why), and, on the test run's cluster, a
/// server without TLS and a role that may not create Afterdesk's tables.
@Suite struct LocationTests {
    /// As written out, so a change of the words shows here.
    static let passwordRefusal =
        "a PostgreSQL location never holds its password: give it in AFTERDESK_DB_PASSWORD, AFTERDESK_DB_PASSWORD_FILE, "
        + "PGPASSWORD or a password file (~/.pgpass)"

    @Test func aPasswordInTheQueryIsRefusedAndAnyOtherParameterNamed() throws {
        let withPasswords = [
            "postgres://desk@db.example.com/afterdesk?password=hunter2", "postgres://desk@h/d?sslmode=disable&PASSWORD=hunter2",
        ]
        for location in withPasswords {
            #expect(throws: StoreError(Self.passwordRefusal)) { _ = try PostgresLocation.facts(location, environment: [:]) }
        }
        #expect(throws: StoreError("a PostgreSQL location takes ?sslmode= alone, not ?connect_timeout=")) {
            _ = try PostgresLocation.facts("postgres://desk@h/d?connect_timeout=10", environment: [:])
        }
        let plain = try PostgresLocation.facts("postgres://desk@h/d?sslmode=prefer", environment: [:])
        #expect(plain.sslmode == "prefer" && plain.database == "d")
    }

    @Test func anIPv6AddressIsGivenInBracketsAndConnectedToWithout() throws {
        let local = try PostgresLocation.facts("postgres://desk@[::1]:5433/afterdesk", environment: [:])
        #expect(local.host == "::1" && local.port == 5433 && local.sslmode == "disable")
        #expect(local.description == "postgres://desk@[::1]:5433/afterdesk?sslmode=disable")
        let remote = try PostgresLocation.facts("postgres://desk@[2001:db8::7]/afterdesk", environment: [:])
        #expect(remote.host == "2001:db8::7" && remote.sslmode == "require")
    }

    @Test func anEmptyVariableIsNotAPassword() throws {
        let target = PGPass.Target(host: "h", port: 5432, database: "d", user: "u")
        let blank = ["AFTERDESK_DB_PASSWORD": "", "AFTERDESK_DB_PASSWORD_FILE": "", "PGPASSWORD": "from-pg"]
        #expect(try PostgresLocation.password(for: target, environment: blank) == "from-pg")
        let none = ["AFTERDESK_DB_PASSWORD": "", "PGPASSWORD": "", "PGPASSFILE": "/nonexistent/pgpass"]
        #expect(try PostgresLocation.password(for: target, environment: none) == nil)
    }

    @Test func aPasswordFileThatCannotBeUsedIsNamedWithWhy() throws {
        let target = PGPass.Target(host: "h", port: 5432, database: "d", user: "u")
        let folder = NSTemporaryDirectory() + "pwfile-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let missing = folder + "/missing"
        let empty = folder + "/empty"
        let blankLines = folder + "/blank"
        let good = folder + "/good"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        try "\r\n\n".write(toFile: blankLines, atomically: true, encoding: .utf8)
        try "s3cret\r\n".write(toFile: good, atomically: true, encoding: .utf8)
        let names = "cannot read the password file AFTERDESK_DB_PASSWORD_FILE names"
        let noLine = "holds no password: it is the file's first line that is not blank"
        let cases: [(String, String)] = [
            (missing, "\(names) (\(missing)): there is no such file"),
            (folder, "\(names) (\(folder)): it is a folder"),
            (empty, "the password file AFTERDESK_DB_PASSWORD_FILE names (\(empty)) \(noLine)"),
            (blankLines, "the password file AFTERDESK_DB_PASSWORD_FILE names (\(blankLines)) \(noLine)"),
        ]
        for (file, message) in cases {
            #expect(throws: StoreError.io(message)) {
                _ = try PostgresLocation.password(for: target, environment: ["AFTERDESK_DB_PASSWORD_FILE": file])
            }
        }
        #expect(try PostgresLocation.password(for: target, environment: ["AFTERDESK_DB_PASSWORD_FILE": good]) == "s3cret")
    }

    /// The tests' cluster (scripts/pg-test-cluster.sh) has no TLS: a location that asks for it says so and what to do,
    /// not the driver's error name.
    @Test func aServerWithoutTLSIsSaidSo() async throws {
        let (server, name) = try await PostgresMigratorTests.emptyDatabase()
        let refusal = await Self.refusal(opening: server.location(of: name) + "?sslmode=require")
        try await server.dropDatabase(name)
        let e = try #require(refusal, "a server without TLS was opened with sslmode=require")
        #expect(e.kind == .io && e.message.contains("the server does not offer TLS"), "\(e.message)")
        #expect(e.message.contains("?sslmode=disable"))
    }

    /// A role that does not own its database (on PostgreSQL 15, the tests' cluster, it may not create tables in
    /// `public`) is told so: the server's message and what the role needs, in one line, never the driver's generic
    /// description.
    @Test func aRoleThatMayNotCreateTheTablesIsToldItMustOwnItsDatabase() async throws {
        let (server, name) = try await PostgresMigratorTests.emptyDatabase()
        let role = "guest_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        // Through the maintenance database: the test's own is dropped while this connection lives.
        let admin = try PostgresLocation.facts(
            server.location(of: "postgres"), environment: ProcessInfo.processInfo.environment
        ).connectionConfiguration()
        let logger = Logger(label: "test")
        let conn = try await PostgresConnection.connect(configuration: admin, id: 1, logger: logger)
        try await conn.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(role) LOGIN"), logger: logger)
        var url = URLComponents(string: server.location(of: name))
        url?.user = role
        let location = url?.string ?? ""
        let refusal = await Self.refusal(opening: location)
        try await server.dropDatabase(name)
        try await conn.query(PostgresQuery(unsafeSQL: "DROP ROLE IF EXISTS \(role)"), logger: logger)
        try await conn.close()
        let e = try #require(refusal, "a role without CREATE on public migrated the database")
        #expect(e.message.hasPrefix("cannot bring the PostgreSQL database \(PostgresLocation.forPeople(location) ?? "") up to date"))
        #expect(e.message.contains("permission denied") && e.message.contains("SQLSTATE 42501"), "\(e.message)")
        #expect(e.message.hasSuffix("must own its database (docs/operations.md, \"The server it needs\")"))
    }

    /// The store error opening `location` ends with; nil when it opened (then closed at once).
    static func refusal(opening location: String) async -> StoreError? {
        do {
            let storage = try await PostgresStorage.open(location, clock: PostgresMigratorTests.clock, maximumConnections: 1)
            await storage.shutdown()
            return nil
        } catch let e as StoreError {
            return e
        } catch {
            return StoreError("not a store error: \(error)")
        }
    }
}
