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

/// Issue 26: a task outcome given wrongly names the field the way its door does. The command line keeps its flags
/// (`outcome sold needs --price`); the API names the JSON field and the task page the form's label.
@Suite(.serialized, .talliedByBackend) struct TaskOutcomeFieldTests {
    @Test(arguments: TestBackend.all) func theTaskPageNamesTheFormsLabelNotTheFlag(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.signIn(client, "vosei")
            _ = try await b.get(client, "/tasks/\(f.taskID)")
            let unpriced = try await b.post(client, "/tasks/\(f.taskID)/outcome", [("outcome", "sold"), ("price", "")])
            #expect(unpriced.status == .unprocessableContent)
            #expect(String(buffer: unpriced.body).contains("outcome sold needs the Price field"))
            #expect(!String(buffer: unpriced.body).contains("--price"))
            let why = try await b.post(client, "/tasks/\(f.taskID)/outcome", [("outcome", "wont_do")])
            #expect(why.status == .unprocessableContent)
            #expect(String(buffer: why.body).contains("outcome wont_do needs a note saying why"))
        }
        #expect(try await f.s.rows("SELECT status FROM tasks WHERE id = ?", [f.taskID])[0][0] as String == "open")
    }

    @Test(arguments: TestBackend.all) func theAPINamesTheJSONFieldAndTheStoreKeepsTheCommandLinesWords(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let ana = try #require(try await s.touches("D-3").first)
        _ = try await s.dispatcher.run(now: utc(ana.due))
        let admin = try await SaleAmountTests().token(s)
        let taskID = try #require(try await s.db.tasks(now: utc(ana.due)).first?.id)
        await #expect(throws: StoreError("outcome sold needs --price")) {
            try await s.db.completeTask(id: taskID, outcome: .sold, now: utc(ana.due))
        }
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc(ana.due)))
        let headers: HTTPFields = [.authorization: "Bearer \(admin)", .contentType: "application/json"]
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            let r = try await client.execute(
                uri: "/api/tasks/\(taskID)/done", method: .post, headers: headers, body: ByteBuffer(string: #"{"outcome":"sold"}"#))
            #expect(r.status == .unprocessableContent)
            let error = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: [String: String]]
            #expect(error?["error"]?["message"] == #"outcome sold needs "price""#, "\(String(buffer: r.body))")
        }
    }
}
