import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// `/admin/opt-outs`: the opt-out ledger (who is stopped, on which channel, since when, by what), an address's whole
/// history, and the two forms that write to it: an admin's stop, and consent recorded with its evidence (the only
/// way, besides the customer's START, to restore a channel). Admins only; every entry names the signed-in user.
struct OptOutPagesController: Sendable {
    let ctx: ServerContext
    let pages: Pages

    struct Page: PageModel {
        static let template = "opt-outs"
        struct Entry: Sendable, Equatable {
            var address: String
            var channel: String
            var status: String
            var on: String
            var by: String
            var reference: String
        }
        var layout: Layout
        var entries: [Entry]
        var address: String?
        var history: [Entry]
        var today: String
        var error: String?
    }

    func addRoutes(to router: RouterGroup<PageContext>) {
        router.get(RouterPath(WebPaths.adminOptOuts)) { request, context -> Response in
            let user = context.user
            let address = present(request.uri.queryParameters.get("address"))
            do {
                return try await pages.response(try page(user, address: address, error: nil))
            } catch let e as StoreError where e.kind == .invalid {
                return try await pages.response(try page(user, address: nil, error: e.message), status: .unprocessableContent)
            }
        }
        router.post(RouterPath(WebPaths.adminOptOuts)) { request, context -> Response in try await act(request, context: context) }
    }

    func page(_ user: SignedIn, address: String?, error: String?) async throws -> Page {
        let zone = ctx.dispatcher.menu.dealership.zone
        func entry(_ e: OptOutEntry) -> Page.Entry {
            Page.Entry(
                address: e.address, channel: e.channel.rawValue, status: e.stop ? "stopped" : "restored", on: e.day(in: zone),
                by: e.byWhom, reference: e.reference ?? "")
        }
        let scope = user.principal
        var history: [Page.Entry] = []
        if let address {
            // An address no customer of an admin's stores holds does not exist for them.
            guard try await mayRead(address, scope) else { throw AppError(.notFound, "No opt-outs of that address in your stores.") }
            history = try await ctx.database.optOutHistory(address: address).map(entry)
        }
        var entries: [OptOutEntry] = []
        for e in try await ctx.database.optOutsInForce() where try await mayRead(e.address, scope) { entries.append(e) }
        return Page(
            layout: .page("Opt-outs", for: user, current: WebPaths.adminOptOuts),
            entries: entries.map(entry), address: address, history: history,
            today: LocalDate(ctx.clock.now(), in: zone).description, error: error)
    }

    /// The forms: `action` is `stop` (address, channel, reason) or `consent` (address, channel, evidence, date).
    struct Form: Decodable {
        var action: String?
        var address: String?
        var channel: String?
        var reason: String?
        var evidence: String?
        var date: String?
    }

    func act(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        let f = try await decodeForm(Form.self, request)
        let now = ctx.clock.now()
        let by = user.principal.name
        do {
            let channel = try present(f.channel).map {
                guard let c = ContactChannel(rawValue: $0) else { throw StoreError("choose sms, email or phone") }
                return c
            }
            let address = present(f.address) ?? ""
            try await checkScope(f.action, address, user.principal)
            switch f.action {
            case "stop":
                _ = try await ctx.database.addOptOut(
                    address: address, channel: channel, detail: present(f.reason) ?? "stop requested", by: by, now: now)
            case "consent":
                guard let channel else { throw StoreError("choose the channel the customer consented to") }
                guard let day = present(f.date).flatMap(LocalDate.init) else { throw StoreError("the consent's date is YYYY-MM-DD") }
                try await ctx.dispatcher.recordConsent(
                    address: address, channel: channel, evidence: f.evidence ?? "", date: day, by: by, now: now)
            default:
                throw StoreError("unknown action")
            }
            // Which user and what: never the address (customer contact data stays out of logs).
            ctx.logger.info("opt-out ledger change", metadata: ["user": "\(by)", "action": "\(f.action ?? "")"])
            return seeOther(WebPaths.adminOptOuts)
        } catch let e as StoreError where e.kind != .io && e.kind != .integrity {
            return try await pages.response(try page(user, address: nil, error: e.message), status: .unprocessableContent)
        }
    }

    /// The stores whose customers hold `address` (as typed: normalized first; none for one that is not an address). A
    /// customer's own entry (`customer:ID`, staff's "stop all contact") is that customer's store's.
    func storesHolding(_ address: String) async throws -> Set<String> {
        let customers: [Int64]
        if address.hasPrefix("customer:") {
            customers = Int64(address.dropFirst("customer:".count)).map { [$0] } ?? []
        } else if let normalized = ContactAddress.normalize(address) {
            customers = try await ctx.database.customers(holdingAddress: normalized)
        } else {
            return []
        }
        var stores: Set<String> = []
        for id in customers {
            if let store = try await ctx.database.storeOfCustomer(id: id) { stores.insert(store) }
        }
        return stores
    }

    /// Whether `admin` may read the ledger of `address`: a group admin every address, an admin of some stores those a
    /// customer of their stores holds.
    func mayRead(_ address: String, _ admin: Principal) async throws -> Bool {
        guard let own = admin.stores else { return true }
        return !(try await storesHolding(address)).isDisjoint(with: own)
    }

    /// An admin of some stores stops an address of their stores' customers (or of nobody yet: a stop only ever stops),
    /// and records consent only for an address no other store's customer holds, since consent lifts a stop for the
    /// whole group. A group admin does both for any address.
    func checkScope(_ action: String?, _ address: String, _ admin: Principal) async throws {
        guard let own = admin.stores else { return }
        let holders = try await storesHolding(address)
        switch action {
        case "stop":
            guard holders.isEmpty || !holders.isDisjoint(with: own) else {
                throw StoreError.notFound("no customer of your stores has that address")
            }
        case "consent":
            guard !holders.isEmpty else { throw StoreError.notFound("no customer of your stores has that address") }
            guard holders.isSubset(of: own) else {
                throw StoreError("that address is also another store's customer's: an admin of the whole group records this consent")
            }
        default: return
        }
    }
}
