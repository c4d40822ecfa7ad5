import Foundation

/// The steps of `Planner.plan`, in the order it takes them: per product, the warranty projection, the plan with its
/// eligibility, the anchor the timing hangs on, whether it is followed up at all, and the candidate touches; then,
/// across the customer's products, merging and the caps; then the instants of the touches.
extension Planner {
    /// The customer's clock: their time zone, today there, their contact window and calendar and the next openings.
    struct PlanningDay {
        let zone: ZoneOffsets
        let today: LocalDate
        let window: ContactWindow
        /// Afterdesk's window narrowed by the rules of every state the customer is tied to.
        let calendar: ContactCalendar
        /// The first instant a touch can still happen: now, or the next opening of the window.
        let firstOpening: Date
        /// The first day a touch can still happen: today, or tomorrow when today's window has closed.
        let firstDay: LocalDate
        /// The same for a message, under the state calendar too.
        let firstMessageDay: LocalDate

        init(customer deal: DealRecord, now: Date, dealershipZone: TimeZone, book: ContactRulebook) {
            let zoneID = CustomerTimeZone.zone(state: deal.buyerState, zip: deal.buyerZip, dealershipZone: dealershipZone.identifier)
            zone = ZoneOffsets.named(zoneID) ?? ZoneOffsets.of(dealershipZone)
            window = ContactWindow(minutes: book.productWindow.start, book.productWindow.end)
            calendar = ContactCalendar(
                rulebook: book, home: zone, state: deal.buyerState, phone: deal.buyerPhone, areaCode: deal.buyerAreaCode)
            // One look at the zone's offset: today, the first opening and its wall time follow by arithmetic.
            let local = zone.localSeconds(now)
            today = LocalDate(daysSinceEpoch: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
            let minute = ((local % 86_400) + 86_400) % 86_400 / 60
            let firstMinute: Int
            if minute >= window.start && minute < window.end {
                (firstOpening, firstDay, firstMinute) = (now, today, minute)
            } else {
                firstDay = minute < window.start ? today : today.adding(days: 1)
                firstMinute = window.start
                firstOpening = LocalClock.instant(on: firstDay, minutes: window.start, zone: zone)
            }
            if calendar.states.isEmpty {
                firstMessageDay = firstDay
            } else if calendar.wallClockOnly {
                // Hours only, on the customer's clock: the next day always opens.
                let open = calendar.firstMinute(on: firstDay, atOrAfter: firstMinute, noun: "", quiet: true) != nil
                firstMessageDay = open ? firstDay : firstDay.adding(days: 1)
            } else {
                let opening = calendar.nextAllowed(atOrAfter: firstOpening, noun: "texts", quiet: true).at ?? firstOpening
                firstMessageDay = opening == firstOpening ? firstDay : LocalDate(opening, in: zone)
            }
        }

        /// When a touch on `date` is due: the preferred time (or now, today), moved to the first moment the state
        /// calendar allows for a message, with the state rule that moved it.
        func due(_ date: LocalDate, _ action: TouchAction, preferred: Int) -> (at: Date, movedBy: String?) {
            var due = window.instant(on: date, atMinutes: preferred, zone: zone)
            let today = due < firstOpening
            if today { due = firstOpening }  // today, later than the preferred time
            guard action != .task, !calendar.states.isEmpty else { return (due, nil) }
            let noun = action == .sms ? "texts" : "emails"
            if !today && calendar.wallClockOnly {
                // On the customer's clock, by wall time: no zone offset to look up.
                let minute = min(max(preferred, window.start), window.end - 1)
                if let (first, why) = calendar.firstMinute(on: date, atOrAfter: minute, noun: noun) {
                    return first == minute ? (due, nil) : (LocalClock.instant(on: date, minutes: first, zone: zone), why)
                }
            }
            let (at, why) = calendar.nextAllowed(atOrAfter: due, noun: noun)
            guard let at else { return (due, why) }  // an emergency: the gate holds it
            return (at, at == due ? nil : why)
        }
    }

    /// A touch one product asks for, before merging and caps.
    struct Candidate {
        var date: LocalDate
        var action: TouchAction
        var item: TouchItem
        /// The last day the product can still be bought.
        var until: LocalDate?
        /// The product's plan classes: the touch's reason names the one open on the day it is finally kept.
        var classes: [EligibilityWindow.ClassWindow] = []

