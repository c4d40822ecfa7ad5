import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// A clock the test moves (session expiry, lock-out windows).
final class MovableClock: Sendable {
    private let instant: Mutex<Date>
    init(_ start: Date) { instant = Mutex(start) }
    var now: Date { instant.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { instant.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var clock: AfterdeskCore.Clock { Clock(now: { self.now }) }
}

/// The web pages' fixture: the dispatch scenario with a task for Victor Osei (F2, Ana's VSC), and one signed-in user of
/// each kind. Passwords are hashed with bcrypt cost 4, to keep the tests fast.
struct WebFixture {
    static let password = "correct horse battery"
    let s: Scenario
    let clock: MovableClock
    let log = CapturedLog()
    let taskID: Int64

    init(backend: TestBackend = .sqlite) async throws {
        s = try await Scenario(backend: backend)
        let ana = try #require(try await s.touches("D-3").first)
        _ = try await s.dispatcher.run(now: utc(ana.due))
        clock = MovableClock(utc(ana.due))
        taskID = try #require(try await s.db.tasks(now: utc(ana.due)).first?.id)
        try await s.db.addStaff(store: "main", code: "S9", name: "Sam Other", role: .sales, timeZone: "America/Chicago", now: Date())
        for (name, role, staff) in [
            ("vosei", Role.sales, "F2" as String?), ("sother", .sales, "S9"), ("fd", .financeDirector, nil), ("kliu", .fiManager, nil),
            ("root", .admin, nil),
        ] {
            try await s.db.addUser(name: name, role: role, staffCode: staff, store: nil, now: Date())
            try await s.db.setPassword(name: name, bcryptHash: Passwords.hash(Self.password, cost: 4))
        }
    }

    var context: ServerContext {
        let log = self.log
        return ServerContext(
            dispatcher: s.dispatcher, clock: clock.clock, logger: Logger(label: "test") { _ in CapturedLog.Handler(log: log) })
    }

    func app() throws -> some ApplicationProtocol { Application(router: try buildRouter(context)) }
}

/// A browser's part in a conversation with the router: its cookies, and the CSRF token of the last page it read.
struct TestBrowser {
    var cookies: [String: String] = [:]
    var csrf: String?

    var headers: HTTPFields {
        var h = HTTPFields()
        if !cookies.isEmpty { h[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        return h
    }

    /// Keeps the cookies a response sets (an empty or expired one removes it) and the form token of its page.
    mutating func read(_ r: TestResponse) {
        for value in r.headers[values: .setCookie] {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map(String.init)
            guard pair.count == 2 else { continue }
            if pair[1].isEmpty || value.contains("Max-Age=0") || value.contains("1970") {
                cookies[pair[0]] = nil
            } else {
                cookies[pair[0]] = pair[1]
            }
        }
        let html = String(buffer: r.body)
        if let range = html.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) {
            csrf = String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(
            string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&"))
    }

    func formHeaders(origin: String? = nil, site: String? = "same-origin") -> HTTPFields {
        var h = headers
        h[.contentType] = "application/x-www-form-urlencoded"
        if let origin { h[.origin] = origin }
        if let site { h[.secFetchSite] = site }
        return h
    }

    /// GET /login, then POST it; returns the sign-in response.
    @discardableResult
    mutating func signIn(_ client: some TestClientProtocol, _ user: String, _ password: String = WebFixture.password, next: String? = nil)
        async throws -> TestResponse
    {
        let form = try await client.execute(uri: "/login", method: .get, headers: headers)
        read(form)
        var fields = [("username", user), ("password", password), ("csrf", csrf ?? "")]
        if let next { fields.append(("next", next)) }
        let r = try await client.execute(uri: "/login", method: .post, headers: formHeaders(), body: Self.form(fields))
        read(r)
        return r
    }

    /// Headers of a multipart upload from this browser's pages (`WebImportTests.multipart` bodies).
    func uploadHeaders() -> HTTPFields {
        var h = headers
        h[.contentType] = "multipart/form-data; boundary=XyZ123"
        h[.secFetchSite] = "same-origin"
        return h
    }

    /// Signs in as `user` and reads the imports page, whose form's token an upload carries.
    mutating func openImports(_ client: some TestClientProtocol, as user: String = "kliu") async throws {
        try await signIn(client, user)
        _ = try await get(client, "/imports")
    }

    /// Uploads `content` as `fileName` on the imports page's form (its token first, then the file).
    mutating func upload(_ client: some TestClientProtocol, _ fileName: String, _ content: String) async throws -> TestResponse {
        let body = WebImportTests.multipart([("csrf", nil, csrf ?? ""), ("file", fileName, content)])
        let r = try await client.execute(uri: "/imports", method: .post, headers: uploadHeaders(), body: body)
        read(r)
        return r
    }

    /// Reads an import's page until it shows `status` (imports run on a thread of their own), for at most 10 s; returns
    /// the last page read.
    @discardableResult
    mutating func waitForImport(_ client: some TestClientProtocol, _ location: String, status: String) async throws -> String {
        var page = ""
        for _ in 0..<200 {
            page = String(buffer: try await get(client, location).body)
            if page.contains("<strong id=\"status\">\(status)</strong>") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return page
    }

    /// GET a page, keeping its cookies and token.
    mutating func get(_ client: some TestClientProtocol, _ uri: String) async throws -> TestResponse {
        let r = try await client.execute(uri: uri, method: .get, headers: headers)
        read(r)
        return r
    }

    /// POST a form of this browser's pages (its token unless `csrf` says otherwise).
    mutating func post(
        _ client: some TestClientProtocol, _ uri: String, _ fields: [(String, String)], csrf: String? = nil, origin: String? = nil,
        site: String? = "same-origin"
    ) async throws -> TestResponse {
        let r = try await client.execute(
            uri: uri, method: .post, headers: formHeaders(origin: origin, site: site),
            body: Self.form(fields + [("csrf", csrf ?? self.csrf ?? "")]))
        read(r)
        return r
    }
}
