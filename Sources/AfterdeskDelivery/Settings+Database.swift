import Foundation

/// Where the database is, from the settings file: `database` (a SQLite file or a PostgreSQL URL, never with its
/// password), used when neither `--db` nor `AFTERDESK_DB` says; and `uploads_dir`, where `serve` keeps uploads on
/// PostgreSQL; `database_pool_size`, the connections one `serve` keeps open at most (docs/settings.md).
extension Settings {
    static let databaseKeys: [Key] = [
        // Its environment variable is AFTERDESK_DB, the one every command has always read.
        Key(
            file: "database", environment: "AFTERDESK_DB",
            about: "the database: a SQLite file, or postgres://user@host:port/database (the password never in it)",
            write: { $0.database = try databaseLocation($1) }),
        key("uploads_dir", "on PostgreSQL, the folder serve keeps uploads in, shared by every server (default ./afterdesk-uploads)") {
            $0.uploadsDir = $1
        },
        key("database_pool_size", "on PostgreSQL, the connections one serve process keeps open at most (default 10)") {
            let n = try int($1, "database_pool_size", atMost: maximumPoolSize)
            guard n >= minimumPoolSize else {
                throw SettingsError(
                    "database_pool_size: '\($1)' is fewer than \(minimumPoolSize): a server holds one for the dispatch lock "
                        + "and one for an upload's import while its requests and rounds need their own")
            }
            $0.databasePoolSize = n
        },
    ]

    /// The most connections one process may ask for: far beyond what a server's requests need, and below what a
    /// default PostgreSQL server allows in all (`max_connections`).
    public static let maximumPoolSize = 90
    /// The fewest: with the locks' connections held, a statement waits for a free one at most 60 s (`ConnectionWait`).
    public static let minimumPoolSize = 4

    /// The default database: `afterdesk.sqlite` in the working directory.
    public static let defaultDatabase = "afterdesk.sqlite"

    /// `text` as a database location; a PostgreSQL URL holding a password is refused (a settings file is read by many
    /// people and copied around; the password goes in `AFTERDESK_DB_PASSWORD`, `PGPASSWORD` or a password file).
    static func databaseLocation(_ text: String) throws -> String {
        let location = text.trimmingCharacters(in: .whitespaces)
        guard !location.isEmpty else { throw SettingsError("database: empty") }
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://"),
            URLComponents(string: location)?.password != nil
        {
            throw SettingsError(
                "database: a PostgreSQL location never holds its password: give it in AFTERDESK_DB_PASSWORD, "
                    + "AFTERDESK_DB_PASSWORD_FILE, PGPASSWORD or a password file (~/.pgpass)")
        }
        return location
    }

    /// The database a command opens: `option` (its `--db`), else `AFTERDESK_DB`, else the settings file's `database`
    /// (`settings` reads the file: only then, so a command told where its database is never needs the file), else
    /// `afterdesk.sqlite` here.
    public static func databaseLocation(
        option: String?, environment: [String: String], settings: () throws -> Settings
    ) throws -> String {
        if let option, !option.isEmpty { return option }
        if let fromEnvironment = environment["AFTERDESK_DB"], !fromEnvironment.isEmpty { return fromEnvironment }
        return try settings().database ?? defaultDatabase
    }
}
