import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// The finance director's dashboard (`/dashboard`, `/dashboard.csv`): the margin report's figures, as
/// `afterdesk report` computes them, with filters for dates, store and grouping.
struct DashboardController: Sendable {
    let ctx: ServerContext
    let pages: Pages

    struct Page: PageModel {
        static let template = "dashboard"
        struct Tile: Sendable, Equatable {
            var label: String
            var value: String
            var note: String?
        }
        struct Row: Sendable, Equatable {
            var key: String
            var declines: String
            var treatedRate: String
            var holdoutRate: String
            var net: String
            var incremental: String
        }
        struct Choice: Sendable, Equatable {
            var value: String
            var label: String
            var selected: Bool
        }
        struct Sale: Sendable, Equatable {
            var deal: String
            var product: String
            var soldOn: String
            var price: String
            var cost: String
            var margin: String
            var source: String
            var counted: String
        }
        var layout: Layout
        var from: String
        var to: String
        var store: String
        /// The store filter (empty: nothing to choose).
        var storeChoices: [StoreChoice] = []
        var hasStoreChoices = false
        var groupings: [Choice]
        var headline: String
        var tooSmall: Bool
        var tiles: [Tile]
        var monthChart: String
        var productChart: String
        var groupLabel: String
        var rows: [Row]
        var csvHref: String
        var asOf: String
        var heldOut: String
        var attributionDays: Int
        /// "A sale counts within 120 days of the contract", or the horizon's rule; and the total's maturity.
        var measuredBy = ""
        var maturity = ""
        var sales: [Sale]
        var hasSales: Bool
        /// The books view's months (`by=sale_month`), in place of the groups.
        var books: [BooksRow] = []
        var hasBooks = false
    }

    func addRoutes(to router: RouterGroup<PageContext>) {
        router.get(RouterPath(WebPaths.dashboard)) { request, context -> Response in try await dashboard(request, context: context) }
        router.get(RouterPath(WebPaths.dashboardCSV)) { request, context -> Response in try await csv(request, context: context) }
    }

    /// The filters of a request, checked; a bad one is a 400 page naming it.
    func parameters(_ request: Request, user: SignedIn) throws -> (ReportParameters, query: String) {
        let q = request.uri.queryParameters
        let menu = ctx.dispatcher.menu
        let f = try FigureFilters(q, user: user, today: LocalDate(ctx.clock.now(), in: menu.dealership.zone))
        let (from, to, store) = (f.from, f.to, f.store)
        let byText = q["by"].map(String.init) ?? "product"
        guard let by = ReportGrouping(rawValue: byText), by != .decline else {
            throw AppError(.badRequest, "by must be product, month, staff, store or sale_month.")
        }
        var p = ReportParameters(asOf: f.today, from: from, to: to, store: store, by: by, menu: menu)
        p.stores = f.stores
        p.netToStore.messageCosts = ctx.settings.messageCosts
        let query = "from=\(from)&to=\(to)&by=\(by.rawValue)" + (store.map { "&store=\(WebPaths.component($0))" } ?? "")
        return (p, query)
    }

    func dashboard(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        let (p, query) = try parameters(request, user: user)
        var byMonth = p
        byMonth.by = .month
        var byProduct = p
        byProduct.by = .product
        let reports = try await ctx.database.marginReports([p, byMonth, byProduct], now: ctx.clock.now())
        guard reports.count == 3 else { throw StoreError.integrity("the dashboard's reports") }
        var model = page(reports[0], months: reports[1], products: reports[2], query: query, user: user)
        model.withBooksAndStrata(reports[0])
        model.measuredBy = ReportText.measuredBy(reports[0].parameters)
        model.maturity = ReportText.percent(reports[0].total.maturity.share)
        model.storeChoices = StoreChoice.options(
            for: user.principal, among: try await ctx.database.stores().map(\.code), selected: p.store)
        model.hasStoreChoices = !model.storeChoices.isEmpty
        model.sales = try await sales(p)
        model.hasSales = !model.sales.isEmpty
        return try pages.response(model)
    }

