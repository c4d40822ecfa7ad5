import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird
import Logging

/// The customer's offer page, `/o/{token}` (docs/offers.md). A GET only shows (mail scanners open every link) and
/// records the visit; a POST from one of its buttons acts. Every response is the dealership's page, never a staff
/// page, and says nothing beyond the first name, the vehicle and the last four characters of the VIN.
struct OfferController: Sendable {
    let ctx: ServerContext
    let pages: Pages
    /// The dispatcher of the link's store (its name, address, phone, hours and menu); the group's before a link is read.
    var dispatcher: Dispatcher

    init(ctx: ServerContext, pages: Pages) {
        self.ctx = ctx
        self.pages = pages
        dispatcher = ctx.dispatcher
    }

    /// This controller for a link of `store`: its pages are the store's, with its own settings as they are now.
    func of(_ store: String) async throws -> OfferController {
        var copy = self
        copy.dispatcher = try await ctx.dispatcher.withCurrentStoreSettings().inStore(store)
        return copy
    }

    /// The customer's pages: nothing from elsewhere, no script, no referrer, not indexed.
    static let csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get(RouterPath(WebPaths.offer)) { request, context -> Response in
            await guarded(request, context) { try await show(request, context) }
        }
        router.post(RouterPath(WebPaths.offer)) { request, context -> Response in
            await guarded(request, context) { try await press(request, context) }
        }
    }

    var menu: Menu { dispatcher.menu }
    var zone: TimeZone { menu.dealership.zone }

    /// The address a request comes from (`ServerContext.clientAddress`).
    func address(_ request: Request, _ context: AppRequestContext) -> String { ctx.clientAddress(request, context) }

    /// The rate limit per address, then the handler; any failure becomes the dealership's page, not a staff one.
    func guarded(_ request: Request, _ context: AppRequestContext, _ body: () async throws -> Response) async -> Response {
        let now = ctx.clock.now()
        let limit = ctx.offerLimits.perAddress.allow(address(request, context), now: now)
        var response: Response
        if !limit.allowed {
            response = goneResponse(
                heading: "Too many requests", message: "Please wait a minute and try again, or call us.", action: nil,
                status: .tooManyRequests)
            response.headers[.retryAfter] = "\(limit.retryAfter)"
        } else {
            do { response = try await body() } catch {
                ctx.logger.error("offer page failed", metadata: ["error": "\(error)"])
                response = goneResponse(
                    heading: "Something went wrong", message: "We could not show this page. Please call us.", action: nil,
                    status: .internalServerError)
            }
        }
        response.headers[.contentSecurityPolicy] = Self.csp
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.init("X-Robots-Tag")!] = "noindex, nofollow"
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The link the token names, or nil (a token not of the right form never reaches the store).
    func link(_ context: AppRequestContext) async throws -> (token: String, link: StoredOfferLink)? {
        guard let token = context.parameters.get("token"), OfferTokens.isWellFormed(token),
            let link = try await ctx.database.offerLink(tokenHash: OfferTokens.hash(token))
        else { return nil }
        return (token, link)
    }

    /// The link, or the page the customer sees instead: not valid for an unknown token, expired for a link whose row
    /// cannot be read (a stored timestamp that is not one): the customer is not shown an error for the store's
    /// problem, which is logged for the operator by where it is, never by its value or whose link it is.
    func linkOrPage(_ context: AppRequestContext) async throws -> Result<(token: String, link: StoredOfferLink), PageInstead> {
        do {
            guard let found = try await link(context) else { return .failure(PageInstead(response: unknownLink())) }
            return .success(found)
        } catch let e as StoreError where e.kind == .integrity {
            ctx.logger.error("offer link unreadable", metadata: ["where": "\(OfferController.place(of: e))"])
            return .failure(PageInstead(response: expiredLink()))
        }
    }

    /// Where an integrity problem is (`offer_links.expires_at`), without the value found there.
    static func place(of e: StoreError) -> String {
        let head = e.message.components(separatedBy: " holds ").first ?? ""
        return head.count < e.message.count && head.allSatisfy({ $0.isLetter || $0.isNumber || "._".contains($0) }) ? head : "unknown"
    }

    /// A response shown instead of the offer (a `Result`'s failure).
    struct PageInstead: Error { let response: Response }

    /// The press workflow of the offer page (`OfferPresses`, in AfterdeskWorkflows).
    var presses: OfferPresses { OfferPresses(dispatcher: dispatcher, clock: ctx.clock, zone: zone) }

    func show(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token: String
        let l: StoredOfferLink
        switch try await linkOrPage(context) {
        case .success(let found): (token, l) = found
        case .failure(let instead): return instead.response
        }
        return try await of(l.storeCode).show(l, token: token)
    }

    func show(_ l: StoredOfferLink, token: String) async throws -> Response {
        let now = ctx.clock.now()
        let s = presses.state(l, now: now)
        guard s.isLive else { return gone(l, state: s, token: token, done: nil) }
        try await ctx.database.recordOfferOpened(linkID: l.id, now: now)
        ctx.metrics.offer(.opened)
        return try await offerPage(l, token: token, done: nil)
    }

    func press(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token: String
        let l: StoredOfferLink
        switch try await linkOrPage(context) {
        case .success(let found): (token, l) = found
        case .failure(let instead): return instead.response
        }
        return try await of(l.storeCode).press(request, l, token: token)
    }

    func press(_ request: Request, _ l: StoredOfferLink, token: String) async throws -> Response {
        let body = try await request.body.collect(upTo: 4 * 1024)
        let form = Dictionary(formPairs(String(buffer: body)), uniquingKeysWith: { a, _ in a })
        guard let action = form["action"].flatMap(OfferAction.init(rawValue:)) else {
            return goneResponse(
                heading: "That did not work", message: "Please go back and press one of the buttons again.", action: nil,
                status: .badRequest)
        }
        // A button on another site cannot press one here (the token is the secret, but a browser tells us anyway). The
        // page's `no-referrer` policy makes browsers send `Origin: null` with its own forms: `Sec-Fetch-Site` decides then.
        guard CSRF.sameOrigin(request, publicURL: ctx.settings.publicURL, nullOrigin: true) else {
            return goneResponse(
                heading: "That did not work", message: "Please open the link from our message and press the button there.",
                action: nil, status: .forbidden)
        }
        let now = ctx.clock.now()
        // Counted in the database: every server counts a link's presses together (docs/operations.md).
        let limit = ctx.offerLimits.pressesPerLink
        let perLink = try await ctx.database.countHit("offer-press:\(l.id)", limit: limit.limit, window: limit.window, now: now)
        guard perLink.allowed else {
            var r = goneResponse(
                heading: "We have your request", message: "You have pressed this many times: we will be in touch. You can also call us.",
                action: nil, status: .tooManyRequests)
            r.headers[.retryAfter] = "\(perLink.retryAfter)"
            return r
        }
        let s = presses.state(l, now: now)
        switch OfferPressRules.step(isLive: s.isLive, action: action) {
        case .recordAndThank:
            _ = try await record(l, action: action, now: now)
            return gone(l, state: s, token: nil, done: "Thank you. We will be in touch with you about \(presses.productName(l)) soon.")
        case .gone:
            return gone(l, state: s, token: token, done: nil)
        case .showOffer:
            return try await offerPage(l, token: token, done: nil)
        case .recordAndShowOffer:
            let done = try await record(l, action: action, now: now)
            return try await offerPage(l, token: token, done: done)
        }
    }

    /// Records the press (`OfferPresses.record`), counts and logs it, and says what happens next.
    func record(_ l: StoredOfferLink, action: OfferAction, now: Date) async throws -> String {
        let recorded = try await presses.record(l, action: action, now: now)
        ctx.metrics.offer(OfferEventKind(action))
        ctx.logger.info(
            "offer button pressed",
            metadata: ["link": "\(l.id)", "action": "\(action.rawValue)", "task": "\(recorded.taskID.map(String.init) ?? "-")"])
        return recorded.answer
    }

    var head: OfferHead { OfferHead(dealership: menu.dealership) }

    func offerPage(_ l: StoredOfferLink, token: String, done: String?) async throws -> Response {
        let p = menu.product(l.product)
        let quote = try await presses.priceQuote(l, p)
        var h = head
        h.title = presses.productName(l)
        let model = OfferPage(
            head: h, done: done, firstName: l.firstName, productName: presses.productName(l),
            vehicle: "\(l.vehicleYear) \(l.vehicleMake) \(l.vehicleModel)", vinLast4: l.vinLast4,
            reason: l.reason.isEmpty ? nil : l.reason, coverage: p?.coverage, price: quote.text,
            priceLabel: quote.givenAtDesk ? "Your price" : "Price",
            priceNote: quote.givenAtDesk
                ? "the price quoted at the desk when you bought your vehicle"
                : quote.onInspection
                    ? "the provider prices a plan for your vehicle after an inspection"
                    : "the lowest price for your vehicle today: the plan and term you choose set the final price",
            until: l.eligibleUntil?.longDate, provider: p?.provider, showButtons: true, action: WebPaths.offer(token),
            hours: Self.hoursText(menu.dealership.hours), pauseDays: p?.pauseDays ?? 30,
            unsubscribeURL: l.channel == .email ? dispatcher.unsubscribeURL(customer: l.customerID) : nil, sms: l.channel == .sms,
            dealership: menu.dealership.name, address: dispatcher.address)
        return try pages.response(model)
    }

    func gone(_ l: StoredOfferLink, state: OfferLinkState, token: String?, done: String?) -> Response {
        let product = presses.productName(l)
        let (heading, message): (String, String)
        switch state {
        case .void(reason: "bought"):
            (heading, message) = ("You already have \(product)", "Thank you! Our records show it was added. Questions? Call us.")
        case .void(reason: "opted_out"):
            (heading, message) = (
                "This link no longer works", "You asked us to stop this kind of message, so we have. You can always call us."
            )
        case .expired:
            (heading, message) = (Self.expired.heading, Self.expired.message)
        default:
            (heading, message) = ("This offer is no longer available", "Call us if you have any questions.")
        }
        return goneResponse(heading: heading, message: message, action: token.map(WebPaths.offer), status: .gone, done: done)
    }

    static let expired = (
        heading: "This link has expired",
        message: "The offer on this page has ended. Call us to see what we can still do, or ask for a new link."
    )

    /// A link whose row cannot be read: as an expired one, without the form to press again.
    func expiredLink() -> Response {
        goneResponse(heading: Self.expired.heading, message: Self.expired.message, action: nil, status: .gone)
    }

    func unknownLink() -> Response {
        goneResponse(
            heading: "This link is not valid", message: "Please use the link from our most recent message, or call us.", action: nil,
            status: .notFound)
    }

    func goneResponse(heading: String, message: String, action: String?, status: HTTPResponse.Status, done: String? = nil) -> Response {
        var h = head
        h.title = heading
        let model = OfferGonePage(
            head: h, done: done, heading: heading, message: message, phone: h.phone, phoneDigits: h.phoneDigits, action: action,
            dealership: menu.dealership.name, address: dispatcher.address)
        do { return try pages.response(model, status: status) } catch {
            return Response(
                status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: heading)))
        }
    }

    static func hoursText(_ h: StoreHours) -> String {
        func hm(_ m: Int) -> String { String(format: "%d:%02d", m / 60, m % 60) }
        let open = (0...6).filter { !h.closedWeekdays.contains($0) }
        let days =
            open.count == 7
            ? "every day" : "closed " + Words.list(h.closedWeekdays.sorted().map { StoreHours.weekdayNames[$0].capitalized + "s" })
        return "\(hm(h.open))–\(hm(h.close)), \(days)"
    }
}

