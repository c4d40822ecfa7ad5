import Foundation

/// When one customer may be contacted: Afterdesk's window on the customer's clock, narrowed by the rules of every state
/// the customer is tied to (the address's, and the area code's where that state presumes residence), each on its own
/// zone's clock. Built once per customer from precomputed rules; checking an instant costs a zone offset or two, with
/// no Calendar.
public struct ContactCalendar: Sendable {
    struct Constraint: Sendable {
        let rules: StateRules
        let zone: ZoneOffsets
        let sameZoneAsHome: Bool
        let emergency: Bool
        /// Whole days can be closed: no-contact weekdays, holidays, an emergency.
        var closesDays: Bool { !rules.noContactWeekdays.isEmpty || !rules.holidays.isEmpty || emergency }
    }

    /// Why an instant is refused, and the first instant worth trying next (nil: not until an admin lifts an emergency).
    public struct Block: Sendable, Equatable {
        public var reason: String
        public var resume: Date?
        /// A state rule (not Afterdesk's own window) refused it.
        public var byState: Bool
    }

    public var home: TimeZone { homeOffsets.zone }
    /// The customer's zone, as its table of offsets.
    let homeOffsets: ZoneOffsets
    let product: DayHours
    let federal: DayHours
    let constraints: [Constraint]
    /// The tightest cap on texts in any 24 hours of the states tied (Florida, Oklahoma, Maryland: 3); nil when none.
    public let textsPer24Hours: Int?
    /// The states whose rules apply, address first.
    public var states: [String] { constraints.map(\.rules.code) }
    let closesDays: Bool
    /// Every rule is on the customer's own clock and sets hours only (no closed days): a wall-clock time is checked
    /// without a zone offset (`firstMinute`), which is what keeps planning a million customers fast.
    public let wallClockOnly: Bool

    /// - Parameters:
    ///   - home: the customer's zone (from the address), where Afterdesk's window applies.
    ///   - state: the address's state.
    ///   - phone: the customer's number; its area code ties the customer to a state that presumes residence by it.
    ///   - areaCode: the number's area code, when the number itself is not at hand (planning from the store).
    public init(rulebook: ContactRulebook, home: TimeZone, state: String?, phone: String?, areaCode: Int? = nil) {
        self.init(rulebook: rulebook, home: ZoneOffsets.of(home), state: state, phone: phone, areaCode: areaCode)
    }

    /// The same, with the customer's zone as its table of offsets.
    init(rulebook: ContactRulebook, home: ZoneOffsets, state: String?, phone: String?, areaCode: Int? = nil) {
        homeOffsets = home
        product = rulebook.productWindow
        federal = rulebook.federal
        var out: [Constraint] = []
        func add(_ rules: StateRules, _ zone: ZoneOffsets, same: Bool) {
            let emergency = rules.emergencyBlackout && rulebook.emergencies.contains(rules.code)
            if same && !emergency && rules.addsNothing(within: rulebook.productWindow) && rules.per24Hours == nil { return }
            if out.contains(where: { $0.rules.code == rules.code && $0.zone.zone.identifier == zone.zone.identifier }) { return }
            out.append(Constraint(rules: rules, zone: zone, sameZoneAsHome: same, emergency: emergency))
        }
        if let state, let rules = rulebook.states[state] { add(rules, home, same: true) }
        if let entry = AreaCodes.entry(for: phone) ?? areaCode.flatMap({ AreaCodes.table[$0] }), let rules = rulebook.states[entry.state],
            rules.areaCodePresumption
        {
            let homeID = home.zone.identifier
            for id in entry.zones { if let zone = ZoneOffsets.named(id) { add(rules, zone, same: id == homeID) } }
        }
        constraints = out
        var cap: Int?
        var closes = false
        for c in out {
            if let n = c.rules.per24Hours { cap = min(cap ?? n, n) }
            closes = closes || c.closesDays
        }
        textsPer24Hours = cap
        closesDays = closes
        wallClockOnly = out.allSatisfy { $0.sameZoneAsHome && !$0.closesDays }
    }

