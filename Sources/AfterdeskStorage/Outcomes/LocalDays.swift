import AfterdeskCore
import Foundation

/// The store's calendar day of an instant, with the zone's offset looked up once per half hour of UTC (offsets change
/// on the hour or the half hour): Foundation's offset lookup is slow for a ledger of millions of lines. Both backends'
/// ledgers date their touches with it.
public final class LocalDays {
    public let zone: TimeZone
    private var offsets: [Int: Int] = [:]
    public init(_ zone: TimeZone) { self.zone = zone }

    public func day(of instant: Date) -> LocalDate {
        let seconds = instant.epochSeconds
        let slot = seconds >= 0 ? seconds / 1_800 : (seconds - 1_799) / 1_800
        let offset =
            offsets[slot]
            ?? {
                let o = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(slot * 1_800)))
                offsets[slot] = o
                return o
            }()
        let local = seconds + offset
        return LocalDate(daysSinceEpoch: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }
}
