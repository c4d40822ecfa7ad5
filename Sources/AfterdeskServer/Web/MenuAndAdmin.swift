import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// `/menu`: the menu in force, as the planner reads it.
struct MenuPageController: Sendable {
    let ctx: ServerContext
    let pages: Pages

    struct Page: PageModel {
        static let template = "menu"
        struct Product: Sendable, Equatable {
            var code: String
            var name: String
            var kind: String
            var price: String
            var cost: String
            var window: String
            var anchor: String
            var touches: String
        }
        var layout: Layout
        var dealership: String
        var timeZone: String
        var holdoutPercent: Int
        var attributionDays: Int
        /// "a sale counts within 120 days of the contract", or the horizon's rule (`ReportText.measuredBy`).
        var measuredBy = ""
        var products: [Product]
        var source: String?
    }

    func addRoutes(to router: RouterGroup<PageContext>) {
        router.get(RouterPath(WebPaths.menu)) { _, context -> Response in
            let user = context.user
            let m = ctx.dispatcher.menu
            var model = Page(
                layout: .page("Menu", for: user, current: WebPaths.menu), dealership: m.dealership.name, timeZone: m.dealership.timeZone,
                holdoutPercent: m.holdoutPercent, attributionDays: m.attributionDays, products: m.products.map(Self.product),
                source: try await ctx.database.storedMenu().menu)
            let rule = ReportText.measuredBy(ReportParameters(asOf: .first, from: .first, to: .first, menu: m))
            model.measuredBy = rule.prefix(1).lowercased() + rule.dropFirst()
            return try pages.response(model)
        }
    }

    static func product(_ p: MenuProduct) -> Page.Product {
        var window: [String] = []
        if let d = p.eligibility.daysFromContract { window.append("\(d) days from the contract") }
        for c in p.eligibility.classes {
            var notes = [
                c.kind == .manufacturerNew ? "while the basic warranty lasts" : nil, c.limitsText, c.inspection ? "inspection" : nil,
            ]
            if let d = c.daysFromContract { notes.insert("\(d) days from the contract", at: 0) }
            window.append("\(c.name) (\(notes.compactMap { $0 }.joined(separator: ", ")))")
        }
        if let y = p.eligibility.maxVehicleAgeYears { window.append("vehicle under \(y) years") }
        if let o = p.eligibility.maxOdometer { window.append("under \(o.grouped) miles") }
        let touches = p.timing.touches.map { t -> String in
            let when: String
            switch t.offset {
            case .afterDelivery(let d): when = "\(d) days after delivery"
            case .beforeAnchor(let d): when = "\(d) days before"
            case .afterAnchor(let d): when = "\(d) days after"
            case .afterContract(let d): when = "\(d) days after the contract"
            case .percentOfExposure(let pct): when = "\(pct)% of the way to the end of GAP exposure"
            }
            return "\(t.name) (\(when), \(t.action == .task ? "task" : "message"))"
        }
        return Page.Product(
            code: p.code, name: p.name, kind: "\(p.kind)", price: p.retailPrice.formatted, cost: p.dealerCost.formatted,
            window: window.isEmpty ? "no limit" : window.joined(separator: ", "), anchor: p.timing.anchor.rawValue,
            touches: touches.joined(separator: "; "))
    }
}

/// `/admin/users`: users, roles, passwords and API tokens, for admins.
struct AdminController: Sendable {
    let ctx: ServerContext
    let pages: Pages
    var auth: WebAuth { WebAuth(ctx: ctx) }

