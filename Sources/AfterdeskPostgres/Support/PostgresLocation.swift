import AfterdeskStorage
import Foundation
import PostgresNIO

/// A database location naming PostgreSQL: `postgres://user@host:port/database` (or `postgresql://`), with an optional
/// `?sslmode=disable|prefer|require`. The password is never in the URL (a command line is visible to every user of
/// the machine): it comes from `AFTERDESK_DB_PASSWORD`, or the first line of the file named by
/// `AFTERDESK_DB_PASSWORD_FILE`, or `PGPASSWORD`, or PostgreSQL's password file (`PGPass`), or nowhere (trust or peer
/// authentication). TLS is off for 127.0.0.1, localhost and
/// ::1, and required (the server's certificate checked against the system's roots) for any other host, unless
/// `sslmode` says otherwise.
public enum PostgresLocation {
    /// Whether `location` names PostgreSQL rather than a SQLite file.
    public static func isPostgres(_ location: String) -> Bool {
        let scheme = location.prefix(13).lowercased()
        return scheme.hasPrefix("postgres://") || scheme.hasPrefix("postgresql://")
    }

    static func configuration(_ location: String, environment: [String: String]) throws -> PostgresClient.Configuration {
        try facts(location, environment: environment).configuration()
    }

    /// A location with a password (`user:password@`, `?password=`) is refused with this.
    static let passwordRefusal =
        "a PostgreSQL location never holds its password: give it in AFTERDESK_DB_PASSWORD, AFTERDESK_DB_PASSWORD_FILE, "
        + "PGPASSWORD or a password file (~/.pgpass)"

    /// Where and as whom `location` connects, its password found from `environment` (the location never holds one).
    static func facts(_ location: String, environment: [String: String]) throws -> PostgresConnectionFacts {
        guard isPostgres(location), let url = URLComponents(string: location) else {
            throw StoreError("not a PostgreSQL location (postgres://user@host:port/database): \(forPeople(location) ?? "")")
        }
        guard url.password == nil else {
            throw StoreError(passwordRefusal)
        }
        guard let user = url.user, !user.isEmpty else {
            throw StoreError("a PostgreSQL location names its user: postgres://user@host/database")
        }
        guard url.port.map({ (1...65_535).contains($0) }) ?? true else { throw StoreError("the port is 1 to 65535") }
        // `sslmode` alone: a password in the query (`?password=`) is refused as in the user part, and any other
        // parameter, which would be ignored, is named (never its value).
        let others = (url.queryItems ?? []).map(\.name).filter { $0 != "sslmode" }
        if others.contains(where: { $0.lowercased() == "password" }) {
            throw StoreError(passwordRefusal)
        }
        if let other = others.first {
            throw StoreError("a PostgreSQL location takes ?sslmode= alone, not ?\(other)=")
        }
        let database = String(url.path.drop { $0 == "/" })
        // An IPv6 address comes in brackets (postgres://desk@[::1]/afterdesk); the connection takes the address alone.
        var host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        if host.hasPrefix("["), host.hasSuffix("]"), host.count > 2 { host = String(host.dropFirst().dropLast()) }
        let local = ["127.0.0.1", "localhost", "::1"].contains(host)
        let sslmode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? (local ? "disable" : "require")
        guard ["disable", "prefer", "require", "verify-full"].contains(sslmode) else {
            throw StoreError("sslmode is disable, prefer or require, not \(sslmode)")
        }
        let target = PGPass.Target(host: host, port: url.port ?? 5432, database: database.isEmpty ? user : database, user: user)
        return PostgresConnectionFacts(
            host: host, port: url.port ?? 5432, user: user, database: database.isEmpty ? nil : database, sslmode: sslmode,
            password: try password(for: target, environment: environment))
    }

    /// The password, first found of: `AFTERDESK_DB_PASSWORD`, the file `AFTERDESK_DB_PASSWORD_FILE` names,
    /// `PGPASSWORD`, the password file's line for `target`; nil: none (trust or peer authentication).
    /// A variable set but empty (a blank `Environment=` line of a service) counts as not set, as libpq takes it.
    static func password(for target: PGPass.Target, environment: [String: String]) throws -> String? {
        func given(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let p = given("AFTERDESK_DB_PASSWORD") { return p }
        if let file = given("AFTERDESK_DB_PASSWORD_FILE") { return try passwordFile(file) }
        if let p = given("PGPASSWORD") { return p }
        return PGPass.password(for: target, environment: environment)
    }

    /// The first line of the file at `path` that is not empty; an error naming the file and why it could not be read,
    /// or that it holds no line (an empty password the server would refuse, or sent where none was meant).
    private static func passwordFile(_ path: String) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            var isFolder: ObjCBool = false
            let why =
                !FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
                ? "there is no such file" : isFolder.boolValue ? "it is a folder" : "it cannot be read as text by this user"
            throw StoreError.io("cannot read the password file AFTERDESK_DB_PASSWORD_FILE names (\(path)): \(why)")
        }
        guard let first = text.split(whereSeparator: \.isNewline).first.map(String.init) else {
            throw StoreError.io(
                "the password file AFTERDESK_DB_PASSWORD_FILE names (\(path)) holds no password: it is the file's first line "
                    + "that is not blank")
        }
        return first
    }

    /// The location as people may see it: any password and query taken out.
    public static func forPeople(_ location: String) -> String? {
        guard var url = URLComponents(string: location) else { return nil }
        url.password = nil
        url.query = nil
        return url.string
    }
}
/// Where and as whom a storage connects, resolved from its location and the environment it was opened with, once: the
/// pool connects with them, and a backup's `pg_dump` is handed the same (never this process's environment as it is
/// when the backup runs). Its description leaves the password out.
struct PostgresConnectionFacts: Sendable, Equatable, CustomStringConvertible {
    var host: String
    var port: Int
    var user: String
    /// nil: the user's own database.
    var database: String?
    /// `disable`, `prefer`, `require` or `verify-full`: the location's `sslmode`, or the default for its host (off for
    /// this machine, required for any other).
    var sslmode: String
    /// The password found from the environment given at open (`PostgresLocation.password(for:environment:)`); nil: none
    /// (trust or peer authentication).
    var password: String?

    /// The pool's configuration: TLS as `sslmode` says, the server's certificate checked against the system's roots.
    func configuration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(.makeClientConfiguration())
        default: tls = .require(.makeClientConfiguration())
        }
        var c = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        c.options.additionalStartupParameters = Self.startupParameters
        return c
    }

    /// One connection's configuration (outside the pool: the check at open, the task queue's listener), TLS as the
    /// pool's.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch sslmode {
            case "disable": .disable
            case "prefer": .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        var c = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        c.options.additionalStartupParameters = Self.startupParameters
        return c
    }

    /// The startup parameters of every connection: its name in `pg_stat_activity`, and UTC (both of which PgBouncer passes
    /// on; JIT is turned off by the transactions that need it, `PostgresStorage.withoutJIT`, since PgBouncer refuses a
    /// startup parameter it does not know).
    static let startupParameters = [("application_name", "afterdesk"), ("TimeZone", "UTC")]

    var description: String {
        "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database ?? "")?sslmode=\(sslmode)"
    }
}
