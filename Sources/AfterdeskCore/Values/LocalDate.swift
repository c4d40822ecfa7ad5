/// A calendar date in the dealership's time zone (no time, no zone).
///
/// Stored and printed as `YYYY-MM-DD`. Arithmetic goes through days since
/// 1970-01-01 using the proleptic Gregorian calendar, so it is exact and cheap.
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before): the one stored field, so comparing and adding days are
    /// plain integer operations.
    public let daysSinceEpoch: Int

    public var year: Int { civil.year }
    public var month: Int { civil.month }
    public var day: Int { civil.day }

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= LocalDate.daysIn(month: month, year: year)
        else { return nil }
        self.init(civilYear: year, month: month, day: day)
    }

    /// The first and last dates arithmetic can reach: 0001-01-01 and 9999-12-31. Adding days or months past
    /// them stops at them, so no value from data can overflow or print a five-digit year.
    public static let first = LocalDate(daysSinceEpoch: -719_162)
    public static let last = LocalDate(daysSinceEpoch: 2_932_896)

    /// Howard Hinnant's days_from_civil, for a month in 1...12 and a day valid in it; the year is clamped.
    private init(civilYear: Int, month: Int, day: Int) {
        let year = min(max(civilYear, 1), 9999)
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        daysSinceEpoch = era * 146097 + doe - 719468
    }

    /// Clamped to `first...last`.
    public init(daysSinceEpoch: Int) { self.daysSinceEpoch = min(max(daysSinceEpoch, -719_162), 2_932_896) }

    /// Year, month and day (Howard Hinnant's civil_from_days).
    public var civil: (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Saturates at `first` and `last`.
    public func adding(days: Int) -> LocalDate {
        let (sum, overflow) = daysSinceEpoch.addingReportingOverflow(days)
        return LocalDate(daysSinceEpoch: overflow ? (days < 0 ? Int.min : Int.max) : sum)
    }

    /// Adds calendar months; the day is clamped to the end of a shorter month (Jan 31 + 1 month = Feb 28/29).
    public func adding(months: Int) -> LocalDate {
        let (year, month, day) = civil
        // Months beyond ±120,000 (10,000 years) leave the calendar anyway: clamp before multiplying.
        let span = 120_000
        let total = year * 12 + (month - 1) + min(max(months, -span), span)
        guard total >= 12 else { return .first }
        guard total < 10_000 * 12 else { return .last }
        let y = total / 12
        let m = total % 12 + 1
        let d = min(day, LocalDate.daysIn(month: m, year: y))
        return LocalDate(civilYear: y, month: m, day: d)
    }

    public func adding(years: Int) -> LocalDate { adding(months: min(max(years, -10_000), 10_000) * 12) }

    /// A day of a month, clamped to the month's length (February 30 → February 28 or 29); the year is clamped to
    /// 1...9999 and the month to 1...12. Never fails: for dates computed from valid parts.
    public static func clamped(year: Int, month: Int, day: Int) -> LocalDate {
        let y = min(max(year, 1), 9999)
        let m = min(max(month, 1), 12)
        return LocalDate(civilYear: y, month: m, day: min(max(day, 1), daysIn(month: m, year: y)))
    }

    public func days(until other: LocalDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    public var description: String { withISOBytes { String(decoding: $0, as: UTF8.self) } }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// Parses `YYYY-MM-DD` or `MM/DD/YYYY` (also `M/D/YYYY`).
    public init?(_ text: String) {
        var copy = text
        guard let date = copy.withUTF8({ LocalDate.parse(UnsafeBufferPointer(rebasing: $0[...])) }) else { return nil }
        self = date
    }

    /// Byte-level parser used on the import hot path.
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> LocalDate? {
        @inline(__always) func digit(_ c: UInt8) -> Int? { c >= 48 && c <= 57 ? Int(c - 48) : nil }
        func number(_ from: Int, _ to: Int) -> Int? {
            guard from < to else { return nil }
            var v = 0
            for i in from..<to {
                guard let d = digit(b[i]) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        let n = b.count
        if n == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") {
            guard let y = number(0, 4), let m = number(5, 7), let d = number(8, 10) else { return nil }
            return LocalDate(year: y, month: m, day: d)
        }
        // M/D/YYYY with one- or two-digit month and day.
        guard n >= 8, n <= 10 else { return nil }
        var slashes: [Int] = []
        for i in 0..<n where b[i] == UInt8(ascii: "/") { slashes.append(i) }
        guard slashes.count == 2, n - slashes[1] - 1 == 4,
            let m = number(0, slashes[0]), slashes[0] <= 2,
            let d = number(slashes[0] + 1, slashes[1]), slashes[1] - slashes[0] - 1 <= 2,
            let y = number(slashes[1] + 1, n)
        else { return nil }
        return LocalDate(year: y, month: m, day: d)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
