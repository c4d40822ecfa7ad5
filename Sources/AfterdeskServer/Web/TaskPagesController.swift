import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// The salesperson's queue and task page (`/tasks`, `/tasks/{id}`): sales see their own tasks, F&I managers and
/// admins every task of their stores; a task someone may not see is a 404.
struct TaskPagesController: Sendable {
    let ctx: ServerContext
    let pages: Pages
    var text: PeopleText { PeopleText(zone: ctx.dispatcher.menu.dealership.zone) }

    /// `POST /tasks/{id}/outcome`: the button pressed is `outcome`.
    struct OutcomeForm: Decodable {
        var outcome: String?
        var product: String?
        var price: String?
        var cost: String?
        var note: String?
    }

    /// `POST /tasks/{id}/reschedule`.
    struct RescheduleForm: Decodable {
        var when: String?
    }

    func addRoutes(to router: RouterGroup<PageContext>) {
        router.get(RouterPath(WebPaths.tasks)) { request, context -> Response in try await queue(request, context: context) }
        router.get(RouterPath(WebPaths.task)) { request, context -> Response in
            let user = context.user
            let query = request.uri.queryParameters
            let state = TextState(
                preset: query["preset"].flatMap { Int(String($0)) },
                note: query["texted"].map {
                    $0 == "sent" ? "Text sent." : "Text queued: the provider did not take it yet, and it is retried."
                })
            return try await pages.response(try page(try taskID(context), user: user, error: nil, text: state))
        }
        router.post(RouterPath(WebPaths.taskOutcome)) { request, context -> Response in try await outcome(request, context: context) }
        router.post(RouterPath(WebPaths.taskText)) { request, context -> Response in try await text(request, context: context) }
        router.post(RouterPath(WebPaths.taskReschedule)) { request, context -> Response in try await reschedule(request, context: context) }
    }

