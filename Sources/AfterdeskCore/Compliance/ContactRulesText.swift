/// The rules in force as `afterdesk compliance rules [STATE]` prints them: each rule with its source.
public enum ContactRulesText {
    /// The whole rule set, or one state's; nil when `state` is not a known code. `year`: whose holidays to list.
    public static func render(_ book: ContactRulebook, state: String?, year: Int) -> String? {
        var lines = [
            "Contact rules in force (researched \(book.checked); not legal advice: docs/compliance.md lists what to confirm with counsel).",
            "Everywhere: Afterdesk's window \(book.productWindow.text) in the customer's time; "
                + "federal \(book.federal.text) (\(book.federalSource)).",
            "Whose law: the address's state, and the area code's state where it presumes residence (FL, OK), each on its own clock.",
        ]
        for l in book.loosened { lines.append("warning: the menu loosens a shipped rule: \(l)") }
        let codes: [String]
        if let state {
            guard book.states[state.uppercased()] != nil else { return nil }
            codes = [state.uppercased()]
        } else {
            codes = book.states.keys.sorted()
        }
        for code in codes {
            guard let r = book.states[code] else { continue }
            lines.append("")
            lines += block(r, book: book, year: year)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func block(_ r: StateRules, book: ContactRulebook, year: Int) -> [String] {
        var out = ["\(r.code) \(r.name)"]
        let hours = hoursText(r)
        out.append("  hours: " + (hours ?? "no state rule (federal \(book.federal.text); Afterdesk's \(book.productWindow.text))"))
        let days = r.noContactWeekdays.sorted().map { StoreHours.weekdayNames[$0].capitalized + "s" }
        if !days.isEmpty { out.append("  no contact on: " + days.joined(separator: ", ")) }
        if !r.holidays.isEmpty {
            let list = r.holidays.compactMap { h -> String? in
                let days = h.days(in: year).filter { $0.year == year }
                guard let first = days.first else { return nil }
                return "\(h.name) \(first)" + (days.count > 1 ? " (kept \(days[1]))" : "")
            }
            out.append("  no contact on legal holidays (\(year)): " + list.joined(separator: ", "))
            if let s = r.holidaysSource { out.append("  holidays source: \(s)") }
        }
        if let cap = r.per24Hours { out.append("  at most \(cap) texts in 24 hours on one subject, from any number") }
        if r.areaCodePresumption { out.append("  a number with the state's area code is presumed to reach a resident") }
        if r.emergencyBlackout {
            let on = book.emergencies.contains(r.code)
            out.append(
                "  declared state of emergency: no solicitation while switched on — now \(on ? "ON" : "off") "
                    + "(afterdesk compliance emergency \(r.code) --\(on ? "off" : "on"))")
        }
        out.append("  source: \(r.source)")
        if let n = r.note { out.append("  note: \(n)") }
        return out
    }

    /// "Monday–Saturday 9:00–21:00; Sunday 12:00–21:00", Monday first; nil when the state sets no hours.
    static func hoursText(_ r: StateRules) -> String? {
        guard r.hours.contains(where: { $0 != nil }) else { return nil }
        let week = [1, 2, 3, 4, 5, 6, 0]
        var parts: [String] = []
        var i = 0
        while i < week.count {
            var j = i
            while j + 1 < week.count && r.hours[week[j + 1]] == r.hours[week[i]] { j += 1 }
            let name = { (d: Int) in StoreHours.weekdayNames[d].capitalized }
            let days = i == 0 && j == 6 ? "every day" : i == j ? name(week[i]) : "\(name(week[i]))–\(name(week[j]))"
            parts.append("\(days) \(r.hours[week[i]]?.text ?? "federal rule")")
            i = j + 1
        }
        return parts.joined(separator: "; ")
    }
}
