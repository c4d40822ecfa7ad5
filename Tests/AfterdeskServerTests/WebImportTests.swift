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

/// The F&I manager's upload through the router: streamed to disk, imported in the background, refused rows listed.
@Suite(.serialized, .talliedByBackend) struct WebImportTests {
    static func multipart(_ parts: [(name: String, fileName: String?, body: String)], boundary: String = "XyZ123") -> ByteBuffer {
        var text = ""
        for p in parts {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(p.name)\""
            if let f = p.fileName { text += "; filename=\"\(f)\"\r\nContent-Type: text/csv" }
            text += "\r\n\r\n\(p.body)\r\n"
        }
        return ByteBuffer(string: text + "--\(boundary)--\r\n")
    }

    /// The fixture's D-2 row again, and a new row whose VIN check digit is wrong.
    static var file: String {
        let rows = deals.split(separator: "\n").map(String.init)
        let bad = rows[2].replacingOccurrences(of: "D-2,", with: "D-9,").replacingOccurrences(
            of: "1FTFW1E5XPFA00002", with: "1FTFW1E5YPFA00002")
        return [rows[0], rows[2], bad].joined(separator: "\n") + "\n"
    }

    @Test(arguments: TestBackend.all) func anUploadWithABadRowListsItAndOffersTheRejectsFile(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.openImports(client)
            let csrf = try #require(b.csrf)
            let headers = b.uploadHeaders()
            // Without the form's token: refused, and nothing imported.
            let forged = Self.multipart([("csrf", nil, "nope"), ("profile", nil, "canonical"), ("file", "deals.csv", Self.file)])
            let refused = try await client.execute(uri: "/imports", method: .post, headers: headers, body: forged)
            #expect(refused.status == .forbidden)
            let body = Self.multipart([("csrf", nil, csrf), ("profile", nil, "canonical"), ("file", "../../etc/deals.csv", Self.file)])
            let r = try await client.execute(uri: "/imports", method: .post, headers: headers, body: body)
            #expect(r.status == .seeOther)
            let location = try #require(r.headers[.location])
            #expect(location.hasPrefix("/imports/"))
            let page = try await b.waitForImport(client, location, status: "done")
            #expect(page.contains("<strong id=\"status\">done</strong>"))
            #expect(page.contains("<span class=\"value\" id=\"refused-count\">1</span>"))
            #expect(page.contains("VIN check digit does not match"))
            #expect(page.contains("D-9"))
            let rejects = try await b.get(client, location + "/rejects.csv")
            #expect(rejects.status == .ok)
            #expect(rejects.headers[.contentDisposition]?.contains("attachment") == true)
            #expect(String(buffer: rejects.body).contains("1FTFW1E5YPFA00002"))
            // A salesperson may not see imports.
            var sales = TestBrowser()
            try await sales.signIn(client, "vosei")
            #expect(try await sales.get(client, location).status == .forbidden)
        }
        let uploads = try await f.s.rows("SELECT path, status FROM web_imports")
        #expect(uploads.count == 1)
        // The name the browser gave cannot climb out of the upload folder.
        #expect(uploads.first?[0] as String? == (f.s.uploadFolder as NSString).appendingPathComponent("1-deals.csv"))
    }

    @Test func multipartPartsAreReadFromTheirHeaders() {
        #expect(Multipart.boundary("multipart/form-data; boundary=----abc") == "----abc")
        #expect(Multipart.boundary("multipart/form-data; boundary=\"q u\"") == "q u")
        #expect(Multipart.boundary("application/json") == nil)
        #expect(Multipart.boundary("multipart/form-data") == nil)
        #expect(Multipart.parameter("filename", in: "form-data; name=\"file\"; filename=\"a b.csv\"") == "a b.csv")
        #expect(Multipart.safeName("../../etc/passwd") == "passwd")
        #expect(Multipart.safeName("déals (1).csv") == "d_als__1_.csv")
        #expect(Multipart.safeName(".hidden") == "upload.hidden")
        #expect(Multipart.safeName("") == "upload")
    }
}

