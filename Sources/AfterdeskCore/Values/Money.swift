/// An exact amount of US dollars, held as integer cents.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, AdditiveArithmetic {
    public var cents: Int64

    public init(cents: Int64) { self.cents = cents }
    public init(dollars: Int64) { self.cents = dollars * 100 }

    public static let zero = Money(cents: 0)
    public static func + (a: Money, b: Money) -> Money { Money(cents: a.cents + b.cents) }
    public static func - (a: Money, b: Money) -> Money { Money(cents: a.cents - b.cents) }
    public static func < (a: Money, b: Money) -> Bool { a.cents < b.cents }

    /// `1234.56` — two decimals, no grouping: the form used in JSON and CSV output.
    public var description: String {
        let sign = cents < 0 ? "-" : ""
        let a = cents.magnitude
        let frac = a % 100
        return "\(sign)\(a / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    /// `$1,234.56` for people.
    public var formatted: String {
        let sign = cents < 0 ? "-" : ""
        let a = cents.magnitude
        var whole = String(a / 100)
        var groups: [Substring] = []
        while whole.count > 3 {
            groups.insert(whole.suffix(3), at: 0)
            whole = String(whole.dropLast(3))
        }
        groups.insert(Substring(whole), at: 0)
        let frac = a % 100
        return "\(sign)$\(groups.joined(separator: ",")).\(frac < 10 ? "0" : "")\(frac)"
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty, notANumber, tooManyDecimals, badGrouping, tooLarge
        public var description: String {
            switch self {
            case .empty: return "no amount given"
            case .notANumber: return "not an amount of money (expected 1234.56, 1,234.56 or $1,234.56)"
            case .tooManyDecimals: return "more than two decimals: money must be exact to the cent"
            case .badGrouping: return "thousands separators in the wrong place"
            case .tooLarge: return "amount too large"
            }
        }
    }

    public init?(_ text: String) {
        var copy = text
        guard case .success(let m) = copy.withUTF8({ Money.parse(UnsafeBufferPointer(rebasing: $0[...])) }) else { return nil }
        self = m
    }

    /// Parses `1234.56`, `1,234.56`, `$1,234.56`, `-12.5`, `(12.50)`; at most two decimals.
    ///
    /// Longer than about 60 lines on purpose: every price of an import passes here, byte by byte, in one pass over
    /// locals; the spellings it accepts are listed above in the order it checks them.
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Result<Money, ParseError> {
        var i = 0
        var n = b.count
        while i < n, b[i] == 32 { i += 1 }
        while n > i, b[n - 1] == 32 { n -= 1 }
        guard i < n else { return .failure(.empty) }
        var negative = false
        if b[i] == UInt8(ascii: "("), b[n - 1] == UInt8(ascii: ")") {
            negative = true
            i += 1
            n -= 1
        }
        if i < n, b[i] == UInt8(ascii: "-") {
            negative.toggle()
            i += 1
        }
        if i < n, b[i] == UInt8(ascii: "$") { i += 1 }
        if i < n, b[i] == UInt8(ascii: "-"), !negative {
            negative = true
            i += 1
        }
        guard i < n else { return .failure(.notANumber) }
        var whole: Int64 = 0
        var digits = 0
        var sinceComma = -1
        var sawComma = false
        while i < n, b[i] != UInt8(ascii: ".") {
            let c = b[i]
            if c == UInt8(ascii: ",") {
                guard digits > 0, sinceComma == -1 || sinceComma == 3 else { return .failure(.badGrouping) }
                if !sawComma, digits > 3 { return .failure(.badGrouping) }
                sawComma = true
                sinceComma = 0
            } else if c >= 48, c <= 57 {
                guard whole < 1_000_000_000_000 else { return .failure(.tooLarge) }
                whole = whole * 10 + Int64(c - 48)
                digits += 1
                if sawComma { sinceComma += 1 }
            } else {
                return .failure(.notANumber)
            }
            i += 1
        }
        if sawComma, sinceComma != 3 { return .failure(.badGrouping) }
        var frac: Int64 = 0
        var fracDigits = 0
        if i < n {
            i += 1  // the point
            while i < n {
                let c = b[i]
                guard c >= 48, c <= 57 else { return .failure(.notANumber) }
                if fracDigits == 2 {
                    // Trailing zeros beyond the cent are exact; anything else is not.
                    guard c == 48 else { return .failure(.tooManyDecimals) }
                } else {
                    frac = frac * 10 + Int64(c - 48)
                    fracDigits += 1
                }
                i += 1
            }
        }
        guard digits > 0 || fracDigits > 0 else { return .failure(.notANumber) }
        if fracDigits == 1 { frac *= 10 }
        let cents = whole * 100 + frac
        return .success(Money(cents: negative ? -cents : cents))
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let m = Money(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not money: \(text)"))
        }
        self = m
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// An annual percentage rate, exact to a thousandth of a percent (`6.9` is 6900).
public struct Rate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var thousandthsOfPercent: Int

    public init(thousandthsOfPercent: Int) { self.thousandthsOfPercent = thousandthsOfPercent }
    public static func < (a: Rate, b: Rate) -> Bool { a.thousandthsOfPercent < b.thousandthsOfPercent }

    /// `6.9`, `6.99`, `0` — trailing zeros dropped.
    public var description: String {
        let whole = thousandthsOfPercent / 1000
        var frac = thousandthsOfPercent % 1000
        if frac == 0 { return String(whole) }
        var digits = 3
        while frac % 10 == 0 {
            frac /= 10
            digits -= 1
        }
        let f = String(frac)
        return "\(whole).\(String(repeating: "0", count: digits - f.count))\(f)"
    }

    public init?(_ text: String) {
        var copy = text
        guard let r = copy.withUTF8({ Rate.parse(UnsafeBufferPointer(rebasing: $0[...])) }) else { return nil }
        self = r
    }

    /// Parses a percent such as `6.9`, `6.99%` or `0`; at most three decimals.
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Rate? {
        var n = b.count
        if n > 0, b[n - 1] == UInt8(ascii: "%") { n -= 1 }
        var i = 0
        var whole = 0
        var digits = 0
        while i < n, b[i] != UInt8(ascii: ".") {
            guard b[i] >= 48, b[i] <= 57, whole < 100_000 else { return nil }
            whole = whole * 10 + Int(b[i] - 48)
            digits += 1
            i += 1
        }
        var frac = 0
        var fd = 0
        if i < n {
            i += 1
            while i < n {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                if fd == 3 {
                    guard b[i] == 48 else { return nil }
                } else {
                    frac = frac * 10 + Int(b[i] - 48)
                    fd += 1
                }
                i += 1
            }
        }
        guard digits + fd > 0 else { return nil }
        while fd < 3 {
            frac *= 10
            fd += 1
        }
        return Rate(thousandthsOfPercent: whole * 1000 + frac)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let r = Rate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a rate: \(text)"))
        }
        self = r
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Int {
    /// With thousands separators: 1,234,567.
    public var grouped: String {
        let s = String(self.magnitude)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (self < 0 ? "-" : "") + out
    }
}
