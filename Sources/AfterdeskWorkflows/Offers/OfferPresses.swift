import AfterdeskCore
import AfterdeskStorage
import Foundation

/// The offer page's buttons as a workflow (docs/offers.md): what a press records (the task or the pause, as Core's
/// `OfferPressRules` decides), the task's routing and its deliveries to the CRM, the price said, the link's state.
/// The server's `OfferController` reads the request, counts, logs and renders.
public struct OfferPresses: Sendable {
    public var dispatcher: Dispatcher
    public var clock: Clock
    /// The dealership's time zone, as the page shows it.
    public var zone: TimeZone

    public init(dispatcher: Dispatcher, clock: Clock, zone: TimeZone) {
        self.dispatcher = dispatcher
        self.clock = clock
        self.zone = zone
    }

    var database: any Storage { dispatcher.database }
    var menu: Menu { dispatcher.menu }

    /// A recorded press: what the page says next, and the task it made (or found made), if any.
    public struct Recorded: Sendable {
        public var answer: String
        public var taskID: Int64?
    }

    /// The link at `now`: live, or why not (expired, bought, unwound, opted out, stopped for its kind of product).
    public func state(_ l: StoredOfferLink, now: Date) -> OfferLinkState {
        let kind = menu.product(l.product)?.kind ?? .other
        let stop = l.stops.first { $0.applies(to: kind) }
        return OfferLinkState.of(
            OfferLinkFacts(
                expiresAt: l.expiresAt, productBought: l.productBought, dealUnwound: l.dealUnwound, optedOut: l.optedOut,
                stoppedBecause: stop?.reason), now: now)
    }

    /// Records the press (the task or the pause with it, as `OfferPressRules` decides): what happens next, and the task.
    public func record(_ l: StoredOfferLink, action: OfferAction, now: Date) async throws -> Recorded {
        var press = OfferPress(linkID: l.id, kind: OfferEventKind(action))
        if action == .notNow {
            press.pauseUntil = OfferPressRules.pauseUntil(today: LocalDate(now, in: zone), pauseDays: menu.product(l.product)?.pauseDays)
        } else {
            press.task = try await task(l, action: action, now: now)
        }
        let result = try await database.pressOffer(press, now: now)
        if result.taskCreated, let id = result.taskID, let task = press.task { try await sendToCRM(l, task: task, id: id, now: now) }
        let answer = OfferPressRules.answer(
            action, firstName: l.firstName, dealer: menu.dealership.name, productName: productName(l), slaAt: press.task?.slaAt,
            pauseUntil: press.pauseUntil, hours: menu.dealership.hours, now: now, zone: zone)
        return Recorded(answer: answer, taskID: result.taskID)
    }

    /// The task a press makes (`OfferPressRules.task`), for the deal's F&I manager or salesperson as task routing picks.
    func task(_ l: StoredOfferLink, action: OfferAction, now: Date) async throws -> NewTask? {
        let facts = OfferPressRules.Facts(
            customerName: "\(l.firstName) \(l.lastName)", productName: productName(l), dealNumber: l.dealNumber,
            price: (try? await priceQuote(l, menu.product(l.product)))?.said ?? "from \(l.quoted.formatted)", channel: l.channel.rawValue,
            sentAt: l.createdAt, vehicle: "\(l.vehicleYear) \(l.vehicleMake) \(l.vehicleModel)")
        guard
            let raised = OfferPressRules.task(
                action, facts, hours: menu.dealership.hours, slaHours: dispatcher.settings.taskSLAHours, now: now, zone: zone)
        else { return nil }
        let snapshot = try await database.staffSnapshot(storeID: l.storeID)
        let assignee = TaskRouting.assignee(
            fiManager: l.fiManagerID, salesperson: l.salespersonID, staff: snapshot.staff, lastAssigned: snapshot.lastAssigned)
        return NewTask(
            storeID: l.storeID, customerID: l.customerID, kind: .offerReply, title: raised.title,
            detail: raised.detail, assigneeID: assignee, dueAt: raised.dueAt, slaAt: raised.slaAt)
    }

    /// The new task's ADF lead and webhook, as for a touch's task (when configured), queued for the next dispatch to
    /// send; keyed by the task, so they are queued once.
    func sendToCRM(_ l: StoredOfferLink, task: NewTask, id: Int64, now: Date) async throws {
        guard dispatcher.settings.crmLeadEmail != nil || dispatcher.settings.webhookURL != nil,
            let facts = try await database.previewFacts(dealNumber: l.dealNumber, store: l.storeCode, product: l.product)
        else { return }
        let assignee = if let id = task.assigneeID { try await database.staffName(id: id) } else { nil as String? }
        let messages = dispatcher.crmMessages(
            CRMTask(
                key: "offer-task-\(id)", touchID: nil, kind: task.kind.rawValue, store: l.storeCode, customer: facts.customer,
                vehicle: facts.item,
                task: task, assignee: assignee, products: ["\(l.dealNumber):\(l.product)"]), now: now)
        try await database.enqueue(messages, customerID: l.customerID, taskID: id, now: now)
    }

    public func productName(_ l: StoredOfferLink) -> String { menu.product(l.product)?.name ?? l.product }

    /// The price that applies today (`PriceQuote`): the desk's while it still applies, else "from" the rate card's or
    /// the menu's price. Without the deal's facts, the link's price, said as "from".
    public func priceQuote(_ l: StoredOfferLink, _ product: MenuProduct?) async throws -> PriceQuote {
        let today = LocalDate(clock.now(), in: zone)
        if let product, let facts = try await database.previewFacts(dealNumber: l.dealNumber, store: l.storeCode, product: l.product) {
            return facts.item.priceQuote(product, on: today)
        }
        return PriceQuote(amount: l.quoted, isFrom: true, givenAtDesk: false)
    }
}
