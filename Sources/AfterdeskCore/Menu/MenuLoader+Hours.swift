import Yams

extension MenuLoader {
    /// `hours: "09:00-19:00"` and `closed_on: [sunday]`; 9:00 to 19:00, closed on Sundays, when not given.
    static func hours(_ d: Node, _ r: inout YAMLReader) -> StoreHours {
        var range = (open: StoreHours.standard.open, close: StoreHours.standard.close)
        if let text = r.string(d, "hours", "dealership", required: false) {
            if let parsed = StoreHours.parseRange(text), parsed.open < parsed.close {
                range = parsed
            } else {
                r.fail(d["hours"], "dealership.hours", "expected opening hours such as 09:00-19:00, got '\(text)'")
            }
        }
        var closed = StoreHours.standard.closedWeekdays
        if d["closed_on"] != nil {
            closed = []
            for name in r.stringList(d, "closed_on", "dealership") {
                if let i = StoreHours.weekdayNames.firstIndex(of: name.lowercased()) {
                    closed.insert(i)
                } else {
                    r.fail(d["closed_on"], "dealership.closed_on", "unknown day '\(name)' (monday … sunday)")
                }
            }
        }
        guard let hours = StoreHours(open: range.open, close: range.close, closedWeekdays: closed) else {
            r.fail(d["closed_on"] ?? d, "dealership.closed_on", "the store must be open on at least one day")
            return .standard
        }
        return hours
    }
}
