import AfterdeskCore
import AfterdeskStorage
import Logging
import PostgresNIO

/// Runs PostgreSQL's migrations (`PostgresMigrations.shipped`) on connect, in one transaction under an advisory lock, so
/// two servers starting together migrate once: the second waits for the first's commit, then finds nothing to do. Each
/// migration applied is recorded with the hash of its SQL; a shipped migration whose SQL has since changed is an error
/// (never edited once shipped: a change is a new migration), as SQLite's are pinned.
enum PostgresMigrator {
    /// The advisory lock's key: "Aftrdsk" + 1, stable across releases.
    static let lockKey: Int64 = 0x4166_7472_6473_6B01

    /// The hash a migration is recorded with.
    static func hash(_ sql: String) -> Int64 {
        var h = StableHasher()
        h.add(sql)
        return Int64(bitPattern: h.value)
    }

    /// A database not encoded in UTF-8 is refused: the report reads its deal numbers and product codes by their length in
    /// bytes, as PostgreSQL counts them (`DealLines`), and the client receives UTF-8.
    static func refuseEncoding(_ encoding: String?) throws {
        guard encoding == "UTF8" else {
            throw StoreError.integrity(
                "this PostgreSQL database is encoded \(encoding ?? "in an unknown encoding"); Afterdesk needs a UTF8 database "
                    + "(CREATE DATABASE … TEMPLATE template0 ENCODING 'UTF8': docs/operations.md)")
        }
    }

    /// A database a newer release has migrated (a migration this release does not know has run) is refused: this
    /// release would write what the newer schema no longer means. During a rolling upgrade the servers already running
    /// go on; one that starts must be the new release (docs/operations.md, "Upgrades").
    static func refuseNewer(applied: some Sequence<String>) throws {
        let known = Set(PostgresMigrations.shipped.map(\.name))
        let unknown = applied.filter { !known.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw StoreError.integrity(
                "this database was migrated by a newer Afterdesk (migration \(unknown.joined(separator: ", ")) is unknown to this "
                    + "release): run the newer release")
        }
    }

    /// Applies the migrations not yet applied; their names, in order.
    @discardableResult
    static func migrate(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        // On a connection waited for as every statement is (`ConnectionWait`), each statement checked (`statement`).
        try await client.withConnection(within: ConnectionWait.default) { conn in
            try await conn.inTransaction(logger) { conn in
                try await conn.run("SELECT pg_advisory_xact_lock(\(lockKey))", logger)
                try refuseEncoding(try await conn.one(String.self, "SELECT current_setting('server_encoding')", logger))
                try await conn.run(
                    """
                    CREATE TABLE IF NOT EXISTS afterdesk_migrations (
                        name text COLLATE "C" PRIMARY KEY, hash bigint NOT NULL, applied_at timestamptz(0) NOT NULL DEFAULT now())
                    """, logger)
                var applied: [String: Int64] = [:]
                for try await (name, hash) in try await conn.statement("SELECT name, hash FROM afterdesk_migrations", logger: logger)
                    .decode((String, Int64).self)
                {
                    applied[name] = hash
                }
                try refuseNewer(applied: applied.keys)
                var ran: [String] = []
                for m in PostgresMigrations.shipped {
                    let h = hash(m.sql)
                    if let stored = applied[m.name] {
                        guard stored == h else {
                            throw StoreError.integrity("PostgreSQL migration \(m.name) was changed after it ran here")
                        }
                        continue
                    }
                    for statement in SQLStatements.split(m.sql) {
                        try await conn.run(PostgresQuery(unsafeSQL: statement), logger)
                    }
                    try await conn.run("INSERT INTO afterdesk_migrations (name, hash) VALUES (\(m.name), \(h))", logger)
                    ran.append(m.name)
                }
                return ran
            }
        }
    }
}