    /// What is refused at `instant`, or nil when every rule allows it. `noun`: "texts", "emails", "calls".
    /// `quiet`: the reason is not worded (the planner's first opening needs only the instant).
    public func block(at instant: Date, noun: String, quiet: Bool = false) -> Block? {
        func words(_ make: @autoclosure () -> String) -> String { quiet ? "" : make() }
        let homeLocal = homeOffsets.localSeconds(instant)
        let minute = Self.minuteOfDay(homeLocal)
        if minute < product.start || minute >= product.end {
            let day = Self.day(homeLocal)
            let next = minute < product.start ? day : day.adding(days: 1)
            return Block(
                reason: words("outside contact hours (\(product.text) \(home.identifier))"),
                resume: LocalClock.instant(on: next, minutes: product.start, zone: homeOffsets), byState: false)
        }
        for c in constraints {
            let local = c.sameZoneAsHome ? homeLocal : c.zone.localSeconds(instant)
            if let b = block(c, local: local, noun: noun, quiet: quiet) { return b }
        }
        return nil
    }

    private func block(_ c: Constraint, local: Int, noun: String, quiet: Bool) -> Block? {
        func words(_ make: @autoclosure () -> String) -> String { quiet ? "" : make() }
        let name = c.rules.name
        if c.emergency {
            return Block(reason: words("\(name): no solicitation during the declared state of emergency"), resume: nil, byState: true)
        }
        let day = Self.day(local)
        let weekday = StoreHours.weekday(day)
        // Computed only when refused: the zone's offset is the dearest step of a check.
        var tomorrow: Date { LocalClock.instant(on: day.adding(days: 1), minutes: 0, zone: c.zone) }
        if !c.rules.noContactWeekdays.isEmpty && c.rules.noContactWeekdays.contains(weekday) {
            return Block(reason: words("\(name): no \(noun) on \(Self.weekdayName(weekday))"), resume: tomorrow, byState: true)
        }
        if let h = c.rules.holiday(on: day) {
            return Block(reason: words("\(name): no \(noun) on \(h.name) (a legal holiday)"), resume: tomorrow, byState: true)
        }
        guard let hours = c.rules.hours[weekday] ?? (c.sameZoneAsHome ? nil : federal) else { return nil }
        let minute = Self.minuteOfDay(local)
        if minute < hours.start {
            let at = LocalClock.instant(on: day, minutes: hours.start, zone: c.zone)
            return Block(
                reason: words("\(name): no \(noun) before \(DayHours.clock(hours.start)) on \(Self.weekdayName(weekday))"), resume: at,
                byState: true)
        }
        if minute >= hours.end {
            return Block(
                reason: words("\(name): no \(noun) after \(DayHours.clock(hours.end)) on \(Self.weekdayName(weekday))"),
                resume: tomorrow,
                byState: true)
        }
        return nil
    }

    /// The first minute at or after `minute` of `date` (the customer's clock) that Afterdesk's window and every rule's
    /// hours allow, with the state rule that moved it; nil when none is left that day. Only when `wallClockOnly`.
    public func firstMinute(on date: LocalDate, atOrAfter minute: Int, noun: String, quiet: Bool = false) -> (minute: Int, reason: String?)?
    {
        let weekday = StoreHours.weekday(date)
        var start = max(minute, product.start)
        var end = product.end
        var why: String?
        for c in constraints {
            guard let h = c.rules.hours[weekday] else { continue }
            if h.start > start {
                start = h.start
                if !quiet { why = "\(c.rules.name): no \(noun) before \(DayHours.clock(h.start)) on \(Self.weekdayName(weekday))" }
            }
            end = min(end, h.end)
        }
        return start < end ? (start, why) : nil
    }

