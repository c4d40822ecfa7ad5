import AfterdeskCore
import AfterdeskStorage
import GRDB
import GRDBSQLite

/// A GRDB-prepared statement driven through the SQLite C API, reading and binding columns by position. The one raw
/// reader, used only where a benchmark measures the loop (the import's writes and lookups, planning's chunk reads and
/// writes with `RawRows`, the ledger's streams, the outbox claim's page of bodies): there, building
/// `StatementArguments` per row or looking columns up by name would cost more than the statement itself. Every other
/// read goes through GRDB's `Row` by column name.
struct RawStatement {
    /// Kept so GRDB does not finalize the statement while it is in use.
    private let statement: Statement
    let handle: OpaquePointer
    let connection: OpaquePointer

    init(_ db: Database, _ sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection!
    }

    /// Prepares `sql` with `ids` bound to its parameters ?1, ?2, … in order.
    init(_ db: Database, _ sql: String, binding ids: [Int64]) throws {
        self = try RawStatement(db, sql)
        for (i, id) in ids.enumerated() { bind(Int32(i + 1), id) }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    @inline(__always) func bind(_ i: Int32, _ s: String?) {
        guard var s else {
            sqlite3_bind_null(handle, i)
            return
        }
        s.withUTF8 { u in
            _ = u.withMemoryRebound(to: CChar.self) { c in
                sqlite3_bind_text(handle, i, c.baseAddress, Int32(c.count), RawStatement.transient)
            }
        }
    }

    @inline(__always) func bind(_ i: Int32, bytes: UnsafeBufferPointer<UInt8>) {
        bytes.withMemoryRebound(to: CChar.self) { c in
            _ = sqlite3_bind_text(handle, i, c.baseAddress, Int32(c.count), RawStatement.transient)
        }
    }

    @inline(__always) func bind(_ i: Int32, _ d: LocalDate?) {
        guard let d else {
            sqlite3_bind_null(handle, i)
            return
        }
        d.withISOBytes { bind(i, bytes: $0) }
    }

    @inline(__always) func bind(_ i: Int32, _ v: Int64?) {
        if let v { sqlite3_bind_int64(handle, i, v) } else { sqlite3_bind_null(handle, i) }
    }

    @inline(__always) func bind(_ i: Int32, _ v: Int?) { bind(i, v.map(Int64.init)) }
    @inline(__always) func bind(_ i: Int32, _ v: Bool) { sqlite3_bind_int64(handle, i, v ? 1 : 0) }

    /// Steps once; true when a row is available.
    @discardableResult
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let message = String(cString: sqlite3_errmsg(connection))
        sqlite3_reset(handle)
        throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message)
    }

    /// Runs to completion and resets.
    func run() throws {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    func reset() { sqlite3_reset(handle) }

    func int64(_ col: Int32) -> Int64 { sqlite3_column_int64(handle, col) }
    func int(_ col: Int32) -> Int { Int(sqlite3_column_int64(handle, col)) }
    func bool(_ col: Int32) -> Bool { sqlite3_column_int64(handle, col) != 0 }
    func optionalInt64(_ col: Int32) -> Int64? { isNull(col) ? nil : int64(col) }
    func optionalText(_ col: Int32) -> String? { isNull(col) ? nil : text(col) }
    func isNull(_ col: Int32) -> Bool { sqlite3_column_type(handle, col) == SQLITE_NULL }
    /// Appends the text of column `col` to `bytes`; returns its length.
    func appendText(_ col: Int32, to bytes: inout [UInt8]) -> Int {
        guard let p = sqlite3_column_text(handle, col) else { return 0 }
        let n = Int(sqlite3_column_bytes(handle, col))
        bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        return n
    }

    /// The bytes of column `col`'s text, valid until the next step (empty for NULL).
    func bytes(_ col: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let p = sqlite3_column_text(handle, col) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, col)))
    }

    func text(_ col: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, col) else { return nil }
        return String(cString: p)
    }

    /// Inserts `count` rows into `table` (a table name with its column list) through one prepared statement;
    /// `bind(statement, row, first)` binds row `row` from parameter `first` on. (Several rows per statement
    /// were measured slower.)
    static func insertRows(
        _ db: Database, into table: String, columns: Int, count: Int,
        bind: (RawStatement, Int, Int32) -> Void
    ) throws {
        guard count > 0 else { return }
        let s = try RawStatement(db, "INSERT INTO \(table) VALUES (" + Array(repeating: "?", count: columns).joined(separator: ",") + ")")
        for row in 0..<count {
            bind(s, row, 1)
            try s.run()
        }
    }
}
