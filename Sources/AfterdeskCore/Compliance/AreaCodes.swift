/// North American area codes of the US and its territories: the state a number is registered in and the time zones
/// it may be in (`menus/area-codes.tsv`, generated from PyPI phonenumbers, embedded).
public enum AreaCodes {
    public struct Entry: Sendable, Equatable {
        public var state: String
        public var zones: [String]
    }

    /// Read once from the embedded table; a malformed line is skipped (a test checks none is).
    public static let table: [Int: Entry] = parse(DefaultContactRules.areaCodesTSV)

    static func parse(_ text: String) -> [Int: Entry] {
        var out: [Int: Entry] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard cells.count == 3, let code = Int(cells[0]), (200...999).contains(code), cells[1].count == 2 else { continue }
            out[code] = Entry(state: String(cells[1]), zones: cells[2].split(separator: ",").map(String.init))
        }
        return out
    }

    /// The area code of a US number in any common spelling ("+1 (305) 555-0100", "3055550100"), or nil.
    public static func areaCode(of phone: String?) -> Int? {
        guard let phone else { return nil }
        // The first four digits and how many there are, without an array (one number per customer planned).
        var (count, d0, d1, d2, d3) = (0, 0, 0, 0, 0)
        for u in phone.utf8 where u >= 48 && u <= 57 {
            let v = Int(u) - 48
            switch count {
            case 0: d0 = v
            case 1: d1 = v
            case 2: d2 = v
            case 3: d3 = v
            default: break
            }
            count += 1
            if count > 11 { return nil }
        }
        if count == 11 && d0 == 1 { return d1 * 100 + d2 * 10 + d3 }
        guard count == 10 else { return nil }
        return d0 * 100 + d1 * 10 + d2
    }

    /// The entry of the number's area code; nil for a non-geographic, unknown or foreign number.
    public static func entry(for phone: String?) -> Entry? { areaCode(of: phone).flatMap { table[$0] } }
}
