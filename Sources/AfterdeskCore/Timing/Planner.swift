import Foundation

/// Everything the planner needs to know about one declined product of one deal.
public struct DeclineFacts: Sendable, Equatable {
    public var store: String
    public var dealNumber: String
    public var product: ProductLine
    public var deal: DealRecord
    /// Odometer readings after the sale (service visits), oldest first.
    public var laterReadings: [OdometerReading]
    /// The deal's arm as recorded when it was first planned (true: held out); nil when not drawn yet, then the
    /// holdout rule draws it.
    public var heldOut: Bool?
    /// The product's touches already taken — a message sent or a task made — by touch name, with when: the planner
    /// never plans one again (a plan made again on the day a touch went out would otherwise repeat it).
    public var sent: [String: Date]

    public init(
        store: String, dealNumber: String, product: ProductLine, deal: DealRecord, laterReadings: [OdometerReading] = [],
        heldOut: Bool? = nil, sent: [String: Date] = [:]
    ) {
        self.sent = sent
        self.store = store
        self.dealNumber = dealNumber
        self.product = product
        self.deal = deal
        self.laterReadings = laterReadings
        self.heldOut = heldOut
    }
}

/// What a customer allows today: consent per channel, and opt-outs (which always win).
public struct ContactPermissions: Sendable, Equatable {
    public var sms: Bool
    public var email: Bool
    public var phone: Bool
    public init(sms: Bool, email: Bool, phone: Bool) {
        self.sms = sms
        self.email = email
        self.phone = phone
    }
}

public enum TouchAction: String, Sendable, Equatable, Codable { case sms, email, task }

/// One product covered by a touch, with why it is raised now.
public struct TouchItem: Sendable, Equatable {
    public var dealNumber: String
    public var product: String
    public var touch: String
    public var template: String
    public var reason: String
}

/// A dated follow-up for one customer: a message or a task, covering one or more declined products.
public struct PlannedTouch: Sendable, Equatable {
    public var dueAt: Date
    /// The customer's calendar date of `dueAt`.
    public var dueOn: LocalDate
    public var action: TouchAction
    public var items: [TouchItem]
}

/// A touch the rules did not keep, with the rule that removed it.
public struct DroppedTouch: Sendable, Equatable {
    public var item: TouchItem
    public var wouldBeOn: LocalDate
    public var why: String
}

/// The plan of one declined product: its facts and the touches it takes part in.
public struct ProductPlan: Sendable, Equatable {
    public var dealNumber: String
    public var product: String
    public var holdout: Bool
    public var warranty: WarrantyProjection?
    public var gap: GAPExposure?
    public var eligibility: EligibilityWindow
    /// When nothing is planned at all: why (holdout, not applicable, window closed…), for a person…
    public var note: String?
    /// …and as a code, for reports.
    public var noFollowUp: NoFollowUp?
    /// When the maker's free maintenance (ToyotaCare) is projected to end, for a vehicle still under it at delivery
    /// and a product timed on `first_service`: prepaid maintenance is timed to then.
    public var freeMaintenanceEnds: LocalDate? = nil
    /// The last day the product can be bought by the facts at contract alone (the deal's odometer and in-service date,
    /// the warranty projected from them), without the readings since, which the follow-up itself can cause: the margin
    /// report's horizon (docs/reporting.md). Nil when no rule closes it.
    public var horizon: LocalDate? = nil
    /// A held-out deal's product: the day its holdout ends (`holdout_months` after the contract), from which it is
    /// followed up like any other.
    public var heldOutUntil: LocalDate? = nil

    mutating func nothingPlanned(_ code: NoFollowUp, _ why: String) {
        noFollowUp = code
        note = why
    }
}

/// Why a declined product gets no follow-up at all.
public enum NoFollowUp: String, Sendable, Equatable, CaseIterable {
    case holdout
    case signingOnly = "signing_only"
    case windowClosed = "window_closed"
    case cashDeal = "cash_deal"
    case leaseIncludesGAP = "lease_includes_gap"
    case neverExposed = "never_exposed"
    case noFinancing = "no_financing"
    /// GAP: loan-to-value at contract at or below the product's threshold.
    case ltvAtOrBelowThreshold = "ltv_at_or_below_threshold"
}

