/// Writes CSV cells for every file the project produces (rejects today, report exports next): RFC 4180 quoting,
/// and spreadsheet formulas neutralised the OWASP way, because the F&I manager opens these files in Excel and a
/// refused value such as `=HYPERLINK("http://…","fix")` must stay text.
public enum CSVWriter {
    /// One cell. A value beginning with `=`, `+`, `-`, `@`, a tab or a carriage return that is not a plain number
    /// gets a leading `'`, so no spreadsheet runs it; then it is quoted when it holds a comma, quote or line break.
    public static func cell(_ value: String) -> String {
        quote(neutralised(value))
    }

    /// A whole line, ending in `\n`.
    public static func line(_ values: [String]) -> String {
        values.map(cell).joined(separator: ",") + "\n"
    }

    /// The value with a leading `'` when a spreadsheet would read it as a formula.
    public static func neutralised(_ value: String) -> String {
        guard let first = value.utf8.first, formulaStarts.contains(first), !isPlainNumber(value) else { return value }
        return "'" + value
    }

    static let formulaStarts: Set<UInt8> = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D]

    /// `-12`, `+3.5`, `-0.25`: a signed decimal number, which a spreadsheet reads as a number and never runs.
    static func isPlainNumber(_ value: String) -> Bool {
        var digits = 0
        var dots = 0
        for (i, c) in value.utf8.enumerated() {
            switch c {
            case UInt8(ascii: "-"), UInt8(ascii: "+"): if i != 0 { return false }
            case UInt8(ascii: "."):
                dots += 1
                if dots > 1 { return false }
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            default: return false
            }
        }
        return digits > 0
    }

    /// RFC 4180 quoting alone, without neutralising: for input files written to stand for another system's export.
    public static func quote(_ s: String) -> String {
        // Bytes, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
