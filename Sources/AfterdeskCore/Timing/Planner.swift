import Foundation

/// Everything the planner needs to know about one declined product of one deal.
public struct DeclineFacts: Sendable, Equatable {
    public var store: String
    public var dealNumber: String
    public var product: ProductLine
    public var deal: DealRecord
    /// Odometer readings after the sale (service visits), oldest first.
    public var laterReadings: [OdometerReading]

    public init(store: String, dealNumber: String, product: ProductLine, deal: DealRecord, laterReadings: [OdometerReading] = []) {
        self.store = store; self.dealNumber = dealNumber; self.product = product; self.deal = deal; self.laterReadings = laterReadings
    }
}

/// What a customer allows today: consent per channel, and opt-outs (which always win).
public struct ContactPermissions: Sendable, Equatable {
    public var sms: Bool
    public var email: Bool
    public var phone: Bool
    public init(sms: Bool, email: Bool, phone: Bool) { self.sms = sms; self.email = email; self.phone = phone }
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

    mutating func nothingPlanned(_ code: NoFollowUp, _ why: String) { noFollowUp = code; note = why }
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
}

public struct CustomerPlan: Sendable, Equatable {
    public var products: [ProductPlan]
    public var touches: [PlannedTouch]
    public var dropped: [DroppedTouch]
    public init(products: [ProductPlan], touches: [PlannedTouch], dropped: [DroppedTouch]) {
        self.products = products; self.touches = touches; self.dropped = dropped
    }
}

/// The rules of cadence that hold across all of a customer's products.
public struct CadenceRules: Sendable, Equatable {
    /// Touches due within this many days of a kept one merge into it.
    public var mergeWithinDays = 3
    public var maxPerRolling30Days = 3
    /// Local time a touch is due at, in minutes after midnight (10:00).
    public var preferredMinutes = 10 * 60
    /// Contact windows configured per state; the strictest (8:00–20:00) elsewhere.
    public var windows: [String: ContactWindow] = [:]
    public init() {}
}

/// Times the re-approach of every declined product of one customer. Pure: facts, menu and clock in,
/// plan out. See docs/timing.md.
public struct Planner: Sendable {
    public let menu: Menu
    public let warranties: WarrantyTable
    public let rules: CadenceRules

    public init(menu: Menu, warranties: WarrantyTable, rules: CadenceRules = CadenceRules()) {
        self.menu = menu; self.warranties = warranties; self.rules = rules
    }

