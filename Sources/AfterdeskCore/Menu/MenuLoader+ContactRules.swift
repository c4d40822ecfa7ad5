import Yams

extension MenuLoader {
    /// `contact_rules:` in a menu: per state, fields as in `menus/contact-rules.yaml` that replace the shipped ones.
    /// Tightening is always allowed; a change that loosens a shipped rule is an error unless `loosen: true`, and then
    /// `menu check` warns about each one (docs/menus.md).
    static func contactRules(_ node: Node?, _ r: inout YAMLReader) -> ContactRulebook {
        var book = ContactRulebook.shipped
        guard let node else { return book }
        guard node.mapping != nil else {
            r.fail(node, "contact_rules", "expected a mapping with states (and loosen)")
            return book
        }
        r.checkKeys(node, "contact_rules", allowed: ["loosen", "states"])
        let loosen = r.bool(node, "loosen", "contact_rules", default: false)
        var holidays: [String: HolidayRule] = [:]
        for rules in book.states.values { for h in rules.holidays { holidays[h.id] = h } }
        for (k, v) in node["states"]?.mapping ?? [:] {
            guard let code = k.string, let shipped = book.states[code] else {
                r.fail(k, "contact_rules.states", "unknown state '\(k.string ?? "")' (two-letter codes as in contact-rules.yaml)")
                continue
            }
            let path = "contact_rules.states.\(code)"
            let rules = ContactRulesLoader.state(v, path, base: shipped, holidays: holidays, &r)
            let looser = ContactRulebook.loosenings(of: shipped, by: rules, federal: book.federal)
            if !looser.isEmpty && !loosen {
                for l in looser { r.fail(v, path, "\(l): loosens the shipped rule; set contact_rules.loosen: true to keep it") }
                continue
            }
            book.loosened += looser.map { "\(code): \($0)" }
            book.states[code] = rules
        }
        return book
    }
}

extension ContactRulebook {
    /// How `menu` loosens `shipped`, in words; empty when it only tightens (or changes nothing).
    public static func loosenings(of shipped: StateRules, by menu: StateRules, federal: DayHours) -> [String] {
        var out: [String] = []
        for d in 0..<7 {
            let a = shipped.hours[d] ?? federal
            let b = menu.hours[d] ?? federal
            let day = StoreHours.weekdayNames[d]
            if b.start < a.start || b.end > a.end { out.append("\(day) hours \(b.text) are wider than \(a.text)") }
        }
        for d in shipped.noContactWeekdays.subtracting(menu.noContactWeekdays).sorted() {
            out.append("contact on \(StoreHours.weekdayNames[d]), which the shipped rules forbid")
        }
        let kept = Set(menu.holidays.map(\.id))
        for h in shipped.holidays where !kept.contains(h.id) { out.append("contact on \(h.name)") }
        if let cap = shipped.per24Hours, (menu.per24Hours ?? Int.max) > cap {
            out.append("more than \(cap) texts in 24 hours")
        }
        if shipped.emergencyBlackout && !menu.emergencyBlackout { out.append("no emergency blackout") }
        if shipped.areaCodePresumption && !menu.areaCodePresumption { out.append("no area-code presumption") }
        return out
    }
}
