import Foundation
import Testing

@testable import AfterdeskCore

/// The table of a zone's offsets answers what Foundation answers, on every hour and around every transition.
@Suite struct ZoneOffsetsTests {
    static let zones = [
        "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
        "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico", "Pacific/Guam",
    ]
    /// 2000-01-01 and 2046-01-01, UTC.
    static let from = 946_684_800
    static let to = 2_398_377_600

    @Test(arguments: zones)
    func everyHourAsFoundation(id: String) throws {
        let zone = try #require(TimeZone(identifier: id))
        let table = ZoneOffsets(computing: zone)
        var mismatches = 0
        for t in stride(from: Self.from, to: Self.to, by: 3_600) {
            let date = Date(timeIntervalSince1970: Double(t))
            if table.secondsFromGMT(for: date) != zone.secondsFromGMT(for: date) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: zones)
    func aroundEveryTransitionAsFoundation(id: String) throws {
        let zone = try #require(TimeZone(identifier: id))
        let table = ZoneOffsets(computing: zone)
        var t = Date(timeIntervalSince1970: Double(Self.from))
        var transitions = 0
        while let next = zone.nextDaylightSavingTimeTransition(after: t), next.timeIntervalSince1970 < Double(Self.to) {
            transitions += 1
            for delta in [-3_600.0, -1, -0.5, 0, 0.5, 1, 3_600] {
                let date = next.addingTimeInterval(delta)
                #expect(table.secondsFromGMT(for: date) == zone.secondsFromGMT(for: date), "\(id) at \(date)")
            }
            t = next
        }
        // New York changes its clocks twice a year; Phoenix, Honolulu, Puerto Rico and Guam never since 2000.
        let changes = ["America/Phoenix", "Pacific/Honolulu", "America/Puerto_Rico", "Pacific/Guam"].contains(id) ? 0 : 92
        #expect(transitions == changes)
    }

    /// Every wall time of every day, the DST gap (2:30 on the spring day) and overlap (1:30 in the fall) included, turns
    /// into the instant the old arithmetic over Foundation's offsets found, and back to its day.
    @Test(arguments: zones)
    func wallClockAsFoundation(id: String) throws {
        let zone = try #require(TimeZone(identifier: id))
        let table = ZoneOffsets(computing: zone)
        func foundationInstant(_ date: LocalDate, _ minutes: Int) -> Date {
            let wall = date.daysSinceEpoch * 86_400 + minutes * 60
            var guess = wall - zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wall)))
            guess = wall - zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(guess)))
            return Date(timeIntervalSince1970: Double(guess))
        }
        var mismatches = 0
        for day in Self.from / 86_400..<Self.to / 86_400 {
            let date = LocalDate(daysSinceEpoch: day)
            for minutes in [0, 90, 150, 480, 600, 1_199, 1_439] {
                let instant = LocalClock.instant(on: date, minutes: minutes, zone: table)
                if instant != foundationInstant(date, minutes) { mismatches += 1 }
                if LocalDate(instant, in: table) != LocalDate(instant, in: zone) { mismatches += 1 }
                if LocalClock.minutesAfterMidnight(instant, table)
                    != ((instant.epochSeconds + zone.secondsFromGMT(for: instant)) % 86_400 + 86_400) % 86_400 / 60
                {
                    mismatches += 1
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func outsideTheTableFoundationAnswers() throws {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        let table = ZoneOffsets.of(zone)
        for t in [-5_000_000_000.0, -1, 4_102_444_800, 6_000_000_000, 4_102_444_799.5] {
            let date = Date(timeIntervalSince1970: t)
            #expect(table.secondsFromGMT(for: date) == zone.secondsFromGMT(for: date))
        }
    }

    @Test func namedKeepsOneTablePerZoneAndNoneForAnUnknownName() {
        #expect(ZoneOffsets.named("Nowhere/Atlantis") == nil)
        #expect(ZoneOffsets.named("America/Chicago")?.zone.identifier == "America/Chicago")
        let july = Date(timeIntervalSince1970: 1_783_000_000)
        #expect(ZoneOffsets.named("America/Chicago")?.secondsFromGMT(for: july) == -5 * 3_600)
    }
}

/// `Instant.iso8601`, written byte by byte, prints what the interpolated form printed, to the first and last instant.
@Suite struct InstantTextTests {
    static func interpolated(_ date: Date) -> String {
        let seconds = date.epochSeconds
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rem = seconds - days * 86400
        let d = LocalDate(daysSinceEpoch: days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(d)T\(two(rem / 3600)):\(two(rem % 3600 / 60)):\(two(rem % 60))Z"
    }

    @Test func asInterpolated() {
        var seconds: [Double] = [0, -1, 59, 86_399, 86_400, 1_779_000_000.75, -62_135_596_800, 253_402_300_799, -1e15, 1e15]
        var x: UInt64 = 7
        for _ in 0..<100_000 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            seconds.append(Double(Int64(bitPattern: x) % 4_000_000_000))
        }
        for s in seconds {
            let date = Date(timeIntervalSince1970: s)
            #expect(Instant.iso8601(date) == Self.interpolated(date))
        }
        #expect(Instant.iso8601(Date(timeIntervalSince1970: 1_779_000_000)) == "2026-05-17T06:40:00Z")
    }
}

/// The planner's faster readings of a phone's area code and a ZIP's first three characters answer as the general ones.
@Suite struct CustomerFactsReadingTests {
    static func areaCodeByArray(_ phone: String) -> Int? {
        var digits: [Int] = []
        for u in phone.utf8 where u >= 48 && u <= 57 {
            digits.append(Int(u) - 48)
            if digits.count > 11 { return nil }
        }
        if digits.count == 11 && digits[0] == 1 { digits.removeFirst() }
        guard digits.count == 10 else { return nil }
        return digits[0] * 100 + digits[1] * 10 + digits[2]
    }

    static let samples = [
        "", "3", "30", "305", "3055", "+1 (305) 555-0100", "13055550100", "23055550100", "3055550100", "305555010",
        "130555501000", "1-800-555-0100", "(212)555-0100x12", "٣٠٥5550100", "305\r\n", "32\r\n4", "324\u{301}", "324-1234",
        "32", "é3245", "324é", "9\u{301}79", "979", " 979", "97\r9", "838\n", "0012345678",
    ]

    @Test(arguments: samples)
    func areaCodeAsByArray(phone: String) {
        #expect(AreaCodes.areaCode(of: phone) == Self.areaCodeByArray(phone))
    }

    @Test(arguments: samples)
    func zip3AsByCharacters(zip: String) {
        #expect(CustomerTimeZone.zip3(zip) == (zip.count >= 3 ? String(zip.prefix(3)) : ""))
    }

    @Test func randomPhonesAndZIPs() {
        let alphabet: [String] = ["0", "1", "2", "3", "9", "-", " ", "(", "+", "\r", "\n", "é", "\u{301}", "٣"]
        var x: UInt64 = 11
        for _ in 0..<20_000 {
            var s = ""
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for i in 0..<Int(x >> 60) { s += alphabet[Int((x >> UInt64(4 * i % 56)) & 0xff) % alphabet.count] }
            #expect(AreaCodes.areaCode(of: s) == Self.areaCodeByArray(s))
            #expect(CustomerTimeZone.zip3(s) == (s.count >= 3 ? String(s.prefix(3)) : ""))
        }
    }
}