        /// The item with the plan class open on `date` named in its reason (as `explain` and the messages see it).
        func item(on date: LocalDate) -> TouchItem {
            guard let best = classes.first(where: { $0.isOpen(on: date) }) else { return item }
            var out = item
            out.reason += "; \(best.briefly)"
            return out
        }
    }

    /// A touch after merging: one or more products on one day.
    struct MergedTouch {
        var date: LocalDate
        /// When it is due (the preferred time, moved by the state calendar).
        var at: Date
        var action: TouchAction
        var items: [TouchItem]
        var until: LocalDate?
    }

    /// What a product's timing hangs on: a date, and how a person is told about it.
    struct TimingAnchor {
        var date: LocalDate?
        var text = ""
        /// GAP timed by exposure: the last day its touches spread to (the exposure's end or the window's close).
        var spanEnd: LocalDate?
    }

    /// The warranty projection of the decline's deal, from the cache when another product of the deal made it.
    func projection(
        of d: DeclineFacts, cache: inout [(deal: String, projection: WarrantyProjection)]
    ) -> WarrantyProjection {
        let deal = d.deal
        if let cached = cache.first(where: { $0.deal == deal.dealNumber }) { return cached.projection }
        let sale = OdometerReading(date: deal.deliveryDate, miles: deal.odometer)
        // A certified car is a used one (a later owner) whose maker's certified program extends the coverage.
        let projection = WarrantyProjection(
            terms: warranties.terms(forMake: deal.vehicleMake, modelYear: deal.vehicleYear), inService: deal.inServiceDate,
            readings: [sale] + d.laterReadings, firstOwner: deal.vehicleCondition == .new,
            certifiedSale: deal.vehicleCondition == .certified ? sale : nil)
        cache.append((deal.dealNumber, projection))
        return projection
    }

    /// The product's plan before any touch: its warranty projection and the window in which it can be bought.
    func productPlan(_ d: DeclineFacts, _ product: MenuProduct, _ projection: WarrantyProjection) -> ProductPlan {
        let deal = d.deal
        // Miles are counted from the projection's anchor, so an implausible odometer it left out distorts nothing.
        let eligibility = EligibilityWindow(
            eligibility: product.eligibility, contractDate: deal.contractDate,
            inService: deal.inServiceDate, basicWarrantyEnds: projection.factoryBasic.date,
            odometerAt: { miles in projection.day(odometer: miles) }, condition: deal.vehicleCondition)
        return ProductPlan(
            dealNumber: d.dealNumber, product: product.code, holdout: false,
            warranty: product.kind == .serviceContract ? projection : nil, gap: nil,
            eligibility: eligibility, note: nil, noFollowUp: nil)
    }

    /// What the timing hangs on, and whether the product applies at all (GAP on a cash deal does not: `plan` says so).
    func anchor(of deal: DealRecord, _ product: MenuProduct, _ projection: WarrantyProjection, plan: inout ProductPlan) -> TimingAnchor {
        switch product.timing.anchor {
        case .delivery:
            return TimingAnchor(date: deal.deliveryDate)
        case .basicWarrantyExpiry:
            return TimingAnchor(date: projection.basic.date, text: Planner.basicEndText(projection.basic))
        case .warrantyExpiry:
            return Planner.nextWarrantyEnd(projection, after: deal.deliveryDate)
        case .loanToValue:
            return loanAnchor(of: deal, product, plan: &plan)
        case .season:
            let season = Planner.seasonStart(after: deal.deliveryDate, season: menu.potholeSeasonStart)
            return TimingAnchor(date: season, text: "pothole season starts around \(season)")
        case .firstService:
            if let free = freeMaintenanceAnchor(of: deal, projection, plan: &plan) { return free }
            var dates: [LocalDate] = []
            if let m = product.timing.firstServiceMonths { dates.append(deal.deliveryDate.adding(months: m)) }
            if let miles = product.timing.firstServiceMiles {
                dates.append(projection.day(odometer: projection.miles(on: deal.deliveryDate, reported: deal.odometer) + miles))
            }
            let first = dates.min()
            return TimingAnchor(date: first, text: first.map { "first scheduled service due around \($0)" } ?? "")
        }
    }