    func taskID(_ context: PageContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw AppError(.notFound, "There is no such task.") }
        return id
    }

    func productName(_ code: String) -> String { ctx.dispatcher.menu.products.first { $0.code == code }?.name ?? code }

    func queue(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        let p = user.principal
        let own = p.role.tasks == .own
        let rows =
            await own && p.staffID == nil
            ? []
            : try ctx.database.tasks(
                TaskQuery(status: .open, limit: 500, assigneeID: own ? p.staffID : nil, stores: p.stores), now: ctx.clock.now())
        let today = LocalDate(ctx.clock.now(), in: text.zone)
        var overdue: [QueuePage.Row] = []
        var dueToday: [QueuePage.Row] = []
        var upcoming: [QueuePage.Row] = []
        for t in rows {
            let due = LocalDate(t.dueAt, in: text.zone)
            let row = QueuePage.Row(
                href: WebPaths.task(t.id), customer: t.customer, vehicle: t.vehicle,
                products: t.products.map { $0.split(separator: ",").map { productName($0.trimmingCharacters(in: .whitespaces)) } }?
                    .joined(separator: ", ") ?? t.title,
                why: t.why ?? t.detail, due: (t.overdue ? "was due " : "due ") + text.dateTime(t.dueAt), overdue: t.overdue,
                assignee: own ? nil : t.assignee ?? "unassigned")
            if t.overdue { overdue.append(row) } else if due <= today { dueToday.append(row) } else { upcoming.append(row) }
        }
        let sections = [("Overdue", "overdue", overdue), ("Due today", "today", dueToday), ("Upcoming", "upcoming", upcoming)]
            .filter { !$0.2.isEmpty }.map { QueuePage.Section(title: $0.0, id: $0.1, rows: $0.2, count: $0.2.count) }
        let flash = request.uri.queryParameters["recorded"].flatMap { TaskOutcome(rawValue: String($0)) }.map(PeopleText.next)
        let model = QueuePage(
            layout: .page("Tasks", for: user, current: WebPaths.tasks, flash: flash), sections: sections, empty: rows.isEmpty)
        return try pages.response(model)
    }

    /// The task, when this person may see it; else 404.
    func detail(_ id: Int64, user: SignedIn) async throws -> TaskDetail {
        guard let owner = try await ctx.database.taskOwner(id: id),
            user.principal.maySee(taskAssignedTo: owner.assigneeID, inStore: owner.store),
            let detail = try await ctx.database.taskDetail(id: id, now: ctx.clock.now())
        else { throw AppError(.notFound, "There is no such task.") }
        return detail
    }

    func page(_ id: Int64, user: SignedIn, error: String?, text state: TextState = TextState()) async throws -> TaskPage {
        let d = try await detail(id, user: user)
        let today = LocalDate(ctx.clock.now(), in: TimeZone(identifier: d.timeZone) ?? text.zone)
        // The task's store's products and prices (a group's stores: docs/menus.md).
        let menu = ctx.dispatcher.menu.store(d.store)
        let items = d.items.map { i in
            let product = menu.product(i.product)
            let name = product?.name ?? productName(i.product)
            let quote = product.map { i.priceQuote($0, on: today) }
            var facts = TalkingPoints.Facts(
                productName: name, declineReason: i.declineReason, quoted: i.quotedCents.map(Money.init(cents:)),
                basicExpiresOn: i.basicExpiresOn, basicLimit: i.basicLimit, eligibleUntil: i.eligibleUntil)
            facts.quote = quote
            facts.installments = product?.installments
            // "quoted $X" only for the desk's price that still applies; else the price of the day, "from $X".
            let said = quote?.said
            return TaskPage.Item(
                product: name, code: i.product, dealNumber: i.dealNumber,
                quoted: said ?? i.quotedCents.map { "quoted " + Money(cents: $0).formatted },
                quotedPlain: i.quotedCents.map { Money(cents: $0).description },
                reason: i.declineReason.map(DeclineReason.phrase),
                why: d.task.kind == .offerReply ? d.task.title : i.touchReason, points: TalkingPoints.points(facts))
        }
        let phone = PeopleText.dialable(d.task.phone)
        let presets = StaffTextRules.presets(firstName: d.firstName, product: items.first?.product, vehicle: d.vehicle)
        let textBox =
            d.maySMS && phone != nil && d.task.status == .open
            ? TaskPage.TextBox(
                nonce: state.nonce ?? Self.nonce(),
                draft: state.draft ?? state.preset.flatMap { presets.indices.contains($0) ? presets[$0].text : nil } ?? "",
                presets: presets.indices.map { TaskPage.Choice(value: "\(WebPaths.task(id))?preset=\($0)#text", label: presets[$0].label) },
                error: state.error, note: state.note) : nil
        return TaskPage(
            layout: .page(d.task.customer, for: user, current: WebPaths.tasks), id: d.task.id,
            customer: d.task.customer, tel: phone.map { "tel:\($0)" }, textBox: textBox,
            phone: d.task.phone.map(PeopleText.phone), noSMSConsent: phone != nil && !d.maySMS,
            email: d.task.email, vehicle: d.vehicle, vinTail: String(d.vin.suffix(8)), items: items, severalItems: items.count > 1,
            products: items.map { TaskPage.Choice(value: $0.code, label: $0.product) }, soldPrice: items.first?.quotedPlain,
            history: d.history.map {
                TaskPage.Message(
                    at: text.dateTime($0.at), inbound: $0.inbound, channel: $0.channel.rawValue, text: $0.text, status: $0.status)
            }, noHistory: d.history.isEmpty, open: d.task.status == .open, overdue: d.task.overdue,
            due: text.dateTime(d.task.dueAt), callingWindow: d.task.phone == nil ? nil : await callingWindow(d),
            outcome: d.task.outcome.flatMap { PeopleText.outcomeLabels[$0] },
            outcomes: [TaskOutcome.booked, .noAnswer, .notInterested, .wrongNumber, .stopContacting].map {
                TaskPage.Choice(value: $0.rawValue, label: PeopleText.outcomeLabels[$0] ?? $0.rawValue)
            }, error: error, assignee: d.task.assignee, )
    }

    /// "call after 12:00, until 20:00 America/Chicago (Texas: no calls before 12:00 on Sunday)": the state calendar of the
    /// customer's address and area code, on their clock.
    func callingWindow(_ d: TaskDetail) async -> String {
        let zoneID = CustomerTimeZone.zone(state: d.state, zip: d.zip, dealershipZone: d.timeZone)
        let zone = TimeZone(identifier: zoneID) ?? text.zone
        // The store's own calendar: its tighter hours hold for a call too.
        let store = ctx.dispatcher.inStore(d.store)
        let book = await store.gate.rules.rulebook(store.menu.contactRules)
            .with(emergencies: (try? ctx.database.emergencyStates()) ?? [])
        let calendar = ContactCalendar(rulebook: book, home: zone, state: d.state, phone: d.task.phone)
        return calendar.callingWindow(on: LocalDate(ctx.clock.now(), in: zone))
    }

    func outcome(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        let id = try taskID(context)
        let fields = try await decodeForm(OutcomeForm.self, request)
        let detail = try await detail(id, user: user)
        do {
            guard let outcome = present(fields.outcome).flatMap(TaskOutcome.init(rawValue:)) else { throw StoreError("choose an outcome") }
            func amount(_ text: String?, _ label: String) throws -> Money? {
                try present(text).map { text throws -> Money in
                    guard let m = Money(text.replacingOccurrences(of: "$", with: "").replacingOccurrences(of: ",", with: ""))
                    else { throw StoreError("the \(label) '\(text)' is not an amount such as 1295.00") }
                    return m
                }
            }
            let product = present(fields.product) ?? (detail.items.count == 1 ? detail.items.first?.product : nil)
            try await ctx.dispatcher.closeTask(
                id: id, outcome: outcome, product: outcome == .sold ? product : nil,
                price: outcome == .sold ? try amount(fields.price, "price") : nil,
                cost: outcome == .sold ? try amount(fields.cost, "cost") : nil, note: present(fields.note), by: user.principal.name,
                now: ctx.clock.now())
            ctx.logger.info("task done", metadata: ["user": "\(user.principal.name)", "task": "\(id)", "outcome": "\(outcome.rawValue)"])
            return seeOther(WebPaths.tasks + "?recorded=" + outcome.rawValue)
        } catch let e as StoreError where e.kind != .io && e.kind != .integrity && e.kind != .notFound {
            // A problem with a field names it by the form's label, not by the command line's flag.
            let message = e.outcomeProblem?.message(naming: { "the \($0.label) field" }) ?? e.message
            return try await pages.response(try page(id, user: user, error: message), status: .unprocessableContent)
        }
    }

    func reschedule(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        let id = try taskID(context)
        let fields = try await decodeForm(RescheduleForm.self, request)
        _ = try await detail(id, user: user)
        let today = LocalDate(ctx.clock.now(), in: text.zone)
        let days: Int
        switch fields.when {
        case "tomorrow": days = 1
        case "next_week": days = 7
        default:
            return try await pages.response(try page(id, user: user, error: "Choose tomorrow or next week."), status: .unprocessableContent)
        }
        // 9:00 in the store's time zone.
        let at = ContactWindow.allDay.instant(on: today.adding(days: days), atMinutes: 9 * 60, zone: text.zone)
        try await ctx.database.rescheduleTask(id: id, to: at, slaHours: ctx.settings.taskSLAHours)
        ctx.logger.info("task rescheduled", metadata: ["user": "\(user.principal.name)", "task": "\(id)", "days": "\(days)"])
        return seeOther(WebPaths.tasks)
    }
}
