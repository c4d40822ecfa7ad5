/// Text from a request on its way into a log line: control characters (a line break would forge a line) escaped.
enum LogText {
    static func hasControlCharacters(_ s: String) -> Bool {
        s.unicodeScalars.contains { isControl($0) }
    }

    static func escaped(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars.prefix(64) {
            if isControl(u) { out += "\\u{\(String(u.value, radix: 16))}" } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    private static func isControl(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