    /// False, with the reason in `plan`, when the product gets no follow-up: held out, sold only at signing, the window
    /// to buy it closed, or it does not apply (the anchor said why).
    func isFollowedUp(_ d: DeclineFacts, _ product: MenuProduct, plan: inout ProductPlan, today: LocalDate) -> Bool {
        let eligibility = plan.eligibility
        if d.heldOut ?? Holdout.isHeldOut(store: d.store, dealNumber: d.dealNumber, percent: menu.holdoutPercent),
            !holdsOutUntilItEnds(d, plan: &plan)
        {
            return false
        }
        if eligibility.onlyAtSigning {
            plan.nothingPlanned(.signingOnly, "sold only at contract signing: nothing to follow up")
            return false
        }
        if let until = eligibility.until, let why = eligibility.reason, until < today {
            let rule: String
            switch why {
            case .basicWarranty: rule = "the factory basic warranty"
            case .vehicleAge: rule = "the vehicle age limit"
            case .odometer: rule = "the mileage limit"
            case .daysFromContract: rule = "the post-sale window"
            case .notForVehicle: rule = "no plan class fits the vehicle"
            }
            plan.nothingPlanned(
                .windowClosed,
                until < d.deal.contractDate
                    ? "cannot be bought any more: \(rule) ended \(until), before the sale"
                    : "the window to buy it closed on \(until) (\(rule))")
            return false
        }
        return plan.note == nil
    }

    /// The touches the product's timing rules ask for, each on its day and by its channel; those that cannot happen
    /// (past, or outside the window to buy) go to `dropped` with the reason.
    func touchCandidates(
        _ d: DeclineFacts, _ product: MenuProduct, anchor: TimingAnchor, eligibility: EligibilityWindow, day: PlanningDay,
        permissions: ContactPermissions, dropped: inout DropLog, freeUntil: LocalDate? = nil
    ) -> [Candidate] {
        let (quoted, threshold) = Planner.quoteAgainstThreshold(d, product)
        var out: [Candidate] = []
        for rule in product.timing.touches {
            let (delivery, contract) = (d.deal.deliveryDate, d.deal.contractDate)
            guard let date = Planner.day(rule.offset, delivery: delivery, anchor: anchor, contract: contract) else { continue }
            // Its words only when the touch is kept, or its drop is kept for explain.
            func item() -> TouchItem {
                let reason = Planner.when(rule.offset, delivery: delivery, anchor: anchor, contract: contract)?.1 ?? ""
                return TouchItem(dealNumber: d.dealNumber, product: product.code, touch: rule.name, template: rule.template, reason: reason)
            }
            // A milestone for some classes only (touches[].classes): dropped on a day another class is the one open.
            // (The words of a drop only when they are kept.)
            if let only = rule.classes, Planner.classMisses(only, eligibility, on: date) {
                dropped.add(DroppedTouch(item: item(), wouldBeOn: date, why: Planner.classMiss(only, eligibility, on: date) ?? ""))
                continue
            }
            if !eligibility.isOpen(on: date) {
                let closes = eligibility.until.map { " on \($0)" } ?? ""
                dropped.add(
                    DroppedTouch(
                        item: item(), wouldBeOn: date,
                        why: "after the post-sale window closes\(closes) (\(eligibility.reason?.rawValue ?? "closed"))"))
                continue
            }
            if let taken = Planner.taken(d, rule.name, on: date, today: day.today) {
                dropped.add(DroppedTouch(item: item(), wouldBeOn: date, why: taken.why(day: day)))
                continue
            }
            // Nobody buys prepaid maintenance for services that are still free: nothing long before the free plan ends.
            if let free = freeUntil, date < free.adding(days: -Planner.freeMaintenanceLeadDays) {
                dropped.add(
                    DroppedTouch(
                        item: item(), wouldBeOn: date,
                        why: "the maker's free maintenance runs until about \(free): prepaid maintenance is raised as it ends"))
                continue
            }
            let action = Planner.action(rule, aboveThreshold: threshold != nil, permissions)
            let onDay = max(date, action == .task ? day.firstDay : day.firstMessageDay)
            if let only = rule.classes, Planner.classMisses(only, eligibility, on: onDay) {
                dropped.add(DroppedTouch(item: item(), wouldBeOn: onDay, why: Planner.classMiss(only, eligibility, on: onDay) ?? ""))
                continue
            }
            if !eligibility.isOpen(on: onDay) {
                dropped.add(DroppedTouch(item: item(), wouldBeOn: date, why: "today's contact hours are over and the window closes today"))
                continue
            }
            var withWhy = item()
            if let threshold, rule.action != .task {
                withWhy.reason += "; quoted \(quoted.formatted), above the \(threshold.formatted) threshold: a call from a person"
            } else if action == .task && rule.action != .task {
                withWhy.reason += "; no consent for SMS or email: a call from a person"
            }
            out.append(Candidate(date: onDay, action: action, item: withWhy, until: eligibility.until, classes: eligibility.classes))
        }
        return out
    }

