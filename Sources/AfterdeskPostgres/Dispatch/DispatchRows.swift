import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// A row of this area's queries, read by column name (the names each query selects; a name it does not select is a
/// mistake in the code, caught by its tests). Typed columns (dates, instants, booleans) need no parsing; a closed set
/// kept as text is checked, and one that is not known is an integrity error naming the table, column and value, as
/// SQLite's `Row.stored` says it.
struct DispatchRow {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    /// The value of column `name`.
    func get<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T { try row[name].decode(T.self) }

    /// The value of a closed set stored as its raw text in `column` of `table`.
    func stored<E: RawRepresentable>(_ column: String, of table: String) throws -> E where E.RawValue == String {
        let text = try get(column, as: String.self)
        guard let e = E(rawValue: text) else { throw DispatchRow.unreadable(table, column, text, as: "a known \(E.self)") }
        return e
    }

    /// SQLite's words for a stored value that does not parse.
    static func unreadable(_ table: String, _ column: String, _ value: String, as what: String) -> StoreError {
        .integrity("\(table).\(column) holds \"\(value)\", which is not \(what)")
    }
}

/// SQLite's `LIMIT ?` takes a negative count as no limit; PostgreSQL refuses one, and takes `LIMIT NULL` as none.
func sqliteLimit(_ n: Int) -> Int64? { n < 0 ? nil : Int64(n) }
