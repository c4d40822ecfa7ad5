import Foundation

/// The hours of the customer's day when a message may be sent or a call made.
public struct ContactWindow: Sendable, Equatable {
    /// The whole day, midnight to midnight: for turning a local time into an instant.
    public static let allDay = ContactWindow(startHour: 0, endHour: 24)

    /// Minutes after local midnight: 8:00 is 480.
    public var start: Int
    public var end: Int

    public init(startHour: Int, endHour: Int) {
        start = startHour * 60
        end = endHour * 60
    }

    public init(minutes start: Int, _ end: Int) {
        self.start = start
        self.end = end
    }

    /// The federal rule (TCPA): 8:00 to 21:00.
    public static let federal = ContactWindow(startHour: 8, endHour: 21)
    /// Florida, Oklahoma and Maryland: 8:00 to 20:00.
    public static let strict = ContactWindow(startHour: 8, endHour: 20)

    /// Afterdesk's own window (8:00–20:00 everywhere), or one given per state. The planner and the gate take the
    /// product window from the state calendar instead (`ContactCalendar`, docs/compliance.md), which narrows it by state.
    public static func forState(_ state: String?, configured: [String: ContactWindow] = [:]) -> ContactWindow {
        if let state, let w = configured[state] { return w }
        return strict
    }

    /// True when `instant` falls inside the window on the customer's clock.
    public func contains(_ instant: Date, zone: TimeZone) -> Bool {
        let m = LocalClock.minutesAfterMidnight(instant, zone)
        return m >= start && m < end
    }

    /// The first instant at or after `instant` inside the window, on the customer's clock. Handles days
    /// that are 23 or 25 hours long.
    public func nextOpening(atOrAfter instant: Date, zone: TimeZone) -> Date {
        if contains(instant, zone: zone) { return instant }
        let m = LocalClock.minutesAfterMidnight(instant, zone)
        let today = LocalDate(instant, in: zone)
        return LocalClock.instant(on: m < start ? today : today.adding(days: 1), minutes: start, zone: zone)
    }

    /// `date` at `minutes` after midnight on the customer's clock, moved into the window if outside it.
    public func instant(on date: LocalDate, atMinutes minutes: Int, zone: TimeZone) -> Date {
        instant(on: date, atMinutes: minutes, zone: ZoneOffsets.of(zone))
    }

    /// The same, through the zone's table of offsets.
    public func instant(on date: LocalDate, atMinutes minutes: Int, zone: ZoneOffsets) -> Date {
        LocalClock.instant(on: date, minutes: min(max(minutes, start), end - 1), zone: zone)
    }
}

/// Wall-clock arithmetic through the zone's UTC offset, without Calendar (which costs more than the
/// planning itself). Correct for every time of day away from the 1:00–3:00 daylight-saving switch, which
/// contact windows never touch.
enum LocalClock {
    static func minutesAfterMidnight(_ instant: Date, _ zone: TimeZone) -> Int {
        minutesAfterMidnight(instant, ZoneOffsets.of(zone))
    }

    static func minutesAfterMidnight(_ instant: Date, _ zone: ZoneOffsets) -> Int {
        let local = zone.localSeconds(instant)
        let secondOfDay = ((local % 86_400) + 86_400) % 86_400
        return secondOfDay / 60
    }

    static func instant(on date: LocalDate, minutes: Int, zone: TimeZone) -> Date {
        instant(on: date, minutes: minutes, zone: ZoneOffsets.of(zone))
    }

    static func instant(on date: LocalDate, minutes: Int, zone: ZoneOffsets) -> Date {
        let wall = date.daysSinceEpoch * 86_400 + minutes * 60
        // The offset at the wall time read as UTC, then at the instant found: settles across a switch.
        var guess = wall - zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wall)))
        guess = wall - zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(guess)))
        return Date(timeIntervalSince1970: Double(guess))
    }
}
