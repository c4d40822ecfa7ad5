import AfterdeskCore
import AfterdeskPostgres
import AfterdeskSQLite
import AfterdeskStorage
import Foundation
import GRDB
import PostgresNIO

/// A row a test read with its own SQL, the same on both backends: values as SQLite keeps them (instants as ISO 8601
/// text to the second, booleans as 0 and 1, calendar dates as `YYYY-MM-DD`), read by position or column name the
/// way GRDB's `Row` is (`let id: Int64 = row[0]`, `row["status"] as String?`: an optional type reads NULL as nil).
public struct StoredRow: Sendable, CustomStringConvertible {
    public let columns: [String]
    public let values: [DatabaseValue]

    public init(columns: [String], values: [DatabaseValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript<Value: DatabaseValueConvertible>(_ index: Int) -> Value {
        guard let value = Value.fromDatabaseValue(values[index]) else {
            preconditionFailure("column \(index) (\(columns[index])) holds \(values[index]), not a \(Value.self)")
        }
        return value
    }

    /// The value at `index` untyped (nil when NULL), as GRDB's `Row` gives it.
    public subscript(_ index: Int) -> (any DatabaseValueConvertible)? { values[index].isNull ? nil : values[index] }

    public subscript<Value: DatabaseValueConvertible>(_ column: String) -> Value {
        let index = position(column)
        guard let value = Value.fromDatabaseValue(values[index]) else {
            preconditionFailure("column \(column) holds \(values[index]), not a \(Value.self)")
        }
        return value
    }

    public subscript(_ column: String) -> (any DatabaseValueConvertible)? { self[position(column)] }

    /// The value at `index`, nil when NULL.
    public func optional<Value: DatabaseValueConvertible>(_ index: Int, as: Value.Type = Value.self) -> Value? {
        values[index].isNull ? nil : Value.fromDatabaseValue(values[index])
    }

    private func position(_ column: String) -> Int {
        guard let index = columns.firstIndex(where: { $0.caseInsensitiveCompare(column) == .orderedSame }) else {
            preconditionFailure("no column \(column) in \(columns)")
        }
        return index
    }

    public var description: String {
        zip(columns, values).map { "\($0)=\($1)" }.joined(separator: ", ")
    }
}

/// A test's own SQL on the storage it made: assertions on stored rows, and the odd change no workflow makes (moving a
/// date back, breaking a row on purpose). Written once in SQLite's dialect with `?` parameters; on PostgreSQL the
/// parameters become `$n` and go untyped, so the server reads each as the literal its place needs (a timestamp, a
/// boolean, a number). SQL that the two dialects spell differently is the test's to branch on (`backend`).
public struct StoredSQL: Sendable {
    public let backend: TestBackend
    private let sqlitePath: String?
    private let postgres: PostgresStorage?

    public init(_ storage: any Storage) {
        if let postgres = storage as? PostgresStorage {
            backend = .postgres
            self.postgres = postgres
            sqlitePath = nil
        } else {
            backend = .sqlite
            postgres = nil
            sqlitePath = (storage as? AfterdeskDatabase)?.path
        }
    }

    public func rows(_ sql: String, _ arguments: [(any DatabaseValueConvertible & Sendable)?] = []) async throws -> [StoredRow] {
        let values = arguments.map { $0?.databaseValue ?? .null }
        if let postgres {
            return try await postgres.withDirectConnection { conn in
                var rows: [StoredRow] = []
                for try await row in try await conn.query(Self.query(sql, values), logger: Self.logger) {
                    rows.append(try Self.storedRow(row))
                }
                return rows
            }
        }
        return try await sqlite().read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(values)).map {
                StoredRow(columns: Array($0.columnNames), values: Array($0.databaseValues))
            }
        }
    }

    /// The first column of the first row (nil when there is no row or it is NULL).
    public func value<Value: DatabaseValueConvertible>(
        _ sql: String, _ arguments: [(any DatabaseValueConvertible & Sendable)?] = [], as: Value.Type = Value.self
    ) async throws -> Value? {
        try await rows(sql, arguments).first.flatMap { $0.optional(0, as: Value.self) }
    }

    public func execute(_ sql: String, _ arguments: [(any DatabaseValueConvertible & Sendable)?] = []) async throws {
        let values = arguments.map { $0?.databaseValue ?? .null }
        if let postgres {
            try await postgres.withDirectConnection { conn in _ = try await conn.query(Self.query(sql, values), logger: Self.logger) }
            return
        }
        try await sqlite().write { db in try db.execute(sql: sql, arguments: StatementArguments(values)) }
    }

    private func sqlite() throws -> DatabaseQueue {
        guard let sqlitePath else { throw StoreError("an in-memory SQLite database cannot be read by a test's own SQL") }
        return try DatabaseQueue(path: sqlitePath)
    }

    private static let logger = Logger(label: "afterdesk.tests.sql")
}
