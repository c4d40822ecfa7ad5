/// A migration's statements: postgres-nio speaks only the extended query protocol, one statement per Parse, so a
/// migration's text is run statement by statement. Split at each `;` outside '…' strings, "…" identifiers, -- and
/// /* */ comments (nested) and $tag$…$tag$ bodies; a statement of nothing but comments and space is dropped. The same
/// rule as `scripts/pg-extended-apply.py`, which `scripts/pg-schema-check.sh` applies the baseline with.
enum SQLStatements {
    static func split(_ sql: String) -> [String] {
        let s = Array(sql.utf8)
        var statements: [String] = []
        var start = 0
        var i = 0
        func text(_ r: Range<Int>) -> String { String(decoding: s[r], as: UTF8.self) }
        func starts(_ token: String, at j: Int) -> Bool {
            let t = Array(token.utf8)
            return j + t.count <= s.count && Array(s[j..<(j + t.count)]) == t
        }
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
                var j = i + 1
                while j < s.count {
                    if s[j] == c {
                        if j + 1 < s.count && s[j + 1] == c {
                            j += 2
                            continue
                        }
                        break
                    }
                    j += 1
                }
                i = j + 1
            } else if starts("--", at: i) {
                i = (s[i...].firstIndex(of: UInt8(ascii: "\n")) ?? s.count - 1) + 1
            } else if starts("/*", at: i) {
                var depth = 1
                var j = i + 2
                while j < s.count && depth > 0 {
                    if starts("/*", at: j) {
                        depth += 1
                        j += 2
                    } else if starts("*/", at: j) {
                        depth -= 1
                        j += 2
                    } else {
                        j += 1
                    }
                }
                i = j
            } else if c == UInt8(ascii: "$") && (i == 0 || !isWordByte(s[i - 1])), let tag = dollarTag(s, at: i) {
                let body = i + tag.count
                var j = body
                while j < s.count && !(s[j] == UInt8(ascii: "$") && Array(s[j..<min(j + tag.count, s.count)]) == tag) { j += 1 }
                i = min(j + tag.count, s.count)
            } else if c == UInt8(ascii: ";") {
                statements.append(text(start..<i))
                i += 1
                start = i
            } else {
                i += 1
            }
        }
        if start < s.count { statements.append(text(start..<s.count)) }
        return statements.filter { !isOnlyComments($0) }.map { $0.trimmingSpace }
    }

    /// `$tag$` (or `$$`) at `i`, its bytes; nil for `$1` (a parameter) or a lone `$`.
    private static func dollarTag(_ s: [UInt8], at i: Int) -> [UInt8]? {
        var j = i + 1
        while j < s.count && isWordByte(s[j]) {
            if j == i + 1 && s[j] >= UInt8(ascii: "0") && s[j] <= UInt8(ascii: "9") { return nil }
            j += 1
        }
        guard j < s.count && s[j] == UInt8(ascii: "$") else { return nil }
        return Array(s[i...j])
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b >= 0x80
    }

    /// True when `statement` holds nothing but space and -- or /* */ comments.
    private static func isOnlyComments(_ statement: String) -> Bool {
        var rest = Substring(statement)
        while true {
            rest = rest.drop { $0.isWhitespace }
            if rest.hasPrefix("--") {
                rest = rest.drop { $0 != "\n" }
            } else if rest.hasPrefix("/*") {
                guard let end = rest.range(of: "*/") else { return true }
                rest = rest[end.upperBound...]
            } else {
                return rest.isEmpty
            }
        }
    }
}

extension String {
    fileprivate var trimmingSpace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
