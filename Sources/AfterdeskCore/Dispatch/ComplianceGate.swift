import Foundation

/// One product of a touch as it stands at the moment of sending: the facts that may have changed since planning.
public struct GateItem: Sendable, Equatable {
    public var dealNumber: String
    public var product: String
    /// The product's post-sale window, in the dealership's calendar; nil when it has no end.
    public var eligibleUntil: LocalDate?
    public var dealUnwound: Bool
    /// Bought since the plan was made (re-import, task outcome).
    public var productSold: Bool
    /// Why follow-up of this product stopped, when it did: vehicle sold or traded, loan paid off, not interested.
    public var stoppedBecause: String?
    /// The customer pressed "Not now" on the product's offer page: nothing about it before this day.
    public var pausedUntil: LocalDate?

    public init(
        dealNumber: String, product: String, eligibleUntil: LocalDate?, dealUnwound: Bool = false,
        productSold: Bool = false, stoppedBecause: String? = nil, pausedUntil: LocalDate? = nil
    ) {
        self.pausedUntil = pausedUntil
        self.dealNumber = dealNumber
        self.product = product
        self.eligibleUntil = eligibleUntil
        self.dealUnwound = dealUnwound
        self.productSold = productSold
        self.stoppedBecause = stoppedBecause
    }
}

/// Everything the gate needs about one due touch and its customer, read at the moment of sending.
public struct GateInput: Sendable, Equatable {
    public var action: TouchAction
    public var items: [GateItem]
    /// The customer's time zone (from state and ZIP) and state, for the contact window.
    public var zone: TimeZone
    public var state: String?
    public var consent: ContactPermissions
    public var hasPhone: Bool
    public var hasEmail: Bool
    /// Staff recorded "stop contacting me": nothing at all, not even a call.
    public var contactStopped: Bool
    /// The customer's phone is on the do-not-call list.
    public var phoneOnDoNotCall: Bool
    /// Calls to the customer's phone are stopped in the opt-out ledger (a DMS `Block Phone`, staff, an admin).
    public var phoneStopped = false
    /// The newest purchase: the start of the existing business relationship.
    public var lastPurchase: LocalDate
    /// When this customer was last touched (messages sent, tasks created), newest last or in any order.
    public var recentTouches: [Date]
    /// The customer wrote back and a person has not yet closed the reply task: automated messages wait.
    public var awaitingReply = false
    /// The customer's number: its area code may tie the customer to a state that presumes residence by it.
    public var phone: String?
    /// Every text to the customer in the last 24 hours (the store's outbox, automated or composed by staff).
    public var recentTexts: [Date]

    public init(
        action: TouchAction, items: [GateItem], zone: TimeZone, state: String?, consent: ContactPermissions,
        hasPhone: Bool, hasEmail: Bool, contactStopped: Bool = false, phoneOnDoNotCall: Bool = false,
        lastPurchase: LocalDate, recentTouches: [Date] = [], phone: String? = nil, recentTexts: [Date] = []
    ) {
        self.phone = phone
        self.recentTexts = recentTexts
        self.action = action
        self.items = items
        self.zone = zone
        self.state = state
        self.consent = consent
        self.hasPhone = hasPhone
        self.hasEmail = hasEmail
        self.contactStopped = contactStopped
        self.phoneOnDoNotCall = phoneOnDoNotCall
        self.lastPurchase = lastPurchase
        self.recentTouches = recentTouches
    }
}

/// What the gate decided for one due touch.
public enum GateDecision: Sendable, Equatable {
    /// Send now, with the items still worth raising; the others were dropped for the reasons given.
    case send(items: [GateItem], dropped: [Dropped])
    /// Not now: try again at `to`, for `reason` (outside contact hours, over a cap).
    case move(to: Date, reason: String)
    /// Never: nothing to send, for `reason`.
    case skip(reason: String)

    public struct Dropped: Sendable, Equatable {
        public var item: GateItem
        public var reason: String
    }
}