    /// The quote the desk gave (a quote the desk could not have meant, $0.01 or $99,999, is not believed: the menu's
    /// price stands in), and the product's task threshold when the quote is above it.
    static func quoteAgainstThreshold(_ d: DeclineFacts, _ product: MenuProduct) -> (Money, Money?) {
        let quoted =
            d.product.price.flatMap { Plausibility.isPlausible(quoted: $0, retail: product.retailPrice) ? $0 : nil }
            ?? product.retailPrice
        return (quoted, product.taskThreshold.flatMap { quoted > $0 ? $0 : nil })
    }

    /// Why a touch for the plan classes `only` is not made on `date` (another class, or none, is open then); nil when it is.
    static func classMiss(_ only: Set<PlanClass.Kind>, _ eligibility: EligibilityWindow, on date: LocalDate) -> String? {
        guard classMisses(only, eligibility, on: date) else { return nil }
        let open = eligibility.bestClass(on: date)
        let names = only.map(\.rawValue).sorted().joined(separator: ", ")
        return "a touch for \(names) only, and \(open.map { "\($0.planClass.name) is the one open" } ?? "no class is open") then"
    }

    /// True when a touch for the plan classes `only` is not made on `date`: `classMiss` without its words.
    static func classMisses(_ only: Set<PlanClass.Kind>, _ eligibility: EligibilityWindow, on date: LocalDate) -> Bool {
        guard let open = eligibility.bestClass(on: date) else { return true }
        return !only.contains(open.planClass.kind)
    }

    /// How a touch is made: a task when the menu says so or the quote is above the task threshold, else a text, else an
    /// email, else (no consent for either) a task.
    static func action(_ rule: TouchRule, aboveThreshold: Bool, _ permissions: ContactPermissions) -> TouchAction {
        if rule.action == .task || aboveThreshold { return .task }
        return permissions.sms ? .sms : permissions.email ? .email : .task
    }

    /// The day a timing rule names (as `when`, without its words); nil when it hangs on an anchor the deal lacks.
    static func day(_ offset: TouchRule.Offset, delivery: LocalDate, anchor: TimingAnchor, contract: LocalDate) -> LocalDate? {
        switch offset {
        case .afterDelivery(let days): return delivery.adding(days: days)
        case .beforeAnchor(let days): return anchor.date?.adding(days: -days)
        case .afterAnchor(let days): return anchor.date?.adding(days: days)
        case .afterContract(let days): return contract.adding(days: days)
        case .percentOfExposure: return when(offset, delivery: delivery, anchor: anchor, contract: contract)?.0
        }
    }

    /// The day a timing rule names, and the reason a person reads; nil when it hangs on an anchor the deal lacks.
    static func when(
        _ offset: TouchRule.Offset, delivery: LocalDate, anchor: TimingAnchor, contract: LocalDate
    ) -> (LocalDate, String)? {
        switch offset {
        case .afterDelivery(let days):
            let reason = "\(days) days after delivery"
            return (delivery.adding(days: days), anchor.text.isEmpty ? reason : reason + " (\(anchor.text))")
        case .beforeAnchor(let days):
            guard let a = anchor.date else { return nil }
            return (a.adding(days: -days), "\(anchor.text); \(days) days before")
        case .afterAnchor(let days):
            guard let a = anchor.date else { return nil }
            return (a.adding(days: days), "\(anchor.text); \(days) days after")
        case .afterContract(let days):
            return (contract.adding(days: days), "\(days) days after the contract" + (anchor.text.isEmpty ? "" : " (\(anchor.text))"))
        case .percentOfExposure(let percent):
            return exposureDay(percent, contract: contract, anchor: anchor)
        }
    }

