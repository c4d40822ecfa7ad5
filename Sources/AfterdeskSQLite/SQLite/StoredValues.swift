import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

/// Typed values read from stored text. A stored value that does not parse is an integrity error naming its table,
/// column and value: never a trap, never silently a default.
extension StoreError {
    static func unreadable(_ table: String, _ column: String, _ value: String, as what: String) -> StoreError {
        .integrity("\(table).\(column) holds \"\(value)\", which is not \(what)")
    }
}

extension Row {
    /// The instant (`2026-11-22T14:46:05Z`) in `column`, read from `table`.
    func instant(_ column: String, of table: String) throws -> Date {
        let text: String = self[column]
        guard let d = Instant.parse(text) else { throw StoreError.unreadable(table, column, text, as: "an instant") }
        return d
    }

    /// The instant in `column`, or nil when it is NULL.
    func optionalInstant(_ column: String, of table: String) throws -> Date? {
        guard let text: String = self[column] else { return nil }
        guard let d = Instant.parse(text) else { throw StoreError.unreadable(table, column, text, as: "an instant") }
        return d
    }

    /// The calendar date (`2026-11-22`) in `column`, read from `table`.
    func localDate(_ column: String, of table: String) throws -> LocalDate {
        let text: String = self[column]
        guard let d = LocalDate(text) else { throw StoreError.unreadable(table, column, text, as: "a date") }
        return d
    }

    /// The calendar date in `column`, or nil when it is NULL.
    func optionalLocalDate(_ column: String, of table: String) throws -> LocalDate? {
        guard let text: String = self[column] else { return nil }
        guard let d = LocalDate(text) else { throw StoreError.unreadable(table, column, text, as: "a date") }
        return d
    }

    /// The value of a closed set stored as its raw text in `column`.
    func stored<E: RawRepresentable>(_ column: String, of table: String) throws -> E where E.RawValue == String {
        let text: String = self[column]
        guard let e = E(rawValue: text) else { throw StoreError.unreadable(table, column, text, as: "a known \(E.self)") }
        return e
    }

    /// The value of a closed set in `column`, or nil when it is NULL.
    func optionalStored<E: RawRepresentable>(_ column: String, of table: String) throws -> E? where E.RawValue == String {
        guard let text: String = self[column] else { return nil }
        guard let e = E(rawValue: text) else { throw StoreError.unreadable(table, column, text, as: "a known \(E.self)") }
        return e
    }
}

/// A GRDB row as the shared assembly reads it (`StoredColumns`): SQLite keeps dates and instants as their text.
struct SQLiteColumns: StoredColumns {
    let row: Row

    init(_ row: Row) { self.row = row }

    func optionalText(_ column: String) throws -> String? { row[column] }
    func optionalInteger(_ column: String) throws -> Int64? { row[column] }
    func optionalFlag(_ column: String) throws -> Bool? { row[column] }
    func optionalDate(_ column: String, of table: String) throws -> LocalDate? { try row.optionalLocalDate(column, of: table) }
    func optionalInstantText(_ column: String, of table: String) throws -> String? { row[column] }
}
