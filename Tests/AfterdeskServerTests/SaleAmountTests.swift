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

/// Issue 23, item 5: `POST /api/tasks/{id}/done` took `"price": "-50000.00"` and the dashboard showed it; only the web
/// form refused it. `completeTask` now holds every door (command line, API, task page) to `SaleAmounts`.
@Suite(.serialized, .talliedByBackend) struct SaleAmountTests {
    func token(_ s: Scenario) async throws -> String {
        try await s.db.addUser(name: "root", role: .admin, staffCode: nil, store: nil, now: Date())
        var rng = SeededRandom(seed: 23)
        let made = APITokens.generate(using: &rng)
        _ = try await s.db.addToken(user: "root", tokenHash: made.hash, label: made.label, expiresAt: nil, now: Date())
        return made.token
    }

    @Test(arguments: TestBackend.all) func theAPIRefusesANegativeOrHugeSaleWith422AndItsReason(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let ana = try #require(try await s.touches("D-3").first)
        _ = try await s.dispatcher.run(now: utc(ana.due))
        let admin = try await token(s)
        let taskID = try #require(try await s.db.tasks(now: utc(ana.due)).first?.id)
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc(ana.due)))
        let headers: HTTPFields = [.authorization: "Bearer \(admin)", .contentType: "application/json"]
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            for (body, reason) in [
                (#"{"outcome":"sold","price":"-50000.00"}"#, "the price -$50,000.00 is negative"),
                (#"{"outcome":"sold","price":"100000.01"}"#, "the price $100,000.01 is more than $100,000.00"),
                (#"{"outcome":"sold","price":"995.00","cost":"-1"}"#, "the cost -$1.00 is negative"),
                (#"{"outcome":"booked","price":"-5"}"#, "the price -$5.00 is negative"),
            ] {
                let r = try await client.execute(
                    uri: "/api/tasks/\(taskID)/done", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(r.status == .unprocessableContent, "\(body)")
                let error = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: [String: String]]
                #expect(error?["error"]?["code"] == "unprocessable")
                #expect(error?["error"]?["message"]?.hasPrefix(reason) == true, "\(String(buffer: r.body))")
            }
            // Nothing was recorded: the task is open and no sale shows.
            #expect(try await s.rows("SELECT status FROM tasks WHERE id = ?", [taskID])[0][0] as String == "open")
            #expect(try await s.rows("SELECT COUNT(*) FROM recoveries")[0][0] as Int == 0)
            // The largest amount allowed is recorded.
            let top = try await client.execute(
                uri: "/api/tasks/\(taskID)/done", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"outcome":"sold","price":"100000.00","cost":"0"}"#))
            #expect(top.status == .ok)
        }
        #expect(try await s.rows("SELECT price_cents FROM recoveries")[0][0] as Int == 10_000_000)
    }

    /// The command line (`afterdesk task done`) calls `completeTask` as the API does: the same rule, the same error.
    @Test(arguments: TestBackend.all) func completeTaskItselfRefusesTheAmounts(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let ana = try #require(try await s.touches("D-3").first)
        _ = try await s.dispatcher.run(now: utc(ana.due))
        let taskID = try #require(try await s.db.tasks(now: utc(ana.due)).first?.id)
        await #expect(throws: StoreError("the price -$0.01 is negative: a price is from $0.00 up")) {
            try await s.db.completeTask(id: taskID, outcome: .sold, price: Money(cents: -1), now: utc(ana.due))
        }
        #expect(SaleAmounts.problem(Money(cents: 10_000_001), field: "cost")?.contains("more than $100,000.00") == true)
        #expect(SaleAmounts.problem(Money(cents: 0), field: "cost") == nil)
        #expect(try await s.rows("SELECT status FROM tasks WHERE id = ?", [taskID])[0][0] as String == "open")
    }
}
