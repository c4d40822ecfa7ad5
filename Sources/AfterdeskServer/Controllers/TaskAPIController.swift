import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// The task queue, `GET /api/v1/tasks` and its alias `GET /api/tasks` (docs/api.md), in the API's task group (a bearer
/// token whose role has a task queue); a sales user sees only its own tasks. The one API route wired by hand, for its
/// speed: it answers the cached bytes of `PolledAnswers` (docs/api.md, "How the API is made"). Recording a task's
/// outcome is the generated API's (`APIHandlers`).
struct TaskAPIController: Sendable {
    let ctx: ServerContext

    func addRoutes(to group: RouterGroup<APIContext>) {
        for prefix in ["/api", "/api/v1"] {
            group.get(RouterPath(prefix + "/tasks")) { request, context -> Response in try await list(request, user: context.principal) }
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
            assignee: own ? nil : assignee, status: TaskStatus(rawValue: status), assigneeID: own ? user.staffID : nil,
            stores: user.stores)
        let body = try await ctx.database.taskQueue(query, answers: ctx.taskAnswers, now: ctx.clock.now(), render: TaskJSON.encode)
        // Every poll of a queue: debug, not a line per request at info.
        ctx.logger.debug("api tasks listed", metadata: ["user": "\(user.name)"])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
