import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Passwords, sessions, headers and errors of the web pages (issue 23, items 10 and 11).
@Suite(.serialized, .talliedByBackend) struct WebHardeningTests {
    @Test func weakPasswordsAreRefused() throws {
        for (password, user) in [
            ("          ", "gpark"), ("password12", "gpark"), ("PASSWORD123", "gpark"), ("qwertyuiop", "gpark"),
            ("gpark-at-lakeside", "gpark"), ("my GPark password", "GPARK"), ("short", "gpark"),
            (String(repeating: "é", count: 40), "gpark"),
        ] {
            #expect(throws: StoreError.self, "\(password)") { try Passwords.check(password, user: user) }
        }
        // bcrypt stops at a NUL: NULs and other control characters are refused. Full-width forms are read as people
        // read them.
        for password in [String(repeating: "\0", count: 10), "abcdefgh12\0zzzzzz", "tab\tseparated words", "ｐａｓｓｗｏｒｄ１２"] {
            #expect(throws: StoreError.self, "\(password.debugDescription)") { try Passwords.check(password, user: "gpark") }
        }
        try Passwords.check("correct horse battery", user: "gpark")
        // A name of two letters is too short to be looked for: "fi" is in many good passwords.
        try Passwords.check("final answer 42", user: "fi")
    }

    /// A hash set from NULs before they were refused must not let a NUL, or nothing, sign in.
    @Test func aPasswordWithANULNeverMatches() async throws {
        let nuls = Passwords.hash(String(repeating: "\0", count: 10), cost: 4)
        #expect(await !Passwords.verify("\0", hash: nuls))
        #expect(await !Passwords.verify("", hash: nuls))
        let cut = Passwords.hash("abcdefgh12\0zzzzzz", cost: 4)
        #expect(await !Passwords.verify("abcdefgh12\0other", hash: cut))
        #expect(await Passwords.verify("correct horse battery", hash: Passwords.hash("correct horse battery", cost: 4)))
    }

