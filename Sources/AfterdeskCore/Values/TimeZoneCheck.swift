import Foundation

enum TimeZoneCheck {
    /// True when the system's time zone database knows the IANA name.
    static func isKnown(_ identifier: String) -> Bool { TimeZone(identifier: identifier) != nil }
}
