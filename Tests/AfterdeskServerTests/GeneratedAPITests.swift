import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import AfterdeskTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskServer

/// The edges of `/api/v1` made by the generated code (docs/api.md, "How the API is made"): what the spec refuses is the
/// API's own 400 in its error shape, never the generator's problem JSON or a 500; a JSON deal file reaches the importer
/// as written; a file sent with any other type is read as CSV, as before the spec was generated.
@Suite(.serialized, .talliedByBackend) struct GeneratedAPITests {
    func call(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String, type: String? = nil,
        body: String? = nil
    ) async throws -> (status: HTTPResponse.Status, json: [String: Any], contentType: String?) {
        var h: HTTPFields = [.authorization: "Bearer \(token)"]
        if let type { h[.contentType] = type }
        let r = try await client.execute(uri: uri, method: method, headers: h, body: body.map { ByteBuffer(string: $0) })
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: r.body))) as? [String: Any] ?? [:]
        return (r.status, json, r.headers[.contentType])
    }

    func errorCode(_ json: [String: Any]) -> String? { (json["error"] as? [String: Any])?["code"] as? String }

    @Test(arguments: TestBackend.all) func whatTheSpecRefusesIsA400InTheAPIsShape(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let fi = try await APIv1Tests().token(s, "kliu", .fiManager)
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z")))
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            for uri in [
                "/api/v1/deals?limit=many", "/api/v1/report?by=weekday", "/api/v1/report?by=decline", "/api/v1/deals/import?profile=x",
            ] {
                let method: HTTPRequest.Method = uri.contains("import") ? .post : .get
                let r = try await call(client, method, uri, token: fi, type: "text/csv", body: method == .post ? "a\n" : nil)
                #expect(r.status == .badRequest, "\(uri)")
                #expect(errorCode(r.json) == "bad_request", "\(uri): \(r.json)")
                #expect(r.contentType?.hasPrefix("application/json") == true, "\(uri): \(r.contentType ?? "none")")
            }
            for body in ["{}", "{\"outcome\": \"maybe\"}", "not json"] {
                let r = try await call(client, .post, "/api/v1/tasks/\(Int64.max)/done", token: fi, type: "application/json", body: body)
                #expect(r.status == .badRequest && errorCode(r.json) == "bad_request", "\(body): \(r.status) \(r.json)")
            }
            let missing = try await call(
                client, .post, "/api/v1/tasks/\(Int64.max)/done", token: fi, type: "application/json", body: "{\"outcome\": \"sold\"}")
            #expect(missing.status == .notFound && errorCode(missing.json) == "not_found")
            let notANumber = try await call(client, .post, "/api/v1/tasks/x/done", token: fi, type: "application/json", body: "{}")
            #expect(notANumber.status == .badRequest && errorCode(notANumber.json) == "bad_request")
            // A typed page from the generated types: next_cursor is there, null, on the last page.
            let page = try await call(client, .get, "/api/v1/deals?q=&limit=500", token: fi)
            #expect(page.status == .ok && page.json["next_cursor"] is NSNull && (page.json["deals"] as? [Any])?.count == 3)
        }
    }

    /// A task's outcome through the generated code keeps what the hand-written route did: a body read up to 64 KiB and
    /// no more (the generated code would read any size), JSON whatever its `Content-Type` says, and an answer whatever
    /// `Accept` says — never a 406 after the outcome was recorded.
    @Test(arguments: TestBackend.all) func aTasksOutcomeIsSmallJSONAndAlwaysAnswered(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let ana = try #require(try await s.touches("D-3").first)
        _ = try await s.dispatcher.run(now: utc(ana.due))
        let taskID = try #require(try await s.db.tasks(now: utc(ana.due)).first?.id)
        let fi = try await APIv1Tests().token(s, "kliu", .fiManager)
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc(ana.due)))
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            let huge = "{\"outcome\": \"no_answer\", \"note\": \"" + String(repeating: "x", count: 70 * 1024) + "\"}"
            let tooLarge = try await call(client, .post, "/api/v1/tasks/\(taskID)/done", token: fi, type: "application/json", body: huge)
            #expect(tooLarge.status == .contentTooLarge && errorCode(tooLarge.json) == "too_large", "\(tooLarge.status)")
            // curl -d's form type: read as JSON (the task does not exist: 404, not 415).
            let form = try await call(
                client, .post, "/api/v1/tasks/\(Int64.max)/done", token: fi, type: "application/x-www-form-urlencoded",
                body: "{\"outcome\": \"no_answer\"}")
            #expect(form.status == .notFound, "\(form.status) \(form.json)")
            let h: HTTPFields = [.authorization: "Bearer \(fi)", .contentType: "application/json", .accept: "text/html"]
            let r = try await client.execute(
                uri: "/api/v1/tasks/\(taskID)/done", method: .post, headers: h, body: ByteBuffer(string: "{\"outcome\": \"no_answer\"}"))
            #expect(r.status == .ok, "\(r.status): \(String(buffer: r.body))")
            #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    /// A JSON deal file keeps its own line numbers in the refusals (the importer reads the bytes sent, not a copy the
    /// generated code decoded and wrote again); a CSV sent as a form (curl's default type) is still a CSV.
    @Test(arguments: TestBackend.all) func aJSONFileIsImportedAsWrittenAndAnyOtherTypeAsCSV(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let fi = try await APIv1Tests().token(s, "kliu", .fiManager)
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z")))
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            let json = "{\"deals\": [\n\n\n  {\"deal_number\": \"J-1\", \"contract_date\": \"not a date\"}\n]}\n"
            let r = try await call(client, .post, "/api/v1/deals/import", token: fi, type: "application/json; charset=utf-8", body: json)
            #expect(r.status == .ok, "\(r.json)")
            let reject = try #require((r.json["rejects"] as? [[String: Any]])?.first)
            #expect(reject["line"] as? Int == 4 && reject["file"] as? String == "body", "\(reject)")
            let form = try await call(
                client, .post, "/api/v1/deals/import", token: fi, type: "application/x-www-form-urlencoded", body: WebImportTests.file)
            #expect(form.status == .ok && form.json["read"] as? Int == 2 && form.json["rejected"] as? Int == 1, "\(form.json)")
        }
    }
}
