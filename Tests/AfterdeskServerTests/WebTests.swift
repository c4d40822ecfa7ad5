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

/// The web pages through the router: signing in, roles on every route, CSRF, lock-out, sessions, headers.
@Suite(.serialized, .talliedByBackend) struct WebTests {
    @Test(arguments: TestBackend.all) func eachRoleSignsInToItsHome(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            for (user, home) in [("vosei", "/tasks"), ("kliu", "/deals"), ("fd", "/dashboard"), ("root", "/admin/users")] {
                var b = TestBrowser()
                let r = try await b.signIn(client, user)
                #expect(r.status == .seeOther, "\(user)")
                #expect(r.headers[.location] == home, "\(user)")
                #expect(b.cookies[WebAuth.cookieName] != nil)
                let root = try await b.get(client, "/")
                #expect(root.headers[.location] == home)
                #expect(try await b.get(client, home).status == .ok, "\(user) at \(home)")
            }
        }
        // Logged: who signed in; never the password.
        #expect(f.log.text.contains("signed in"))
        #expect(!f.log.text.contains(WebFixture.password))
    }

    @Test(arguments: TestBackend.all) func nobodySignedInIsSentToTheSignInPage(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            for path in [
                "/", "/tasks", "/tasks/\(f.taskID)", "/deals", "/deals/main/D-1", "/imports", "/dashboard", "/dashboard.csv", "/menu",
                "/admin/users",
            ] {
                try await client.execute(uri: path, method: .get) { r in
                    #expect(r.status == .seeOther, "\(path)")
                    #expect(r.headers[.location]?.hasPrefix("/login") == true, "\(path)")
                    #expect(!String(buffer: r.body).contains("Ana"))
                }
            }
            // A form posted without a session changes nothing and asks to sign in.
            try await client.execute(
                uri: "/tasks/\(f.taskID)/outcome", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: TestBrowser.form([("outcome", "stop_contacting")])
            ) { r in #expect(r.headers[.location]?.hasPrefix("/login") == true) }
        }
        #expect(try await f.s.rows("SELECT status FROM tasks WHERE id = ?", [f.taskID])[0][0] as String == "open")
    }

    /// 403 for a page outside the role, 200 inside it: every page, every role.
    @Test(arguments: TestBackend.all) func rolesAreCheckedOnEveryPage(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        let pages = [
            "/tasks", "/tasks/\(f.taskID)", "/deals", "/deals/main/D-1", "/imports", "/dashboard", "/dashboard.csv", "/menu",
            "/admin/users",
        ]
        let allowed: [String: Set<String>] = [
            "vosei": ["/tasks", "/tasks/\(f.taskID)"],
            "kliu": ["/tasks", "/tasks/\(f.taskID)", "/deals", "/deals/main/D-1", "/imports", "/dashboard", "/dashboard.csv", "/menu"],
            "fd": ["/deals", "/deals/main/D-1", "/dashboard", "/dashboard.csv"],
            "root": Set(pages),
        ]
        try await f.app().test(.router) { client in
            for (user, ok) in allowed {
                var b = TestBrowser()
                try await b.signIn(client, user)
                for page in pages {
                    let r = try await b.get(client, page)
                    #expect(r.status == (ok.contains(page) ? .ok : .forbidden), "\(user) \(page): \(r.status)")
                }
            }
        }
    }

    @Test(arguments: TestBackend.all) func aSalesUserGets404ForAnotherPersonsTask(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var sam = TestBrowser()
            try await sam.signIn(client, "sother")
            let queue = try await sam.get(client, "/tasks")
            #expect(!String(buffer: queue.body).contains("Ana Ruiz"))
            #expect(try await sam.get(client, "/tasks/\(f.taskID)").status == .notFound)
            #expect(try await sam.get(client, "/tasks/999999").status == .notFound)
            let post = try await sam.post(client, "/tasks/\(f.taskID)/outcome", [("outcome", "stop_contacting")])
            #expect(post.status == .notFound)
            // Victor sees his own, with one-tap links; Ana gave no consent to texts, so no text link.
            var victor = TestBrowser()
            try await victor.signIn(client, "vosei")
            let own = try await victor.get(client, "/tasks")
            #expect(String(buffer: own.body).contains("Ana Ruiz"))
            let task = String(buffer: try await victor.get(client, "/tasks/\(f.taskID)").body)
            #expect(task.contains("href=\"tel:+15125550123\""))
            #expect(!task.contains("href=\"sms:"))
            #expect(task.contains("quoted $3,500.00"))
        }
        #expect(try await f.s.rows("SELECT status FROM tasks WHERE id = ?", [f.taskID])[0][0] as String == "open")
    }

    @Test(arguments: TestBackend.all) func aSaleRecordedOnThePageIsARecovery(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.signIn(client, "vosei")
            _ = try await b.get(client, "/tasks/\(f.taskID)")
            let bad = try await b.post(client, "/tasks/\(f.taskID)/outcome", [("outcome", "sold"), ("price", "lots")])
            #expect(bad.status == .unprocessableContent)
            #expect(
                String(buffer: bad.body).contains("the price &#39;lots&#39; is not an amount")
                    || String(buffer: bad.body).contains("is not an amount"))
            let r = try await b.post(
                client, "/tasks/\(f.taskID)/outcome", [("outcome", "sold"), ("price", "3,400.00"), ("cost", "$1,000")])
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/tasks?recorded=sold")
            let queue = try await b.get(client, "/tasks?recorded=sold")
            #expect(String(buffer: queue.body).contains("Recorded: sold."))
        }
        let sale = try await f.s.rows("SELECT source, price_cents, cost_cents FROM recoveries")
        #expect(sale.count == 1)
        #expect(sale.first?[0] as String? == "task")
        #expect(sale.first?[1] as Int64? == 340_000)
        #expect(sale.first?[2] as Int64? == 100_000)
    }

    @Test(arguments: TestBackend.all) func aFormWithoutItsTokenOrFromAnotherSiteIsRefused(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.signIn(client, "vosei")
            _ = try await b.get(client, "/tasks/\(f.taskID)")
            let uri = "/tasks/\(f.taskID)/outcome"
            #expect(try await b.post(client, uri, [("outcome", "stop_contacting")], csrf: "forged").status == .forbidden)
            #expect(try await b.post(client, uri, [("outcome", "stop_contacting")], origin: "https://evil.example").status == .forbidden)
            #expect(try await b.post(client, uri, [("outcome", "stop_contacting")], site: "cross-site").status == .forbidden)
            #expect(try await b.post(client, "/tasks/\(f.taskID)/reschedule", [("when", "tomorrow")], csrf: "").status == .forbidden)
            #expect(try await b.post(client, "/logout", [], csrf: "forged").status == .forbidden)
            // The sign-in form's own token: missing (no cookie) is refused too.
            try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: TestBrowser.form([("username", "vosei"), ("password", WebFixture.password), ("csrf", "x")])
            ) { r in
                #expect(r.status == .forbidden)
                #expect(r.headers[.setCookie]?.contains(WebAuth.cookieName) != true)
            }
            // The same form with its token, from this site, works.
            #expect(
                try await b.post(client, uri, [("outcome", "no_answer")], origin: "https://afterdesk.lakeside.example").status == .seeOther)
        }
        #expect(try await f.s.rows("SELECT outcome FROM tasks WHERE id = ?", [f.taskID])[0][0] as String == "no_answer")
        #expect(
            try await f.s.rows("SELECT contact_stopped_at IS NULL FROM customers WHERE id = ?", [try await f.s.customer("D-3")])[0][0]
                as Bool)
    }

    @Test(arguments: TestBackend.all) func fiveFailuresLockAUserOutForFifteenMinutes(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            for _ in 0..<5 { #expect(try await b.signIn(client, "vosei", "wrong password!").status == .unauthorized) }
            // Locked: even the right password is refused, and says so.
            let locked = try await b.signIn(client, "vosei")
            #expect(locked.status == .tooManyRequests)
            #expect(String(buffer: locked.body).contains("Too many failed sign-ins"))
            f.clock.advance(14 * 60)
            #expect(try await b.signIn(client, "vosei").status == .tooManyRequests)
            f.clock.advance(61)
            #expect(try await b.signIn(client, "vosei").status == .seeOther)
            // Another user was never locked.
            var other = TestBrowser()
            #expect(try await other.signIn(client, "kliu").status == .seeOther)
        }
        #expect(f.log.text.contains("sign-in locked out user=vosei"))
        #expect(!f.log.text.contains("wrong password!"))
    }

    @Test(arguments: TestBackend.all) func twentyFailuresFromOneAddressRefuseIt(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            // Five wrong passwords for each of four users: twenty failures from the one address.
            var b = TestBrowser()
            for user in ["vosei", "sother", "fd", "root"] {
                for _ in 0..<5 { _ = try await b.signIn(client, user, "guess") }
            }
            #expect(try await b.signIn(client, "kliu").status == .tooManyRequests)
            f.clock.advance(15 * 60 + 1)
            #expect(try await b.signIn(client, "kliu").status == .seeOther)
        }
    }

    @Test(arguments: TestBackend.all) func aSessionEndsAfterTwelveHoursAndSurvivesARestart(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        let signedIn = try await f.app().test(.router) { client -> TestBrowser in
            var b = TestBrowser()
            try await b.signIn(client, "kliu")
            #expect(try await b.get(client, "/deals").status == .ok)
            return b
        }
        // A new application on the same database (a restart) knows the session.
        try await f.app().test(.router) { client in
            var b = signedIn
            #expect(try await b.get(client, "/deals").status == .ok)
            f.clock.advance(12 * 3600 + 60)
            let r = try await b.get(client, "/deals")
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/login?next=%2Fdeals")
        }
        // A disabled user's session ends at once.
        try await f.app().test(.router) { client in
            var fd = TestBrowser()
            try await fd.signIn(client, "fd")
            try await f.s.db.disableUser(name: "fd", now: Date())
            #expect(try await fd.get(client, "/dashboard").status == .seeOther)
        }
    }

    @Test(arguments: TestBackend.all) func signingOutEndsTheSessionOnTheServer(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.signIn(client, "kliu")
            let kept = b.cookies
            _ = try await b.get(client, "/deals")
            let out = try await b.post(client, "/logout", [])
            #expect(out.status == .seeOther)
            #expect(out.headers[.location] == "/login")
            #expect(b.cookies[WebAuth.cookieName] == nil)
            // The old cookie, replayed, no longer works.
            b.cookies = kept
            #expect(try await b.get(client, "/deals").status == .seeOther)
        }
        #expect(try await f.s.rows("SELECT COUNT(*) FROM persist")[0][0] as Int == 0)
    }

    @Test(arguments: TestBackend.all) func everyPageSendsTheSecurityHeadersAndSafeCookies(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            let form = try await client.execute(uri: "/login", method: .get)
            let signIn = try await b.signIn(client, "root")
            let session = try #require(signIn.headers[values: .setCookie].first { $0.hasPrefix(WebAuth.cookieName) })
            #expect(session.contains("HttpOnly"))
            #expect(session.contains("SameSite=Lax"))
            #expect(session.contains("Secure"))  // public_url is https
            for r in [form, try await b.get(client, "/admin/users"), try await b.get(client, "/no-such-page")] {
                let csp = r.headers[.contentSecurityPolicy] ?? ""
                #expect(csp.contains("default-src 'self'"))
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(r.headers[.xContentTypeOptions] == "nosniff")
                #expect(r.headers[.referrerPolicy] == "same-origin")
            }
            let missing = try await b.get(client, "/no-such-page")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }

    @Test(arguments: TestBackend.all) func afterSigningInOnlyLocalPathsAreFollowed(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            for (next, expected) in [
                ("//evil.example/x", "/deals"), ("https://evil.example/", "/deals"), ("/\\evil.example", "/deals"),
                ("javascript:alert(1)", "/deals"),
                ("/dashboard?from=2026-01-01", "/dashboard?from=2026-01-01"),
            ] {
                var b = TestBrowser()
                let r = try await b.signIn(client, "kliu", next: next)
                #expect(r.headers[.location] == expected, "\(next)")
            }
        }
    }

    @Test(arguments: TestBackend.all) func theDashboardSaysTooSmallInWordsAndShowsNoHeadlineNumber(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.signIn(client, "fd")
            let page = String(buffer: try await b.get(client, "/dashboard").body)
            #expect(page.contains("Too small to conclude (n = "))
            #expect(page.contains("<span class=\"label\">Incremental margin</span><span class=\"value\">Too small to conclude</span>"))
            #expect(page.contains("<svg"))
            let csv = try await b.get(client, "/dashboard.csv?by=store")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(String(buffer: csv.body).hasPrefix(ReportFormats.summaryColumns.joined(separator: ",")))
            #expect(try await b.get(client, "/dashboard?from=yesterday").status == .badRequest)
            // By sale month: the books view's table and CSV.
            #expect(String(buffer: try await b.get(client, "/dashboard?by=sale_month").body).contains("<table id=\"books\">"))
            let books = String(buffer: try await b.get(client, "/dashboard.csv?by=sale_month").body)
            #expect(books.hasPrefix(BooksFormats.columns.joined(separator: ",") + "\ntotal,"))
        }
    }
}