    /// The first instant at or after `instant` that every rule allows, and the reason of the first rule that moved it
    /// (nil when none did). The instant is nil while an emergency blacks the customer out, or when nothing opens
    /// within 60 days.
    public func nextAllowed(atOrAfter instant: Date, noun: String, quiet: Bool = false) -> (at: Date?, reason: String?) {
        var t = instant
        var reasons: [String] = []
        var byState = false
        var found: Date?
        for _ in 0..<64 {
            guard let b = block(at: t, noun: noun, quiet: quiet) else {
                found = t
                break
            }
            // Afterdesk's window is named only when it refused first; a state's rule whenever one refused.
            if !quiet && (b.byState && !byState || !b.byState && reasons.isEmpty) { reasons.append(b.reason) }
            byState = byState || b.byState
            guard let resume = b.resume else { break }
            t = max(resume, t.addingTimeInterval(60))
            if t.timeIntervalSince(instant) > 60 * 86_400 { break }
        }
        return (found, reasons.isEmpty ? nil : reasons.joined(separator: "; "))
    }

    /// True when some moment of `date` (on the customer's clock) is allowed; always true without day-closing rules.
    public func isOpen(on date: LocalDate) -> Bool { dayBlock(date) == nil }

    /// Why no moment of `date` is allowed (Sunday in Rhode Island, a holiday), or nil when some moment is.
    public func dayBlock(_ date: LocalDate, noun: String = "texts") -> String? {
        guard closesDays else { return nil }
        let start = LocalClock.instant(on: date, minutes: 0, zone: homeOffsets)
        let (at, reason) = nextAllowed(atOrAfter: start, noun: noun)
        if let at, LocalDate(at, in: homeOffsets) == date { return nil }
        return reason.map(Self.stateReasons) ?? "no contact on \(date)"
    }

    /// The calling window of `date` for a person's call task, in words: "call after 12:00, until 20:00 (Texas: no
    /// calls before 12:00 on Sunday)", "call 8:00–20:00", or "no calls on 2026-12-06 (Rhode Island: no calls on Sunday)".
    public func callingWindow(on date: LocalDate) -> String {
        let start = LocalClock.instant(on: date, minutes: 0, zone: homeOffsets)
        let (opening, reason) = nextAllowed(atOrAfter: start, noun: "calls")
        guard let opening, LocalDate(opening, in: homeOffsets) == date else {
            return "no calls on \(date)" + (reason.map { " (\(Self.stateReasons($0)))" } ?? "")
        }
        var end = opening
        var endReason: String?
        while LocalDate(end, in: homeOffsets) == date {
            let next = end.addingTimeInterval(15 * 60)
            if let b = block(at: next, noun: "calls") {
                end = next
                endReason = b.byState ? b.reason : nil
                break
            }
            end = next
        }
        let from = DayHours.clock(LocalClock.minutesAfterMidnight(opening, homeOffsets))
        let until = DayHours.clock(LocalClock.minutesAfterMidnight(end, homeOffsets))
        let why = [reason.map(Self.stateReasons), endReason].compactMap { $0 }.filter { !$0.isEmpty }
        let zone = home.identifier
        if why.isEmpty { return "call \(from)–\(until) \(zone)" }
        return "call after \(from), until \(until) \(zone) (\(why.joined(separator: "; ")))"
    }

    /// The states' part of a reason, without Afterdesk's own window.
    static func stateReasons(_ reason: String) -> String {
        reason.components(separatedBy: "; ").filter { !$0.hasPrefix("outside contact hours") }.joined(separator: "; ")
    }

    static func day(_ localSeconds: Int) -> LocalDate {
        LocalDate(daysSinceEpoch: localSeconds >= 0 ? localSeconds / 86_400 : (localSeconds - 86_399) / 86_400)
    }

    static func minuteOfDay(_ localSeconds: Int) -> Int { ((localSeconds % 86_400) + 86_400) % 86_400 / 60 }

    static func weekdayName(_ d: Int) -> String { StoreHours.weekdayNames[d].capitalized }
}
