import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// `POST /tasks/{id}/text`: the task page's compose box. The text goes through the store's SMS number and the compliance
/// gate (opt-outs, the customer's contact hours, the caps), never through the salesperson's own phone, and the
/// customer's replies come back under the task's Messages.
extension TaskPagesController {
    /// The compose box between requests: the form's one-time value, what was written, a preset chosen, the result.
    struct TextState {
        var nonce: String? = nil
        var draft: String? = nil
        var preset: Int? = nil
        var error: String? = nil
        var note: String? = nil
    }

    struct TextForm: Decodable {
        var nonce: String?
        var body: String?
    }

    /// A one-time value for the compose form: the same form sent twice (a double click, a reload) sends one text.
    static func nonce() -> String { (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined() }

    func text(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        let id = try taskID(context)
        let fields = try await decodeForm(TextForm.self, request)
        let d = try await detail(id, user: user)
        func refuse(_ why: String) async throws -> Response {
            let state = TextState(nonce: fields.nonce, draft: fields.body, error: why)
            return try await pages.response(try page(id, user: user, error: nil, text: state), status: .unprocessableContent)
        }
        guard let nonce = fields.nonce, (8...64).contains(nonce.count), nonce.allSatisfy(\.isHexDigit) else {
            return try await refuse("The form was out of date: nothing was sent. Write the text again.")
        }
        guard d.maySMS, d.task.phone != nil else {
            return try await pages.response(
                try page(id, user: user, error: "This customer may not be texted: call instead."), status: .unprocessableContent)
        }
        // Signed with the person's name as the store knows it, when the task is theirs.
        let name =
            d.task.assigneeID != nil && d.task.assigneeID == user.principal.staffID
            ? d.task.assignee ?? user.principal.name : user.principal.name
        let result = try await ctx.dispatcher.staffText(
            taskID: id, written: fields.body ?? "", by: name, nonce: nonce, now: ctx.clock.now())
        switch result {
        case .sent, .queued:
            ctx.logger.info("staff text", metadata: ["user": "\(user.principal.name)", "task": "\(id)", "sent": "\(result == .sent)"])
            return seeOther(WebPaths.task(id) + "?texted=" + (result == .sent ? "sent" : "queued") + "#messages")
        case .refused(let why):
            ctx.logger.info("staff text refused", metadata: ["user": "\(user.principal.name)", "task": "\(id)"])
            return try await refuse(why)
        }
    }
}
