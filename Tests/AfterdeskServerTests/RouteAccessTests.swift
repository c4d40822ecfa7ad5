import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskWorkflows
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskServer

/// Every route the router has, as each role and as a stranger, with the status docs/web.md, docs/api.md and
/// docs/security.md give: the table below is checked against the router's own list, so a route added without a row
/// here fails `theTableHasEveryRouteOfTheRouter`.
@Suite(.serialized, .talliedByBackend) struct RouteAccessTests {
    /// Who calls: nobody, or a user of each role (the fixture's vosei, fd, kliu, root), a second salesperson
    /// (sother), whose queue does not hold the fixture's task, and people of store north only (north1, nfd, nadmin:
    /// `GroupAccessTests.fixture`), for whom main's task, deal and settings do not exist.
    enum Caller: String, CaseIterable, Sendable {
        case stranger, sales, otherSales, director, fi, admin, storeDirector, storeFI, storeAdmin
        var user: String? {
            switch self {
            case .stranger: return nil
            case .sales: return "vosei"
            case .otherSales: return "sother"
            case .director: return "fd"
            case .fi: return "kliu"
            case .admin: return "root"
            case .storeDirector: return "nfd"
            case .storeFI: return "north1"
            case .storeAdmin: return "nadmin"
            }
        }
        /// A person of another store than main's, whose records the rows name.
        var ofNorth: Bool { [.storeDirector, .storeFI, .storeAdmin].contains(self) }
    }

    /// How a request is sent: a page's GET, a page's form (with the session's token, from this site), an upload, an
    /// API call (with the caller's token), or a public request (no credentials).
    enum Kind: Sendable { case page, form, upload, api, open }

    struct Row: Sendable {
        var method: HTTPRequest.Method
        /// The route as the router lists it.
        var route: String
        /// The address requested (`{task}` is the fixture's task).
        var uri: String
        var kind: Kind
        /// What the callers let in receive; everyone else signed in gets 403, a stranger is sent to sign in (pages)
        /// or 401 (API). For `.open` rows, what everyone receives.
        var ok: HTTPResponse.Status
        var allowed: Set<Caller> = []
        var body: String = ""
        /// What a salesperson receives for another's task (404: it does not exist for them). The API's `done` refuses the
        /// walk's empty body (400) before it looks for the task, which says nothing of the task either; with a good
        /// body another's task is 404 (`RouterTests.theTaskAPINeedsATokenAndScopesEachRole`).
        var notTheirs: HTTPResponse.Status? = nil
        /// What a person of store north only receives where the route names main's record (404: it does not exist for
        /// them); nil where the route names none.
        var otherStore: HTTPResponse.Status? = nil
    }

    static let staff: Set<Caller> = [.sales, .otherSales, .director, .fi, .admin, .storeDirector, .storeFI, .storeAdmin]
    static let tasks: Set<Caller> = [.sales, .otherSales, .fi, .admin, .storeFI, .storeAdmin]
    static let deals: Set<Caller> = [.director, .fi, .admin, .storeDirector, .storeFI, .storeAdmin]
    static let imports: Set<Caller> = [.fi, .admin, .storeFI, .storeAdmin]
    static let figures: Set<Caller> = [.director, .fi, .admin, .storeDirector, .storeFI, .storeAdmin]
    static let menu: Set<Caller> = [.fi, .admin, .storeFI, .storeAdmin]
    static let admin: Set<Caller> = [.admin, .storeAdmin]

