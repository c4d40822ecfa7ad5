import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskSQLite
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskWorkflows

/// Workflows written in steps run whole even when the request that started them is cancelled: the storage's calls
/// refuse to start in a cancelled task, so without that a task could be closed as sold with its follow-up still
/// planned, or an inbound text recorded without its reply task.
@Suite(.serialized, .talliedByBackend) struct WholeWorkflowTests {
    /// Runs `work` in a task that is cancelled before it starts its first step.
    func cancelled<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async -> Result<T, any Error> {
        await Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await work()
        }.result
    }

    @Test(arguments: TestBackend.all) func aTaskClosedInACancelledRequestIsClosedAndItsCustomerPlannedAgain(backend: TestBackend)
        async throws
    {
        // Setup: Ana's task, made by dispatch; her VSC still has later steps planned.
        let s = try await Scenario(backend: backend)
        let ana = try #require(try await s.touches("D-3").first)
        let at = utc(ana.due)
        _ = try await s.dispatcher.run(now: at)
        let task = try #require(try await s.db.tasks(now: at).first)
        #expect(!(try await s.touches("D-3").isEmpty))
        // The storage alone, cancelled, writes nothing: what the workflow must not be left halfway through.
        let bare = await cancelled { try await s.db.completeTask(id: task.id, outcome: .sold, price: Money(cents: 299_500), now: at) }
        #expect(throws: CancellationError.self) { try bare.get() }

        // Action: closed as sold in a cancelled task.
        let closed = await cancelled {
            try await s.dispatcher.closeTask(id: task.id, outcome: .sold, price: Money(cents: 299_500), now: at)
        }

        // Check: the task is done and the customer was planned again (the sold VSC has nothing left planned).
        _ = try closed.get()
        #expect(try await s.db.tasks(status: nil, now: at).first { $0.id == task.id }?.status == .done)
        #expect(try await s.touches("D-3").isEmpty)
    }

    @Test(arguments: TestBackend.all) func aReplyReceivedInACancelledRequestBecomesATask(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let at = utc("2026-10-02T15:00:00Z")
        let answer = await cancelled {
            try await s.dispatcher.receiveSMS(from: "+15125550142", body: "How much is it?", providerID: "SMW1", now: at)
        }
        _ = try answer.get()
        let tasks = try await s.db.tasks(now: at)
        #expect(tasks.count == 1 && tasks.first?.kind == .reply)
    }
}
