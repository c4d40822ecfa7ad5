import Yams

/// Reads `menus/contact-rules.yaml` (and a menu's `contact_rules:` section) into a `ContactRulebook`, reporting every
/// problem with its line and field, as the menu loader does.
public enum ContactRulesLoader {
    static let weekdayRanges: [String: [Int]] = {
        var out: [String: [Int]] = ["all": Array(0...6), "weekdays": Array(1...5)]
        let names = StoreHours.weekdayNames
        for (i, n) in names.enumerated() { out[n] = [i] }
        // monday-friday, monday-saturday…: a range in week order from Monday, Sunday last.
        let week = Array(1...6) + [0]
        for (a, from) in week.enumerated() {
            for to in week[a...] {
                guard let b = week.firstIndex(of: to), b > a else { continue }
                out["\(names[from])-\(names[to])"] = Array(week[a...b])
            }
        }
        return out
    }()

    public static func load(yaml text: String, file: String) throws(MenuErrors) -> ContactRulebook {
        var r = YAMLReader(file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text), node.mapping != nil else {
                throw MenuErrors(issues: [MenuIssue(file: file, line: 1, field: "(document)", message: "expected a mapping")])
            }
            root = node
        } catch let e as MenuErrors {
            throw e
        } catch {
            throw MenuErrors(issues: [MenuIssue(file: file, line: 1, field: "(syntax)", message: "not valid YAML: \(error)")])
        }
        r.checkKeys(root, "", allowed: ["version", "checked", "product_window", "federal", "holidays", "states"])
        _ = r.int(root, "version", "", required: true, range: 1...1)
        let checked = r.string(root, "checked", "") ?? ""
        let product = hoursValue(root, "product_window", "", &r) ?? DayHours(start: 480, end: 1200)
        var federal = DayHours(start: 480, end: 1260)
        var federalSource = ""
        if let f = root["federal"] {
            r.checkKeys(f, "federal", allowed: ["hours", "source"])
            federal = hoursValue(f, "hours", "federal", &r) ?? federal
            federalSource = r.string(f, "source", "federal") ?? ""
        }
        let holidays = holidayRules(root["holidays"], &r)
        var states: [String: StateRules] = [:]
        if let s = root["states"]?.mapping {
            for (k, v) in s {
                guard let code = k.string, code.count == 2, code == code.uppercased() else {
                    r.fail(k, "states", "expected a two-letter state code, got '\(k.string ?? "")'")
                    continue
                }
                let base = StateRules(code: code, name: r.string(v, "name", "states.\(code)") ?? code, source: "")
                var rules = state(v, "states.\(code)", base: base, holidays: holidays, &r)
                if rules.source.isEmpty { r.fail(v, "states.\(code).source", "every state names its source") }
                rules.code = code
                states[code] = rules
            }
        } else {
            r.fail(root, "states", "required section is missing")
        }
        if !r.issues.isEmpty { throw MenuErrors(issues: r.issues) }
        return ContactRulebook(checked: checked, productWindow: product, federal: federal, federalSource: federalSource, states: states)
    }

    static let stateKeys: Set<String> = [
        "name", "hours", "no_contact_on", "holidays", "holidays_source", "per_24_hours", "area_code_presumption",
        "emergency_blackout", "source", "note",
    ]

    /// One state's section, over `base`: a field given replaces the base's.
    static func state(
        _ v: Node, _ path: String, base: StateRules, holidays: [String: HolidayRule], _ r: inout YAMLReader
    ) -> StateRules {
        var rules = base
        r.checkKeys(v, path, allowed: stateKeys)
        if let h = v["hours"] {
            rules.hours = Array(repeating: nil, count: 7)
            for (k, value) in h.mapping ?? [:] {
                guard let key = k.string, let days = weekdayRanges[key.lowercased()] else {
                    r.fail(k, "\(path).hours", "unknown days '\(k.string ?? "")' (all, weekdays, sunday, monday-saturday…)")
                    continue
                }
                guard let text = value.string, let range = StoreHours.parseRange(text), range.open < range.close else {
                    r.fail(value, "\(path).hours.\(key)", "expected hours such as 09:00-21:00, got '\(value.string ?? "")'")
                    continue
                }
                for d in days { rules.hours[d] = DayHours(start: range.open, end: range.close) }
            }
        }
        if v["no_contact_on"] != nil {
            rules.noContactWeekdays = []
            var keepHolidays = false
            for name in r.stringList(v, "no_contact_on", path) {
                if name == "holidays" {
                    keepHolidays = true
                } else if let i = StoreHours.weekdayNames.firstIndex(of: name.lowercased()) {
                    rules.noContactWeekdays.insert(i)
                } else {
                    r.fail(v["no_contact_on"], "\(path).no_contact_on", "unknown day '\(name)' (sunday … saturday, holidays)")
                }
            }
            if !keepHolidays { rules.holidays = [] }
        }
        if v["holidays"] != nil {
            rules.holidays = r.stringList(v, "holidays", path).compactMap { id in
                if let h = holidays[id] { return h }
                r.fail(v["holidays"], "\(path).holidays", "unknown holiday '\(id)' (see the holidays section)")
                return nil
            }
        }
        rules.holidaysSource = r.string(v, "holidays_source", path, required: false) ?? rules.holidaysSource
        if v["per_24_hours"] != nil { rules.per24Hours = r.int(v, "per_24_hours", path, range: 1...100) }
        rules.areaCodePresumption = r.bool(v, "area_code_presumption", path, default: rules.areaCodePresumption)
        rules.emergencyBlackout = r.bool(v, "emergency_blackout", path, default: rules.emergencyBlackout)
        rules.source = r.string(v, "source", path, required: false) ?? rules.source
        rules.note = r.string(v, "note", path, required: false) ?? rules.note
        return rules
    }

    static func hoursValue(_ node: Node, _ key: String, _ path: String, _ r: inout YAMLReader) -> DayHours? {
        guard let text = r.string(node, key, path, required: false) else { return nil }
        guard let range = StoreHours.parseRange(text), range.open < range.close else {
            r.fail(node[key], r.join(path, key), "expected hours such as 08:00-20:00, got '\(text)'")
            return nil
        }
        return DayHours(start: range.open, end: range.close)
    }

    static func holidayRules(_ node: Node?, _ r: inout YAMLReader) -> [String: HolidayRule] {
        var out: [String: HolidayRule] = [:]
        for (k, v) in node?.mapping ?? [:] {
            guard let id = k.string else { continue }
            let path = "holidays.\(id)"
            r.checkKeys(v, path, allowed: ["name", "date", "observed", "month", "weekday", "nth", "offset_days", "easter_offset", "years"])
            let name = r.string(v, "name", path) ?? id
            let even = v["years"]?.string == "even"
            if let date = r.string(v, "date", path, required: false) {
                let parts = date.split(separator: "-").compactMap { Int($0) }
                guard parts.count == 2, LocalDate(year: 2000, month: parts[0], day: parts[1]) != nil else {
                    r.fail(v["date"], "\(path).date", "expected a month and day such as 07-04, got '\(date)'")
                    continue
                }
                let observed = r.bool(v, "observed", path, default: false)
                out[id] = HolidayRule(
                    id: id, name: name, kind: .fixed(month: parts[0], day: parts[1], observed: observed), evenYearsOnly: even)
            } else if let offset = r.int(v, "easter_offset", path, range: -100...100) {
                out[id] = HolidayRule(id: id, name: name, kind: .easter(offsetDays: offset), evenYearsOnly: even)
            } else if let month = r.int(v, "month", path, required: true, range: 1...12),
                let dayName = r.string(v, "weekday", path), let weekday = StoreHours.weekdayNames.firstIndex(of: dayName.lowercased()),
                let nth = r.int(v, "nth", path, required: true, range: -5...5), nth != 0
            {
                let offset = r.int(v, "offset_days", path, range: -31...31) ?? 0
                out[id] = HolidayRule(
                    id: id, name: name, kind: .nthWeekday(month: month, weekday: weekday, nth: nth, offsetDays: offset), evenYearsOnly: even
                )
            } else {
                r.fail(v, path, "expected date, easter_offset, or month, weekday and nth")
            }
        }
        return out
    }
}
