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

/// Every reader of outside input that builds a tree refuses one nested too deep, through the router, instead of
/// overflowing the stack (issue 23, item 1).
@Suite(.serialized, .talliedByBackend) struct RecursiveReaderTests {
    /// A deal file of 100,000 nested arrays (200 KB) ended `serve` (SIGSEGV): now a 422 naming the line and the limit.
    @Test(arguments: TestBackend.all) func aDeeplyNestedDealFileIs422FromTheAPI(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let fi = try await APIv1Tests().token(s, "kliu", .fiManager)
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z")))
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            let h: HTTPFields = [.authorization: "Bearer \(fi)", .contentType: "application/json"]
            let body = "[{\"deal_number\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}]"
            let r = try await client.execute(uri: "/api/v1/deals/import", method: .post, headers: h, body: ByteBuffer(string: body))
            #expect(r.status == .unprocessableContent)
            #expect(String(buffer: r.body).contains("the file: line 1: not valid JSON: arrays and objects nested deeper than 10 levels"))
            #expect(String(buffer: r.body).contains("nothing of the file was imported"))
        }
    }

    /// The same file uploaded on /imports: the import fails with the reason on its page.
    @Test(arguments: TestBackend.all) func aDeeplyNestedDealFileFailsItsUpload(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.openImports(client)
            let deep = "[{\"deal_number\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}]"
            let r = try await b.upload(client, "deals.json", deep)
            #expect(r.status == .seeOther)
            let location = try #require(r.headers[.location])
            let page = try await b.waitForImport(client, location, status: "failed")
            #expect(page.contains("<strong id=\"status\">failed</strong>"))
            #expect(page.contains("nested deeper than 10 levels"))
        }
    }

    /// The task API's JSON (Foundation's decoder) and the pages' forms (Hummingbird's, keys like `a[b][c]`) have limits
    /// of their own: a body nested 30,000 deep (within the outcome's 64 KiB) is a 400.
    @Test(arguments: TestBackend.all) func deepJSONAndDeepFormKeysAre400(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        let admin = try await APIv1Tests().token(f.s, "tokenadmin", .admin)
        try await f.app().test(.router) { client in
            let deep = String(repeating: "[", count: 30_000) + String(repeating: "]", count: 30_000)
            let r = try await client.execute(
                uri: "/api/tasks/\(f.taskID)/done", method: .post,
                headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"],
                body: ByteBuffer(string: "{\"outcome\": \"sold\", \"note\": \(deep)}"))
            #expect(r.status == .badRequest)
            var b = TestBrowser()
            _ = try await b.get(client, "/login")
            let key = "username" + String(repeating: "[a]", count: 20_000)
            let form = try await client.execute(
                uri: "/login", method: .post, headers: b.formHeaders(), body: ByteBuffer(string: "\(key)=x&csrf=\(b.csrf ?? "")"))
            #expect(form.status == .badRequest)
        }
    }
}
