import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// What an upload may hold (issue 23, item 7), through the router: only the form's own fields, each small; the token
/// before the file; a `Content-Length` over the limit refused before the body is read; a form over its limit is 413.
@Suite(.serialized, .talliedByBackend) struct UploadLimitsTests {
    typealias Part = (name: String, fileName: String?, body: String)

    /// Signs in as the F&I manager and posts `parts` to /imports, the page's token where a body says `{csrf}`;
    /// `check` sees the response.
    func post(
        _ backend: TestBackend, _ parts: [Part], _ check: @escaping @Sendable (TestResponse, WebFixture) throws -> Void
    ) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.openImports(client)
            let csrf = try #require(b.csrf)
            let headers = b.uploadHeaders()
            let filled = parts.map { ($0.name, $0.fileName, $0.body == "{csrf}" ? csrf : $0.body) }
            let r = try await client.execute(uri: "/imports", method: .post, headers: headers, body: WebImportTests.multipart(filled))
            try check(r, f)
        }
    }

    /// The upload folder's files (none is left by a refused form).
    static func uploads(_ f: WebFixture) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: f.s.uploadFolder)) ?? []
    }

    @Test(arguments: TestBackend.all) func theTokenMustComeBeforeTheFile(backend: TestBackend) async throws {
        // A valid token after the file was accepted (the file was on disk before the token was read): now refused.
        try await post(backend, [("profile", nil, "canonical"), ("file", "deals.csv", WebImportTests.file), ("csrf", nil, "{csrf}")]) {
            r, f in
            #expect(r.status == .forbidden)
            #expect(Self.uploads(f).isEmpty)
        }
        // A forged token before the file: refused, nothing left behind (that it is refused before the file is written is
        // the first case's proof: a file part reached before any token is refused).
        try await post(backend, [("csrf", nil, "nope"), ("file", "deals.csv", WebImportTests.file)]) { r, f in
            #expect(r.status == .forbidden)
            #expect(Self.uploads(f).isEmpty)
        }
        // The page's form puts the token first.
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.signIn(client, "kliu")
            let page = String(buffer: try await b.get(client, "/imports").body)
            let token = try #require(page.range(of: "name=\"csrf\""))
            let file = try #require(page.range(of: "type=\"file\""))
            #expect(token.lowerBound < file.lowerBound)
        }
    }

    @Test(arguments: TestBackend.all) func fieldsTheFormDoesNotHaveAreRefusedUnkept(backend: TestBackend) async throws {
        let junk = String(repeating: "j", count: 1_000)
        try await post(backend, [("csrf", nil, "{csrf}"), ("comment", nil, junk), ("file", "deals.csv", WebImportTests.file)]) { r, f in
            #expect(r.status == .badRequest)
            #expect(String(buffer: r.body).contains("the form has no field"))
            #expect(Self.uploads(f).isEmpty)
        }
        // Each field once.
        try await post(backend, [("csrf", nil, "{csrf}"), ("profile", nil, "cdk"), ("profile", nil, "cdk"), ("file", "deals.csv", "x")]) {
            r, _ in
            #expect(r.status == .badRequest)
        }
    }

    @Test(arguments: TestBackend.all) func aFieldOverItsLimitIs413(backend: TestBackend) async throws {
        let long = String(repeating: "p", count: Multipart.fieldLimit + 1)
        try await post(backend, [("csrf", nil, "{csrf}"), ("profile", nil, long), ("file", "deals.csv", WebImportTests.file)]) { r, f in
            #expect(r.status == .contentTooLarge)
            #expect(Self.uploads(f).isEmpty)
        }
        // Headers that never end: 413 too, not kept.
        try await post(backend, [("csrf", nil, "{csrf}"), ("file", "deals.csv" + String(repeating: "x", count: 20_000), "x")]) { r, _ in
            #expect(r.status == .contentTooLarge)
        }
    }

    /// The header alone, no body (the router's test client would set `Content-Length` to the body it sends): refused
    /// without waiting for the body. `TimeoutTests` does the same over a socket.
    @Test(arguments: TestBackend.all) func aContentLengthOverTheLimitIsRefusedBeforeTheBody(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.openImports(client)
            var headers = b.uploadHeaders()
            headers[.contentLength] = "\(ImportPagesController.maxUpload + Multipart.overhead + 1)"
            let r = try await client.execute(uri: "/imports", method: .post, headers: headers, body: nil)
            #expect(r.status == .contentTooLarge)
            #expect(String(buffer: r.body).contains("larger than 512 MiB"))
            #expect(Self.uploads(f).isEmpty)
        }
        let s = try await Scenario(backend: backend)
        let fi = try await APIv1Tests().token(s, "kliu", .fiManager)
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z")))
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            let h: HTTPFields = [
                .authorization: "Bearer \(fi)", .contentType: "text/csv", .contentLength: "\(APIHandlers.maxBody + 1)",
            ]
            let r = try await client.execute(uri: "/api/v1/deals/import", method: .post, headers: h, body: nil)
            #expect(r.status == .contentTooLarge)
            let ok: HTTPFields = [.authorization: "Bearer \(fi)", .contentType: "text/csv"]
            let fine = try await client.execute(
                uri: "/api/v1/deals/import", method: .post, headers: ok, body: ByteBuffer(string: WebImportTests.file))
            #expect(fine.status == .ok)
        }
    }

    /// The reader itself: a file over its limit is 413; a body too slow is 408.
    @Test func theReaderRefusesAFileOverItsLimitAndASlowBody() async throws {
        func read(_ limit: Int, timeouts: ServerTimeouts = ServerTimeouts()) async throws -> Multipart.Received {
            let body = WebImportTests.multipart([("csrf", nil, "t"), ("file", "deals.csv", String(repeating: "x", count: 100))])
            let request = Request(
                head: .init(method: .post, scheme: "http", authority: "x", path: "/imports"), body: .init(buffer: body))
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("multipart-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let out = try UploadFolder.create(path)
            defer { try? out.close() }
            return try await Multipart.receive(
                request, boundary: "XyZ123", fileField: "file", fields: ["csrf"], to: out, limit: limit, timeouts: timeouts
            ) { _ in nil }
        }
        #expect(try await read(100).bytes == 100)
        let over = await #expect(throws: Multipart.Refused.self) { try await read(99) }
        #expect(over?.status == .contentTooLarge)
        var slow = ServerTimeouts()
        slow.body = .zero
        let late = await #expect(throws: Multipart.Refused.self) { try await read(100, timeouts: slow) }
        #expect(late?.status == .requestTimeout)
    }

    @Test func theBodyDeadlineCountsTheRateOverItsWindowAndTheWhole() throws {
        var t = ServerTimeouts()
        t.bodyMinBytesPerSecond = 1_024
        t.bodyRateWindow = .seconds(60)
        t.body = .seconds(600)
        let start = ContinuousClock.now
        var fast = BodyDeadline(t, now: start)
        // 1 KB/s exactly, minute after minute, for nine minutes: on time.
        for s in stride(from: 1, through: 540, by: 1) { try fast.received(1_024, now: start + .seconds(s)) }
        // Past ten minutes in all: 408, however fast.
        #expect(throws: BodyDeadline.Expired.self) { try fast.received(1 << 20, now: start + .seconds(601)) }
        var trickle = BodyDeadline(t, now: start)
        try trickle.received(1, now: start + .seconds(4))
        try trickle.received(1, now: start + .seconds(59))
        #expect(throws: BodyDeadline.Expired.self) { try trickle.received(1, now: start + .seconds(63)) }
    }

    @Test func theTimeoutsAreSettings() throws {
        let s = try Settings.load(
            yaml: "header_timeout_seconds: 5\nkeepalive_timeout_seconds: 20\nbody_timeout_seconds: 300\nbody_min_bytes_per_second: 512\n"
                + "upload_timeout_seconds: 600\n", environment: ["AFTERDESK_KEEPALIVE_TIMEOUT_SECONDS": "15"])
        #expect(s.server.head == .seconds(5) && s.server.idle == .seconds(15) && s.server.body == .seconds(300))
        #expect(s.server.bodyMinBytesPerSecond == 512 && s.server.upload == .seconds(600))
        let d = ServerTimeouts()
        #expect(d.head == .seconds(10) && d.idle == .seconds(30) && d.body == .seconds(600) && d.upload == .seconds(3_600))
        #expect(d.bodyMinBytesPerSecond == 1_024 && d.bodyRateWindow == .seconds(60))
        #expect(throws: SettingsError.self) { try Settings.load(yaml: "header_timeout_seconds: soon", environment: [:]) }
        // A timeout past its bound is a typo and would overflow the server's timers: refused at start.
        #expect(throws: SettingsError.self) { try Settings.load(yaml: "header_timeout_seconds: 99999999999", environment: [:]) }
        #expect(throws: SettingsError.self) { try Settings.load(yaml: "", environment: ["AFTERDESK_BODY_TIMEOUT_SECONDS": "86401"]) }
        // A temporary file is never taken for forgotten while an upload could still be arriving.
        var short = ServerTimeouts()
        short.upload = .seconds(1)
        #expect(short.forgottenUpload == .seconds(660))
    }
}