    /// Merges candidates of the same channel within `mergeWithinDays` into one touch, then moves each touch to the first
    /// day that the state calendar opens and that keeps the rolling windows (`RollingWindows`, the gate's definition), in
    /// date order across all the customer's products; a touch with no room before its window closes goes to `dropped`.
    func mergeAndCap(_ candidates: [Candidate], day: PlanningDay, windows: RollingWindows, dropped: inout DropLog) -> [MergedTouch] {
        let sorted = candidates.sorted {
            ($0.date, $0.item.dealNumber, $0.item.product, $0.item.touch) < ($1.date, $1.item.dealNumber, $1.item.product, $1.item.touch)
        }
        var touches: [MergedTouch] = []
        for c in sorted {
            if let i = touches.lastIndex(where: {
                $0.action == c.action && $0.date.days(until: c.date) <= rules.mergeWithinDays && $0.date <= c.date
            }),
                !touches[i].items.contains(where: { $0.product == c.item.product && $0.dealNumber == c.item.dealNumber })
            {
                touches[i].items.append(c.item(on: touches[i].date))
                touches[i].until = [touches[i].until, c.until].compactMap { $0 }.min()
                continue
            }
            guard let (date, at, moved) = firstRoom(c, touches, day: day, windows: windows) else {
                let u = c.until ?? c.date
                dropped.add(
                    DroppedTouch(
                        item: c.item, wouldBeOn: c.date,
                        why: "no room under the limit of \(rules.maxPerRolling30Days) touches in 30 days before the window closes on \(u)"))
                continue
            }
            var item = c.item(on: date)
            if date != c.date {
                item.reason +=
                    "; moved from \(c.date) "
                    + (moved.map { "(\($0))" } ?? "to respect the limit of \(rules.maxPerRolling30Days) touches in 30 days")
            }
            touches.append(MergedTouch(date: date, at: at.at, action: c.action, items: [item], until: c.until))
            if let why = at.movedBy, date == c.date { touches[touches.count - 1].items[0].reason += "; \(why)" }
            touches.sort { $0.date < $1.date }
        }
        return touches
    }

    /// The first day at or after the candidate's that the state calendar opens (for a message) and that keeps the
    /// rolling windows, with its due instant and the state rule that moved it; nil when the product's window closes first.
    private func firstRoom(
        _ c: Candidate, _ touches: [MergedTouch], day: PlanningDay, windows: RollingWindows
    ) -> (LocalDate, (at: Date, movedBy: String?), String?)? {
        var date = c.date
        var movedBy: String?
        let texts = windows.textsPer24Hours == nil ? [] : touches.filter { $0.action == .sms }.map(\.at)
        // A year at most: a customer no rule ever lets through (an emergency with no end) gets nothing planned.
        for _ in 0..<366 {
            if let u = c.until, date > u { return nil }
            if c.action != .task, let closed = day.calendar.dayBlock(date) {
                movedBy = movedBy ?? closed
                date = date.adding(days: 1)
                continue
            }
            // The instant matters to the windows only under a state's cap on texts: else it is found once, for the day kept.
            let at = windows.textsPer24Hours == nil ? nil : day.due(date, c.action, preferred: rules.preferredMinutes)
            let refusal = windows.refusal(
                day: date, instant: at?.at ?? day.firstOpening, isText: c.action == .sms, keptDays: touches.lazy.map(\.date),
                keptTexts: texts)
            guard let refusal else { return (date, at ?? day.due(date, c.action, preferred: rules.preferredMinutes), movedBy) }
            if movedBy == nil, case .texts24Hours = refusal { movedBy = refusal.reason }
            date = date.adding(days: 1)
        }
        return nil
    }

    /// Each touch at the instant found for it, on the customer's calendar.
    func schedule(_ touches: [MergedTouch], day: PlanningDay) -> [PlannedTouch] {
        touches.map { t in PlannedTouch(dueAt: t.at, dueOn: t.date, action: t.action, items: t.items) }
    }
}
