import AfterdeskCore
import AfterdeskStorage
import Foundation
import Hummingbird

/// The F&I scorecard (`/scorecard`): `afterdesk scorecard`'s figures as tables, with the dates, store and grouping as
/// a GET form. In the figures area (finance director, F&I managers, admin; docs/security.md); a person tied to some
/// stores sees theirs only (pooled, or one of them).
struct ScorecardController: Sendable {
    let ctx: ServerContext
    let pages: Pages

    struct Page: PageModel {
        static let template = "scorecard"
        struct Choice: Sendable, Equatable {
            var value: String
            var label: String
            var selected: Bool
        }
        /// A group's deals and PVR.
        struct Group: Sendable, Equatable {
            var key: String
            var deals: String
            var pvrDesk: String
            var pvrWithRecoveries: String
        }
        /// A product of a group: sold at the desk, penetration, recovered, penetration with recoveries.
        struct Product: Sendable, Equatable {
            var key: String
            var product: String
            var soldDesk: String
            var penetrationDesk: String
            var recovered: String
            var penetrationWithRecoveries: String
        }
        var layout: Layout
        var from: String
        var to: String
        var asOf: String
        var store: String
        /// The store filter (empty: nothing to choose).
        var storeChoices: [StoreChoice] = []
        var hasStoreChoices = false
        var groupings: [Choice]
        var groupLabel: String
        var groups: [Group]
        var products: [Product]
        var hasDeals: Bool
    }

    func addRoutes(to router: RouterGroup<PageContext>) {
        router.get(RouterPath(WebPaths.scorecard)) { request, context -> Response in try await scorecard(request, context: context) }
    }

    /// The filters of a request, checked; a bad one is a 400 page naming it. Dates in the dealership's calendar: `to`
    /// defaults to today, `from` to a year before; recoveries are counted as of today.
    func parameters(_ request: Request, user: SignedIn) throws -> ScorecardParameters {
        let q = request.uri.queryParameters
        let menu = ctx.dispatcher.menu
        let f = try FigureFilters(q, user: user, today: LocalDate(ctx.clock.now(), in: menu.dealership.zone))
        let byText = q["by"].map(String.init) ?? ScorecardGrouping.fiManager.rawValue
        guard let by = ScorecardGrouping(rawValue: byText) else {
            throw AppError(.badRequest, "by must be fi_manager, product, month or store.")
        }
        var report = ReportParameters(asOf: f.today, from: f.from, to: f.to, store: f.store, menu: menu)
        report.stores = f.stores
        return ScorecardParameters(report: report, by: by)
    }

    func scorecard(_ request: Request, context: PageContext) async throws -> Response {
        let p = try parameters(request, user: context.user)
        let card = try await ctx.database.scorecard(p, now: ctx.clock.now())
        var model = Self.page(card, user: context.user, names: productNames)
        model.storeChoices = StoreChoice.options(
            for: context.user.principal, among: try await ctx.database.stores().map(\.code), selected: p.store)
        model.hasStoreChoices = !model.storeChoices.isEmpty
        return try pages.response(model)
    }

    var productNames: [String: String] {
        Dictionary(ctx.dispatcher.menu.products.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    static let groupings: [(ScorecardGrouping, String)] = [
        (.fiManager, "F&I manager"), (.product, "product"), (.month, "month"), (.store, "store"),
    ]

    /// The page of a scorecard: a table of the groups' deals and PVR, and one of their products, each ending with all
    /// deals.
    static func page(_ card: Scorecard, user: SignedIn, names: [String: String]) -> Page {
        let p = card.parameters
        let label = groupings.first { $0.0 == p.by }?.1 ?? p.by.rawValue
        func money(_ cents: Int64?) -> String { cents.map { Money(cents: $0).formatted } ?? "—" }
        func percent(_ part: Int, _ deals: Int) -> String { ScorecardFormats.percent(ScorecardFigures.share(part, deals)) }
        let all = card.groups.map { ($0.key, $0) } + [("All deals", card.total)]
        return Page(
            layout: .page("F&I scorecard", for: user, current: WebPaths.scorecard), from: p.from.description, to: p.to.description,
            asOf: p.asOf.description, store: p.store ?? "",
            groupings: groupings.map { .init(value: $0.0.rawValue, label: $0.1, selected: $0.0 == p.by) }, groupLabel: label,
            groups: all.map { key, g in
                .init(
                    key: key, deals: g.deals.grouped, pvrDesk: money(g.pvrDeskCents), pvrWithRecoveries: money(g.pvrWithRecoveriesCents))
            },
            products: all.flatMap { key, g in
                g.productList.map {
                    .init(
                        key: key, product: names[$0.code] ?? $0.code, soldDesk: $0.soldDesk.grouped,
                        penetrationDesk: percent($0.soldDesk, g.deals), recovered: $0.recovered.grouped,
                        penetrationWithRecoveries: percent($0.soldDesk + $0.recovered, g.deals))
                }
            },
            hasDeals: card.total.deals > 0)
    }
}