/// The redirect after signing in, for any text a stranger can put in `next`.
@Suite struct LocalRedirectTests {
    @Test func onlyLocalPathsAreKept() {
        for bad in [
            "//evil.example", "https://evil.example", "/\\evil", "\\\\evil", "http:/x", "javascript:x", "", "evil", "/login?next=/x",
            "/a\nb", "/\t/evil.example", "/\r/evil.example", "/\n/evil.example", "/ /evil.example", "/\u{0}/evil", "/\u{7f}x",
            "/caf\u{e9}", "/\u{2028}/x",
        ] {
            #expect(WebPaths.localRedirect(bad) == "/", "\(bad)")
        }
        #expect(WebPaths.localRedirect(nil) == "/")
        for good in ["/tasks", "/deals/main/D-1", "/dashboard?from=2026-01-01&by=month"] { #expect(WebPaths.localRedirect(good) == good) }
    }

    @Test func noRandomTextLeavesTheSite() {
        var rng = SeededRandom(seed: 7)
        let alphabet = Array("/\\:.@?#%ab1 \t\n\r")
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "/" })
            let kept = WebPaths.localRedirect(text)
            // What a browser makes of it (WHATWG URL): tabs and line breaks removed, backslashes read as slashes.
            let browser = kept.replacingOccurrences(of: "\t", with: "").replacingOccurrences(of: "\n", with: "")
                .replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\\", with: "/")
            #expect(browser.hasPrefix("/") && !browser.hasPrefix("//") && !kept.contains(" "), "\(text)")
        }
    }
}

/// The admin page's forms, end to end: the user added can sign in, a role changed takes effect, a token is shown once.
@Suite(.serialized, .talliedByBackend) struct AdminPageTests {
    @Test(arguments: TestBackend.all) func anAdminAddsAUserChangesARoleResetsAPasswordAndMakesAToken(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var admin = TestBrowser()
            try await admin.signIn(client, "root")
            _ = try await admin.get(client, "/admin/users")
            let short = try await admin.post(
                client, "/admin/users", [("action", "add"), ("name", "gpark"), ("role", "fi_manager"), ("password", "short")])
            #expect(short.status == .unprocessableContent)
            #expect(String(buffer: short.body).contains("at least 10 characters"))
            let add = try await admin.post(
                client, "/admin/users", [("action", "add"), ("name", "npatel"), ("role", "fi_manager"), ("password", "a long pass phrase")])
            #expect(add.status == .seeOther)
            var nina = TestBrowser()
            #expect(try await nina.signIn(client, "npatel", "a long pass phrase").headers[.location] == "/deals")
            #expect(
                try await admin.post(client, "/admin/users", [("action", "role"), ("user", "npatel"), ("role", "finance_director")]).status
                    == .seeOther)
            #expect(try await nina.get(client, "/imports").status == .forbidden)  // the new role, on the next request
            #expect(
                try await admin.post(client, "/admin/users", [("action", "role"), ("user", "npatel"), ("role", "sales")]).status
                    == .unprocessableContent)
            #expect(
                try await admin.post(
                    client, "/admin/users", [("action", "password"), ("user", "npatel"), ("password", "another pass phrase")]
                ).status == .seeOther)
            var again = TestBrowser()
            #expect(try await again.signIn(client, "npatel", "a long pass phrase").status == .unauthorized)
            #expect(try await again.signIn(client, "npatel", "another pass phrase").status == .seeOther)
            let token = try await admin.post(client, "/admin/users", [("action", "token"), ("user", "npatel"), ("days", "30")])
            let html = String(buffer: token.body)
            let shown = try #require(html.range(of: #"adk_[A-Za-z0-9_-]{43}"#, options: .regularExpression).map { String(html[$0]) })
            #expect(try await f.s.db.principal(tokenHash: APITokens.hash(shown), now: f.clock.now)?.name == "npatel")
            // The list shows only the token's first characters.
            #expect(!String(buffer: try await admin.get(client, "/admin/users").body).contains(shown))
            let id = try #require(try await f.s.db.tokens().first { $0.user == "npatel" }?.id)
            #expect(try await admin.post(client, "/admin/users", [("action", "revoke"), ("token", "\(id)")]).status == .seeOther)
            #expect(try await f.s.db.principal(tokenHash: APITokens.hash(shown), now: f.clock.now) == nil)
            #expect(try await admin.post(client, "/admin/users", [("action", "disable"), ("user", "npatel")]).status == .seeOther)
            #expect(try await again.get(client, "/dashboard").status == .seeOther)
        }
        #expect(!f.log.text.contains("a long pass phrase"))
    }
}
