import AfterdeskCore
import AfterdeskStorage
import Foundation
import NIOCore
import PostgresNIO

/// A row's cells read in order straight from PostgreSQL's binary format, for the streams that read millions of rows
/// (the report's deals and their products): postgres-nio's generic `decode` of a tuple instantiates type metadata on
/// every row, which was most of the report's time. Every cell's type and length is checked; a value of another type, a
/// wrong length or a malformed array throws an integrity error naming the column, never traps.
struct BinaryCells {
    private var cells: PostgresRow.Iterator

    init(_ row: PostgresRow) { cells = row.makeIterator() }

    /// The next cell's bytes (nil: SQL NULL), after checking it is `type` in binary format.
    private mutating func next(_ type: PostgresDataType) throws -> (bytes: ByteBuffer?, column: String) {
        guard let cell = cells.next() else { throw BinaryCells.error("a row has fewer columns than read") }
        guard cell.format == .binary, cell.dataType == type else {
            throw BinaryCells.error("column '\(cell.columnName)' is \(cell.dataType), not \(type)")
        }
        return (cell.bytes, cell.columnName)
    }

    static func error(_ what: String) -> StoreError { StoreError("the database answered unexpectedly: \(what)", kind: .integrity) }

    /// A `bigint`, nil for NULL.
    mutating func int64OrNil() throws -> Int64? {
        let (bytes, column) = try next(.int8)
        guard var b = bytes else { return nil }
        guard b.readableBytes == 8, let v = b.readInteger(as: Int64.self) else { throw BinaryCells.error("'\(column)' is no bigint") }
        return v
    }

    /// A `bigint` that is never NULL.
    mutating func int64() throws -> Int64 {
        guard let v = try int64OrNil() else { throw BinaryCells.error("a bigint column is NULL") }
        return v
    }

    /// A `text` that is never NULL.
    mutating func string() throws -> String {
        let (bytes, column) = try next(.text)
        guard var b = bytes, let s = b.readString(length: b.readableBytes) else { throw BinaryCells.error("'\(column)' is NULL") }
        return s
    }

    /// A `text` that is never NULL, as its bytes (for a cell the reader parses itself).
    mutating func textBytes() throws -> ByteBuffer {
        let (bytes, column) = try next(.text)
        guard let b = bytes else { throw BinaryCells.error("'\(column)' is NULL") }
        return b
    }

    /// A `date` that is never NULL.
    mutating func date() throws -> LocalDate {
        let (bytes, column) = try next(.date)
        guard var b = bytes, b.readableBytes == 4, let days = b.readInteger(as: Int32.self) else {
            throw BinaryCells.error("'\(column)' is no date")
        }
        return LocalDate(daysSinceEpoch: Int(days) + LocalDate.postgresEpochOffset)
    }

    /// A `boolean`, nil for NULL.
    mutating func boolOrNil() throws -> Bool? {
        let (bytes, column) = try next(.bool)
        guard var b = bytes else { return nil }
        guard b.readableBytes == 1, let v = b.readInteger(as: UInt8.self) else { throw BinaryCells.error("'\(column)' is no boolean") }
        return v != 0
    }

    /// A `text`, nil for NULL.
    mutating func stringOrNil() throws -> String? {
        let (bytes, column) = try next(.text)
        guard var b = bytes else { return nil }
        guard let s = b.readString(length: b.readableBytes) else { throw BinaryCells.error("'\(column)' is no text") }
        return s
    }

    /// A `date`, nil for NULL.
    mutating func dateOrNil() throws -> LocalDate? {
        let (bytes, column) = try next(.date)
        guard var b = bytes else { return nil }
        guard b.readableBytes == 4, let days = b.readInteger(as: Int32.self) else { throw BinaryCells.error("'\(column)' is no date") }
        return LocalDate(daysSinceEpoch: Int(days) + LocalDate.postgresEpochOffset)
    }

    /// A `boolean` that is never NULL.
    mutating func bool() throws -> Bool {
        guard let v = try boolOrNil() else { throw BinaryCells.error("a boolean column is NULL") }
        return v
    }

    /// A `timestamptz`, nil for NULL: microseconds since 2000-01-01 UTC, as postgres-nio's own `Date` decoding reads
    /// them (the same `Date` to the bit).
    mutating func instantOrNil() throws -> Date? {
        let (bytes, column) = try next(.timestamptz)
        guard var b = bytes else { return nil }
        guard b.readableBytes == 8, let microseconds = b.readInteger(as: Int64.self) else {
            throw BinaryCells.error("'\(column)' is no timestamptz")
        }
        return Date(timeInterval: Double(microseconds) / 1_000_000, since: BinaryCells.postgresEpoch)
    }

    /// A `timestamptz` that is never NULL.
    mutating func instant() throws -> Date {
        guard let v = try instantOrNil() else { throw BinaryCells.error("a timestamptz column is NULL") }
        return v
    }

    /// 2000-01-01T00:00:00Z, PostgreSQL's epoch.
    static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)

    /// A `text[]` of one dimension (NULL and `{}` are empty; an element may not be NULL).
    mutating func strings() throws -> [String] {
        let (bytes, column) = try next(.textArray)
        guard var b = bytes, let count = try BinaryCells.header(&b, of: .text, column: column) else { return [] }
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            guard let length = b.readInteger(as: Int32.self), length >= 0, let s = b.readString(length: Int(length)) else {
                throw BinaryCells.malformed(column)
            }
            out.append(s)
        }
        return out
    }

    /// A `bigint[]` of one dimension (NULL and `{}` are empty), its elements NULL or not.
    mutating func int64s() throws -> [Int64?] {
        let (bytes, column) = try next(.int8Array)
        guard var b = bytes, let count = try BinaryCells.header(&b, of: .int8, column: column) else { return [] }
        var out: [Int64?] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            guard let length = b.readInteger(as: Int32.self) else { throw BinaryCells.malformed(column) }
            if length == -1 {
                out.append(nil)
                continue
            }
            guard length == 8, let v = b.readInteger(as: Int64.self) else { throw BinaryCells.malformed(column) }
            out.append(v)
        }
        return out
    }

    static func malformed(_ column: String) -> StoreError { error("'\(column)' is a malformed array") }

    /// Reads a binary array's header — its dimensions, a NULL flag, the element's type, then each dimension's length and
    /// lower bound — and gives its number of elements (nil: no dimension, `{}`). Each element follows as a length (-1:
    /// NULL) and its bytes.
    private static func header(_ b: inout ByteBuffer, of type: PostgresDataType, column: String) throws -> Int? {
        guard let dimensions = b.readInteger(as: Int32.self), b.readInteger(as: Int32.self) != nil,
            let oid = b.readInteger(as: UInt32.self)
        else { throw malformed(column) }
        if dimensions == 0 { return nil }
        guard dimensions == 1, oid == type.rawValue, let count = b.readInteger(as: Int32.self), count >= 0,
            b.readInteger(as: Int32.self) != nil, Int(count) <= b.readableBytes / 4
        else { throw malformed(column) }
        return Int(count)
    }
}
