import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// A consistent copy of the whole database at `destination`, safe while servers and imports run: PostgreSQL's own
    /// `pg_dump` (custom format, for `pg_restore`) reads the snapshot of one REPEATABLE READ transaction, exported to
    /// it (`pg_export_snapshot()`) and held open until it is done, and the deals and migrations the summary counts are
    /// read in that same snapshot. The dump goes to a temporary file beside `destination`, is checked by `pg_restore
    /// --list`, and is then renamed into place, so a failure leaves no half file. An existing `destination` is
    /// refused: a backup never overwrites one.
    public func backup(to destination: String) async throws -> BackupSummary {
        let temporary = try BackupFile.start(destination)
        do {
            let tools = try PostgresTools.find()
            let (deals, migrations) = try await snapshot { conn in
                guard let id = try await conn.one(String.self, "SELECT pg_export_snapshot()", logger) else {
                    throw StoreError.io("PostgreSQL exported no snapshot")
                }
                let deals = try await conn.one(Int.self, "SELECT count(*) FROM deals", logger) ?? 0
                let migrations = try await conn.one(Int.self, "SELECT count(*) FROM afterdesk_migrations", logger) ?? 0
                try await tools.dump(server, snapshot: id, to: temporary)
                return (deals, migrations)
            }
            try await tools.check(temporary)
            return try BackupFile.finish(temporary: temporary, destination: destination, deals: deals, migrations: migrations)
        } catch {
            throw BackupFile.abandon(temporary, destination: destination, after: error)
        }
    }
}

/// PostgreSQL's client programs a backup runs: `pg_dump` and the `pg_restore` beside it, found in the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian's and Ubuntu's packages) or else on the PATH.
struct PostgresTools {
    let pgDump: String
    /// The `pg_restore` beside `pg_dump` (nil: none there, and the dump is not listed back).
    let pgRestore: String?

    static func find(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresTools {
        let fm = FileManager.default
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap { Int($0) }.sorted(by: >)
        let folders =
            versions.map { "/usr/lib/postgresql/\($0)/bin" }
            + (environment["PATH"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        guard let folder = folders.first(where: { fm.isExecutableFile(atPath: $0 + "/pg_dump") }) else {
            throw StoreError.io(
                "pg_dump was not found (in /usr/lib/postgresql/*/bin or on the PATH): install PostgreSQL's client programs "
                    + "(the postgresql-client package), of the server's version or newer, to back up a PostgreSQL database")
        }
        let restore = folder + "/pg_restore"
        return PostgresTools(pgDump: folder + "/pg_dump", pgRestore: fm.isExecutableFile(atPath: restore) ? restore : nil)
    }

    /// Dumps the database `server` names, as it is in the exported `snapshot`, to `file` (custom format).
    func dump(_ server: PostgresConnectionFacts, snapshot: String, to file: String) async throws {
        try await Self.run(
            pgDump, Self.dumpArguments(server, snapshot: snapshot, to: file),
            environment: Self.dumpEnvironment(server, inherited: ProcessInfo.processInfo.environment), what: "pg_dump")
    }

    /// `pg_dump`'s command line: where and as whom it connects, never the password.
    static func dumpArguments(_ server: PostgresConnectionFacts, snapshot: String, to file: String) -> [String] {
        var arguments = [
            "--format=custom", "--snapshot=\(snapshot)", "--no-password", "--lock-wait-timeout=60s", "--file=\(file)",
            "--host=\(server.host)", "--port=\(server.port)", "--username=\(server.user)",
        ]
        if let database = server.database { arguments.append("--dbname=\(database)") }
        return arguments
    }

    /// `pg_dump`'s environment: this process's (`inherited`) without any PG* variable or Afterdesk password, so that it
    /// connects where the storage does, plus the storage's own TLS mode (`PGSSLMODE`) and the password its `open` was
    /// given (`PGPASSWORD`: in the child's environment alone, never on its command line).
    static func dumpEnvironment(_ server: PostgresConnectionFacts, inherited: [String: String]) -> [String: String] {
        var environment = inherited.filter { !$0.key.hasPrefix("PG") && !$0.key.hasPrefix("AFTERDESK_DB_PASSWORD") }
        environment["PGPASSWORD"] = server.password
        environment["PGSSLMODE"] = server.sslmode
        environment["PGAPPNAME"] = "afterdesk-backup"
        environment["PGCONNECT_TIMEOUT"] = "10"
        return environment
    }

    /// Lists the dump back (`pg_restore --list`): a file it cannot read is no backup.
    func check(_ file: String) async throws {
        guard let pgRestore else { return }
        try await Self.run(pgRestore, ["--list", file], environment: ProcessInfo.processInfo.environment, what: "pg_restore --list")
    }

    /// Runs `program` to its end; a failure is an I/O error quoting the end of what it wrote to stderr (written to a
    /// temporary file of its own, so no pipe fills up and no thread blocks reading one).
    private static func run(_ program: String, _ arguments: [String], environment: [String: String], what: String) async throws {
        let log = (NSTemporaryDirectory() as NSString).appendingPathComponent("afterdesk-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: log, contents: nil, attributes: [.posixPermissions: 0o600]),
            let errors = FileHandle(forWritingAtPath: log)
        else { throw StoreError.io("cannot write \(what)'s messages to \(log)") }
        defer { try? FileManager.default.removeItem(atPath: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let status: Int32 = try await withCheckedThrowingContinuation { done in
            process.terminationHandler = { done.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                done.resume(throwing: StoreError.io("cannot run \(program): \(error)"))
            }
        }
        try? errors.close()
        guard status == 0, process.terminationReason == .exit else {
            let said = String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw StoreError.io("\(what) failed (status \(status)): \(String(said.suffix(600)))")
        }
    }
}
