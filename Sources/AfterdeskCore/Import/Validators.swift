/// Field rules shared by every import format. Each works on raw bytes so the
/// import hot path never builds a `String` it does not keep.
public enum VIN {
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case length(Int)
        case character(Character)
        case checkDigit(expected: Character, found: Character)
        public var description: String {
            switch self {
            case .length(let n): return "VIN must be 17 characters, got \(n)"
            case .character(let c): return "VIN contains '\(c)'; only A-Z (not I, O, Q) and 0-9 are allowed"
            case .checkDigit(let e, let f): return "VIN check digit does not match (position 9 is '\(f)', expected '\(e)')"
            }
        }
    }

    private static let weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]

    /// The numeric value of a VIN character (ISO 3779 transliteration), nil when not allowed.
    @inline(__always) static func value(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: return Int(c - 48)
        case UInt8(ascii: "A"), UInt8(ascii: "J"): return 1
        case UInt8(ascii: "B"), UInt8(ascii: "K"), UInt8(ascii: "S"): return 2
        case UInt8(ascii: "C"), UInt8(ascii: "L"), UInt8(ascii: "T"): return 3
        case UInt8(ascii: "D"), UInt8(ascii: "M"), UInt8(ascii: "U"): return 4
        case UInt8(ascii: "E"), UInt8(ascii: "N"), UInt8(ascii: "V"): return 5
        case UInt8(ascii: "F"), UInt8(ascii: "W"): return 6
        case UInt8(ascii: "G"), UInt8(ascii: "P"), UInt8(ascii: "X"): return 7
        case UInt8(ascii: "H"), UInt8(ascii: "Y"): return 8
        case UInt8(ascii: "R"), UInt8(ascii: "Z"): return 9
        default: return nil
        }
    }

    /// The check digit ('0'...'9' or 'X') for 17 uppercase VIN bytes.
    public static func checkDigit(_ b: some Collection<UInt8>) -> Character? {
        var sum = 0
        for (i, c) in b.enumerated() {
            guard i < 17, let v = value(c) else { return nil }
            sum += v * weights[i]
        }
        let r = sum % 11
        return r == 10 ? "X" : Character(String(r))
    }

    /// Validates and upper-cases a VIN; returns the normalised 17 characters.
    public static func validate(_ raw: UnsafeBufferPointer<UInt8>) -> Result<String, Problem> {
        let trimmed = Text.trim(raw)
        guard trimmed.count == 17 else { return .failure(.length(trimmed.count)) }
        var upper = [UInt8](repeating: 0, count: 17)
        for i in 0..<17 {
            var c = trimmed[i]
            if c >= 97, c <= 122 { c -= 32 }
            guard value(c) != nil else { return .failure(.character(Character(Unicode.Scalar(c)))) }
            upper[i] = c
        }
        // Every character was checked above, so a check digit exists; a failure here is refused, not trapped on.
        guard let expected = checkDigit(upper) else { return .failure(.length(trimmed.count)) }
        let found = Character(Unicode.Scalar(upper[8]))
        guard expected == found else { return .failure(.checkDigit(expected: expected, found: found)) }
        return .success(String(decoding: upper, as: UTF8.self))
    }

    public static func validate(_ text: String) -> Result<String, Problem> {
        var copy = text
        return copy.withUTF8 { validate(UnsafeBufferPointer(rebasing: $0[...])) }
    }
}

public enum Phone {
    /// Normalises a phone number written as text; nil when it is not a US number.
    public static func e164(_ text: String) -> String? {
        var t = text
        return t.withUTF8 { try? e164($0).get() }
    }

    /// Normalises a US phone number in any common format to E.164 (`+15125550142`).
    public static func e164(_ raw: UnsafeBufferPointer<UInt8>) -> Result<String, FieldProblem> {
        var digits = [UInt8]()
        digits.reserveCapacity(11)
        for c in raw {
            switch c {
            case 48...57: digits.append(c)
            case 32, UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "+"): continue
            default: return .failure(FieldProblem("not a phone number: only digits, spaces and ( ) - . + are allowed"))
            }
        }
        if digits.count == 11, digits[0] == UInt8(ascii: "1") { digits.removeFirst() }
        guard digits.count == 10 else {
            return .failure(FieldProblem("a US phone number has 10 digits (or 11 starting with 1), got \(digits.count)"))
        }
        guard digits[0] >= UInt8(ascii: "2"), digits[3] >= UInt8(ascii: "2") else {
            return .failure(FieldProblem("not a valid US number: area code and exchange cannot start with 0 or 1"))
        }
        return .success("+1" + String(decoding: digits, as: UTF8.self))
    }

    public static func e164(_ text: String) -> Result<String, FieldProblem> {
        var copy = text
        return copy.withUTF8 { e164(UnsafeBufferPointer(rebasing: $0[...])) }
    }
}

