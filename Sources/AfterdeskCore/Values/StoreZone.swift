import Foundation

/// A store's time zone name that the system does not know: read from the stores table or given for a new store.
/// Never replaced by GMT: a wrong zone would move every date and every quiet hour.
public struct UnknownTimeZone: Error, Sendable, Equatable, CustomStringConvertible {
    public let identifier: String
    public var description: String {
        "unknown time zone '\(identifier)' (use an IANA name such as America/Chicago)"
    }
}

extension TimeZone {
    /// The zone of a store, by its IANA name, checked where the name is read.
    public static func store(_ identifier: String) throws(UnknownTimeZone) -> TimeZone {
        guard let zone = TimeZone(identifier: identifier) else { throw UnknownTimeZone(identifier: identifier) }
        return zone
    }
}
