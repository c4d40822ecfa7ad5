import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The whole database as `afterdesk copy-database` reads it: one snapshot (a read transaction held open on a
    /// connection of its own), so a copy of a database in use is consistent; writers go on meanwhile (WAL). Only a
    /// database on a file has one.
    public func tableSource() throws -> SQLiteTableSource {
        guard let pool = writer as? DatabasePool, let path else {
            throw StoreError("an in-memory database cannot be copied: copy-database reads a database file")
        }
        do {
            return SQLiteTableSource(snapshot: try pool.makeSnapshot(), name: path)
        } catch { throw StoreError.io("cannot read \(path) in one snapshot: \(error)") }
    }
}

/// A SQLite database's tables read from one snapshot (`AfterdeskDatabase.tableSource()`), a page at a time: a rowid
/// table in rowid order (its `id`), after the last rowid read; a `WITHOUT ROWID` table in the order of its primary key.
public final class SQLiteTableSource: TableSource {
    private let snapshot: DatabaseSnapshot
    public let name: String

    init(snapshot: DatabaseSnapshot, name: String) {
        self.snapshot = snapshot
        self.name = name
    }

    /// Every table but SQLite's own and the migrations' record (`grdb_migrations`).
    public func tables() async throws -> [String] {
        try await snapshot.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                    ORDER BY name
                    """)
        }
    }

    public func count(_ table: String) async throws -> Int {
        let sql = "SELECT COUNT(*) FROM \(Self.quoted(table))"
        return try await snapshot.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    public func forEachPage(
        of table: String, columns: [String], pageSize: Int, _ body: ([[CopyValue]]) async throws -> Void
    ) async throws {
        let size = max(1, pageSize)
        let (withoutRowid, key) = try await snapshot.read { db in
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", arguments: [table])
            guard let sql else { throw StoreError.notFound("no table \(table) in \(self.name)") }
            let key = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", arguments: [table])
            return (sql.uppercased().contains("WITHOUT ROWID"), key)
        }
        let list = columns.map(Self.quoted).joined(separator: ", ")
        if withoutRowid {
            // In the snapshot nothing moves, so an offset is exact; the key orders every row.
            let order = (key.isEmpty ? columns : key).map(Self.quoted).joined(separator: ", ")
            let sql = "SELECT \(list) FROM \(Self.quoted(table)) ORDER BY \(order) LIMIT ? OFFSET ?"
            var offset = 0
            while true {
                let from = offset
                let page = try await snapshot.read { db in try Self.rows(db, sql, [size, from], skip: 0) }
                if page.rows.isEmpty { return }
                try await body(page.rows)
                offset += page.rows.count
            }
        }
        let sql = "SELECT rowid, \(list) FROM \(Self.quoted(table)) WHERE rowid > ? ORDER BY rowid LIMIT ?"
        var after = Int64.min
        while true {
            let from = after
            let page = try await snapshot.read { db in try Self.rows(db, sql, [from, size], skip: 1) }
            guard let last = page.firstColumn.last else { return }
            try await body(page.rows)
            after = last
        }
    }

    /// The rows of `sql`, each without its first `skip` columns, and the first column of each as an integer (a rowid).
    private static func rows(_ db: Database, _ sql: String, _ arguments: StatementArguments, skip: Int) throws
        -> (rows: [[CopyValue]], firstColumn: [Int64])
    {
        var rows: [[CopyValue]] = []
        var first: [Int64] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() {
            if skip > 0 { first.append(row[0] as Int64? ?? 0) }
            rows.append((skip..<row.count).map { value(row[$0] as DatabaseValue) })
        }
        return (rows, first)
    }

    private static func value(_ v: DatabaseValue) -> CopyValue {
        switch v.storage {
        case .null: return .null
        case .int64(let i): return .integer(i)
        case .double(let d): return .real(d)
        case .string(let s): return .text(s)
        case .blob(let data): return .blob([UInt8](data))
        }
    }

    /// A table or column name as SQL, in double quotes (names come from the schema, never from data).
    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