public struct CustomerPlan: Sendable, Equatable {
    public var products: [ProductPlan]
    public var touches: [PlannedTouch]
    public var dropped: [DroppedTouch]
    /// How many touches the rules did not keep: `dropped.count`, or only counted when the planner keeps no details
    /// (`Planner.keepsDropped`).
    public var droppedCount: Int
    public init(products: [ProductPlan], touches: [PlannedTouch], dropped: [DroppedTouch], droppedCount: Int? = nil) {
        self.droppedCount = droppedCount ?? dropped.count
        self.products = products
        self.touches = touches
        self.dropped = dropped
    }
}

/// The rules of cadence that hold across all of a customer's products.
public struct CadenceRules: Sendable, Equatable {
    /// Touches due within this many days of a kept one merge into it.
    public var mergeWithinDays = 3
    public var maxPerRolling30Days = 3
    /// Touches on one of the customer's calendar days (1).
    public var maxPerDay = 1
    /// Local time a touch is due at, in minutes after midnight (10:00).
    public var preferredMinutes = 10 * 60
    /// The state calendar; nil: the menu's (the shipped rules with the store's tightening).
    public var contactRules: ContactRulebook?
    /// States whose declared emergency an admin has switched on (the `emergency_states` setting).
    public var emergencies: Set<String> = []
    public init() {}

    /// The rolling limits for a customer whose states cap texts at `textsPer24Hours`.
    public func windows(textsPer24Hours: Int?) -> RollingWindows {
        RollingWindows(perDay: maxPerDay, per30Days: maxPerRolling30Days, textsPer24Hours: textsPer24Hours)
    }

    /// The rule set in force: `contactRules`, else `fallback`, with the emergencies switched on.
    public func rulebook(_ fallback: ContactRulebook) -> ContactRulebook {
        (contactRules ?? fallback).with(emergencies: emergencies)
    }
}

/// A group's store planners, by code (`Planner.storePlanners`).
final class StorePlanners: Sendable {
    let byCode: [String: Planner]
    init(_ byCode: [String: Planner]) { self.byCode = byCode }
}

/// Times the re-approach of every declined product of one customer. Pure: facts, menu and clock in,
/// plan out. See docs/timing.md.
public struct Planner: Sendable {
    public let menu: Menu
    public let warranties: WarrantyTable
    public let rules: CadenceRules
    /// Keep each touch the rules did not keep, with why (`explain`); false when planning many customers only counts
    /// them, without writing their reasons.
    public var keepsDropped = true
    /// The state calendar the plan keeps, made once: `rules.contactRules`, else the menu's. A declared emergency has no
    /// known end: the gate holds messages while it lasts, and the plan is left as is.
    let calendarRules: ContactRulebook
    /// A group's stores, each planned under its own menu (`menu.stores`); nil for a single store (boxed: a single
    /// store's planner carries no dictionary of planners in its value).
    let storePlanners: StorePlanners?

    public init(menu: Menu, warranties: WarrantyTable, rules: CadenceRules = CadenceRules()) {
        self.menu = menu
        self.warranties = warranties
        self.rules = rules
        calendarRules = (rules.contactRules ?? menu.contactRules).with(emergencies: [])
        let stores = menu.stores
        storePlanners =
            stores.isEmpty
            ? nil
            : StorePlanners(stores.mapValues { own in Planner(menu: own, warranties: warranties, rules: rules.forStore(own, of: menu)) })
    }

    /// The planner of `store`'s menu: its own in a group, else this one.
    func planner(for store: String) -> Planner {
        storePlanners?.byCode[store] ?? self
    }

    /// - Parameters:
    ///   - declines: every declined product of the customer (across their deals).
    ///   - permissions: what the customer allows now.
    ///   - now: the planning instant; nothing is planned before it.
    public func plan(declines: [DeclineFacts], permissions: ContactPermissions, now: Date) -> CustomerPlan {
        guard !declines.isEmpty else { return CustomerPlan(products: [], touches: [], dropped: []) }
        // A single store's planner plans as itself (no copy of it per customer); a group's, under the store of the
        // customer (customers are kept per store), any other store's decline under that store's menu.
        if storePlanners == nil { return plan(declines, permissions: permissions, now: now, lead: self, group: nil) }
        return plan(declines, permissions: permissions, now: now, lead: planner(for: declines[0].store), group: self)
    }