    struct Page: PageModel {
        static let template = "admin"
        struct User: Sendable, Equatable {
            var id: Int64
            var name: String
            var role: String
            var staff: String
            var store: String
            var active: Bool
            var hasPassword: Bool
            var tokens: Int
        }
        struct Token: Sendable, Equatable {
            var id: Int64
            var user: String
            var label: String
            var created: String
            var expires: String
            var revoked: String?
        }
        struct Choice: Sendable, Equatable {
            var value: String
            var label: String
        }
        var layout: Layout
        var users: [User]
        var tokens: [Token]
        var roles: [Choice]
        var error: String?
        var newToken: String?
        /// What an empty store field gives a new user: the admin's stores, or every store of a one-store database.
        var storeDefault = "every store"
        /// The store's texting registration facts (settings), one line each.
        var registration: [String]
    }

    /// A store whose address is in Texas ("…, Austin, TX 78701"): its basis for texting under ch. 302 is on record.
    static func inTexas(_ address: String) -> Bool {
        address.range(of: #"(^|[\s,])(TX|Texas)([\s,.]|$)"#, options: .regularExpression) != nil
    }

    func addRoutes(to router: RouterGroup<PageContext>) {
        router.get(RouterPath(WebPaths.adminUsers)) { _, context -> Response in
            let user = context.user
            return try await pages.response(try page(user, error: nil, newToken: nil))
        }
        router.post(RouterPath(WebPaths.adminUsers)) { request, context -> Response in try await act(request, context: context) }
    }

    /// The page, with the users (and their tokens) this admin manages: every one for a group admin.
    func page(_ user: SignedIn, error: String?, newToken: String?) async throws -> Page {
        let users = try await ctx.database.users().filter(user.principal.mayManage)
        let names = Set(users.map(\.name))
        let known = try await ctx.database.stores().map(\.code)
        var model = Page(
            layout: .page("Users", for: user, current: WebPaths.adminUsers),
            users: users.map {
                .init(
                    id: $0.id, name: $0.name, role: $0.role.rawValue, staff: $0.staff ?? "", store: $0.storesText,
                    active: $0.active,
                    hasPassword: $0.hasPassword, tokens: $0.tokens)
            },
            tokens: try await ctx.database.tokens().filter { names.contains($0.user) }.map {
                .init(
                    id: $0.id, user: $0.user, label: $0.label + "…", created: Instant.iso8601($0.createdAt),
                    expires: $0.expiresAt.map(Instant.iso8601) ?? "never", revoked: $0.revokedAt.map(Instant.iso8601))
            }, roles: Role.allCases.map { .init(value: $0.rawValue, label: $0.label) }, error: error, newToken: newToken,
            registration: ctx.settings.registration.lines(texasStore: Self.inTexas(ctx.dispatcher.menu.dealership.address)))
        if let own = user.principal.stores {
            model.storeDefault = "your stores (\(own.joined(separator: ", ")))"
        } else if known.count > 1 {
            model.storeDefault = "refused: name the stores"
        }
        return model
    }

    /// The admin page's forms: `action` is add, role, password, disable, token or revoke, with the fields it needs.
    struct Form: Decodable {
        var action: String?
        var name: String?
        var role: String?
        var staff: String?
        var store: String?
        var password: String?
        var user: String?
        var days: String?
        var token: String?
    }

    func act(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        let f = try await decodeForm(Form.self, request)
        let fields: [String: String?] = [
            "action": f.action, "name": f.name, "role": f.role, "staff": f.staff, "store": f.store, "password": f.password, "user": f.user,
            "days": f.days, "token": f.token,
        ]
        func field(_ n: String) -> String? { present(fields[n] ?? nil) }
        let now = ctx.clock.now()
        do {
            var token: String?
            try await checkTarget(field("user"), token: field("token"), by: user.principal)
            switch field("action") {
            case "add":
                try await addUser(f, field, by: user.principal, now: now)
            case "password":
                let pw = f.password ?? ""
                try Passwords.check(pw, user: field("user") ?? "")
                // The user's other sessions end (a stolen session does not outlive a reset); the admin's own stays.
                try await ctx.database.setPassword(
                    name: field("user") ?? "", bcryptHash: await hash(pw), keepingSession: auth.sessionKey(request))
            case "role":
                guard let role = field("role").flatMap(Role.init(rawValue:)) else { throw StoreError("choose a role") }
                try await ctx.database.setRole(name: field("user") ?? "", role: role)
            case "disable":
                try await ctx.database.disableUser(name: field("user") ?? "", now: now)
            case "token":
                var rng = SystemRandomNumberGenerator()
                let t = APITokens.generate(using: &rng)
                let days = try Self.tokenDays(field("days"))
                _ = try await ctx.database.addToken(
                    user: field("user") ?? "", tokenHash: t.hash, label: t.label,
                    expiresAt: days.map { now.addingTimeInterval(Double($0) * 86_400) }, now: now)
                token = t.token
            case "revoke":
                guard let id = field("token").flatMap(Int64.init) else { throw StoreError("no token chosen") }
                try await ctx.database.revokeToken(id: id, now: now)
            default:
                throw StoreError("unknown action")
            }
            ctx.logger.info("admin change", metadata: ["user": "\(user.principal.name)", "action": "\(field("action") ?? "")"])
            if let token { return try await pages.response(try page(user, error: nil, newToken: token)) }
            return seeOther(WebPaths.adminUsers)
        } catch let e as StoreError where e.kind != .io && e.kind != .integrity {
            return try await pages.response(try page(user, error: e.message, newToken: nil), status: .unprocessableContent)
        }
    }

    /// The add-user form: every field checked (role, name, staff, the password's rules) before the one write that adds
    /// the user with its password, which refuses a name taken or a store or staff member unknown: a refused form adds
    /// nobody. A password typed is checked as typed (spaces only is refused, not taken for none).
    func addUser(_ f: Form, _ field: (String) -> String?, by admin: Principal, now: Date) async throws {
        guard let role = field("role").flatMap(Role.init(rawValue:)) else { throw StoreError("choose a role") }
        let stores = try admin.storesForNewUser(field("store"), role: role, known: try await ctx.database.stores().map(\.code))
        let newUser = try NewUser.checked(name: field("name") ?? "", role: role, staffCode: field("staff"), stores: stores)
        let password = f.password.flatMap { $0.isEmpty ? nil : $0 }
        if let password { try Passwords.check(password, user: newUser.name) }
        let bcrypt = if let password { await hash(password) } else { nil as String? }
        try await ctx.database.addUser(newUser, passwordHash: bcrypt, now: now)
    }

    /// The user (or the token's user) a form names, when this admin may not manage them: as if there were none. A
    /// group admin's forms go on to the storage, which says when there is none.
    func checkTarget(_ name: String?, token: String?, by admin: Principal) async throws {
        guard !admin.isGroup else { return }
        // The user as the action will find them: by the database's comparison of names (SQLite's NOCASE folds A-Z only).
        if let name {
            let found = try await ctx.database.user(named: name)
            guard let found, admin.mayManage(found) else { throw StoreError.notFound("no user named \(name)") }
        }
        if let id = token.flatMap(Int64.init) {
            let owner = try await ctx.database.tokens().first { $0.id == id }?.user
            let found = if let owner { try await ctx.database.user(named: owner) } else { nil as UserRow? }
            guard let found, admin.mayManage(found) else { throw StoreError.notFound("no token \(id)") }
        }
    }

    /// A token's lifetime in days (nil: empty, no expiry). An expiry that does not read as days is refused, never taken
    /// as "never expires".
    static func tokenDays(_ text: String?) throws -> Int? {
        try text.map {
            guard let n = Int($0.trimmingCharacters(in: .whitespaces)), (1...3650).contains(n) else {
                throw StoreError("a token's lifetime is a number of days from 1 to 3650, or empty for no expiry")
            }
            return n
        }
    }

    func hash(_ password: String) async -> String {
        await Task.detached(priority: .userInitiated) { Passwords.hash(password) }.value
    }
}