    /// The documented answers. Forms are sent so that they change nothing (a refused field: 422), and a permitted
    /// caller's answer still proves the route ran past its group.
    static let rows: [Row] = [
        // Public (INTERFACES.md, "HTTP routes others call"; docs/security.md).
        Row(method: .get, route: "/health", uri: "/health", kind: .open, ok: .ok),
        Row(method: .get, route: "/metrics", uri: "/metrics", kind: .open, ok: .ok),
        Row(method: .post, route: "/webhooks/sms", uri: "/webhooks/sms", kind: .open, ok: .forbidden),
        Row(method: .post, route: "/webhooks/sms/status", uri: "/webhooks/sms/status", kind: .open, ok: .forbidden),
        Row(method: .get, route: "/unsubscribe", uri: "/unsubscribe?c=1&t=x", kind: .open, ok: .forbidden),
        Row(method: .post, route: "/unsubscribe", uri: "/unsubscribe?c=1&t=x", kind: .open, ok: .forbidden),
        Row(method: .get, route: "/o/{token}", uri: "/o/not-a-token", kind: .open, ok: .notFound),
        Row(method: .post, route: "/o/{token}", uri: "/o/not-a-token", kind: .open, ok: .notFound),
        Row(method: .get, route: "/static/app.css", uri: "/static/app.css", kind: .open, ok: .ok),
        // Signing in: the form for a stranger, the role's home for a person signed in; a POST without the form's own
        // cookie is refused as an expired form.
        Row(method: .get, route: "/login", uri: "/login", kind: .page, ok: .seeOther, allowed: staff),
        Row(method: .post, route: "/login", uri: "/login", kind: .open, ok: .forbidden),
        // Any signed-in person.
        Row(method: .get, route: "/", uri: "/", kind: .page, ok: .seeOther, allowed: staff),
        // Tasks.
        Row(method: .get, route: "/tasks", uri: "/tasks", kind: .page, ok: .ok, allowed: tasks),
        Row(
            method: .get, route: "/tasks/{id}", uri: "/tasks/{task}", kind: .page, ok: .ok, allowed: tasks, notTheirs: .notFound,
            otherStore: .notFound),
        Row(
            method: .post, route: "/tasks/{id}/outcome", uri: "/tasks/{task}/outcome", kind: .form, ok: .unprocessableContent,
            allowed: tasks, notTheirs: .notFound, otherStore: .notFound),
        Row(
            method: .post, route: "/tasks/{id}/reschedule", uri: "/tasks/{task}/reschedule", kind: .form, ok: .unprocessableContent,
            allowed: tasks, body: "when=someday", notTheirs: .notFound, otherStore: .notFound),
        Row(
            method: .post, route: "/tasks/{id}/text", uri: "/tasks/{task}/text", kind: .form, ok: .unprocessableContent, allowed: tasks,
            notTheirs: .notFound, otherStore: .notFound),
        // Deals.
        Row(method: .get, route: "/deals", uri: "/deals", kind: .page, ok: .ok, allowed: deals),
        Row(
            method: .get, route: "/deals/{store}/{number}", uri: "/deals/main/D-1", kind: .page, ok: .ok, allowed: deals,
            otherStore: .notFound),
        // Imports: there is no import 999 (a record nobody may see is 404).
        Row(method: .get, route: "/imports", uri: "/imports", kind: .page, ok: .ok, allowed: imports),
        Row(method: .post, route: "/imports", uri: "/imports", kind: .upload, ok: .badRequest, allowed: imports),
        Row(method: .get, route: "/imports/{id}", uri: "/imports/999", kind: .page, ok: .notFound, allowed: imports),
        Row(
            method: .get, route: "/imports/{id}/rejects.csv", uri: "/imports/999/rejects.csv", kind: .page, ok: .notFound, allowed: imports),
        // Figures, menu, admin.
        Row(method: .get, route: "/dashboard", uri: "/dashboard", kind: .page, ok: .ok, allowed: figures),
        Row(method: .get, route: "/dashboard.csv", uri: "/dashboard.csv", kind: .page, ok: .ok, allowed: figures),
        Row(method: .get, route: "/scorecard", uri: "/scorecard", kind: .page, ok: .ok, allowed: figures),
        Row(method: .get, route: "/menu", uri: "/menu", kind: .page, ok: .ok, allowed: menu),
        Row(method: .get, route: "/admin/users", uri: "/admin/users", kind: .page, ok: .ok, allowed: admin),
        Row(
            method: .post, route: "/admin/users", uri: "/admin/users", kind: .form, ok: .unprocessableContent, allowed: admin,
            body: "action=x"),
        Row(method: .get, route: "/admin/stores", uri: "/admin/stores", kind: .page, ok: .ok, allowed: admin),
        Row(
            method: .post, route: "/admin/stores", uri: "/admin/stores", kind: .form, ok: .unprocessableContent, allowed: admin,
            body: "store=nowhere&key=sms_from&value=%2B18135550100", otherStore: .notFound),
        Row(method: .get, route: "/admin/opt-outs", uri: "/admin/opt-outs", kind: .page, ok: .ok, allowed: admin),
        Row(
            method: .post, route: "/admin/opt-outs", uri: "/admin/opt-outs", kind: .form, ok: .unprocessableContent, allowed: admin,
            body: "action=x"),
        // The API (docs/openapi.yaml): a body that is refused (400) where a body is read, so nothing changes.
        Row(method: .get, route: "/api/tasks", uri: "/api/tasks", kind: .api, ok: .ok, allowed: tasks),
        Row(
            method: .post, route: "/api/tasks/{id}/done", uri: "/api/tasks/{task}/done", kind: .api, ok: .badRequest, allowed: tasks,
            notTheirs: .badRequest, otherStore: .badRequest),
        Row(method: .get, route: "/api/v1/tasks", uri: "/api/v1/tasks", kind: .api, ok: .ok, allowed: tasks),
        Row(
            method: .post, route: "/api/v1/tasks/{id}/done", uri: "/api/v1/tasks/{task}/done", kind: .api, ok: .badRequest, allowed: tasks,
            notTheirs: .badRequest, otherStore: .badRequest),
        Row(method: .get, route: "/api/v1/deals", uri: "/api/v1/deals", kind: .api, ok: .ok, allowed: deals),
        Row(
            method: .get, route: "/api/v1/deals/{store}/{number}", uri: "/api/v1/deals/main/D-1", kind: .api, ok: .ok, allowed: deals,
            otherStore: .notFound),
        Row(
            method: .get, route: "/api/v1/deals/{store}/{number}/plan", uri: "/api/v1/deals/main/D-1/plan", kind: .api, ok: .ok,
            allowed: deals, otherStore: .notFound),
        Row(
            method: .post, route: "/api/v1/deals/import", uri: "/api/v1/deals/import?profile=x", kind: .api, ok: .badRequest,
            allowed: imports),
        // These take no profile (docs/openapi.yaml): the body, "{}", is refused as a file without the columns (422).
        Row(
            method: .post, route: "/api/v1/contracts/import", uri: "/api/v1/contracts/import", kind: .api, ok: .unprocessableContent,
            allowed: imports),
        Row(
            method: .post, route: "/api/v1/cancellations/import", uri: "/api/v1/cancellations/import", kind: .api,
            ok: .unprocessableContent, allowed: imports),
        Row(method: .get, route: "/api/v1/report", uri: "/api/v1/report", kind: .api, ok: .ok, allowed: figures),
        // Signing out, last: it ends the caller's session.
        Row(method: .post, route: "/logout", uri: "/logout", kind: .form, ok: .seeOther, allowed: staff),
    ]

