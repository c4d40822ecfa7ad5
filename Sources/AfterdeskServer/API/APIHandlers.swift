import AfterdeskAPI
import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import OpenAPIRuntime

/// `/api/v1` as docs/openapi.yaml describes it: the generated `APIProtocol`, whose requests the generated code has
/// parsed and whose answers it writes (docs/api.md, "How the API is made"). The routes are in the API's groups
/// (`APITransport`): the bearer token and the role were checked before a handler runs, and the person is
/// `RequestPrincipal.current`. A refusal is thrown as an `AppError`; the group answers it in the API's error shape.
/// The task queue's `GET` is not here: it stays hand-wired (`TaskAPIController`), for its speed.
struct APIHandlers: APIProtocol {
    let ctx: ServerContext

    /// The person the request acts for; none means the route was built outside an API group, the server's fault.
    var principal: Principal {
        get throws {
            guard let p = RequestPrincipal.current else { throw GroupWithoutAuthenticator() }
            return p
        }
    }

    // MARK: Tasks

    func completeTask(_ input: Operations.CompleteTask.Input) async throws -> Operations.CompleteTask.Output {
        guard case .json(let body) = input.body else { throw AppError(.badRequest, "the body must be JSON with an outcome") }
        try await done(id: input.path.id, body)
        return .ok(.init(body: .json(.init(status: "done"))))
    }

    func completeTaskAlias(_ input: Operations.CompleteTaskAlias.Input) async throws -> Operations.CompleteTaskAlias.Output {
        guard case .json(let body) = input.body else { throw AppError(.badRequest, "the body must be JSON with an outcome") }
        try await done(id: input.path.id, body)
        return .ok(.init(body: .json(.init(status: "done"))))
    }

    /// A task's outcome, recorded for the person asking; a task they may not see does not exist for them.
    private func done(id: Int64, _ body: Components.Schemas.Outcome) async throws {
        let user = try principal
        guard let owner = try await ctx.database.taskOwner(id: id), user.maySee(taskAssignedTo: owner.assigneeID, inStore: owner.store)
        else { throw AppError(.notFound, "no task \(id)") }
        let done = try APIMapping.outcome(body)
        try await ctx.dispatcher.closeTask(
            id: id, outcome: done.outcome, product: body.product, price: done.price, cost: done.cost, note: body.note, by: user.name,
            now: ctx.clock.now())
        ctx.logger.info("api task done", metadata: ["user": "\(user.name)", "task": "\(id)", "outcome": "\(done.outcome.rawValue)"])
    }

    // MARK: Deals

    /// Newest contract first; `next_cursor` is opaque, null on the last page.
    func listDeals(_ input: Operations.ListDeals.Input) async throws -> Operations.ListDeals.Output {
        let p = try principal
        let q = input.query
        let limit = q.limit ?? 100
        guard (1...500).contains(limit) else { throw AppError(.badRequest, "limit is 1 to 500") }
        var offset = 0
        if let cursor = q.cursor.nonEmpty {
            guard let o = APIMapping.offset(cursor) else { throw AppError(.badRequest, "cursor is not one this API gave") }
            offset = o
        }
        var filter = DealFilter(
            from: try APIMapping.date(q.from, "from"), to: try APIMapping.date(q.to, "to"), limit: limit + 1, search: q.q.nonEmpty)
        filter.stores = p.stores
        filter.offset = offset
        let rows = try await ctx.database.listDeals(filter)
        let page = Components.Schemas.DealPage(
            deals: rows.prefix(limit).map(APIMapping.deal),
            nextCursor: rows.count > limit ? APIMapping.cursor(offset + limit) : nil)
        return .ok(.init(body: .json(page)))
    }

    /// Everything stored about the deal, contact data masked.
    func getDeal(_ input: Operations.GetDeal.Input) async throws -> Operations.GetDeal.Output {
        let (store, number) = try visible(input.path.store, input.path.number)
        guard let d = try await ctx.database.deal(number: number, store: store) else {
            throw AppError(.notFound, "no deal \(number) in store \(store)")
        }
        return .ok(.init(body: .json(try APIMapping.document(d))))
    }

    /// The explain document: why each declined product is timed as it is.
    func getDealPlan(_ input: Operations.GetDealPlan.Input) async throws -> Operations.GetDealPlan.Output {
        let (store, number) = try visible(input.path.store, input.path.number)
        let d = ctx.dispatcher
        guard let found = try await ctx.database.customerDeals(ofDeal: number, store: store),
            var e = Explain.explain(found, planner: d.planner, now: ctx.clock.now())
        else { throw AppError(.notFound, "no deal \(number) in store \(store)") }
        e.optOuts = try await ctx.database.optOutStatus(dealNumber: number, store: store)
        return .ok(.init(body: .json(try APIMapping.document(e))))
    }

    /// A deal of another store than the person's own does not exist for them.
    private func visible(_ store: String, _ number: String) throws -> (String, String) {
        let p = try principal
        guard p.mayReach(store) else { throw AppError(.notFound, "no such deal") }
        return (store, number)
    }

    // MARK: Figures

    /// The JSON of `afterdesk report --format json`.
    func getReport(_ input: Operations.GetReport.Input) async throws -> Operations.GetReport.Output {
        let p = try principal
        let q = input.query
        let menu = ctx.dispatcher.menu
        let today = LocalDate(ctx.clock.now(), in: menu.dealership.zone)
        let asOf = try APIMapping.date(q.asOf, "as_of") ?? today
        let to = try APIMapping.date(q.to, "to") ?? asOf
        let from = try APIMapping.date(q.from, "from") ?? to.adding(years: -1)
        guard from <= to else { throw AppError(.badRequest, "from is after to") }
        let by = try q.by.map(APIMapping.grouping)
        let scope = try p.reportScope(asking: q.store.nonEmpty)
        var parameters = ReportParameters(asOf: asOf, from: from, to: to, store: scope.store, by: by, menu: menu)
        parameters.stores = scope.stores
        parameters.netToStore.messageCosts = ctx.settings.messageCosts
        let report = try await ctx.database.marginReport(parameters, now: ctx.clock.now())
        return .ok(.init(body: .json(try APIMapping.decoded(ReportFormats.json(report)))))
    }
}

extension Optional where Wrapped == String {
    /// An empty query value is no value (`?q=` is no search).
    var nonEmpty: String? { self.flatMap { $0.isEmpty ? nil : $0 } }
}
