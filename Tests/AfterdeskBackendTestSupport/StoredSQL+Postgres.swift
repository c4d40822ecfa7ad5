import AfterdeskCore
import Foundation
import GRDB
import NIOCore
import PostgresNIO

extension StoredSQL {
    /// `sql` with its `?` parameters numbered (`$1`, `$2`, …; a `?` inside quotes stays), each bound untyped as text.
    static func query(_ sql: String, _ values: [DatabaseValue]) -> PostgresQuery {
        var text = ""
        var number = 0
        var quote: Character?
        for c in sql {
            if let q = quote {
                if c == q { quote = nil }
                text.append(c)
            } else if c == "'" || c == "\"" {
                quote = c
                text.append(c)
            } else if c == "?" {
                number += 1
                text += "$\(number)"
            } else {
                text.append(c)
            }
        }
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value.storage {
            case .null: bindings.appendNull()
            case .int64(let i): bindings.append(UntypedText("\(i)"))
            case .double(let d): bindings.append(UntypedText("\(d)"))
            case .string(let s): bindings.append(UntypedText(s))
            case .blob(let data): bindings.append(UntypedText("\\x" + data.map { String(format: "%02x", $0) }.joined()))
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }

    /// A PostgreSQL row as SQLite would hold it.
    static func storedRow(_ row: PostgresRow) throws -> StoredRow {
        var columns: [String] = []
        var values: [DatabaseValue] = []
        for cell in row {
            columns.append(cell.columnName)
            values.append(try storedValue(cell))
        }
        return StoredRow(columns: columns, values: values)
    }

    private static func storedValue(_ cell: PostgresCell) throws -> DatabaseValue {
        guard var bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .bool: return (try cell.decode(Bool.self) ? 1 : 0).databaseValue
        case .int2, .int4, .int8: return try cell.decode(Int64.self).databaseValue
        case .float4, .float8: return try cell.decode(Double.self).databaseValue
        case .numeric: return (try cell.decode(Decimal.self) as NSDecimalNumber).doubleValue.databaseValue
        case .timestamptz, .timestamp: return Instant.iso8601(try cell.decode(Date.self)).databaseValue
        case .date:
            // Days since 2000-01-01 (binary format).
            guard let days = bytes.readInteger(as: Int32.self) else { return .null }
            let date = Date(timeIntervalSince1970: 946_684_800 + Double(days) * 86_400)
            return String(Instant.iso8601(date).prefix(10)).databaseValue
        case .jsonb:
            _ = bytes.readInteger(as: UInt8.self)  // jsonb's version byte
            return (bytes.readString(length: bytes.readableBytes) ?? "").databaseValue
        case .bytea: return Data(bytes.readableBytesView).databaseValue
        default: return (bytes.readString(length: bytes.readableBytes) ?? "").databaseValue
        }
    }
}

/// A parameter sent as text of no stated type: the server reads it as the literal its place in the query needs.
struct UntypedText: PostgresNonThrowingEncodable, Sendable {
    let text: String
    init(_ text: String) { self.text = text }
    static var psqlType: PostgresDataType { PostgresDataType(0) }
    static var psqlFormat: PostgresFormat { .text }
    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }
}
