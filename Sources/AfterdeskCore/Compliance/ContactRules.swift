import Foundation

/// Minutes after local midnight when contact may begin and must end: [start, end).
public struct DayHours: Sendable, Equatable, Hashable {
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// "9:00–21:00"
    public var text: String { "\(Self.clock(start))–\(Self.clock(end))" }

    /// 720 → "12:00"
    public static func clock(_ minutes: Int) -> String {
        let m = minutes % 60
        return "\(minutes / 60):\(m < 10 ? "0" : "")\(m)"
    }
}

/// A legal holiday as a rule, computed for any year (never a list of dates).
public struct HolidayRule: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A fixed date; `observed`: kept on the Friday before when it falls on a Saturday, the Monday after on a Sunday.
        case fixed(month: Int, day: Int, observed: Bool)
        /// The `nth` weekday (0 Sunday … 6 Saturday) of the month, -1 the last, plus `offsetDays` (Election Day is the
        /// day after the first Monday of November).
        case nthWeekday(month: Int, weekday: Int, nth: Int, offsetDays: Int)
        /// Days from Western Easter Sunday (Good Friday -2, Mardi Gras -47).
        case easter(offsetDays: Int)
    }

    public var id: String
    public var name: String
    public var kind: Kind
    public var evenYearsOnly: Bool

    public init(id: String, name: String, kind: Kind, evenYearsOnly: Bool = false) {
        self.id = id
        self.name = name
        self.kind = kind
        self.evenYearsOnly = evenYearsOnly
    }

    /// The days the holiday falls on in `year`: the date itself and, when it is observed on a weekday, that day too
    /// (which may leave the year: New Year's Day on a Saturday is also kept on December 31 of the year before). Empty
    /// when it does not happen that year.
    public func days(in year: Int) -> [LocalDate] {
        guard (2...9998).contains(year), !evenYearsOnly || year % 2 == 0 else { return [] }
        switch kind {
        case .fixed(let month, let day, let observed):
            guard let date = LocalDate(year: year, month: month, day: day) else { return [] }
            guard observed else { return [date] }
            switch StoreHours.weekday(date) {
            case 6: return [date, date.adding(days: -1)]
            case 0: return [date, date.adding(days: 1)]
            default: return [date]
            }
        case .nthWeekday(let month, let weekday, let nth, let offset):
            return Self.nthWeekday(year: year, month: month, weekday: weekday, nth: nth).map { [$0.adding(days: offset)] } ?? []
        case .easter(let offset):
            return [Self.easter(year).adding(days: offset)]
        }
    }

    static func nthWeekday(year: Int, month: Int, weekday: Int, nth: Int) -> LocalDate? {
        guard let first = LocalDate(year: year, month: month, day: 1), (0...6).contains(weekday), nth != 0, nth >= -5, nth <= 5 else {
            return nil
        }
        if nth > 0 {
            let firstMatch = first.adding(days: (weekday - StoreHours.weekday(first) + 7) % 7)
            let date = firstMatch.adding(days: 7 * (nth - 1))
            return date.month == month ? date : nil
        }
        let last = first.adding(months: 1).adding(days: -1)
        let lastMatch = last.adding(days: -((StoreHours.weekday(last) - weekday + 7) % 7))
        let date = lastMatch.adding(days: 7 * (nth + 1))
        return date.month == month ? date : nil
    }

    /// Western Easter Sunday (the anonymous Gregorian algorithm).
    static func easter(_ year: Int) -> LocalDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let h = (19 * a + b - b / 4 - (8 * b + 13) / 25 + 15) % 30
        let l = (32 + 2 * (b % 4) + 2 * (c / 4) - h - c % 4) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate.clamped(year: year, month: month, day: day)
    }
}

