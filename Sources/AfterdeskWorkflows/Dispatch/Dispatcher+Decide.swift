import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Logging

extension Dispatcher {
    /// The stores' staff as routing sees them during one run: loaded once, counts kept up to date as tasks are routed.
    struct StaffCache {
        var stores: [Int64: (staff: [StaffMember], lastAssigned: Int64?)] = [:]
        var names: [Int64: String?] = [:]
    }

    /// What the gate and the templates make of one due touch.
    func decide(_ touch: DueTouch, now: Date, staff cache: inout StaffCache) async throws -> DispatchRecord {
        if let view = storeViewBox?.byCode[touch.storeCode] { return try await view.decide(touch, now: now, staff: &cache) }
        let (input, zone) = gateInput(touch)
        switch gate.decide(input, now: now) {
        case .move(let to, let reason): return .moved(touchID: touch.id, to: to, reason: reason)
        case .skip(let reason): return .skipped(touchID: touch.id, reason: reason)
        case .send(let kept, let dropped):
            let keptItems = touch.items.filter { i in kept.contains { $0.dealNumber == i.dealNumber && $0.product == i.product } }
            guard !keptItems.isEmpty else { return .skipped(touchID: touch.id, reason: "no product left to raise") }
            let droppedText = dropped.map { "\($0.item.product): \($0.reason)" }
            let today = LocalDate(now, in: zone)
            var facts = self.facts(keptItems, customer: touch.customer, today: today)
            // A message carries the offer page of its first product: the token goes in the link, its hash in the store.
            var link: NewOfferLink?
            if touch.action != .task {
                let token = offerTokens()
                facts.offerURL = "\(settings.publicURL)/o/\(token)"
                link = offerLink(for: keptItems[0], tokenHash: OfferTokens.hash(token), now: now, today: today)
            }
            switch touch.action {
            case .sms: return sms(touch, facts: facts, template: keptItems[0].template, dropped: droppedText).carrying(link)
            case .email: return email(touch, facts: facts, template: keptItems[0].template, dropped: droppedText).carrying(link)
            case .task: return try await task(touch, items: keptItems, now: now, dropped: droppedText, staff: &cache)
            }
        }
    }

    /// The stored side of an offer link for `item`: what the message says about it, and when the link stops working.
    func offerLink(for item: DueItem, tokenHash: String, now: Date, today: LocalDate) -> NewOfferLink {
        let zone = menu.dealership.zone
        // The price that applies on the day it is sent; the offer page says it as it applies on the day it is seen.
        let price = menu.product(item.product).map { item.priceQuote($0, on: LocalDate(now, in: zone)).amount.cents }
        // The page says until when it can be bought as the plan class open on the day (a product without classes: its
        // window).
        let classes = classWindows(item)
        let until = classes.isEmpty ? item.eligibleUntil : classes.first { $0.isOpen(on: today) }?.until
        return NewOfferLink(
            tokenHash: tokenHash, dealID: item.dealID, product: item.product, reason: whyNow(item, on: today),
            quotedCents: price ?? item.quotedCents ?? 0, eligibleUntil: until,
            expiresAt: OfferExpiry.expiresAt(sentAt: now, eligibleUntil: until, zone: zone))
    }

    /// The customer's time zone, from their state and ZIP; the dealership's when those say nothing.
    func customerZone(state: String?, zip: String?) -> TimeZone {
        let zoneID = CustomerTimeZone.zone(state: state, zip: zip, dealershipZone: menu.dealership.timeZone)
        return TimeZone(identifier: zoneID) ?? menu.dealership.zone
    }

    /// The gate's view of a due touch, and the customer's time zone.
    func gateInput(_ touch: DueTouch) -> (GateInput, TimeZone) {
        let c = touch.customer
        let zone = customerZone(state: c.state, zip: c.zip)
        let items = touch.items.map { i in
            GateItem(
                dealNumber: i.dealNumber, product: i.product, eligibleUntil: i.eligibleUntil, dealUnwound: i.dealUnwound,
                productSold: i.productSold,
                stoppedBecause: menu.product(i.product).map { p in i.stops.first { $0.applies(to: p.kind) }?.reason }
                    ?? (isStoreView ? "the store does not sell it" : nil),
                pausedUntil: i.pausedUntil)
        }
        var input = GateInput(
            action: touch.action, items: items, zone: zone, state: c.state, consent: c.consent,
            hasPhone: c.phone != nil, hasEmail: c.email != nil, contactStopped: c.contactStopped,
            phoneOnDoNotCall: touch.phoneOnDoNotCall, lastPurchase: touch.lastPurchase, recentTouches: touch.recentTouches,
            phone: c.phone, recentTexts: touch.recentTexts)
        input.awaitingReply = touch.awaitingReply
        input.phoneStopped = c.phoneStopped
        return (input, zone)
    }

