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

/// Issue 24, item 2: a customer who writes "Please stop texting me" has revoked consent (FCC 24-24). It was answered as
/// a reply: a task was made and the texts kept coming.
@Suite(.serialized, .talliedByBackend) struct RevocationFlowTests {
    @Test(arguments: TestBackend.all) func aRevocationInASentenceStopsTextsAndReachesAPerson(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let replies = InboundReplayTests()
        #expect(try await s.touches("D-1").contains { $0.action == "sms" })
        try await replies.app(s).test(.router) { client in
            let answer = try await replies.text(client, "Please stop texting me", sid: "SMR1")
            #expect(answer.contains("unsubscribed"))
        }
        await #expect(try !replies.consent(s))
        #expect(try await s.touches("D-1").allSatisfy { $0.action != "sms" })
        // The words reach a person, and the consent's source names the word, not the message.
        let tasks = try await s.rows("SELECT title, detail FROM tasks WHERE kind = 'reply'")
        #expect(tasks.count == 1)
        #expect((tasks.first?[1] as String?)?.contains("Please stop texting me") == true)
        let source: String = try await s.rows("SELECT consent_sms_source FROM customers WHERE id = ?", [try await s.customer("D-1")])[0][0]
        #expect(source == "sms STOP SMR1")
    }

    @Test(arguments: TestBackend.all) func aBareStopNeedsNoTask(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let replies = InboundReplayTests()
        try await replies.app(s).test(.router) { client in _ = try await replies.text(client, "STOP!", sid: "SMR2") }
        await #expect(try !replies.consent(s))
        #expect(try await s.rows("SELECT COUNT(*) FROM tasks WHERE kind = 'reply'")[0][0] as Int == 0)
    }
}
