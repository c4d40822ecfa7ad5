import AfterdeskCore
import Foundation

/// One stored row read by column name, typed: how each backend hands its rows to the assembly both share (a deal's
/// detail, its products and events). A backend answers the five plain kinds, nil for NULL; the extension below checks
/// them: a NULL where a value is required, or a closed set's text that is not known, is an integrity error naming the
/// table and column, never a trap and never silently a default.
public protocol StoredColumns {
    func optionalText(_ column: String) throws -> String?
    func optionalInteger(_ column: String) throws -> Int64?
    func optionalFlag(_ column: String) throws -> Bool?
    /// The calendar date in `column` (of `table`, for the error when it does not parse).
    func optionalDate(_ column: String, of table: String) throws -> LocalDate?
    /// The instant in `column` as its ISO 8601 text, to the second (`2026-11-22T14:46:05Z`).
    func optionalInstantText(_ column: String, of table: String) throws -> String?
}

extension StoredColumns {
    public func text(_ column: String, of table: String) throws -> String {
        try Self.required(optionalText(column), column, table)
    }

    public func integer(_ column: String, of table: String) throws -> Int {
        Int(try Self.required(optionalInteger(column), column, table))
    }

    public func optionalInt(_ column: String) throws -> Int? { try optionalInteger(column).map { Int($0) } }

    public func flag(_ column: String, of table: String) throws -> Bool {
        try Self.required(optionalFlag(column), column, table)
    }

    public func date(_ column: String, of table: String) throws -> LocalDate {
        try Self.required(optionalDate(column, of: table), column, table)
    }

    public func instantText(_ column: String, of table: String) throws -> String {
        try Self.required(optionalInstantText(column, of: table), column, table)
    }

    /// Integer cents in `column` as money; nil when NULL.
    public func optionalMoney(_ column: String) throws -> Money? { try optionalInteger(column).map { Money(cents: $0) } }

    public func money(_ column: String, of table: String) throws -> Money {
        Money(cents: try Self.required(optionalInteger(column), column, table))
    }

    /// The value of a closed set stored as its raw text in `column` of `table`.
    public func stored<E: RawRepresentable>(_ column: String, of table: String) throws -> E where E.RawValue == String {
        let text = try text(column, of: table)
        guard let e = E(rawValue: text) else {
            throw StoreError.integrity("\(table).\(column) holds \"\(text)\", which is not a known \(E.self)")
        }
        return e
    }

    private static func required<T>(_ value: T?, _ column: String, _ table: String) throws -> T {
        guard let value else { throw StoreError.integrity("\(table).\(column) is NULL where a value is required") }
        return value
    }
}