    /// An SMS from the template, unless it would be longer than the segments allowed.
    func sms(_ touch: DueTouch, facts: MessageFacts, template: String, dropped: [String]) -> DispatchRecord {
        guard let phone = touch.customer.phone, let body = templates.renderSMS(template, facts: facts) else {
            return .skipped(touchID: touch.id, reason: "no SMS template '\(template)'")
        }
        let enc = SMSEncoding(body)
        if enc.segments > templates.maxSegments {
            return .skipped(
                touchID: touch.id,
                reason: "the SMS would be \(enc.segments) segments (\(enc.alphabet.rawValue)), more than \(templates.maxSegments)")
        }
        let message = NewOutboxMessage(
            channel: .sms, idempotencyKey: "touch-\(touch.id)-sms", recipient: phone, body: body,
            headers: OutboxSender.headers(sender: ownSender.sms))
        return .dispatched(touchID: touch.id, customerID: touch.customer.id, messages: [message], task: nil, dropped: dropped)
    }

    /// An email from the template, with one-click unsubscribe headers (RFC 8058).
    func email(_ touch: DueTouch, facts: MessageFacts, template: String, dropped: [String]) -> DispatchRecord {
        var facts = facts
        facts.advertisement = !touch.customer.emailConsentAffirmative
        guard let email = touch.customer.email, let rendered = templates.renderEmail(template, facts: facts) else {
            return .skipped(touchID: touch.id, reason: "no email template '\(template)'")
        }
        var headers = "{\"List-Unsubscribe\":\"<\(facts.unsubscribeURL)>\",\"List-Unsubscribe-Post\":\"List-Unsubscribe=One-Click\"}"
        if let sender = ownSender.email {
            headers =
                OutboxSender.headers(
                    ["List-Unsubscribe": "<\(facts.unsubscribeURL)>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"],
                    sender: sender) ?? headers
        }
        let message = NewOutboxMessage(
            channel: .email, idempotencyKey: "touch-\(touch.id)-email", recipient: email, subject: rendered.subject,
            body: rendered.text, html: rendered.html, headers: headers)
        return .dispatched(touchID: touch.id, customerID: touch.customer.id, messages: [message], task: nil, dropped: dropped)
    }

    /// A task for the person routing picks, with its deliveries to the CRM.
    func task(_ touch: DueTouch, items: [DueItem], now: Date, dropped: [String], staff cache: inout StaffCache) async throws
        -> DispatchRecord
    {
        let c = touch.customer
        let primary = items[0]
        var snapshot: (staff: [StaffMember], lastAssigned: Int64?)
        if let cached = cache.stores[touch.storeID] {
            snapshot = cached
        } else {
            snapshot = try await database.staffSnapshot(storeID: touch.storeID)
        }
        let assignee = TaskRouting.assignee(
            fiManager: primary.fiManagerID, salesperson: primary.salespersonID,
            staff: snapshot.staff, lastAssigned: snapshot.lastAssigned)
        if let a = assignee, let i = snapshot.staff.firstIndex(where: { $0.id == a }) { snapshot.staff[i].openTasks += 1 }
        snapshot.lastAssigned = assignee ?? snapshot.lastAssigned
        cache.stores[touch.storeID] = snapshot
        let names = items.map { menu.product($0.product)?.name ?? $0.product }
        let title = "Call \(c.firstName) \(c.lastName) about \(Words.list(names))"
        let today = LocalDate(now, in: menu.dealership.zone)
        var detail: String = items.map { i -> String in
            // "quoted" only for the desk's price while it applies; else the price of the day, "from $X".
            let price = menu.product(i.product).map { i.priceQuote($0, on: today).said } ?? ""
            return "\(menu.product(i.product)?.name ?? i.product) (deal \(i.dealNumber), \(price)): \(i.reason)"
        }.joined(separator: "\n")
        detail += "\nVehicle: \(primary.vehicleYear) \(primary.vehicleMake) \(primary.vehicleModel)"
        if !dropped.isEmpty { detail += "\nNo longer raised: " + dropped.joined(separator: "; ") }
        let slaAt = now.addingTimeInterval(Double(settings.taskSLAHours) * 3600)
        let task = NewTask(
            storeID: touch.storeID, customerID: c.id, kind: .followUp, title: title, detail: detail,
            assigneeID: assignee, dueAt: now, slaAt: slaAt)
        var assigneeName: String?
        if let a = assignee {
            if cache.names[a] == nil { cache.names[a] = try await database.staffName(id: a) }
            assigneeName = cache.names[a] ?? nil
        }
        let messages = crmMessages(
            CRMTask(
                key: "touch-\(touch.id)", touchID: touch.id, kind: nil, store: touch.storeCode, customer: c, vehicle: primary, task: task,
                assignee: assigneeName, products: touch.items.map { "\($0.dealNumber):\($0.product)" }), now: now)
        return .dispatched(touchID: touch.id, customerID: c.id, messages: messages, task: task, dropped: dropped)
    }

