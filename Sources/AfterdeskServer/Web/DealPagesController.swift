import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// Deals (`/deals`, `/deals/{store}/{number}`) for F&I managers, finance directors and admins; a person limited to
/// one store finds only that store's deals (another store's deal is a 404).
struct DealPagesController: Sendable {
    let ctx: ServerContext
    let pages: Pages
    var zone: TimeZone { ctx.dispatcher.menu.dealership.zone }

    func addRoutes(to router: RouterGroup<PageContext>) {
        router.get(RouterPath(WebPaths.deals)) { request, context -> Response in try await list(request, context: context) }
        router.get(RouterPath(WebPaths.deal)) { request, context -> Response in try await show(request, context: context) }
    }

    func productName(_ code: String, store: String? = nil) -> String {
        let menu = ctx.dispatcher.menu
        return (store.map { menu.product(code, store: $0) } ?? menu.product(code))?.name ?? menu.product(code)?.name ?? code
    }

    func list(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        let query = request.uri.queryParameters
        func text(_ name: String) -> String { query[Substring(name)].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "" }
        let q = String(text("q").prefix(100))
        func date(_ name: String) throws -> LocalDate? {
            let t = text(name)
            if t.isEmpty { return nil }
            guard let d = LocalDate(t) else { throw AppError(.badRequest, "\(name) '\(t)' is not a date such as 2026-12-01.") }
            return d
        }
        let limit = 50
        let offset = min(max(Int(text("offset")) ?? 0, 0), 1_000_000)
        var filter = DealFilter(from: try date("from"), to: try date("to"), limit: limit, search: q.isEmpty ? nil : q)
        filter.stores = user.principal.stores
        filter.offset = offset
        let deals = try await ctx.database.listDeals(filter)
        let rows = deals.map { d in
            DealsPage.Row(
                href: WebPaths.deal(store: d.store, number: d.dealNumber), store: d.store, number: d.dealNumber,
                date: d.contractDate.description,
                buyer: d.buyer, vehicle: d.vehicle, declined: d.declined.map { productName($0, store: d.store) }.joined(separator: ", "),
                sold: d.sold.map { productName($0, store: d.store) }.joined(separator: ", "), unwound: d.status == .unwound)
        }
        let model = DealsPage(
            layout: .page("Deals", for: user, current: WebPaths.deals), q: q, from: text("from"), to: text("to"), rows: rows,
            hasRows: !rows.isEmpty, first: (offset + 1).grouped, last: (offset + rows.count).grouped,
            older: rows.count == limit ? page(q: q, from: text("from"), to: text("to"), offset: offset + limit) : nil,
            newer: offset > 0 ? page(q: q, from: text("from"), to: text("to"), offset: max(offset - limit, 0)) : nil)
        return try pages.response(model)
    }