    @Test(arguments: TestBackend.all) func theTableHasEveryRouteOfTheRouter(backend: TestBackend) async throws {
        let f = try await GroupAccessTests.fixture(backend)
        let router = try buildRouter(f.context)
        let registered = router.routes.map { "\($0.method) \($0.path)" }
        let table = Self.rows.map { "\($0.method) \($0.route)" }
        #expect(
            Set(registered) == Set(table),
            "missing rows: \(Set(registered).subtracting(table).sorted()); stale rows: \(Set(table).subtracting(registered).sorted())")
        #expect(table.count == Set(table).count, "a route has two rows")
        #expect(registered.count == table.count)
    }

    @Test(arguments: Caller.allCases, TestBackend.all) func everyRouteAnswersAsDocumented(caller: Caller, backend: TestBackend) async throws
    {
        let f = try await GroupAccessTests.fixture(backend)
        let tokens = try await RouteAccessTests.tokens(f)
        try await f.app().test(.router) { client in
            var browser = TestBrowser()
            if let user = caller.user {
                try await browser.signIn(client, user)
                browser.csrf = try await RouteAccessTests.sessionToken(client, &browser)
            }
            for row in Self.rows {
                let uri = row.uri.replacingOccurrences(of: "{task}", with: "\(f.taskID)")
                let r = try await client.execute(
                    uri: uri, method: row.method, headers: Self.headers(row, caller, browser, tokens), body: Self.body(row, browser))
                let expected = Self.expected(row, caller)
                #expect(r.status == expected, "\(caller) \(row.method) \(uri): \(r.status.code), not \(expected.code)")
                Self.checkRefusal(r, row, caller, uri: uri)
            }
        }
    }

    /// Every form of a page group is refused before its route runs when its token is forged or it comes from another
    /// site, for a person the route would otherwise let in (the walk above sends good forms only).
    @Test(arguments: TestBackend.all) func everyFormRefusesAForgedTokenAndAnotherSite(backend: TestBackend) async throws {
        let f = try await GroupAccessTests.fixture(backend)
        let forms = Self.rows.filter { $0.kind == .form && $0.route != "/login" }
        #expect(forms.count >= 6)
        for row in forms {
            let caller = try #require(Caller.allCases.first(where: row.allowed.contains), "\(row.route)")
            try await f.app().test(.router) { client in
                var browser = TestBrowser()
                try await browser.signIn(client, try #require(caller.user))
                let token = try await RouteAccessTests.sessionToken(client, &browser)
                let uri = row.uri.replacingOccurrences(of: "{task}", with: "\(f.taskID)")
                let fields = Self.fields(row.body)
                let forged = try await client.execute(
                    uri: uri, method: row.method, headers: browser.formHeaders(), body: TestBrowser.form(fields + [("csrf", "forged")]))
                #expect(forged.status == .forbidden, "\(caller) \(uri) with a forged token: \(forged.status.code)")
                let crossSite = try await client.execute(
                    uri: uri, method: row.method, headers: browser.formHeaders(origin: "https://evil.example", site: "cross-site"),
                    body: TestBrowser.form(fields + [("csrf", token ?? "")]))
                #expect(crossSite.status == .forbidden, "\(caller) \(uri) from another site: \(crossSite.status.code)")
            }
        }
    }

    /// What the caller is documented to receive.
    static func expected(_ row: Row, _ caller: Caller) -> HTTPResponse.Status {
        switch row.kind {
        case .open: return row.ok
        case _ where row.route == "/login": return caller == .stranger ? .ok : row.ok
        case _ where caller == .otherSales && row.notTheirs != nil: return row.notTheirs ?? row.ok
        case _ where caller.ofNorth && row.allowed.contains(caller) && row.otherStore != nil: return row.otherStore ?? row.ok
        case .api: return caller == .stranger ? .unauthorized : row.allowed.contains(caller) ? row.ok : .forbidden
        case .page, .form, .upload: return caller == .stranger ? .seeOther : row.allowed.contains(caller) ? row.ok : .forbidden
        }
    }

    /// A refusal is said in its group's format: the API's JSON (401 naming the scheme), an HTML page, or the way to
    /// the sign-in page (back to the page asked for, except from `/` and signing out).
    static func checkRefusal(_ r: TestResponse, _ row: Row, _ caller: Caller, uri: String) {
        guard row.kind != .open, !row.allowed.contains(caller) || caller == .stranger, row.route != "/login" else { return }
        switch (row.kind, caller) {
        case (.api, .stranger):
            #expect(r.headers[.wwwAuthenticate] == "Bearer realm=\"afterdesk\"", "\(uri)")
            #expect(String(buffer: r.body).contains("\"unauthorized\""), "\(uri)")
        case (.api, _):
            #expect(r.headers[.contentType] == "application/json", "\(uri)")
            #expect(String(buffer: r.body).contains("\"forbidden\""), "\(uri)")
        case (_, .stranger):
            let back =
                ["/", "/logout"].contains(row.route)
                ? "/login" : "/login?next=" + (uri.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            #expect(r.headers[.location] == back, "\(uri)")
        default:
            #expect(r.headers[.contentType]?.hasPrefix("text/html") == true, "\(uri)")
            #expect(String(buffer: r.body).contains("Not allowed"), "\(uri)")
        }
    }

    static func headers(_ row: Row, _ caller: Caller, _ browser: TestBrowser, _ tokens: [Caller: String]) -> HTTPFields {
        switch row.kind {
        case .open: return HTTPFields()
        case .page: return browser.headers
        case .form: return browser.formHeaders()
        case .upload:
            var h = browser.headers
            h[.contentType] = "application/x-www-form-urlencoded"
            h[.secFetchSite] = "same-origin"
            return h
        case .api:
            var h = HTTPFields()
            if let token = tokens[caller] { h[.authorization] = "Bearer \(token)" }
            h[.contentType] = "application/json"
            return h
        }
    }

    static func body(_ row: Row, _ browser: TestBrowser) -> ByteBuffer? {
        switch row.kind {
        case .form: return TestBrowser.form(fields(row.body) + [("csrf", browser.csrf ?? "")])
        case .api where row.method == .post: return ByteBuffer(string: "{}")
        default: return nil
        }
    }

    /// A form row's fields: `a=1&b=2` (values as typed, already encoded).
    static func fields(_ body: String) -> [(String, String)] {
        body.split(separator: "&").compactMap { pair in
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return kv.count == 2 ? (kv[0], kv[1].removingPercentEncoding ?? kv[1]) : nil
        }
    }

    /// A token for every signed-in caller the fixture has (the store callers are `GroupAccessTests.fixture`'s).
    static func tokens(_ f: WebFixture) async throws -> [Caller: String] {
        var tokens: [Caller: String] = [:]
        let users = Set(try await f.s.db.users().map(\.name))
        for caller in Caller.allCases {
            guard let user = caller.user, users.contains(user) else { continue }
            var rng = SystemRandomNumberGenerator()
            let made = APITokens.generate(using: &rng)
            _ = try await f.s.db.addToken(user: user, tokenHash: made.hash, label: made.label, expiresAt: nil, now: Date())
            tokens[caller] = made.token
        }
        return tokens
    }

    /// The session's form token, read from the page every signed-in person may open (the error page of an unknown
    /// address carries the sign-out form).
    static func sessionToken(_ client: some TestClientProtocol, _ browser: inout TestBrowser) async throws -> String? {
        _ = try await browser.get(client, "/no-such-page")
        return browser.csrf
    }
}