/// The contact rules of one state or territory, each with its source.
public struct StateRules: Sendable, Equatable {
    public var code: String
    public var name: String
    /// Hours by weekday (0 Sunday … 6 Saturday); nil where the state sets none (the federal rule holds).
    public var hours: [DayHours?] = Array(repeating: nil, count: 7)
    /// Weekdays with no solicitation at all (Sunday in Rhode Island).
    public var noContactWeekdays: Set<Int> = []
    /// Legal holidays with no solicitation.
    public var holidays: [HolidayRule] = [] { didSet { holidayIndex = Self.index(holidays) } }
    /// Days since 1970 of every holiday of 1990–2110 → its rule's place in `holidays`: computed when the rules are set,
    /// so checking a day is a lookup.
    private var holidayIndex: [Int: Int] = [:]
    public var holidaysSource: String?
    /// Texts on one subject in any 24 hours, from any number (Florida, Oklahoma, Maryland: 3).
    public var per24Hours: Int?
    /// A number with one of the state's area codes is presumed to reach a resident (Florida, Oklahoma).
    public var areaCodePresumption = false
    /// No solicitation while the state's declared emergency is switched on (Louisiana).
    public var emergencyBlackout = false
    public var source: String
    public var note: String?

    public init(code: String, name: String, source: String) {
        self.code = code
        self.name = name
        self.source = source
    }

    /// True when the state narrows nothing beyond the federal rule and Afterdesk's window.
    public func addsNothing(within product: DayHours) -> Bool {
        noContactWeekdays.isEmpty && holidays.isEmpty && !emergencyBlackout
            && hours.allSatisfy { h in h.map { $0.start <= product.start && $0.end >= product.end } ?? true }
    }

    static func index(_ holidays: [HolidayRule]) -> [Int: Int] {
        var out: [Int: Int] = [:]
        for (i, h) in holidays.enumerated() {
            for year in 1990...2110 { for d in h.days(in: year) where out[d.daysSinceEpoch] == nil { out[d.daysSinceEpoch] = i } }
        }
        return out
    }

    /// The holiday kept on `date`, if any.
    public func holiday(on date: LocalDate) -> HolidayRule? {
        guard !holidays.isEmpty else { return nil }
        if let i = holidayIndex[date.daysSinceEpoch] { return holidays[i] }
        let year = date.year
        if year > 1990 && year < 2110 { return nil }
        return holidays.first { $0.days(in: year).contains(date) || $0.days(in: year + 1).contains(date) }
    }
}

/// Every state's rules, the federal rule and Afterdesk's own window: the data of `menus/contact-rules.yaml`, with a
/// store's tightening from its menu, and the emergencies an admin has switched on.
public struct ContactRulebook: Sendable, Equatable {
    public var checked: String
    /// Afterdesk's own window (8:00–20:00), in the customer's time, everywhere.
    public var productWindow: DayHours
    public var federal: DayHours
    public var federalSource: String
    public var states: [String: StateRules]
    /// States whose declared emergency an admin has switched on (setting `emergency_states`).
    public var emergencies: Set<String> = []
    /// Rules of the menu that loosen the shipped ones, kept because the menu says `loosen: true`.
    public var loosened: [String] = []

    public init(checked: String, productWindow: DayHours, federal: DayHours, federalSource: String, states: [String: StateRules]) {
        self.checked = checked
        self.productWindow = productWindow
        self.federal = federal
        self.federalSource = federalSource
        self.states = states
    }

    /// The rules shipped with Afterdesk (`menus/contact-rules.yaml`, embedded). A test proves they load; were they
    /// ever broken, Afterdesk's own window would still hold.
    public static let shipped: ContactRulebook =
        (try? ContactRulesLoader.load(yaml: DefaultContactRules.yaml, file: "contact-rules.yaml"))
        ?? ContactRulebook(
            checked: "", productWindow: DayHours(start: 480, end: 1200), federal: DayHours(start: 480, end: 1260),
            federalSource: "47 CFR 64.1200(c)(1)", states: [:])

    /// True when a reason the calendar or the gate gave names a state's rule ("Texas: no texts before 12:00 on Sunday",
    /// "at most 3 texts in 24 hours (state law)").
    public func isStateRule(_ reason: String) -> Bool {
        reason.contains("(state law)") || states.values.contains { reason.contains("\($0.name): no ") }
    }

    /// The rule set with `emergencies` switched on.
    public func with(emergencies: Set<String>) -> ContactRulebook {
        var copy = self
        copy.emergencies = emergencies
        return copy
    }
}