public enum Email {
    private static let localAllowed: [Bool] = table("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
    private static let labelAllowed: [Bool] = table("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")

    private static func table(_ chars: String) -> [Bool] {
        var t = [Bool](repeating: false, count: 256)
        for b in chars.utf8 { t[Int(b)] = true }
        return t
    }

    /// Checks address syntax (a practical subset of RFC 5322) and lower-cases the domain.
    public static func normalize(_ text: String) -> Result<String, FieldProblem> {
        let u = Array(text.utf8)
        guard u.count <= 254 else { return .failure(FieldProblem("an email address is at most 254 characters")) }
        guard let at = u.firstIndex(of: UInt8(ascii: "@")), u.lastIndex(of: UInt8(ascii: "@")) == at else {
            return .failure(FieldProblem("an email address has exactly one @"))
        }
        let local = u[..<at]
        let domain = u[(at + 1)...]
        guard !local.isEmpty, local.count <= 64 else { return .failure(FieldProblem("the part before @ is empty or too long")) }
        let dot = UInt8(ascii: ".")
        var previous: UInt8 = 0
        for c in local {
            guard localAllowed[Int(c)], !(c == dot && previous == dot) else {
                return .failure(FieldProblem("the part before @ has a character not allowed in an email address"))
            }
            previous = c
        }
        guard local.first != dot, local.last != dot else {
            return .failure(FieldProblem("the part before @ has a character not allowed in an email address"))
        }
        var labels = 0
        var labelLength = 0
        var lastLabelLetters = true
        var lastLabelStart = domain.startIndex
        var lowered = [UInt8]()
        lowered.reserveCapacity(domain.count)
        for i in domain.indices {
            let c = domain[i]
            if c == dot {
                guard labelLength > 0, domain[i - 1] != UInt8(ascii: "-"), domain[lastLabelStart] != UInt8(ascii: "-") else {
                    return .failure(FieldProblem("the domain after @ is not a valid host name"))
                }
                labels += 1
                labelLength = 0
                lastLabelLetters = true
                lastLabelStart = i + 1
                lowered.append(c)
                continue
            }
            guard labelAllowed[Int(c)], labelLength < 63 else {
                return .failure(FieldProblem("the domain after @ is not a valid host name"))
            }
            let isLetter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
            if !isLetter { lastLabelLetters = false }
            labelLength += 1
            lowered.append(c >= 65 && c <= 90 ? c + 32 : c)
        }
        guard labels >= 1 else { return .failure(FieldProblem("the domain after @ needs a dot (example.com)")) }
        guard labelLength >= 2, lastLabelLetters else {
            return .failure(FieldProblem("the domain after @ does not end in a valid top-level domain"))
        }
        return .success(String(decoding: local, as: UTF8.self) + "@" + String(decoding: lowered, as: UTF8.self))
    }
}

public enum USState {
    /// Two-letter codes of the states, DC and the inhabited territories.
    public static let codes: Set<String> = [
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
        "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK",
        "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "PR", "VI", "GU",
        "AS", "MP",
    ]

    public static func normalize(_ text: String) -> Result<String, FieldProblem> {
        let up = text.uppercased()
        guard codes.contains(up) else { return .failure(FieldProblem("not a US state code (two letters such as TX)")) }
        return .success(up)
    }
}

public enum ZIP {
    /// `78701` or `78701-1234`; returns the five-digit ZIP.
    public static func normalize(_ text: String) -> Result<String, FieldProblem> {
        let u = Array(text.utf8)
        let isDigit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        if u.count == 5, u.allSatisfy(isDigit) { return .success(text) }
        if u.count == 10, u[5] == UInt8(ascii: "-"), u[0..<5].allSatisfy(isDigit), u[6...].allSatisfy(isDigit) {
            return .success(String(text.prefix(5)))
        }
        if u.count == 9, u.allSatisfy(isDigit) { return .success(String(text.prefix(5))) }
        return .failure(FieldProblem("not a ZIP code (12345 or 12345-6789)"))
    }
}

public enum YesNo {
    /// `Y`/`N`, `yes`/`no`, `true`/`false`, `1`/`0`; blank is nil.
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Bool?? {
        let t = Text.trim(b)
        if t.isEmpty { return .some(nil) }
        var lower = [UInt8]()
        lower.reserveCapacity(t.count)
        for c in t { lower.append(c >= 65 && c <= 90 ? c + 32 : c) }
        switch String(decoding: lower, as: UTF8.self) {
        case "y", "yes", "true", "1", "t": return .some(true)
        case "n", "no", "false", "0", "f": return .some(false)
        default: return nil
        }
    }
}

/// Why one field's value was refused, without the context (which the caller adds).
public struct FieldProblem: Error, Equatable, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

enum Text {
    @inline(__always) static func trim(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var i = 0
        var n = b.count
        while i < n, b[i] == 32 || b[i] == 9 { i += 1 }
        while n > i, b[n - 1] == 32 || b[n - 1] == 9 { n -= 1 }
        return UnsafeBufferPointer(rebasing: b[i..<n])
    }
}