/// The compliance gate, applied at the moment of sending (DESIGN.md, Compliance): the plan was right when it was
/// made, but consent, opt-outs, purchases, unwinds and the clock may have moved since.
public struct ComplianceGate: Sendable {
    public var rules: CadenceRules
    /// The existing business relationship that lets a person call a number on the do-not-call list.
    public var doNotCallRelationshipMonths = 18

    public init(rules: CadenceRules = CadenceRules()) { self.rules = rules }

    public func decide(_ input: GateInput, now: Date) -> GateDecision {
        let today = LocalDate(now, in: input.zone)
        // 1. Each product on its own: unwound, bought, stopped, window closed.
        var kept: [GateItem] = []
        var dropped: [GateDecision.Dropped] = []
        var paused: [GateItem] = []
        for item in input.items {
            if let why = Self.suppression(item, today: today) {
                dropped.append(.init(item: item, reason: why))
            } else if let until = item.pausedUntil, today < until {
                paused.append(item)
            } else {
                kept.append(item)
            }
        }
        // 1b. A product the customer paused ("Not now") rests.
        if let waiting = pause(paused, kept: kept, dropped: &dropped, input: input, today: today) { return waiting }
        guard !kept.isEmpty else {
            return .skip(reason: dropped.map { "\($0.item.product): \($0.reason)" }.joined(separator: "; "))
        }
        // 2. The customer and the channel.
        if let why = refusal(input, today: today) { return .skip(reason: why) }
        // 2b. The customer wrote back: no automated message until a person has read it and closed the reply task.
        if let waiting = replyPause(input, kept: kept, now: now) { return waiting }
        // 3. The contact window and the state calendar, on the customer's clock (and each state's).
        let calendar = self.calendar(input)
        let noun = Self.noun(input.action)
        func tooLate(_ instant: Date) -> Bool { Self.windowsClosed(kept, by: instant, zone: input.zone) }
        let (opening, why) = calendar.nextAllowed(atOrAfter: now, noun: noun)
        if opening != now {
            let reason = why ?? "outside contact hours"
            // An emergency blackout has no end known: look again tomorrow.
            let at = opening ?? now.addingTimeInterval(86_400)
            if tooLate(at) { return .skip(reason: "\(reason), and the post-sale window closes before contact is allowed again") }
            return .move(to: at, reason: reason)
        }
        // 4. The rolling windows across all the customer's products (`RollingWindows`, as the planner counts them).
        if let held = rollingWindows(input, now: now, today: today, calendar: calendar, tooLate: tooLate) { return held }
        return .send(items: kept, dropped: dropped)
    }

    /// Held by a rolling window (one a day, 3 in 30 days, a state's texts in 24 hours): moved to the first moment there
    /// is room, or skipped when the post-sale window closes first; nil when every window has room now.
    func rollingWindows(
        _ input: GateInput, now: Date, today: LocalDate, calendar: ContactCalendar, tooLate: (Date) -> Bool
    ) -> GateDecision? {
        let windows = rules.windows(textsPer24Hours: calendar.textsPer24Hours)
        let days = input.recentTouches.filter { $0 <= now }.map { LocalDate($0, in: input.zone) }
        let texts = input.recentTexts.filter { $0 <= now }
        let isText = input.action == .sms
        guard let refusal = windows.refusal(day: today, instant: now, isText: isText, keptDays: days, keptTexts: texts) else {
            return nil
        }
        let room = windows.nextRoom(after: refusal, now: now, today: today, keptDays: days, keptTexts: texts, zone: input.zone)
        let at = calendar.nextAllowed(atOrAfter: room, noun: Self.noun(input.action)).at ?? room
        let counted = days.filter { $0.daysSinceEpoch > today.daysSinceEpoch - 30 }.count
        switch refusal {
        case .perDay:
            if tooLate(at) { return .skip(reason: "already contacted today, and the post-sale window closes today") }
        case .per30Days:
            if tooLate(at) {
                return .skip(reason: "\(counted) touches in the last 30 days, and the post-sale window closes before there is room")
            }
            return .move(to: at, reason: "\(counted) touches in the last 30 days (at most \(rules.maxPerRolling30Days))")
        case .texts24Hours:
            if tooLate(at) { return .skip(reason: "\(refusal.reason), and the post-sale window closes before there is room") }
        }
        return .move(to: at, reason: refusal.reason)
    }

