import Foundation

/// Where a customer is, for the clock: the IANA time zone of a US state, refined by ZIP where a state
/// spans two zones.
public enum CustomerTimeZone {
    /// The zone most of the state's people live in.
    static let byState: [String: String] = [
        "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix", "AR": "America/Chicago",
        "CA": "America/Los_Angeles", "CO": "America/Denver", "CT": "America/New_York", "DE": "America/New_York",
        "DC": "America/New_York", "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
        "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis", "IA": "America/Chicago",
        "KS": "America/Chicago", "KY": "America/New_York", "LA": "America/Chicago", "ME": "America/New_York",
        "MD": "America/New_York", "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
        "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver", "NE": "America/Chicago",
        "NV": "America/Los_Angeles", "NH": "America/New_York", "NJ": "America/New_York", "NM": "America/Denver",
        "NY": "America/New_York", "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
        "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York", "RI": "America/New_York",
        "SC": "America/New_York", "SD": "America/Chicago", "TN": "America/Chicago", "TX": "America/Chicago",
        "UT": "America/Denver", "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
        "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver", "PR": "America/Puerto_Rico",
        "VI": "America/St_Thomas", "GU": "Pacific/Guam", "AS": "Pacific/Pago_Pago", "MP": "Pacific/Saipan",
    ]

    /// ZIP prefixes (first three digits) wholly or mostly in a different zone from the rest of their state.
    /// Only prefixes known to be so are listed; a prefix split between zones keeps the state's zone.
    static let byZIP3: [String: String] = [
        "798": "America/Denver", "799": "America/Denver", "885": "America/Denver",        // El Paso, TX
        "324": "America/Chicago", "325": "America/Chicago",                               // Florida panhandle west of the Apalachicola
        "370": "America/Chicago", "371": "America/Chicago", "372": "America/Chicago",     // Middle Tennessee (Central)
        "373": "America/New_York", "374": "America/New_York", "376": "America/New_York", "377": "America/New_York",
        "378": "America/New_York", "379": "America/New_York",                              // East Tennessee (Chattanooga, Knoxville, Tri-Cities)
        "420": "America/Chicago", "421": "America/Chicago", "422": "America/Chicago", "423": "America/Chicago", "424": "America/Chicago", // western Kentucky
        "463": "America/Chicago", "464": "America/Chicago", "476": "America/Chicago", "477": "America/Chicago", // NW and SW Indiana
        "498": "America/Menominee", "499": "America/Menominee",                             // Michigan's western Upper Peninsula
        "838": "America/Los_Angeles",                                                       // northern Idaho
        "979": "America/Boise",                                                             // Malheur County, Oregon
        "577": "America/Denver",                                                            // western South Dakota
        "586": "America/Denver",                                                            // SW North Dakota (Dickinson)
        "693": "America/Denver",                                                            // Nebraska panhandle (Scottsbluff, Alliance)
    ]

    /// The customer's zone, else the dealership's when the state is unknown.
    public static func zone(state: String?, zip: String?, dealershipZone: String) -> String {
        if let zip, zip.count >= 3, let z = byZIP3[String(zip.prefix(3))] { return z }
        if let state, let z = byState[state] { return z }
        return dealershipZone
    }
}

/// The hours of the customer's day when a message may be sent or a call made.
public struct ContactWindow: Sendable, Equatable {
    /// Minutes after local midnight: 8:00 is 480.
    public var start: Int
    public var end: Int

    public init(startHour: Int, endHour: Int) { start = startHour * 60; end = endHour * 60 }

    /// The federal rule (TCPA): 8:00 to 21:00.
    public static let federal = ContactWindow(startHour: 8, endHour: 21)
    /// Florida, Oklahoma and Maryland: 8:00 to 20:00.
    public static let strict = ContactWindow(startHour: 8, endHour: 20)
    static let strictStates: Set<String> = ["FL", "OK", "MD"]

    /// The window for a state: the strictest by default (8:00–20:00 everywhere), or as configured per state.
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
        LocalClock.instant(on: date, minutes: min(max(minutes, start), end - 1), zone: zone)
    }
}

/// Wall-clock arithmetic through the zone's UTC offset, without Calendar (which costs more than the
/// planning itself). Correct for every time of day away from the 1:00–3:00 daylight-saving switch, which
/// contact windows never touch.
enum LocalClock {
    static func minutesAfterMidnight(_ instant: Date, _ zone: TimeZone) -> Int {
        let local = instant.epochSeconds + zone.secondsFromGMT(for: instant)
        let secondOfDay = ((local % 86_400) + 86_400) % 86_400
        return secondOfDay / 60
    }

    static func instant(on date: LocalDate, minutes: Int, zone: TimeZone) -> Date {
        let wall = date.daysSinceEpoch * 86_400 + minutes * 60
        // The offset at the wall time read as UTC, then at the instant found: settles across a switch.
        var guess = wall - zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wall)))
        guess = wall - zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(guess)))
        return Date(timeIntervalSince1970: Double(guess))
    }
}

/// The share of declines held out from any follow-up, chosen so the same decline is always in or out.
public enum Holdout {
    /// True when this decline belongs to the holdout: a stable hash of store, deal and product, against the
    /// menu's percentage (10 means 10.00% of declines).
    public static func isHeldOut(store: String, dealNumber: String, product: String, percent: Int) -> Bool {
        var h = StableHasher()
        h.add(store); h.add(dealNumber); h.add(product)
        return h.value % 10_000 < UInt64(max(0, percent)) * 100
    }
}

/// Until when a declined product can still be bought, and which rule closes the window first.
public struct EligibilityWindow: Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable {
        case daysFromContract = "days_from_contract"
        case basicWarranty = "basic_warranty"
        case vehicleAge = "vehicle_age"
        case odometer
    }
    /// The last day the product can be bought; nil when no rule closes it.
    public var until: LocalDate?
    public var reason: Reason?
    /// `days_from_contract: 0`: the product is sold only at signing, so there is nothing to follow up.
    public var onlyAtSigning: Bool

    public init(eligibility e: Eligibility, contractDate: LocalDate, inService: LocalDate,
                basicWarrantyEnds: LocalDate?, odometerAt: (Int) -> LocalDate?) {
        var candidates: [(LocalDate, Reason)] = []
        if let days = e.daysFromContract { candidates.append((contractDate.adding(days: days), .daysFromContract)) }
        if e.untilBasicWarrantyExpires, let end = basicWarrantyEnds { candidates.append((end, .basicWarranty)) }
        if let years = e.maxVehicleAgeYears { candidates.append((inService.adding(years: years), .vehicleAge)) }
        if let miles = e.maxOdometer, let date = odometerAt(miles) { candidates.append((date, .odometer)) }
        let first = candidates.min { $0.0 < $1.0 }
        until = first?.0
        reason = first?.1
        onlyAtSigning = e.daysFromContract == 0
    }

    /// True on every day up to and including `until`.
    public func isOpen(on date: LocalDate) -> Bool {
        guard !onlyAtSigning else { return false }
        guard let until else { return true }
        return date <= until
    }
}
