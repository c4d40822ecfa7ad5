import AfterdeskStorage
import NIOCore

/// Rows in the text format of PostgreSQL's `COPY … FROM STDIN`: a line per row, fields separated by tabs, `\N` for
/// NULL, and a backslash, tab, newline or carriage return inside a value escaped. Each value is written as PostgreSQL
/// reads its column's type from text, which is how SQLite keeps most of them already: an instant's ISO 8601 text
/// (`2026-06-02T15:00:00Z`) for `timestamptz`, `YYYY-MM-DD` for `date`, JSON text for `jsonb`, digits for integers,
/// 0 or 1 for `boolean` (PostgreSQL reads both); bytes become `\x` and hex for `bytea`. A value PostgreSQL cannot read
/// as its column's type fails the copy (and its transaction) with PostgreSQL's message.
enum CopyText {
    /// Appends `row` as one line; `types` are its columns' types, in the same order.
    static func append(_ row: [CopyValue], types: [String], to buffer: inout ByteBuffer) {
        for (i, value) in row.enumerated() {
            if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            let type = i < types.count ? types[i] : "text"
            guard let text = field(value, type: type) else {
                buffer.writeString("\\N")
                continue
            }
            // Most values have nothing to escape: written whole.
            guard text.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
                buffer.writeString(text)
                continue
            }
            var escaped: [UInt8] = []
            escaped.reserveCapacity(text.utf8.count + 16)
            for byte in text.utf8 {
                switch byte {
                case 0x5C: escaped += [0x5C, 0x5C]
                case 0x09: escaped += [0x5C, UInt8(ascii: "t")]
                case 0x0A: escaped += [0x5C, UInt8(ascii: "n")]
                case 0x0D: escaped += [0x5C, UInt8(ascii: "r")]
                default: escaped.append(byte)
                }
            }
            buffer.writeBytes(escaped)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// `value` as PostgreSQL's text input for a column of `type`; nil for NULL.
    static func field(_ value: CopyValue, type: String) -> String? {
        if type == "bytea" {
            switch value {
            case .null: return nil
            case .blob(let bytes): return hex(bytes)
            case .text(let s): return hex(Array(s.utf8))
            case .integer(let i): return hex(Array(String(i).utf8))
            case .real(let d): return hex(Array(real(d).utf8))
            }
        }
        switch value {
        case .null: return nil
        case .integer(let i): return type == "boolean" ? (i == 0 ? "f" : i == 1 ? "t" : String(i)) : String(i)
        case .real(let d): return real(d)
        case .text(let s): return s
        case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// A double as PostgreSQL reads one: the shortest text that reads back as the same value.
    private static func real(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return "\(d)"
    }

    private static let digits = Array("0123456789abcdef".utf8)

    private static func hex(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        out.reserveCapacity(2 + bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
