import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// The task API (docs/api.md), in the API's task group (a bearer token whose role has a task queue); a sales user sees
/// and changes only its own tasks. `/api/tasks` is the alias of `/api/v1/tasks`: both are added here.
struct TaskAPIController: Sendable {
    let ctx: ServerContext

    func addRoutes(to group: RouterGroup<APIContext>) {
        for prefix in ["/api", "/api/v1"] {
            group.get(RouterPath(prefix + "/tasks")) { request, context -> Response in
                try await list(request, user: context.principal)
            }
            group.post(RouterPath(prefix + "/tasks/{id}/done")) { request, context -> Response in
                try await done(request, context: context)
            }
        }
    }

    func list(_ request: Request, user: Principal) async throws -> Response {
        let assignee = request.uri.queryParameters["assignee"].map(String.init)
        let status = request.uri.queryParameters["status"].map(String.init) ?? "open"
        guard ["open", "done", "all"].contains(status) else {
            throw AppError(.badRequest, "status must be open, done or all")
        }
        let own = user.role.tasks == .own
        if own && user.staffID == nil { return try encoded([TaskRow]()) }  // "[]"
        let query = TaskQuery(
            assignee: own ? nil : assignee, status: TaskStatus(rawValue: status), store: user.store, assigneeID: own ? user.staffID : nil)
        let body = try await ctx.database.taskQueue(query, answers: ctx.taskAnswers, now: ctx.clock.now(), render: TaskJSON.encode)
        // Every poll of a queue: debug, not a line per request at info.
        ctx.logger.debug("api tasks listed", metadata: ["user": "\(user.name)"])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    struct Done: Decodable {
        var outcome: String
        var product: String?
        var price: String?
        var cost: String?
        var note: String?
    }

    func done(_ request: Request, context: APIContext) async throws -> Response {
        let user = context.principal
        guard let id = context.parameters.get("id", as: Int64.self) else {
            throw AppError(.badRequest, "bad task id")
        }
        // A task this person may not see does not exist for them.
        guard let owner = try await ctx.database.taskOwner(id: id), user.maySee(taskAssignedTo: owner.assigneeID, inStore: owner.store)
        else {
            throw AppError(.notFound, "no task \(id)")
        }
        let done: Done
        do { done = try await request.decode(as: Done.self, context: context) } catch {
            throw AppError(.badRequest, "the body must be JSON with an outcome")
        }
        guard let outcome = TaskOutcome(rawValue: done.outcome) else {
            throw AppError(.badRequest, "outcome must be one of \(TaskOutcome.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try await ctx.dispatcher.closeTask(
            id: id, outcome: outcome, product: done.product, price: try amount(done.price, "price"),
            cost: try amount(done.cost, "cost"), note: done.note, by: user.name, now: ctx.clock.now())
        ctx.logger.info("api task done", metadata: ["user": "\(user.name)", "task": "\(id)", "outcome": "\(outcome.rawValue)"])
        return json(["status": "done"])
    }

    private func amount(_ text: String?, _ field: String) throws -> Money? {
        try text.map { p throws -> Money in
            guard let m = Money(p) else { throw StoreError("\(field) '\(p)' is not an amount") }
            return m
        }
    }
}