    /// `plan` with `lead` the planner of the customer's store (its calendar and limits), `group` the group's planner.
    @inline(__always)
    private func plan(
        _ declines: [DeclineFacts], permissions: ContactPermissions, now: Date, lead: Planner, group: Planner?
    ) -> CustomerPlan {
        let day = PlanningDay(
            customer: declines[0].deal, now: now, dealershipZone: lead.menu.dealership.zone, book: lead.calendarRules)
        let windows = lead.rules.windows(textsPer24Hours: day.calendar.textsPer24Hours)
        var plans: [ProductPlan] = []
        var candidates: [Candidate] = []
        var dropped = DropLog(keeps: keepsDropped)
        // The warranty projection depends on the deal only: computed once for all its declined products (a customer
        // has a deal or two: a list searched in order costs less than a dictionary).
        var projections: [(deal: String, projection: WarrantyProjection)] = []
        // The same from the facts at contract alone, for a deal with readings since (`horizon(of:)`).
        var atContract: [(deal: String, projection: WarrantyProjection)] = []
        plans.reserveCapacity(declines.count)
        for d in declines {
            let plan: ProductPlan?
            if let group, d.store != declines[0].store {
                plan = group.planner(for: d.store).gather(
                    d, permissions: permissions, day: day, projections: &projections, atContract: &atContract,
                    candidates: &candidates, dropped: &dropped)
            } else {
                plan = lead.gather(
                    d, permissions: permissions, day: day, projections: &projections, atContract: &atContract,
                    candidates: &candidates, dropped: &dropped)
            }
            if let plan { plans.append(plan) }
        }
        let touches = lead.mergeAndCap(candidates, day: day, windows: windows, dropped: &dropped)
        return CustomerPlan(
            products: plans, touches: lead.schedule(touches, day: day), dropped: dropped.entries, droppedCount: dropped.count)
    }

    /// One decline's plan under this planner's menu, its candidate touches added to `candidates`; nil when the menu
    /// does not sell the product.
    @inline(__always)
    private func gather(
        _ d: DeclineFacts, permissions: ContactPermissions, day: PlanningDay,
        projections: inout [(deal: String, projection: WarrantyProjection)],
        atContract: inout [(deal: String, projection: WarrantyProjection)], candidates: inout [Candidate], dropped: inout DropLog
    ) -> ProductPlan? {
        guard let product = menu.product(d.product.code) else { return nil }
        let projection = self.projection(of: d, cache: &projections)
        var plan = productPlan(d, product, projection)
        plan.horizon = horizon(of: d, product, plan.eligibility, cache: &atContract)
        let anchor = self.anchor(of: d.deal, product, projection, plan: &plan)
        if isFollowedUp(d, product, plan: &plan, today: day.today) {
            let asked =
                product.gap?.soldAs == .dealerWaiver
                ? waiverCandidates(d, product, anchor: anchor, eligibility: plan.eligibility, day: day, dropped: &dropped)
                : touchCandidates(
                    d, product, anchor: anchor, eligibility: plan.eligibility, day: day,
                    permissions: permissions, dropped: &dropped, freeUntil: plan.freeMaintenanceEnds)
            candidates += afterHoldout(asked, plan: &plan, dropped: &dropped)
        }
        return plan
    }

    /// 118 → "1.18", 120 → "1.2", 100 → "1": as Decimal prints.
    static func decimal(hundredths: Int) -> String {
        let whole = hundredths / 100
        let cents = hundredths % 100
        if cents == 0 { return String(whole) }
        return cents % 10 == 0 ? "\(whole).\(cents / 10)" : "\(whole).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// The first start of pothole season after `date` (the same year if still ahead, else the next).
    public static func seasonStart(after date: LocalDate, season: MonthDay) -> LocalDate {
        let thisYear = LocalDate.clamped(year: date.year, month: season.month, day: season.day)
        return thisYear > date ? thisYear : LocalDate.clamped(year: date.year + 1, month: season.month, day: season.day)
    }
}

extension Int {
    /// 36,000
    var formattedMiles: String {
        let s = String(self)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}

/// The touches the rules did not keep: each with why, or (planning many customers) only counted, without building its
/// words.
struct DropLog {
    let keeps: Bool
    var entries: [DroppedTouch] = []
    var count = 0

    mutating func add(_ drop: @autoclosure () -> DroppedTouch) {
        count += 1
        if keeps { entries.append(drop()) }
    }
}