    func facts(_ items: [DueItem], customer c: CustomerContact, today: LocalDate) -> MessageFacts {
        let primary = items[0]
        func product(_ i: DueItem) -> MessageFacts.Product {
            let p = menu.product(i.product)
            return MessageFacts.Product(
                code: i.product, name: p?.name ?? i.product, provider: p?.provider ?? "",
                quoted: Money(cents: i.quotedCents ?? p?.retailPrice.cents ?? 0), eligibleUntil: i.eligibleUntil)
        }
        // The vehicle facts are the message's own product's deal's: another item merged in may be another vehicle. A
        // certified car's basic date may be its certified coverage's, so nothing calls it the factory warranty.
        let factoryItem = primary.vehicleIsCertified ? nil : primary
        var facts = MessageFacts(
            firstName: c.firstName, lastName: c.lastName, dealershipName: menu.dealership.name, dealershipAddress: address,
            dealershipPhone: menu.dealership.phone, vehicleYear: primary.vehicleYear, vehicleMake: primary.vehicleMake,
            vehicleModel: primary.vehicleModel, dealNumber: primary.dealNumber, product: product(primary),
            others: items.dropFirst().map(product),
            warrantyEnds: factoryItem?.basicExpiresOn, warrantyLimit: factoryItem?.basicLimit,
            warrantyMiles: factoryItem.map { warranties.terms(forMake: $0.vehicleMake, modelYear: $0.vehicleYear).basic.miles },
            gapExposureEnds: primary.gapExposureEndsOn, staffName: nil, unsubscribeURL: unsubscribeURL(customer: c.id), today: today)
        facts.planClass = openClass(primary, on: today).map(ClassFact.init)
        if let ends = primary.powertrainExpiresOn {
            facts.powertrainEnds = ends
            facts.powertrainMiles = powertrainCoverage(primary).miles
        }
        if let quote = priceFacts(primary, on: today) {
            facts.price = quote.amount
            facts.priceIsFrom = quote.isFrom
            facts.deskQuote = quote.givenAtDesk ? quote.amount : nil
        }
        facts.gapCoversDifference = menu.product(primary.product)?.kind == .gap && gapCoversDifference(primary)
        if let ends = primary.freeMaintenanceEndsOn {
            facts.freeMaintenanceEnds = ends
            facts.freeMaintenanceName =
                warranties.terms(forMake: primary.vehicleMake, modelYear: primary.vehicleYear).freeMaintenance?.name
        }
        // "First" service only for a car sold new with no free plan before it.
        facts.firstService = primary.vehicleIsNew && primary.freeMaintenanceEndsOn == nil
        return facts
    }

    /// The plan class `item`'s product would be bought as on `day`: the first of the plan's classes open then.
    func openClass(_ item: DueItem, on day: LocalDate) -> EligibilityWindow.ClassWindow? {
        classWindows(item).first { $0.isOpen(on: day) }
    }

    /// The plan's class windows as stored with `item`, read against the menu in force (empty without classes).
    func classWindows(_ item: DueItem) -> [EligibilityWindow.ClassWindow] {
        EligibilityWindow.ClassWindow.decode(item.planClasses, product: menu.product(item.product))
    }

    /// The powertrain warranty of the item's make: a later owner's terms for a car sold used, when the maker's differ.
    func powertrainCoverage(_ item: DueItem) -> WarrantyTable.Coverage {
        let t = warranties.terms(forMake: item.vehicleMake, modelYear: item.vehicleYear)
        return item.vehicleIsNew ? t.powertrain : (t.powertrainSubsequentOwner ?? t.powertrain)
    }

    /// The price a message may state for `item` on `day` (`PriceQuote`): the desk's while it still applies, else "from"
    /// the rate card's or the menu's; nil when none may be said (a vehicle past every class of the card is priced after
    /// an inspection).
    func priceFacts(_ item: DueItem, on day: LocalDate) -> PriceQuote? {
        guard let product = menu.product(item.product) else { return nil }
        let quote = item.priceQuote(product, on: day)
        return quote.onInspection ? nil : quote
    }

    /// True when GAP would pay the whole difference for `item` (`gap.covers_difference`): the amount financed at or
    /// below the cap's share of the value, compared exactly (`GAPRules.coversDifference`); false without financing.
    func gapCoversDifference(_ item: DueItem) -> Bool {
        guard let financed = item.amountFinancedCents, let product = menu.product(item.product) else { return false }
        return (product.gap ?? .undeclared).coversDifference(amountFinancedCents: financed, vehicleValueCents: item.vehicleValueCents)
    }
}