    /// The customer's calendar: for a message, Afterdesk's window narrowed by every state tied to the customer; for a
    /// person's call task, Afterdesk's window only (the task carries the calling window for the person).
    public func calendar(_ input: GateInput) -> ContactCalendar {
        let book = rules.rulebook(.shipped)
        let message = input.action != .task
        return ContactCalendar(
            rulebook: book, home: input.zone, state: message ? input.state : nil, phone: message ? input.phone : nil)
    }

    static func noun(_ action: TouchAction) -> String {
        switch action {
        case .sms: "texts"
        case .email: "emails"
        case .task: "calls"
        }
    }

    /// "Not now": a paused product is dropped from a touch that raises others; a touch with nothing else waits for the
    /// first day a paused product may be raised again, while its window is still open.
    func pause(
        _ paused: [GateItem], kept: [GateItem], dropped: inout [GateDecision.Dropped], input: GateInput, today: LocalDate
    ) -> GateDecision? {
        guard !paused.isEmpty else { return nil }
        guard kept.isEmpty else {
            for item in paused {
                dropped.append(.init(item: item, reason: "paused by the customer (\"Not now\") until \(item.pausedUntil ?? today)"))
            }
            return nil
        }
        let resume = paused.compactMap(\.pausedUntil).min() ?? today
        guard paused.contains(where: { $0.eligibleUntil.map { resume <= $0 } ?? true }) else {
            return .skip(reason: "paused by the customer (\"Not now\") until the post-sale window closes")
        }
        let start = LocalClock.instant(on: resume, minutes: 0, zone: input.zone)
        let at = calendar(input).nextAllowed(atOrAfter: start, noun: Self.noun(input.action)).at ?? start
        return .move(to: at, reason: "paused by the customer (\"Not now\") until \(resume)")
    }

    /// Why the customer cannot be reached on the touch's channel now, or nil: all contact stopped, no consent or no
    /// address for the channel, or a call to a number on the do-not-call list after the relationship ended.
    func refusal(_ input: GateInput, today: LocalDate) -> String? {
        if input.contactStopped { return "the customer asked to stop all contact" }
        switch input.action {
        case .sms:
            if !input.consent.sms { return "no SMS consent (never given, or opted out)" }
            if !input.hasPhone { return "no mobile number on file" }
        case .email:
            if !input.consent.email { return "no email consent (never given, or unsubscribed)" }
            if !input.hasEmail { return "no email address on file" }
        case .task:
            if !input.hasPhone && !input.hasEmail { return "no phone number or email address to reach the customer" }
            if input.hasPhone && input.phoneStopped { return "calls to the customer's number are stopped (opt-out ledger)" }
            if input.hasPhone && input.phoneOnDoNotCall {
                let ends = input.lastPurchase.adding(months: doNotCallRelationshipMonths)
                if today > ends {
                    return
                        "the number is on the do-not-call list and the \(doNotCallRelationshipMonths)-month relationship after the purchase ended on \(ends)"
                }
            }
        }
        return nil
    }

    /// Why a product is no longer worth raising, or nil.
    static func suppression(_ item: GateItem, today: LocalDate) -> String? {
        if item.dealUnwound { return "the deal was unwound" }
        if item.productSold { return "bought since the plan was made" }
        if let why = item.stoppedBecause { return why }
        if let until = item.eligibleUntil, today > until { return "the post-sale window closed on \(until)" }
        return nil
    }
}
