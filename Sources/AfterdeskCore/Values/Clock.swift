import Foundation

/// The time, injected: live in the commands, fixed in tests.
public struct Clock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    public static let live = Clock(now: { Date() })
    public static func fixed(_ date: Date) -> Clock { Clock(now: { date }) }

    /// Reads `start` at first and runs on from there at `live`'s pace: a scripted run that must see time pass (a lease
    /// running out) from a chosen instant.
    public static func running(from start: Date, live: Clock = .live) -> Clock {
        let began = live.now()
        return Clock(now: { start.addingTimeInterval(live.now().timeIntervalSince(began)) })
    }
}

extension LocalDate {
    /// The calendar date of an instant in a time zone (the dealership's, or the customer's).
    public init(_ instant: Date, in zone: TimeZone) {
        let local = instant.epochSeconds + zone.secondsFromGMT(for: instant)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        self = LocalDate(daysSinceEpoch: days)
    }

    /// The date written as `YYYY-MM-DD` into a temporary buffer, without building a String.
    @inline(__always)
    public func withISOBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { b in
            let (year, month, day) = civil
            var y = year
            for i in stride(from: 3, through: 0, by: -1) {
                b[i] = UInt8(48 + y % 10)
                y /= 10
            }
            b[4] = 45
            b[5] = UInt8(48 + month / 10)
            b[6] = UInt8(48 + month % 10)
            b[7] = 45
            b[8] = UInt8(48 + day / 10)
            b[9] = UInt8(48 + day % 10)
            return body(UnsafeBufferPointer(b))
        }
    }
}

public enum Instant {
    /// `2026-11-22T14:46:05Z`: instants are stored and shown in UTC.
    public static func iso8601(_ date: Date) -> String {
        let seconds = date.epochSeconds
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rem = seconds - days * 86400
        // Written byte by byte (one per touch planned): the date's ten, then `Thh:mm:ssZ`.
        return LocalDate(daysSinceEpoch: days).withISOBytes { date in
            String(unsafeUninitializedCapacity: 20) { out in
                _ = out.initialize(fromContentsOf: date)
                func two(_ n: Int, at i: Int, then mark: Unicode.Scalar) {
                    out[i] = UInt8(48 + n / 10)
                    out[i + 1] = UInt8(48 + n % 10)
                    out[i + 2] = UInt8(ascii: mark)
                }
                out[10] = UInt8(ascii: "T")
                two(rem / 3600, at: 11, then: ":")
                two(rem % 3600 / 60, at: 14, then: ":")
                two(rem % 60, at: 17, then: "Z")
                return 20
            }
        }
    }

    /// Reads `2026-11-22T14:46:05Z` (what `iso8601` writes), or another ISO 8601 form.
    public static func parse(_ text: String) -> Date? {
        var t = text
        return t.withUTF8 { parse(bytes: $0) } ?? ISO8601DateFormatter().date(from: text)
    }

    /// Reads exactly `2026-11-22T14:46:05Z` from UTF-8 bytes, without making a string.
    public static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Date? {
        guard b.count == 20, b[10] == UInt8(ascii: "T"), b[19] == UInt8(ascii: "Z"),
            let day = LocalDate.parse(UnsafeBufferPointer(rebasing: b[0..<10]))
        else { return nil }
        func n(_ i: Int) -> Int? {
            let h = Int(b[i]) - 48
            let l = Int(b[i + 1]) - 48
            return (0...9).contains(h) && (0...9).contains(l) ? h * 10 + l : nil
        }
        guard let hh = n(11), let mm = n(14), let ss = n(17) else { return nil }
        return Date(timeIntervalSince1970: Double(day.daysSinceEpoch * 86_400 + hh * 3600 + mm * 60 + ss))
    }
}
