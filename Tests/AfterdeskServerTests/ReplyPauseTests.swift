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

/// Issue 24, item 2: a reply in the customer's own words waits for a person before any automated message goes out, and
/// a revocation is confirmed by at most one text, within five minutes.
@Suite(.serialized, .talliedByBackend) struct ReplyPauseTests {
    let replies = InboundReplayTests()

    @Test(arguments: TestBackend.all) func aFreeTextReplyHoldsAutomatedTextsUntilAPersonClosesItsTask(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let maria = try #require(try await s.touches("D-1").first { $0.action == "sms" })
        try await replies.app(s, at: "2026-10-01T21:00:00Z").test(.router) { client in
            let a1 = try await replies.text(client, "Is the warranty transferable?", sid: "SMQ1")
            #expect(a1.hasSuffix("<Response></Response>"))
        }
        let due = utc(maria.due).addingTimeInterval(60)
        var decisions: [DispatchDecision] = []
        _ = try await s.dispatcher.run(now: due) { decisions.append($0) }
        let held = try #require(decisions.first { $0.touch == maria.id })
        #expect(held.result == "move" && held.detail.contains("a person has not closed the reply task"), "\(held)")
        #expect(s.channels.sms.isEmpty)
        // A person answers and closes the task: the held text goes at its new time.
        let task: Int64 = try await s.rows("SELECT id FROM tasks WHERE kind = 'reply'")[0][0]
        try await s.db.completeTask(id: task, outcome: .wontDo, note: "answered by phone", now: due)
        let later = due.addingTimeInterval(ComplianceGate.replyPauseRetry + 60)
        decisions = []
        _ = try await s.dispatcher.run(now: later) { decisions.append($0) }
        #expect(decisions.first { $0.touch == maria.id }?.result == "send", "\(decisions)")
        #expect(s.channels.sms.count == 1)
    }

    @Test(arguments: TestBackend.all) func aSecondStopWhileTheFirstStandsGetsNoSecondConfirmation(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        try await replies.app(s).test(.router) { client in
            let a2 = try await replies.text(client, "STOP", sid: "SMC1")
            #expect(a2.contains("unsubscribed"))
            let a3 = try await replies.text(client, "stop!!", sid: "SMC2")
            #expect(a3.hasSuffix("<Response></Response>"))
            let a4 = try await replies.text(client, "START", sid: "SMC3")
            #expect(a4.contains("resubscribed"))
            // A new revocation after the START is confirmed again.
            let a5 = try await replies.text(client, "Please stop texting me", sid: "SMC4")
            #expect(a5.contains("unsubscribed"))
        }
    }

    /// The provider retries a webhook whose answer did not reach it: within five minutes of the first receipt the
    /// confirmation is given (the first was never sent); later, none.
    @Test(arguments: TestBackend.all) func aRetriedStopIsConfirmedOnlyWithinFiveMinutes(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        try await replies.app(s, at: "2026-10-02T15:00:00Z").test(.router) { client in
            let a6 = try await replies.text(client, "STOP", sid: "SMR1")
            #expect(a6.contains("unsubscribed"))
        }
        try await replies.app(s, at: "2026-10-02T15:05:00Z").test(.router) { client in
            let a7 = try await replies.text(client, "STOP", sid: "SMR1")
            #expect(a7.contains("unsubscribed"))
        }
        try await replies.app(s, at: "2026-10-02T15:05:01Z").test(.router) { client in
            let a8 = try await replies.text(client, "STOP", sid: "SMR1")
            #expect(a8.hasSuffix("<Response></Response>"))
        }
        await #expect(try !replies.consent(s))
    }
}
