import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStore
import Foundation
import Hummingbird
import Logging

/// What the HTTP application works with.
public struct ServerContext: Sendable {
    public var dispatcher: Dispatcher
    public var clock: Clock
    public var logger: Logger
    public init(dispatcher: Dispatcher, clock: Clock, logger: Logger = Logger(label: "afterdesk")) {
        self.dispatcher = dispatcher; self.clock = clock; self.logger = logger
    }
    var database: AfterdeskDatabase { dispatcher.database }
    var settings: Settings { dispatcher.settings }
}

/// The one function that builds the HTTP application, for `serve`, the tests and the benchmarks.
public func buildApplication(_ context: ServerContext, host: String = "127.0.0.1", port: Int = 8080) -> some ApplicationProtocol {
    Application(router: buildRouter(context), configuration: .init(address: .hostname(host, port: port), serverName: "afterdesk"),
                logger: context.logger)
}

/// The routes (INTERFACES.md, HTTP routes others call), separately so tests can drive them.
public func buildRouter(_ ctx: ServerContext) -> Router<BasicRequestContext> {
    let router = Router()
    let inbound = InboundHandler(ctx)

    router.get("/health") { _, _ -> Response in
        do {
            _ = try ctx.database.outboxCounts()
            return json(["status": "ok"])
        } catch {
            return json(["status": "error"], status: .serviceUnavailable)
        }
    }

    router.get("/metrics") { _, _ -> Response in
        var text = "# HELP afterdesk_outbox_messages Messages in the outbox by status.\n# TYPE afterdesk_outbox_messages gauge\n"
        for (status, n) in (try ctx.database.outboxCounts()).sorted(by: { $0.key < $1.key }) {
            text += "afterdesk_outbox_messages{status=\"\(status)\"} \(n)\n"
        }
        let tasks = try ctx.database.taskCounts(now: ctx.clock.now())
        text += "# HELP afterdesk_open_tasks Open tasks.\n# TYPE afterdesk_open_tasks gauge\n"
        text += "afterdesk_open_tasks \(tasks.open)\n"
        text += "# HELP afterdesk_overdue_tasks Open tasks past their SLA.\n# TYPE afterdesk_overdue_tasks gauge\n"
        text += "afterdesk_overdue_tasks \(tasks.overdue)\n"
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    router.post("/webhooks/sms") { request, _ -> Response in
        try await inbound.message(request)
    }
    router.post("/webhooks/sms/status") { request, _ -> Response in
        try await inbound.status(request)
    }
    // A GET only shows a page with one button: mail scanners open every link in an email, and must not unsubscribe
    // anyone. The button, and RFC 8058 one-click (mail clients POST `List-Unsubscribe=One-Click` to the same URL), act.
    router.get("/unsubscribe") { request, _ -> Response in
        inbound.unsubscribePage(request)
    }
    router.post("/unsubscribe") { request, _ -> Response in
        try await inbound.unsubscribe(request)
    }

    // The task API (docs/api.md): a bearer token on every request; a sales user sees and changes only its own tasks.
    let auth = APIAuthentication(ctx: ctx)
    router.get("/api/tasks") { request, _ -> Response in
        guard let user = try auth.principal(request) else { return APIAuthentication.unauthorized() }
        guard user.role.tasks != .none else { return errorResponse("forbidden", "the \(user.role.rawValue) role has no task queue", status: .forbidden) }
        let assignee = request.uri.queryParameters["assignee"].map(String.init)
        let status = request.uri.queryParameters["status"].map(String.init) ?? "open"
        guard ["open", "done", "all"].contains(status) else {
            return errorResponse("bad_request", "status must be open, done or all", status: .badRequest)
        }
        let own = user.role.tasks == .own
        if own && user.staffID == nil { return try encoded([TaskRow]()) }
        let rows = try ctx.database.tasks(assignee: own ? nil : assignee, status: status == "all" ? nil : status, store: user.store,
                                          assigneeID: own ? user.staffID : nil, now: ctx.clock.now())
        ctx.logger.info("api tasks listed", metadata: ["user": "\(user.name)", "count": "\(rows.count)"])
        return try encoded(rows)
    }
    router.post("/api/tasks/{id}/done") { request, context -> Response in
        guard let user = try auth.principal(request) else { return APIAuthentication.unauthorized() }
        guard let id = context.parameters.get("id", as: Int64.self) else { return errorResponse("bad_request", "bad task id", status: .badRequest) }
        // A task this person may not see does not exist for them.
        guard let owner = try ctx.database.taskOwner(id: id), user.maySee(taskAssignedTo: owner.assigneeID, inStore: owner.store) else {
            return errorResponse("not_found", "no task \(id)", status: .notFound)
        }
        struct Done: Decodable { var outcome: String; var product: String?; var price: String?; var cost: String?; var note: String? }
        let done: Done
        do { done = try await request.decode(as: Done.self, context: context) } catch {
            return errorResponse("bad_request", "the body must be JSON with an outcome", status: .badRequest)
        }
        guard let outcome = TaskOutcome(rawValue: done.outcome) else {
            return errorResponse("bad_request", "outcome must be one of \(TaskOutcome.allCases.map(\.rawValue).joined(separator: ", "))", status: .badRequest)
        }
        do {
            let price = try done.price.map { p throws -> Money in
                guard let m = Money(p) else { throw WorkflowError("price '\(p)' is not an amount") }
                return m
            }
            let cost = try done.cost.map { p throws -> Money in
                guard let m = Money(p) else { throw WorkflowError("cost '\(p)' is not an amount") }
                return m
            }
            let customer = try ctx.database.completeTask(id: id, outcome: outcome, product: done.product, price: price, cost: cost,
                                                         note: done.note, now: ctx.clock.now())
            _ = try ctx.dispatcher.replan(customers: [customer], now: ctx.clock.now())
            ctx.logger.info("api task done", metadata: ["user": "\(user.name)", "task": "\(id)", "outcome": "\(outcome.rawValue)"])
            return json(["status": "done"])
        } catch let e as WorkflowError {
            return errorResponse("unprocessable", e.description, status: .unprocessableContent)
        }
    }
    return router
}

func json(_ object: [String: String], status: HTTPResponse.Status = .ok) -> Response {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

func encoded<T: Encodable>(_ value: T) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}

/// Parses `application/x-www-form-urlencoded` into ordered pairs (as signed by Twilio).
func formPairs(_ text: String) -> [(String, String)] {
    text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
        return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
    }
}