    /// Forms over their 64 KiB are 413 with a page, not 500; a user added with a password of spaces is refused.
    @Test(arguments: TestBackend.all) func anOversizedFormIs413AndABlankPasswordIsNotTakenForNone(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            let huge = try await b.signIn(client, String(repeating: "x", count: 100_000), "guess")
            #expect(huge.status == .contentTooLarge)
            #expect(huge.headers[.contentType]?.hasPrefix("text/html") == true)
            var admin = TestBrowser()
            try await admin.signIn(client, "root")
            _ = try await admin.get(client, "/admin/users")
            let blank = try await admin.post(
                client, "/admin/users", [("action", "add"), ("name", "gpark"), ("role", "fi_manager"), ("password", "          ")])
            #expect(blank.status == .unprocessableContent)
        }
        // The refused form added nobody.
        #expect(try await f.s.rows("SELECT COUNT(*) FROM users WHERE name = 'gpark'")[0][0] as Int == 0)
    }

    /// An unknown path under `/api` or `/webhooks` is Hummingbird's own 404: it carries the headers too.
    @Test(arguments: TestBackend.all) func anUnknownAPIPathCarriesTheSecurityHeaders(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            for path in ["/api/v1/nope", "/webhooks/nope", "/api/nope"] {
                let r = try await client.execute(uri: path, method: .get)
                #expect(r.status == .notFound, "\(path)")
                #expect(r.headers[.cacheControl] == "no-store" && r.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                #expect(r.headers[.contentSecurityPolicy] != nil, "\(path)")
            }
        }
    }

    @Test(arguments: TestBackend.all) func thePasswordFormOfTheAdminPageRefusesCommonPasswords(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var admin = TestBrowser()
            try await admin.signIn(client, "root")
            _ = try await admin.get(client, "/admin/users")
            let r = try await admin.post(client, "/admin/users", [("action", "password"), ("user", "vosei"), ("password", "password12")])
            #expect(r.status == .unprocessableContent)
            #expect(String(buffer: r.body).contains("common passwords"))
            // The old password still works.
            var vosei = TestBrowser()
            #expect(try await vosei.signIn(client, "vosei").status == .seeOther)
        }
    }

    /// A reset password ends the user's sessions elsewhere (a stolen cookie dies with it); the admin's own stays.
    @Test(arguments: TestBackend.all) func aPasswordResetEndsTheUsersOtherSessions(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var vosei = TestBrowser()
            try await vosei.signIn(client, "vosei")
            var kliu = TestBrowser()
            try await kliu.signIn(client, "kliu")
            #expect(try await vosei.get(client, "/tasks").status == .ok)
            var admin = TestBrowser()
            try await admin.signIn(client, "root")
            _ = try await admin.get(client, "/admin/users")
            let reset = try await admin.post(
                client, "/admin/users", [("action", "password"), ("user", "vosei"), ("password", "a new long passphrase")])
            #expect(reset.status == .seeOther)
            #expect(try await vosei.get(client, "/tasks").status == .seeOther)
            #expect(try await kliu.get(client, "/deals").status == .ok)
            // The admin's own password: their other session ends, this one goes on.
            var otherAdmin = TestBrowser()
            try await otherAdmin.signIn(client, "root")
            _ = try await admin.get(client, "/admin/users")
            let own = try await admin.post(
                client, "/admin/users", [("action", "password"), ("user", "root"), ("password", "another long passphrase")])
            #expect(own.status == .seeOther)
            #expect(try await admin.get(client, "/admin/users").status == .ok)
            #expect(try await otherAdmin.get(client, "/admin/users").status == .seeOther)
        }
    }

    @Test(arguments: TestBackend.all) func aTokenLifetimeThatIsNotANumberIsRefused(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var admin = TestBrowser()
            try await admin.signIn(client, "root")
            for days in ["abc", "0", "-5", "99999", "1e3"] {
                _ = try await admin.get(client, "/admin/users")
                let r = try await admin.post(client, "/admin/users", [("action", "token"), ("user", "kliu"), ("days", days)])
                #expect(r.status == .unprocessableContent, "\(days)")
            }
            _ = try await admin.get(client, "/admin/users")
            #expect(try await admin.post(client, "/admin/users", [("action", "token"), ("user", "kliu"), ("days", "30")]).status == .ok)
        }
        let tokens = try await f.s.rows("SELECT expires_at FROM api_tokens")
        #expect(tokens.count == 1)
        #expect((tokens.first?[0] as String?) != nil)
    }

    @Test(arguments: TestBackend.all) func responsesAreNotCachedAndHTTPSIsStrict(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.signIn(client, "fd")
            for path in ["/dashboard", "/dashboard.csv", "/login"] {
                let r = try await client.execute(uri: path, method: .get, headers: b.headers)
                #expect(r.headers[.cacheControl] == "no-store", "\(path)")
                #expect(r.headers[.strictTransportSecurity] == "max-age=31536000", "\(path)")
            }
            let api = try await client.execute(uri: "/api/tasks", method: .get)
            #expect(api.headers[.cacheControl] == "no-store")
            let css = try await client.execute(uri: "/static/app.css", method: .get)
            #expect(css.headers[.cacheControl] == "public, max-age=3600")
        }
    }

    /// The sign-in form's own cookie is set on `/login`; it must be expired on the same path or the browser keeps it.
    @Test(arguments: TestBackend.all) func theSignInFormsCookieIsExpiredOnItsPath(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            let r = try await b.signIn(client, "kliu")
            let expiry = r.headers[values: .setCookie].first { $0.hasPrefix(WebAuth.loginCSRFCookie + "=") }
            #expect(expiry?.contains("Path=/login") == true, "\(expiry ?? "none")")
        }
    }

    /// A store error on a web page is a page, not the API's JSON; on the API it stays JSON. The route's group decides,
    /// not its path: a page group's route under `/api/` still answers a page, and a JSON group's elsewhere JSON.
    @Test(arguments: TestBackend.all) func pagesGetHTMLErrorsAndTheAPIJSON(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        let router = try buildRouter(f.context)
        let groups = RouteGroups(router: router, ctx: f.context, pages: try Pages.load())
        for (group, path) in [(groups.publicPages(), "/deals/test-conflict"), (groups.publicPages(), "/api/v1/test-page")] {
            group.get(RouterPath(path)) { _, _ -> Response in throw StoreError.conflict("task 1 is already done") }
        }
        for (group, path) in [(groups.publicJSON(), "/api/v1/test-conflict"), (groups.publicJSON(), "/deals/test-json")] {
            group.get(RouterPath(path)) { _, _ -> Response in throw StoreError.conflict("task 1 is already done") }
        }
        try await Application(router: router).test(.router) { client in
            for path in ["/deals/test-conflict", "/api/v1/test-page"] {
                let page = try await client.execute(uri: path, method: .get)
                #expect(page.status == .unprocessableContent)
                #expect(page.headers[.contentType]?.hasPrefix("text/html") == true, "\(path)")
                #expect(String(buffer: page.body).contains("task 1 is already done"))
            }
            for path in ["/api/v1/test-conflict", "/deals/test-json"] {
                let api = try await client.execute(uri: path, method: .get)
                #expect(api.status == .unprocessableContent)
                #expect(api.headers[.contentType]?.hasPrefix("application/json") == true, "\(path)")
                #expect(String(buffer: api.body).contains("\"unprocessable\""))
            }
        }
    }
}
