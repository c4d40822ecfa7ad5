import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// What customers and providers send back: inbound texts and delivery reports (signed by the provider), and
/// unsubscribe links.
struct InboundController: Sendable {
    let ctx: ServerContext
    let pages: Pages
    init(_ ctx: ServerContext, pages: Pages) {
        self.ctx = ctx
        self.pages = pages
    }

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.post("/webhooks/sms") { request, _ -> Response in try await message(request) }
        router.post("/webhooks/sms/status") { request, _ -> Response in try await status(request) }
        // A GET only shows a page with one button: mail scanners open every link in an email, and must not unsubscribe
        // anyone. The button, and RFC 8058 one-click (mail clients POST `List-Unsubscribe=One-Click` to the same URL), act.
        router.get("/unsubscribe") { request, _ -> Response in try await unsubscribePage(request) }
        router.post("/unsubscribe") { request, _ -> Response in try await unsubscribe(request) }
    }

    /// Reads the form and checks Twilio's signature against the public URL of the route; nil when it fails. The fields
    /// come without NUL characters.
    func verifiedForm(_ request: Request) async throws -> [(String, String)]? {
        let body = try await request.body.collect(upTo: 256 * 1024)
        let pairs = formPairs(String(buffer: body))
        guard let token = ctx.settings.smsAuthToken else { return nil }
        let signature = request.headers[.init("X-Twilio-Signature")!] ?? ""
        let url = ctx.settings.publicURL + request.uri.description
        guard Signatures.verifyTwilio(signature: signature, url: url, parameters: pairs, authToken: token) else { return nil }
        // Signed as sent; NUL characters (GSM-7's `@` is 0x00) dropped after: a customer's "STOP\0" still stops.
        return pairs.map { (NULCharacters.dropped($0.0), NULCharacters.dropped($0.1)) }
    }

    static func twiml(_ message: String?) -> Response {
        let xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>"
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
        let dispatcher = try await ctx.dispatcher.withCurrentStoreSettings().receivingAt(form["To"])
        return Self.twiml(
            try await dispatcher.receiveSMS(
                from: from, body: form["Body"] ?? "", providerID: sid, now: ctx.clock.now(), logger: ctx.logger))
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
        // Only a known status and a numeric code are kept (DeliveryReport): the rest of the text is the provider's.
        let report = DeliveryReport(status: status, errorCode: form["ErrorCode"])
        try await ctx.database.recordDeliveryStatus(providerID: sid, report: report, now: ctx.clock.now())
        return Response(status: .noContent)
    }

    /// The customer id and token of an unsubscribe link, when the token is this database's signature for the customer.
    func verifiedUnsubscribe(_ pairs: [(String, String)]) -> (customer: Int64, token: String)? {
        let q = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        guard let c = q["c"].flatMap({ Int64($0) }), let token = q["t"],
            Signatures.verifyUnsubscribe(token: token, customerID: c, secret: ctx.dispatcher.signingSecret)
        else { return nil }
        return (c, token)
    }

    func invalidLink() throws -> Response {
        try page(
            "This unsubscribe link is not valid", "Please use the link from the most recent email, or reply to it and we will remove you.",
            status: .forbidden)
    }

    /// The customer's store as their emails sign: its name and address (a group's stores: docs/settings.md).
    func store(of customer: Int64) async throws -> Dispatcher {
        guard let code = try await ctx.database.storeOfCustomer(id: customer) else { return ctx.dispatcher }
        return try await ctx.dispatcher.withCurrentStoreSettings().inStore(code)
    }

    /// GET: changes nothing; shows one button that POSTs the same link.
    func unsubscribePage(_ request: Request) async throws -> Response {
        let pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        guard let link = verifiedUnsubscribe(pairs) else { return try invalidLink() }
        let store = try await store(of: link.customer)
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let action = "/unsubscribe?c=\(link.customer)&t=\(link.token.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        return try page(
            "Unsubscribe from \(store.menu.dealership.name) emails?",
            "Press the button to stop emails about your vehicle's protection products.", action: action, store: store)
    }

    /// POST: the button of the page, or RFC 8058 one-click from the mail client. The link's fields come in the query
    /// (one-click posts to the List-Unsubscribe URL itself) or in the form.
    func unsubscribe(_ request: Request) async throws -> Response {
        var pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let form = formPairs(String(buffer: try await request.body.collect(upTo: 16 * 1024)))
        if verifiedUnsubscribe(pairs) == nil { pairs = form }
        guard let link = verifiedUnsubscribe(pairs) else { return try invalidLink() }
        // The page is the customer's store's; the unsubscribe never waits on it (the group's page if it cannot be read).
        let store = (try? await store(of: link.customer)) ?? ctx.dispatcher
        // RFC 8058: the mail client posts `List-Unsubscribe=One-Click`; the page's button posts nothing else.
        let oneClick = form.contains { $0.0 == "List-Unsubscribe" && $0.1 == "One-Click" }
        _ = try await ctx.database.unsubscribeEmail(
            customerID: link.customer, source: oneClick ? "one-click unsubscribe" : "email unsubscribe link", oneClick: oneClick,
            now: ctx.clock.now())
        ctx.logger.info("email unsubscribe recorded", metadata: ["customer": "\(link.customer)"])
        return try page(
            "You are unsubscribed", "\(store.menu.dealership.name) will not email you about protection products again.", store: store)
    }

    /// The page (`unsubscribe.mustache`): plain, for a customer, with its own security headers.
    func page(_ title: String, _ text: String, status: HTTPResponse.Status = .ok, action: String? = nil, store: Dispatcher? = nil) throws
        -> Response
    {
        let html = try pages.html(
            UnsubscribePage(layout: Layout(title: title), text: text, action: action, address: (store ?? ctx.dispatcher).address))
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
                .init("X-Content-Type-Options")!: "nosniff", .init("Referrer-Policy")!: "no-referrer",
            ], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
