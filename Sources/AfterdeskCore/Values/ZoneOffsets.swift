import Foundation

/// A time zone's offsets from UTC as a table of its transitions, found once per zone: between two transitions the
/// offset is constant, so reading it is a binary search instead of a call into ICU under Foundation's lock (what made
/// zone offsets a twentieth of planning). Instants outside the table's span (before 1970, from 2100) ask Foundation.
public struct ZoneOffsets: Sendable {
    public let zone: TimeZone
    /// The instants the offset changes at, ascending (seconds since 1970).
    private let transitions: [Double]
    /// `offsets[i]`: the offset before `transitions[i]`; the last, after the last transition.
    private let offsets: [Int]

    /// The span of the table: 1970-01-01 to 2100-01-01 (UTC).
    static let spanStart = 0.0
    static let spanEnd = 4_102_444_800.0

    /// The table of `zone`, computed now (`of` and `named` keep one per zone).
    public init(computing zone: TimeZone) {
        self.zone = zone
        var transitions: [Double] = []
        var offsets = [zone.secondsFromGMT(for: Date(timeIntervalSince1970: Self.spanStart))]
        var t = Date(timeIntervalSince1970: Self.spanStart)
        // Two a year at most in practice; the bound only guards against a zone database that never ends.
        for _ in 0..<2_000 {
            guard let next = zone.nextDaylightSavingTimeTransition(after: t), next > t,
                next.timeIntervalSince1970 < Self.spanEnd
            else { break }
            transitions.append(next.timeIntervalSince1970)
            offsets.append(zone.secondsFromGMT(for: next))
            t = next
        }
        self.transitions = transitions
        self.offsets = offsets
    }

    /// Seconds `zone` is ahead of UTC at `date`: what `zone.secondsFromGMT(for: date)` answers.
    public func secondsFromGMT(for date: Date) -> Int {
        let t = date.timeIntervalSince1970
        guard t >= Self.spanStart && t < Self.spanEnd else { return zone.secondsFromGMT(for: date) }
        // How many transitions are at or before t.
        var lo = 0
        var hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if transitions[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return offsets[lo]
    }

    /// The wall clock of `date` in the zone, in seconds since 1970-01-01 00:00 local.
    public func localSeconds(_ date: Date) -> Int { date.epochSeconds + secondsFromGMT(for: date) }

    /// The table of `zone`, made on first use and kept.
    public static func of(_ zone: TimeZone) -> ZoneOffsets {
        cache.table(zone.identifier) { zone } ?? ZoneOffsets(computing: zone)
    }

    /// The table of the zone with IANA name `identifier`, or nil when there is no such zone.
    public static func named(_ identifier: String) -> ZoneOffsets? {
        cache.table(identifier) { TimeZone(identifier: identifier) }
    }

    private static let cache = Cache()

    /// Tables by zone name (and the names that are no zone), shared by every thread.
    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var tables: [String: ZoneOffsets?] = [:]

        func table(_ identifier: String, _ zone: () -> TimeZone?) -> ZoneOffsets? {
            lock.lock()
            defer { lock.unlock() }
            if let known = tables[identifier] { return known }
            let made = zone().map(ZoneOffsets.init(computing:))
            tables[identifier] = made
            return made
        }
    }
}

extension LocalDate {
    /// The calendar date of an instant in a zone: `init(_:in:)` through the zone's table.
    public init(_ instant: Date, in offsets: ZoneOffsets) {
        let local = offsets.localSeconds(instant)
        self = LocalDate(daysSinceEpoch: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }
}
