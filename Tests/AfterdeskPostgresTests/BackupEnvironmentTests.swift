import AfterdeskCore
import Foundation
import Testing

@testable import AfterdeskPostgres

/// A backup's `pg_dump` connects as the storage does: with the location's TLS mode and the password `open` was given,
/// in the child's environment alone; never with this process's PG* variables or its password as it is later.
@Suite struct BackupEnvironmentTests {
    @Test func theDumpCarriesTheLocationsSSLModeAndThePasswordGivenToOpen() throws {
        let server = try PostgresLocation.facts(
            "postgres://afterdesk@db.example.com:6432/group?sslmode=prefer", environment: ["AFTERDESK_DB_PASSWORD": "given-at-open"])
        let inherited = [
            "PATH": "/usr/bin", "PGPASSWORD": "someone-elses", "PGSSLMODE": "disable", "PGHOST": "elsewhere",
            "AFTERDESK_DB_PASSWORD": "changed-since", "AFTERDESK_DB_PASSWORD_FILE": "/tmp/other",
        ]
        let environment = PostgresTools.dumpEnvironment(server, inherited: inherited)
        #expect(environment["PGSSLMODE"] == "prefer")
        #expect(environment["PGPASSWORD"] == "given-at-open")
        #expect(environment["PATH"] == "/usr/bin")
        #expect(environment["PGHOST"] == nil && environment["AFTERDESK_DB_PASSWORD"] == nil)
        #expect(environment["AFTERDESK_DB_PASSWORD_FILE"] == nil)
        let arguments = PostgresTools.dumpArguments(server, snapshot: "00000003-1", to: "/backups/a.dump")
        #expect(arguments.contains("--host=db.example.com") && arguments.contains("--port=6432"))
        #expect(arguments.contains("--username=afterdesk") && arguments.contains("--dbname=group"))
        #expect(!arguments.joined(separator: " ").contains("given-at-open"))
        #expect(!server.description.contains("given-at-open"))
    }

    @Test func theDefaultTLSModeIsOffHereAndRequiredElsewhereAndNoPasswordIsNone() throws {
        let local = try PostgresLocation.facts("postgres://a@localhost/d", environment: [:])
        let remote = try PostgresLocation.facts("postgres://a@db.example.com/d", environment: [:])
        #expect(PostgresTools.dumpEnvironment(local, inherited: ["PGPASSWORD": "x"])["PGSSLMODE"] == "disable")
        #expect(PostgresTools.dumpEnvironment(remote, inherited: [:])["PGSSLMODE"] == "require")
        #expect(PostgresTools.dumpEnvironment(remote, inherited: ["PGPASSWORD": "x"])["PGPASSWORD"] == nil)
    }

    @Test func aPasswordFileIsReadOnceWhenTheStorageOpens() throws {
        let file = (NSTemporaryDirectory() as NSString).appendingPathComponent("afterdesk-pw-\(UUID().uuidString)")
        try "from-the-file\nignored\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let server = try PostgresLocation.facts("postgres://a@db.example.com/d", environment: ["AFTERDESK_DB_PASSWORD_FILE": file])
        try FileManager.default.removeItem(atPath: file)
        #expect(PostgresTools.dumpEnvironment(server, inherited: [:])["PGPASSWORD"] == "from-the-file")
    }

    /// On the test cluster: what `open` was given is what the storage keeps (the cluster trusts, so any password opens).
    @Test func aStorageKeepsWhatOpenWasGiven() async throws {
        let (server, name) = try await PostgresMigratorTests.emptyDatabase()
        let location = server.location(of: name) + "?sslmode=disable"
        let storage = try await PostgresStorage.open(
            location, clock: PostgresMigratorTests.clock, maximumConnections: 1, environment: ["AFTERDESK_DB_PASSWORD": "given-at-open"])
        let environment = PostgresTools.dumpEnvironment(storage.server, inherited: ["AFTERDESK_DB_PASSWORD": "later"])
        #expect(environment["PGPASSWORD"] == "given-at-open" && environment["PGSSLMODE"] == "disable")
        await storage.shutdown()
        try await server.dropDatabase(name)
    }
}