/// What customers and providers send back.
struct InboundHandler: Sendable {
    let ctx: ServerContext
    init(_ ctx: ServerContext) { self.ctx = ctx }

    /// Reads the form and checks Twilio's signature against the public URL of the route; nil when it fails.
    func verifiedForm(_ request: Request) async throws -> [(String, String)]? {
        let body = try await request.body.collect(upTo: 256 * 1024)
        let pairs = formPairs(String(buffer: body))
        guard let token = ctx.settings.smsAuthToken else { return nil }
        let signature = request.headers[.init("X-Twilio-Signature")!] ?? ""
        let url = ctx.settings.publicURL + request.uri.description
        return Signatures.verifyTwilio(signature: signature, url: url, parameters: pairs, authToken: token) ? pairs : nil
    }

    static func twiml(_ message: String?) -> Response {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>"
            + (message.map { "<Message>\(ADFLead.esc($0))</Message>" } ?? "") + "</Response>"
        return Response(status: .ok, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    func message(_ request: Request) async throws -> Response {
        guard let pairs = try await verifiedForm(request) else {
            ctx.logger.warning("refused an inbound SMS webhook with a bad signature")
            return Response(status: .forbidden)
        }
        let form = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        guard let from = form["From"], let sid = form["MessageSid"] ?? form["SmsSid"] else { return Response(status: .badRequest) }
        return Self.twiml(try ctx.dispatcher.receiveSMS(from: from, body: form["Body"] ?? "", providerID: sid, now: ctx.clock.now(), logger: ctx.logger))
    }

    func status(_ request: Request) async throws -> Response {
        guard let pairs = try await verifiedForm(request) else {
            ctx.logger.warning("refused an SMS status callback with a bad signature")
            return Response(status: .forbidden)
        }
        let form = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        guard let sid = form["MessageSid"] ?? form["SmsSid"], let status = form["MessageStatus"] ?? form["SmsStatus"] else {
            return Response(status: .badRequest)
        }
        let error = form["ErrorCode"].map { "provider error \($0)" }
        try ctx.database.recordDeliveryStatus(providerID: sid, status: status, error: error, now: ctx.clock.now())
        return Response(status: .noContent)
    }

    /// The customer id and token of an unsubscribe link, when the token is this database's signature for the customer.
    func verifiedUnsubscribe(_ pairs: [(String, String)]) -> (customer: Int64, token: String)? {
        let q = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        guard let c = q["c"].flatMap({ Int64($0) }), let token = q["t"],
              Signatures.verifyUnsubscribe(token: token, customerID: c, secret: ctx.dispatcher.signingSecret) else { return nil }
        return (c, token)
    }

    func invalidLink() -> Response {
        page("This unsubscribe link is not valid", "Please use the link from the most recent email, or reply to it and we will remove you.",
             status: .forbidden)
    }

    /// GET: changes nothing; shows one button that POSTs the same link.
    func unsubscribePage(_ request: Request) -> Response {
        let pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        guard let link = verifiedUnsubscribe(pairs) else { return invalidLink() }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let action = "/unsubscribe?c=\(link.customer)&t=\(link.token.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        let form = "<form method=\"post\" action=\"\(ADFLead.esc(action))\"><button type=\"submit\" style=\"font-size: 1.1em; padding: 0.6em 1.2em\">"
            + "Unsubscribe me</button></form>"
        return page("Unsubscribe from \(ctx.dispatcher.menu.dealership.name) emails?",
                    "Press the button to stop emails about your vehicle's protection products.", extraHTML: form)
    }

    /// POST: the button of the page, or RFC 8058 one-click from the mail client. The link's fields come in the query
    /// (one-click posts to the List-Unsubscribe URL itself) or in the form.
    func unsubscribe(_ request: Request) async throws -> Response {
        var pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        if verifiedUnsubscribe(pairs) == nil {
            let body = try await request.body.collect(upTo: 16 * 1024)
            pairs = formPairs(String(buffer: body))
        }
        guard let link = verifiedUnsubscribe(pairs) else { return invalidLink() }
        _ = try ctx.database.unsubscribeEmail(customerID: link.customer, source: "email unsubscribe link", now: ctx.clock.now())
        ctx.logger.info("email unsubscribe recorded", metadata: ["customer": "\(link.customer)"])
        return page("You are unsubscribed", "\(ctx.dispatcher.menu.dealership.name) will not email you about protection products again.")
    }

    func page(_ title: String, _ text: String, status: HTTPResponse.Status = .ok, extraHTML: String = "") -> Response {
        let html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
            + "<meta name=\"robots\" content=\"noindex\"><title>\(ADFLead.esc(title))</title></head>"
            + "<body style=\"font-family: Arial, sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em\"><h1>\(ADFLead.esc(title))</h1>"
            + "<p>\(ADFLead.esc(text))</p>\(extraHTML)<p>\(ADFLead.esc(ctx.dispatcher.address))</p></body></html>"
        return Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8",
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
            .init("X-Content-Type-Options")!: "nosniff", .init("Referrer-Policy")!: "no-referrer",
        ], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
