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
        "798": "America/Denver", "799": "America/Denver", "885": "America/Denver",  // El Paso, TX
        "324": "America/Chicago", "325": "America/Chicago",  // Florida panhandle west of the Apalachicola
        "370": "America/Chicago", "371": "America/Chicago", "372": "America/Chicago",  // Middle Tennessee (Central)
        "373": "America/New_York", "374": "America/New_York", "376": "America/New_York", "377": "America/New_York",
        "378": "America/New_York", "379": "America/New_York",  // East Tennessee (Chattanooga, Knoxville, Tri-Cities)
        // western Kentucky
        "420": "America/Chicago", "421": "America/Chicago", "422": "America/Chicago", "423": "America/Chicago", "424": "America/Chicago",
        "463": "America/Chicago", "464": "America/Chicago", "476": "America/Chicago", "477": "America/Chicago",  // NW and SW Indiana
        "498": "America/Menominee", "499": "America/Menominee",  // Michigan's western Upper Peninsula
        "838": "America/Los_Angeles",  // northern Idaho
        "979": "America/Boise",  // Malheur County, Oregon
        "577": "America/Denver",  // western South Dakota
        "586": "America/Denver",  // SW North Dakota (Dickinson)
        "693": "America/Denver",  // Nebraska panhandle (Scottsbluff, Alliance)
    ]

    /// The customer's zone, else the dealership's when the state is unknown.
    public static func zone(state: String?, zip: String?, dealershipZone: String) -> String {
        if let zip, let z = byZIP3[zip3(zip)] { return z }
        if let state, let z = byState[state] { return z }
        return dealershipZone
    }

    /// The ZIP's first three characters, or "" when it has fewer. Three ASCII bytes followed by another (or nothing) are
    /// three characters, read without walking the string's characters; anything else takes the general path.
    static func zip3(_ zip: String) -> String {
        let fast: String?? = zip.utf8.withContiguousStorageIfAvailable { b in
            guard b.count >= 3, b[0] < 0x80, b[1] < 0x80, b[2] < 0x80, b.count == 3 || b[3] < 0x80,
                b[0] != 13, b[1] != 13, b[2] != 13
            else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: b[0..<3]), as: UTF8.self)
        }
        if let fast, let fast { return fast }
        return zip.count >= 3 ? String(zip.prefix(3)) : ""
    }
}