/// The top of every customer page: the dealership's name and phone.
struct OfferHead: Sendable, Equatable {
    var title = ""
    var dealership: String
    var phone: String?
    var phoneDigits: String?
    init(dealership d: Dealership) {
        dealership = d.name
        phone = d.phone.flatMap { $0.isEmpty ? nil : $0 }
        phoneDigits = phone.map { p in String(p.filter { $0.isNumber || $0 == "+" }) }
    }
}

struct OfferPage: PageModel {
    static let template = "offer"
    var layout: Layout { Layout(title: head.title) }
    var head: OfferHead
    var done: String?
    var firstName: String
    var productName: String
    var vehicle: String
    var vinLast4: String
    var reason: String?
    var coverage: String?
    /// The price that applies today: "$2,495.00" when the desk's quote still holds, else "from $1,895.00".
    var price: String
    var priceLabel: String
    var priceNote: String
    var until: String?
    var provider: String?
    var showButtons: Bool
    var action: String
    var hours: String
    var pauseDays: Int
    var unsubscribeURL: String?
    var sms: Bool
    var dealership: String
    var address: String
}

struct OfferGonePage: PageModel {
    static let template = "offer_gone"
    var layout: Layout { Layout(title: head.title) }
    var head: OfferHead
    var done: String?
    var heading: String
    var message: String
    var phone: String?
    var phoneDigits: String?
    var action: String?
    var dealership: String
    var address: String
}