    func page(_ report: MarginReport, months: MarginReport, products: MarginReport, query: String, user: SignedIn) -> Page {
        let t = report.total
        let p = report.parameters
        let names = Dictionary(ctx.dispatcher.menu.products.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let groupings: [(ReportGrouping, String)] = [
            (.product, "product"), (.month, "month"), (.staff, "F&I manager"), (.store, "store"), (.saleMonth, "sale month (books)"),
        ]
        func wilson(_ a: ArmFigures) -> (rate: Double, low: Double, high: Double)? {
            a.recoveryEstimate.map { ($0.value, $0.low, $0.high) }
        }
        return Page(
            layout: .page("Dashboard", for: user, current: WebPaths.dashboard), from: p.from.description, to: p.to.description,
            store: p.store ?? "", groupings: groupings.map { .init(value: $0.0.rawValue, label: $0.1, selected: $0.0 == p.by) },
            headline: Self.verdictWords(t), tooSmall: t.verdict == .tooSmall,
            tiles: Self.tiles(t) + Self.anytimeTiles(t, window: p.anytimeWindowName) + Self.offerTiles(report.offers),
            monthChart: DashboardCharts.marginByMonth(
                months.groups.map {
                    .init(
                        label: $0.key ?? "", netCents: $0.netCents,
                        incremental: $0.verdict == .tooSmall ? nil : $0.incrementalMargin)
                }),
            productChart: DashboardCharts.ratesByProduct(
                products.groups.map {
                    .init(label: names[$0.key ?? ""] ?? $0.key ?? "", treated: wilson($0.treated), holdout: wilson($0.holdout))
                }),
            groupLabel: groupings.first { $0.0 == p.by }?.1 ?? "product",
            rows: report.groups.map { g in
                Page.Row(
                    key: p.by == .product ? names[g.key ?? ""] ?? g.key ?? "" : g.key ?? "", declines: g.declines.grouped,
                    treatedRate: ReportText.percent(g.treated.recoveryRate), holdoutRate: ReportText.percent(g.holdout.recoveryRate),
                    net: Money(cents: g.netCents).formatted,
                    incremental: g.verdict == .tooSmall
                        ? "too small to conclude (n = \(g.treated.declines.grouped) / \(g.holdout.declines.grouped))"
                        : "\(ReportText.money(g.incrementalMargin?.value)) (\(ReportText.money(g.incrementalMargin?.low)) to \(ReportText.money(g.incrementalMargin?.high)))"
                )
            }, csvHref: WebPaths.dashboardCSV + "?" + query, asOf: p.asOf.description, heldOut: p.heldOutText,
            attributionDays: p.attributionDays, sales: [], hasSales: false)
    }

    /// The latest sales after the desk, each with the margin it adds and whether the report counts it
    /// (`SaleAttribution`).
    func sales(_ p: ReportParameters) async throws -> [Page.Sale] {
        let menu = ctx.dispatcher.menu
        return try await ctx.database.recentRecoveries(stores: p.storeScope, asOf: p.asOf).map { r in
            let product = menu.product(r.product, store: r.store) ?? menu.product(r.product)
            let sale = SaleAttribution(
                contractDate: r.contractDate, soldOn: r.soldOn, priceCents: r.priceCents, costCents: r.costCents,
                menuCostCents: p.dealerCost(r.product, store: r.store) ?? product?.dealerCost.cents, measurement: p.rules.measurement,
                horizon: p.contractHorizons.horizon(of: r.product, contract: r.contractDate, stored: r.horizon), from: p.from, to: p.to)
            let counted: String
            switch sale.counted {
            case .tooLate(let days, let limit): counted = "not counted: \(days) days after the contract (over \(limit))"
            case .afterEnd(let days, let end):
                counted = "not counted: \(days) days after the contract, after its last day measured (\(end))"
            case .outsideDates: counted = "not counted: the deal is outside these dates"
            case .counted: counted = "counted"
            }
            let sources = ["task": "task", "deal_import": "deal import", "contract": "after-sale contract"]
            return Page.Sale(
                deal: "\(r.dealNumber) (\(r.store))", product: product?.name ?? r.product, soldOn: r.soldOn.description,
                price: Money(cents: r.priceCents).formatted,
                cost: sale.costCents.map { Money(cents: $0).formatted + (sale.costFromMenu ? " (menu)" : "") } ?? "—",
                margin: sale.marginCents.map { Money(cents: $0).formatted } ?? "—", source: sources[r.source.rawValue] ?? r.source.rawValue,
                counted: counted)
        }
    }

    /// The verdict as a sentence; when too small, the counts and no figure.
    static func verdictWords(_ t: ReportFigures) -> String {
        switch t.verdict {
        case .tooSmall:
            return "Too small to conclude (n = \(t.treated.declines.grouped) treated and \(t.holdout.declines.grouped) held-out declines, "
                + "\(t.recovered) recoveries). It takes at least 30 declines and 5 expected recoveries "
                + "in each arm before the difference can be told from chance."
        case .recovered: return "Follow-up recovered margin the holdout did not: the whole 95% interval lies above zero."
        case .negative: return "Treated declines recovered less margin than the holdout: the whole 95% interval lies below zero."
        case .inconclusive: return "Inconclusive: the 95% interval of the incremental margin holds zero."
        }
    }

    static func tiles(_ t: ReportFigures) -> [Page.Tile] {
        var tiles = [
            Page.Tile(
                label: "Recovered margin, net", value: Money(cents: t.netCents).formatted,
                note: "\(Money(cents: t.grossCents).formatted) gross, "
                    + "\(Money(cents: t.chargebacksCents).formatted) charged back"),
            Page.Tile(
                label: "Net to the store", value: Money(cents: t.netToStoreCents).formatted,
                note: "after \(Money(cents: t.reserveCents).formatted) reserve for cancellations to come, "
                    + "\(Money(cents: t.commissionsCents).formatted) commissions, "
                    + "\(Money(cents: t.messageCostsCents).formatted) messages and tasks"),
        ]
        if t.verdict != .tooSmall, let m = t.incrementalMargin {
            tiles.append(
                .init(
                    label: "Incremental margin", value: ReportText.money(m.value),
                    note: "95% interval \(ReportText.money(m.low)) to \(ReportText.money(m.high))"))
        } else {
            tiles.append(.init(label: "Incremental margin", value: "Too small to conclude", note: "n = \(t.declines.grouped) declines"))
        }
        tiles.append(
            .init(
                label: "Recovery rate",
                value: "\(ReportText.percent(t.treated.recoveryRate)) vs \(ReportText.percent(t.holdout.recoveryRate))",
                note: "treated vs held out (\(t.treated.recovered.grouped) and \(t.holdout.recovered.grouped) recovered)"))
        tiles.append(.init(label: "Re-contact rate", value: ReportText.percent(t.recontactRate), note: "of treated declines"))
        tiles.append(.init(label: "Aged declines", value: t.aged.grouped, note: "older than 30 days with no touch yet"))
        return tiles
    }

    /// The offer pages' funnel, once a link has been sent.
    static func offerTiles(_ o: OfferFunnel?) -> [Page.Tile] {
        guard let o, o.linksSent > 0 else { return [] }
        return [
            .init(
                label: "Offer pages opened", value: "\(o.opened.grouped) of \(o.linksSent.grouped)",
                note: "links sent about \(o.declinesReached.grouped) declines; mail scanners open links too"),
            .init(
                label: "Asked to be called", value: (o.interested + o.callMe).grouped,
                note: "\"I'm interested\" \(o.interested.grouped), \"Call me\" \(o.callMe.grouped); \"Not now\" \(o.notNow.grouped)"),
        ]
    }

    func csv(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        let (p, _) = try parameters(request, user: user)
        let report = try await ctx.database.marginReport(p, now: ctx.clock.now())
        var out: String
        if p.by == .saleMonth {
            out = BooksFormats.csv(report)
        } else {
            out = CSVWriter.line(ReportFormats.summaryColumns) + CSVWriter.line(ReportFormats.summaryCells(report.total))
            for g in report.groups { out += CSVWriter.line(ReportFormats.summaryCells(g)) }
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"afterdesk-report-\(p.from)-\(p.to).csv\"",
            ], body: .init(byteBuffer: ByteBuffer(string: out)))
    }
}
