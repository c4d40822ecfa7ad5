import AfterdeskStorage
import PostgresNIO

/// What a database holds, counted, and the emptying of every Afterdesk table: the demo's `--reset` (a demo on
/// PostgreSQL runs only on an empty database, or one it is told to empty).
extension PostgresStorage {
    /// How many deals, users and touches the database holds (all zero: empty, as the demo wants it).
    public struct Contents: Sendable, Equatable {
        public var deals: Int64
        public var users: Int64
        public var touches: Int64
        public var isEmpty: Bool { deals == 0 && users == 0 && touches == 0 }
    }

    /// The deals, users and touches the database holds.
    public func contents() async throws -> Contents {
        try await read { conn in
            let rows = try await conn.rows(
                "SELECT (SELECT count(*) FROM deals), (SELECT count(*) FROM users), (SELECT count(*) FROM touches)", logger)
            guard let row = rows.first else { return Contents(deals: 0, users: 0, touches: 0) }
            let (deals, users, touches) = try row.decode((Int64, Int64, Int64).self)
            return Contents(deals: deals, users: users, touches: touches)
        }
    }

    /// Empties every Afterdesk table in one transaction (`TRUNCATE … RESTART IDENTITY`: ids start again at 1), keeping
    /// the record of migrations applied. Everything goes, the opt-out ledger too: a demo's reset, never a store's
    /// database. Only Afterdesk's tables (the ones `copy-database` knows, and its record of copies), never CASCADE: a
    /// table of another application that references one of them makes the reset fail, and nothing changes.
    public func resetAllTables() async throws {
        try await write { conn in
            let tables = try await CopyCatalog.read(conn, logger).tables.map(\.name) + ["afterdesk_copies"]
            // Another application's table that refers to one of Afterdesk's is named, with the table it refers to:
            // PostgreSQL's own refusal of the TRUNCATE names neither.
            let blocking = try await conn.rows(
                """
                SELECT DISTINCT src.relname::text, dst.relname::text FROM pg_constraint c
                JOIN pg_class src ON src.oid = c.conrelid JOIN pg_class dst ON dst.oid = c.confrelid
                WHERE c.contype = 'f' AND dst.relname = ANY(\(tables))
                    AND dst.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                    AND NOT (src.relnamespace = dst.relnamespace AND src.relname = ANY(\(tables)))
                ORDER BY 1, 2
                """, logger
            ).map { try $0.decode((String, String).self) }
            if !blocking.isEmpty {
                let named = blocking.map { "\($0.0) refers to \($0.1)" }.joined(separator: "; ")
                throw StoreError(
                    "the reset stops: another application's tables refer to Afterdesk's (\(named)); nothing was changed: drop "
                        + "those foreign keys, or use a database of Afterdesk's own", kind: .conflict)
            }
            let names = tables.map(CopyCatalog.quoted).joined(separator: ", ")
            try await conn.run(PostgresQuery(unsafeSQL: "TRUNCATE \(names) RESTART IDENTITY"), logger)
        }
    }
}