    /// The list's address with its search, at `offset`.
    func page(q: String, from: String, to: String, offset: Int) -> String {
        var c = URLComponents()
        c.path = WebPaths.deals
        c.queryItems =
            [("q", q), ("from", from), ("to", to)].filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) }
            + [URLQueryItem(name: "offset", value: "\(offset)")]
        return c.string ?? WebPaths.deals
    }

    func show(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        guard let store = context.parameters.get("store").flatMap({ $0.removingPercentEncoding }),
            let number = context.parameters.get("number").flatMap({ $0.removingPercentEncoding }),
            user.principal.mayReach(store),
            let deal = try await ctx.database.deal(number: number, store: store)
        else { throw AppError(.notFound, "There is no such deal.") }
        let d = ctx.dispatcher
        let explanation = try await ctx.database.customerDeals(ofDeal: number, store: store).flatMap {
            Explain.explain($0, planner: d.planner, now: ctx.clock.now())
        }
        return try pages.response(page(deal, explanation, user: user))
    }

    func page(_ deal: DealDetail, _ e: DealExplanation?, user: SignedIn) -> DealPage {
        // The deal's store's calendar and product names (a group's stores: docs/menus.md).
        let zone = ctx.dispatcher.menu.dealership(of: deal.store).zone
        func productName(_ code: String) -> String { self.productName(code, store: deal.store) }
        let text = PeopleText(zone: zone)
        let today = LocalDate(ctx.clock.now(), in: zone)
        var facts = [
            DealPage.Fact(label: "Store", value: deal.store), .init(label: "Customer", value: deal.buyer),
            .init(label: "Vehicle", value: "\(deal.vehicle) (\(deal.condition.rawValue)), VIN \(deal.vin)"),
            .init(label: "Contract", value: "\(deal.contractDate), \(deal.dealType.rawValue)\(deal.status == .unwound ? ", unwound" : "")"),
            .init(label: "In service", value: deal.inServiceDate.description + (deal.inServiceEstimated ? " (estimated)" : "")),
            .init(label: "Odometer at sale", value: "\(deal.odometer.grouped) miles"),
            .init(label: "Selling price", value: Self.money(deal.sellingPrice)),
        ]
        if let a = deal.amountFinanced {
            facts.append(
                .init(
                    label: "Financed",
                    value: "\(Self.money(a))\(deal.apr.map { " at \($0)%" } ?? "")\(deal.termMonths.map { ", \($0) months" } ?? "")"))
        }
        if let f = deal.fiManager { facts.append(.init(label: "F&I manager", value: f)) }
        if let s = deal.salesperson { facts.append(.init(label: "Salesperson", value: s)) }
        let plans = Dictionary((e?.products ?? []).map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let products = deal.products.map { p in
            let plan = plans[p.code]
            let touches = (plan?.touches ?? []).map {
                DealPage.Touch(due: text.dateTimeWithYear($0.dueAt), action: $0.action, reason: $0.reason, status: $0.status)
            }
            let classes = (plan?.planClasses ?? []).map(\.description)
            return DealPage.Product(
                name: productName(p.code), outcome: p.outcome.rawValue + (p.presumed ? " (presumed)" : ""), price: p.price.map(Self.money),
                reason: p.outcome == .declined ? p.reason.map(DeclineReason.phrase) : nil, holdout: plan?.holdout ?? false,
                heldOutUntil: plan?.heldOutUntil, eligibleUntil: plan?.eligibleUntil,
                classes: classes, hasClasses: !classes.isEmpty, note: plan?.note, touches: touches,
                hasTouches: !touches.isEmpty)
        }
        let marks = (e?.products ?? []).flatMap { p in
            p.touches.compactMap { t in
                Instant.parse(t.dueAt).map { DealCharts.Mark(date: LocalDate($0, in: zone), label: "\(productName(p.code)): \(t.action)") }
            }
        }
        return DealPage(
            layout: .page("Deal \(deal.dealNumber)", for: user, current: WebPaths.deals), title: "Deal \(deal.dealNumber)", facts: facts,
            products: products,
            events: deal.events.map {
                .init(
                    date: $0.occurredOn.description,
                    text:
                        "\($0.kind.rawValue)\($0.product.map { " " + productName($0) } ?? "")\($0.price.map { " " + Self.money($0) } ?? "")"
                )
            }, hasEvents: !deal.events.isEmpty, warrantyChart: warranty(deal, e, today: today, marks: marks),
            loanChart: loan(e, today: today, marks: marks), plannedAt: e?.plannedAt)
    }

    /// "23357.00" as "$23,357.00".
    static func money(_ amount: Money) -> String { amount.formatted }

    func warranty(_ deal: DealDetail, _ e: DealExplanation?, today: LocalDate, marks: [DealCharts.Mark]) -> String? {
        guard let w = e?.products.compactMap(\.warranty).first, case let inService = deal.inServiceDate,
            let basic = LocalDate(w.basic.expiresOn), let power = LocalDate(w.powertrain.expiresOn)
        else { return nil }
        return DealCharts.warrantyTimeline(
            inService: inService, today: today, basic: (basic, w.basic.limit), powertrain: (power, w.powertrain.limit), touches: marks)
    }

    func loan(_ e: DealExplanation?, today: LocalDate, marks: [DealCharts.Mark]) -> String? {
        guard let g = e?.products.compactMap(\.gap).first else { return nil }
        let months = g.schedule.compactMap { m -> DealCharts.LoanMonth? in
            guard let d = LocalDate(m.date), let b = Money(m.balance), let v = Money(m.value) else { return nil }
            return DealCharts.LoanMonth(date: d, balanceCents: b.cents, valueCents: v.cents)
        }
        return months.count < 2 ? nil : DealCharts.loanAgainstValue(months, today: today, touches: marks)
    }
}
