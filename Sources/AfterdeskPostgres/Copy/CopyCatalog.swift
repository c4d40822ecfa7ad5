import AfterdeskCore
import AfterdeskStorage
import Logging
import PostgresNIO

/// The tables `afterdesk copy-database` fills, read from PostgreSQL's catalog (never a list kept by hand, so a table
/// added to the schema is copied, or the copy refuses): every table of schema `public` that Afterdesk's migrations
/// made (`afterdeskTables`) but the two PostgreSQL keeps for itself, each with its columns in order and their types, in an order where every table comes after those its
/// foreign keys reference.
struct CopyCatalog {
    /// A table and what a copy needs of it.
    struct Table {
        var name: String
        /// Its columns, in order, with their types as `format_type` names them (`timestamp(0) with time zone`).
        var columns: [(name: String, type: String)]
        /// Its identity column, whose sequence is moved past the ids copied (nil: none).
        var identity: String?
    }

    /// PostgreSQL's own tables, never copied: the migrations applied, and the copies made.
    static let ownTables: Set<String> = ["afterdesk_migrations", "afterdesk_copies"]

    /// The tables Afterdesk's migrations create (read from their SQL, so a table a new migration adds is one of them),
    /// PostgreSQL's own two left out. Another application's table in the same schema is none of Afterdesk's business:
    /// never copied, counted or emptied.
    static let afterdeskTables: Set<String> = {
        var names = Set<String>()
        for migration in PostgresMigrations.shipped {
            for match in migration.sql.matches(of: /CREATE TABLE (?:IF NOT EXISTS )?"?([A-Za-z0-9_]+)"?/) {
                names.insert(String(match.1))
            }
        }
        return names.subtracting(ownTables)
    }()

    var tables: [Table]

    static func read(_ conn: PostgresConnection, _ logger: Logger) async throws -> CopyCatalog {
        var columns: [String: [(name: String, type: String)]] = [:]
        var identities: [String: String] = [:]
        let rows = try await conn.rows(
            """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attidentity <> ''
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
                AND a.attgenerated = ''
            ORDER BY c.relname, a.attnum
            """, logger)
        for row in rows {
            let (table, column, type, identity) = try row.decode((String, String, String, Bool).self)
            guard afterdeskTables.contains(table) else { continue }
            columns[table, default: []].append((column, type))
            if identity { identities[table] = column }
        }
        var references: [String: Set<String>] = [:]
        let keys = try await conn.rows(
            """
            SELECT c.relname, r.relname FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
            WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace
            """, logger)
        for row in keys {
            let (table, referenced) = try row.decode((String, String).self)
            if table != referenced { references[table, default: []].insert(referenced) }
        }
        let order = try Self.ordered(Set(columns.keys), references: references)
        return CopyCatalog(
            tables: order.map { Table(name: $0, columns: columns[$0] ?? [], identity: identities[$0]) })
    }

    /// `tables` so that each comes after every table it references, and otherwise by name (so the order is the same
    /// every time). A cycle of references has no such order: refused (the schema has none).
    static func ordered(_ tables: Set<String>, references: [String: Set<String>]) throws -> [String] {
        var done: [String] = []
        var placed: Set<String> = []
        var left = tables.sorted()
        while !left.isEmpty {
            guard
                let next = left.firstIndex(where: { t in
                    (references[t] ?? []).allSatisfy { placed.contains($0) || !tables.contains($0) }
                })
            else {
                throw StoreError.integrity("the tables \(left.joined(separator: ", ")) reference each other in a cycle")
            }
            let table = left.remove(at: next)
            done.append(table)
            placed.insert(table)
        }
        return done
    }

    /// A name as SQL, in double quotes (names come from the catalog, never from data).
    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
