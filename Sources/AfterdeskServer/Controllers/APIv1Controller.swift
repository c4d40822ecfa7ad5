import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// `/api/v1` (docs/openapi.yaml): deals, their plans, imports, after-sale files, the report. A bearer token on every
/// request; roles as on the web pages; a person limited to one store sees only that store.
struct APIv1Controller: Sendable {
    let ctx: ServerContext
    /// The largest file an import takes.
    static let maxBody = 512 * 1024 * 1024

    /// Each operation in the group of its area (`Area`): deals, imports, figures; the tasks are `TaskAPIController`'s.
    func addRoutes(to groups: RouteGroups) {
        let deals = groups.api(.deals)
        deals.get("/api/v1/deals") { request, context -> Response in try await self.deals(request, context.principal) }
        deals.get("/api/v1/deals/{store}/{number}") { request, context -> Response in
            try await deal(request, context: context, explain: false)
        }
        deals.get("/api/v1/deals/{store}/{number}/plan") { request, context -> Response in
            try await deal(request, context: context, explain: true)
        }
        let imports = groups.api(.imports)
        imports.post("/api/v1/deals/import") { request, context -> Response in
            try await importFile(request, context: context, kind: .deals)
        }
        imports.post("/api/v1/contracts/import") { request, context -> Response in
            try await importFile(request, context: context, kind: .contracts)
        }
        imports.post("/api/v1/cancellations/import") { request, context -> Response in
            try await importFile(request, context: context, kind: .cancellations)
        }
        groups.api(.figures).get("/api/v1/report") { request, context -> Response in try await report(request, context.principal) }
    }

    static func query(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    static func date(_ request: Request, _ name: String) throws -> LocalDate? {
        guard let text = query(request, name) else { return nil }
        guard let d = LocalDate(text) else { throw StoreError("\(name) '\(text)' is not a date such as 2026-12-01") }
        return d
    }

    /// `GET /api/v1/deals?from&to&q&limit&cursor`: newest contract first; `next_cursor` is opaque, null on the last page.
    func deals(_ request: Request, _ p: Principal) async throws -> Response {
        let limit = Self.query(request, "limit").flatMap(Int.init) ?? 100
        guard (1...500).contains(limit) else { throw AppError(.badRequest, "limit is 1 to 500") }
        var offset = 0
        if let cursor = Self.query(request, "cursor") {
            guard let o = Self.offset(cursor) else {
                throw AppError(.badRequest, "cursor is not one this API gave")
            }
            offset = o
        }
        var filter = DealFilter(
            from: try Self.date(request, "from"), to: try Self.date(request, "to"), store: p.store, limit: limit + 1,
            search: Self.query(request, "q"))
        filter.offset = offset
        var rows = try await ctx.database.listDeals(filter)
        let more = rows.count > limit
        rows = Array(rows.prefix(limit))
        struct Page: Encodable {
            var deals: [DealListItem]
            var nextCursor: String?
            enum CodingKeys: String, CodingKey {
                case deals
                case nextCursor = "next_cursor"
            }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(deals, forKey: .deals)
                try c.encode(nextCursor, forKey: .nextCursor)  // null on the last page
            }
        }
        return try encoded(Page(deals: rows, nextCursor: more ? Self.cursor(offset + limit) : nil))
    }

    static func cursor(_ offset: Int) -> String { Data("o:\(offset)".utf8).base64EncodedString() }
    static func offset(_ cursor: String) -> Int? {
        guard cursor.count <= 40, let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("o:"),
            let n = Int(text.dropFirst(2)), n >= 0, n <= 100_000_000
        else { return nil }
        return n
    }

    /// `GET /api/v1/deals/{store}/{number}` (everything stored, contact data masked) and `…/plan` (the explain document).
    func deal(_ request: Request, context: APIContext, explain: Bool) async throws -> Response {
        let p = context.principal
        guard let store = context.parameters.get("store").flatMap({ $0.removingPercentEncoding }),
            let number = context.parameters.get("number").flatMap({ $0.removingPercentEncoding }), p.store == nil || p.store == store
        else { throw AppError(.notFound, "no such deal") }
        if !explain {
            guard let d = try await ctx.database.deal(number: number, store: store) else {
                throw AppError(.notFound, "no deal \(number) in store \(store)")
            }
            return try encoded(d)
        }
        let d = ctx.dispatcher
        guard let found = try await ctx.database.customerDeals(ofDeal: number, store: store),
            var e = Explain.explain(
                found, planner: d.planner, now: ctx.clock.now())
        else { throw AppError(.notFound, "no deal \(number) in store \(store)") }
        e.optOuts = try await ctx.database.optOutStatus(dealNumber: number, store: store)
        return try encoded(e)
    }

    /// `GET /api/v1/report?from&to&as_of&store&by`: the JSON of `afterdesk report --format json`.
    func report(_ request: Request, _ p: Principal) async throws -> Response {
        let menu = ctx.dispatcher.menu
        let today = LocalDate(ctx.clock.now(), in: menu.dealership.zone)
        let asOf = try Self.date(request, "as_of") ?? today
        let to = try Self.date(request, "to") ?? asOf
        let from = try Self.date(request, "from") ?? to.adding(years: -1)
        guard from <= to else { throw AppError(.badRequest, "from is after to") }
        var by: ReportGrouping?
        if let text = Self.query(request, "by") {
            guard let g = ReportGrouping(rawValue: text), g != .decline else {
                throw AppError(.badRequest, "by is product, month, staff or store")
            }
            by = g
        }
        let store = p.store ?? Self.query(request, "store")
        let report = try await ctx.database.marginReport(
            ReportParameters(asOf: asOf, from: from, to: to, store: store, by: by, menu: menu), now: ctx.clock.now())
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try ReportFormats.json(report))))
    }

}
