import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import AfterdeskTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// `/api/v1` through the router, and `docs/openapi.yaml` against the router's routes.
@Suite(.serialized, .talliedByBackend) struct APIv1Tests {
    func token(_ s: Scenario, _ name: String, _ role: Role, staff: String? = nil) async throws -> String {
        try await s.db.addUser(name: name, role: role, staffCode: staff, store: nil, now: Date())
        var rng = SeededRandom(seed: UInt64(name.utf8.reduce(7) { $0 &* 31 &+ UInt64($1) }))
        let made = APITokens.generate(using: &rng)
        _ = try await s.db.addToken(user: name, tokenHash: made.hash, label: made.label, expiresAt: nil, now: Date())
        return made.token
    }

    func get(_ client: some TestClientProtocol, _ uri: String, _ token: String?) async throws -> (HTTPResponse.Status, Any?) {
        var h = HTTPFields()
        if let token { h[.authorization] = "Bearer \(token)" }
        let r = try await client.execute(uri: uri, method: .get, headers: h)
        return (r.status, try? JSONSerialization.jsonObject(with: Data(buffer: r.body)))
    }

    @Test(arguments: TestBackend.all) func dealsPageWithACursorAndEachRoleSeesWhatItMay(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let fi = try await token(s, "kliu", .fiManager)
        let sales = try await token(s, "vosei", .sales, staff: "F2")
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z")))
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            #expect(try await get(client, "/api/v1/deals", nil).0 == .unauthorized)
            #expect(try await get(client, "/api/v1/deals", sales).0 == .forbidden)
            var (status, body) = try await get(client, "/api/v1/deals?limit=2", fi)
            #expect(status == .ok)
            var page = try #require(body as? [String: Any])
            #expect((page["deals"] as? [[String: Any]])?.map { $0["deal_number"] as? String } == ["D-3", "D-2"])
            let cursor = try #require(page["next_cursor"] as? String)
            (status, body) = try await get(client, "/api/v1/deals?limit=2&cursor=\(cursor)", fi)
            page = try #require(body as? [String: Any])
            #expect((page["deals"] as? [[String: Any]])?.map { $0["deal_number"] as? String } == ["D-1"])
            #expect(page["next_cursor"] is NSNull)
            #expect(try await get(client, "/api/v1/deals?cursor=bogus", fi).0 == .badRequest)
            #expect(try await get(client, "/api/v1/deals?limit=0", fi).0 == .badRequest)
            #expect(try await get(client, "/api/v1/deals?from=soon", fi).0 == .unprocessableContent)
            let one = try #require(try await get(client, "/api/v1/deals/main/D-1", fi).1 as? [String: Any])
            #expect(one["deal_number"] as? String == "D-1")
            #expect((one["phone"] as? String)?.hasSuffix("0142") == true && (one["phone"] as? String)?.contains("512") == false)
            let plan = try #require(try await get(client, "/api/v1/deals/main/D-1/plan", fi).1 as? [String: Any])
            #expect((plan["products"] as? [[String: Any]])?.isEmpty == false)
            #expect(try await get(client, "/api/v1/deals/other/D-1", fi).0 == .notFound)
            let report = try #require(try await get(client, "/api/v1/report?by=product", fi).1 as? [String: Any])
            #expect(report["verdict"] != nil || report["total"] != nil)
            #expect(try await get(client, "/api/v1/report?by=decline", fi).0 == .badRequest)
            // The books view: its groups are months keyed YYYY-MM, without decline counts.
            let books = try #require(try await get(client, "/api/v1/report?by=sale_month", fi).1 as? [String: Any])
            #expect(books["by"] as? String == "sale_month" && books["groups"] is [Any])
            #expect((books["groups"] as? [[String: Any]])?.allSatisfy { $0["declines"] == nil } == true)
            // The alias: the same queue under /api/v1/tasks and /api/tasks.
            #expect(try await get(client, "/api/v1/tasks", sales).0 == .ok)
        }
    }

    @Test(arguments: TestBackend.all) func anImportThroughTheAPIAnswersWithItsSummary(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let fi = try await token(s, "kliu", .fiManager)
        let director = try await token(s, "fd", .financeDirector)
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z")))
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            var h: HTTPFields = [.authorization: "Bearer \(fi)", .contentType: "text/csv"]
            let r = try await client.execute(
                uri: "/api/v1/deals/import", method: .post, headers: h, body: ByteBuffer(string: WebImportTests.file))
            #expect(r.status == .ok)
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
            #expect(summary["read"] as? Int == 2 && summary["rejected"] as? Int == 1 && summary["unchanged"] as? Int == 1)
            let reject = try #require((summary["rejects"] as? [[String: Any]])?.first)
            #expect(reject["file"] as? String == "body" && reject["field"] as? String == "vin" && reject["line"] as? Int == 3)
            let bad = try await client.execute(
                uri: "/api/v1/deals/import?profile=nope", method: .post, headers: h, body: ByteBuffer(string: "x"))
            #expect(bad.status == .badRequest)
            let notCSV = try await client.execute(
                uri: "/api/v1/deals/import", method: .post, headers: h, body: ByteBuffer(string: "a,b\n1,2\n"))
            #expect(notCSV.status == .unprocessableContent)
            h[.authorization] = "Bearer \(director)"
            #expect(
                try await client.execute(uri: "/api/v1/deals/import", method: .post, headers: h, body: ByteBuffer(string: "x")).status
                    == .forbidden)
        }
        #expect(try await s.rows("SELECT COUNT(*) FROM deals")[0][0] as Int == 3)
    }

    /// The spec describes exactly what the router serves: every route in it, every path of it routed.
    @Test(arguments: TestBackend.all) func theOpenAPISpecAndTheRouterAgree(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let router = try buildRouter(ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z"))))
        let served = Set(router.routes.map { "\($0.method.rawValue.lowercased()) \($0.path)" }.filter { $0.contains(" /api/") })
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        let spec = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(spec["openapi"] as? String == "3.1.0")
        let paths = try #require(spec["paths"] as? [String: Any])
        var described = Set<String>()
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                described.insert("\(method) \(path)")
            }
        }
        #expect(served.subtracting(described).isEmpty, "served but not in docs/openapi.yaml: \(served.subtracting(described).sorted())")
        #expect(described.subtracting(served).isEmpty, "in docs/openapi.yaml but not served: \(described.subtracting(served).sorted())")
    }
}