    /// - Parameters:
    ///   - declines: every declined product of the customer (across their deals).
    ///   - permissions: what the customer allows now.
    ///   - now: the planning instant; nothing is planned before it.
    public func plan(declines: [DeclineFacts], permissions: ContactPermissions, now: Date) -> CustomerPlan {
        var plans: [ProductPlan] = []
        var candidates: [(date: LocalDate, action: TouchAction, item: TouchItem, until: LocalDate?)] = []
        var dropped: [DroppedTouch] = []
        guard let any = declines.first else { return CustomerPlan(products: [], touches: [], dropped: []) }
        let zoneID = CustomerTimeZone.zone(state: any.deal.buyerState, zip: any.deal.buyerZip, dealershipZone: menu.dealership.timeZone)
        let zone = TimeZone(identifier: zoneID) ?? TimeZone(identifier: menu.dealership.timeZone) ?? Planner.utc
        let today = LocalDate(now, in: zone)
        let window = ContactWindow.forState(any.deal.buyerState, configured: rules.windows)
        // The first day a touch can still happen: today, or tomorrow when today's window has closed.
        let firstOpening = window.nextOpening(atOrAfter: now, zone: zone)
        let firstDay = LocalDate(firstOpening, in: zone)

        // The warranty projection depends on the deal only: computed once for all its declined products.
        var projections: [String: WarrantyProjection] = [:]
        for d in declines {
            guard let product = menu.product(d.product.code) else { continue }
            let deal = d.deal
            let projection: WarrantyProjection
            if let cached = projections[deal.dealNumber] { projection = cached } else {
                let readings = [OdometerReading(date: deal.deliveryDate, miles: deal.odometer)] + d.laterReadings
                projection = WarrantyProjection(terms: warranties.terms(forMake: deal.vehicleMake), inService: deal.inServiceDate,
                                                readings: readings, firstOwner: deal.vehicleCondition == .new)
                projections[deal.dealNumber] = projection
            }
            // Miles are counted from the projection's anchor, so an implausible odometer it left out distorts nothing.
            let odometerAt: (Int) -> LocalDate? = { miles in projection.day(odometer: miles) }
            let eligibility = EligibilityWindow(eligibility: product.eligibility, contractDate: deal.contractDate,
                                                inService: deal.inServiceDate, basicWarrantyEnds: projection.basic.date,
                                                odometerAt: odometerAt)
            var plan = ProductPlan(dealNumber: d.dealNumber, product: product.code, holdout: false,
                                   warranty: product.kind == .serviceContract ? projection : nil, gap: nil,
                                   eligibility: eligibility, note: nil, noFollowUp: nil)

            // What the timing hangs on, and whether the product applies at all.
            var anchor: LocalDate?
            var anchorText = ""
            switch product.timing.anchor {
            case .delivery:
                anchor = deal.deliveryDate
            case .basicWarrantyExpiry:
                anchor = projection.basic.date
                anchorText = "factory basic warranty projected to end \(projection.basic.date) "
                    + (projection.basic.limit == .miles ? "at \(projection.basic.coverage.miles.formattedMiles) miles"
                                                       : "after \(projection.basic.coverage.years) years")
            case .loanToValue:
                if deal.dealType == .cash { plan.nothingPlanned(.cashDeal, "cash deal: no loan for GAP to cover") }
                else if deal.dealType == .lease && product.includedWithLease { plan.nothingPlanned(.leaseIncludesGAP, "the lease includes GAP") }
                else if let amount = deal.amountFinanced, let apr = deal.apr, let term = deal.termMonths, let first = deal.firstPaymentDate {
                    let gap = GAPExposure(amountFinanced: amount, apr: apr, termMonths: term, firstPaymentDate: first,
                                          contractDate: deal.contractDate, vehicleValue: deal.vehicleValue,
                                          condition: deal.vehicleCondition, depreciation: menu.depreciation)
                    plan.gap = gap
                    if let end = gap.exposureEndsOn {
                        anchor = end
                        anchorText = "loan balance projected above the vehicle's value until \(end) (\(Planner.decimal(hundredths: gap.loanToValuePercent)) of value at contract)"
                    } else {
                        plan.nothingPlanned(.neverExposed, "the loan never exceeds the vehicle's projected value")
                    }
                } else { plan.nothingPlanned(.noFinancing, "no financing facts to project the loan") }
            case .season:
                let season = Planner.seasonStart(after: deal.deliveryDate, season: menu.potholeSeasonStart)
                anchor = season
                anchorText = "pothole season starts around \(season)"
            case .firstService:
                var dates: [LocalDate] = []
                if let m = product.timing.firstServiceMonths { dates.append(deal.deliveryDate.adding(months: m)) }
                if let miles = product.timing.firstServiceMiles, let d = odometerAt(projection.miles(on: deal.deliveryDate, reported: deal.odometer) + miles) {
                    dates.append(d)
                }
                anchor = dates.min()
                if let a = anchor { anchorText = "first scheduled service due around \(a)" }
            }

            if Holdout.isHeldOut(store: d.store, dealNumber: d.dealNumber, product: product.code, percent: menu.holdoutPercent) {
                plan.holdout = true
                plan.nothingPlanned(.holdout, "holdout: no follow-up, to measure what happens without one")
                plans.append(plan)
                continue
            }
            if eligibility.onlyAtSigning {
                plan.nothingPlanned(.signingOnly, "sold only at contract signing: nothing to follow up")
                plans.append(plan)
                continue
            }
            if let until = eligibility.until, let why = eligibility.reason, until < today {
                let rule: String
                switch why {
                case .basicWarranty: rule = "the factory basic warranty"
                case .vehicleAge: rule = "the vehicle age limit"
                case .odometer: rule = "the mileage limit"
                case .daysFromContract: rule = "the post-sale window"
                }
                plan.nothingPlanned(.windowClosed, until < deal.contractDate
                    ? "cannot be bought any more: \(rule) ended \(until), before the sale"
                    : "the window to buy it closed on \(until) (\(rule))")
                plans.append(plan)
                continue
            }
            if plan.note != nil { plans.append(plan); continue }
            // A quote the desk could not have meant ($0.01, $99,999) is not believed: the menu's price stands in.
            let quoted = d.product.price.flatMap { Plausibility.isPlausible(quoted: $0, retail: product.retailPrice) ? $0 : nil }
                ?? product.retailPrice
            let threshold = product.taskThreshold.flatMap { quoted > $0 ? $0 : nil }

            for rule in product.timing.touches {
                let date: LocalDate
                var reason: String
                switch rule.offset {
                case .afterDelivery(let days):
                    date = deal.deliveryDate.adding(days: days)
                    reason = "\(days) days after delivery"
                case .beforeAnchor(let days):
                    guard let a = anchor else { continue }
                    date = a.adding(days: -days)
                    reason = "\(anchorText); \(days) days before"
                case .afterAnchor(let days):
                    guard let a = anchor else { continue }
                    date = a.adding(days: days)
                    reason = "\(anchorText); \(days) days after"
                }
                if case .afterDelivery = rule.offset, !anchorText.isEmpty { reason += " (\(anchorText))" }
                let item = TouchItem(dealNumber: d.dealNumber, product: product.code, touch: rule.name, template: rule.template, reason: reason)
                if !eligibility.isOpen(on: date) {
                    let closes = eligibility.until.map { " on \($0)" } ?? ""
                    dropped.append(DroppedTouch(item: item, wouldBeOn: date,
                                                why: "after the post-sale window closes\(closes) (\(eligibility.reason?.rawValue ?? "closed"))"))
                    continue
                }
                if date < today {
                    dropped.append(DroppedTouch(item: item, wouldBeOn: date, why: "due before the plan was made (\(today))"))
                    continue
                }
                let day = max(date, firstDay)
                if !eligibility.isOpen(on: day) {
                    dropped.append(DroppedTouch(item: item, wouldBeOn: date, why: "today's contact hours are over and the window closes today"))
                    continue
                }
                let action: TouchAction
                if rule.action == .task || threshold != nil { action = .task }
                else if permissions.sms { action = .sms }
                else if permissions.email { action = .email }
                else { action = .task }
                var withWhy = item
                if let threshold, rule.action != .task { withWhy.reason += "; quoted \(quoted.formatted), above the \(threshold.formatted) threshold: a call from a person" }
                else if action == .task && rule.action != .task { withWhy.reason += "; no consent for SMS or email: a call from a person" }
                candidates.append((day, action, withWhy, eligibility.until))
            }
            plans.append(plan)
        }

        // Merge and cap across all the customer's products, in date order.
        candidates.sort { ($0.date, $0.item.dealNumber, $0.item.product, $0.item.touch) < ($1.date, $1.item.dealNumber, $1.item.product, $1.item.touch) }
        var touches: [(date: LocalDate, action: TouchAction, items: [TouchItem], until: LocalDate?)] = []
        for c in candidates {
            if let i = touches.lastIndex(where: { $0.action == c.action && $0.date.days(until: c.date) <= rules.mergeWithinDays && $0.date <= c.date }),
               !touches[i].items.contains(where: { $0.product == c.item.product && $0.dealNumber == c.item.dealNumber }) {
                touches[i].items.append(c.item)
                touches[i].until = [touches[i].until, c.until].compactMap { $0 }.min()
                continue
            }
            // The first day at or after the candidate that keeps one touch a day and the rolling cap.
            var date = c.date
            while !fits(date, touches.lazy.map(\.date)) {
                date = date.adding(days: 1)
                if let u = c.until, date > u { break }
            }
            if let u = c.until, date > u {
                dropped.append(DroppedTouch(item: c.item, wouldBeOn: c.date,
                                            why: "no room under the limit of \(rules.maxPerRolling30Days) touches in 30 days before the window closes on \(u)"))
                continue
            }
            var item = c.item
            if date != c.date { item.reason += "; moved from \(c.date) to respect the limit of \(rules.maxPerRolling30Days) touches in 30 days" }
            touches.append((date, c.action, [item], c.until))
            touches.sort { $0.date < $1.date }
        }
        let planned = touches.map { t -> PlannedTouch in
            var due = window.instant(on: t.date, atMinutes: rules.preferredMinutes, zone: zone)
            if due < firstOpening { due = firstOpening }   // today, later than the preferred time
            return PlannedTouch(dueAt: due, dueOn: t.date, action: t.action, items: t.items)
        }
        return CustomerPlan(products: plans, touches: planned, dropped: dropped)
    }

    static let utc = TimeZone(identifier: "UTC") ?? TimeZone.current

    /// True when a touch on `date` keeps one touch a day and at most `maxPerRolling30Days` in every 30 days
    /// that contain it.
    func fits(_ date: LocalDate, _ kept: some Collection<LocalDate>) -> Bool {
        let day = date.daysSinceEpoch
        if kept.contains(date) { return false }
        for start in (day - 29)...day {
            var count = 1
            for k in kept where k.daysSinceEpoch >= start && k.daysSinceEpoch <= start + 29 { count += 1 }
            if count > rules.maxPerRolling30Days { return false }
        }
        return true
    }

    /// 118 → "1.18", 120 → "1.2", 100 → "1": as Decimal prints.
    static func decimal(hundredths: Int) -> String {
        let whole = hundredths / 100, cents = hundredths % 100
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
