import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func tasks(assignee: String?, status: TaskStatus?, limit: Int, store: String?, assigneeID: Int64?, taskID: Int64?, now: Date)
        async throws -> [TaskRow]
    {
        throw PostgresStorage.unbuilt(#function)
    }

    public func taskQueue<Value: Sendable>(
        _ query: TaskQuery, answers: PolledAnswers<TaskQuery, Value>, now: Date, render: @Sendable ([TaskRow]) -> Value
    ) async throws -> Value {
        throw PostgresStorage.unbuilt(#function)
    }

    public func taskOwner(id: Int64) async throws -> (assigneeID: Int64?, store: String)? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func taskCounts(now: Date) async throws -> (open: Int, overdue: Int) {
        throw PostgresStorage.unbuilt(#function)
    }

    public func taskDetail(id: Int64, now: Date) async throws -> TaskDetail? {
        throw PostgresStorage.unbuilt(#function)
    }

    @discardableResult public func completeTask(
        id: Int64, outcome: TaskOutcome, product: String?, price: Money?, cost: Money?, note: String?, by user: String?, now: Date
    ) async throws -> Int64 {
        throw PostgresStorage.unbuilt(#function)
    }

    public func rescheduleTask(id: Int64, to: Date, slaHours: Int) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func escalateOverdue(now: Date) async throws -> Int {
        throw PostgresStorage.unbuilt(#function)
    }

    public func createReplyTask(customerID: Int64, title: String, detail: String, now: Date, slaHours: Int) async throws -> Int64 {
        throw PostgresStorage.unbuilt(#function)
    }

    public func staff(store: String?) async throws -> [StaffRow] {
        throw PostgresStorage.unbuilt(#function)
    }

    @discardableResult public func addStaff(store: String, code: String, name: String?, role: StaffRole, timeZone: String, now: Date)
        async throws -> Int64
    {
        throw PostgresStorage.unbuilt(#function)
    }

    public func deactivateStaff(store: String, code: String, now: Date) async throws -> Int {
        throw PostgresStorage.unbuilt(#function)
    }

    public func staffSnapshot(storeID: Int64) async throws -> (staff: [StaffMember], lastAssigned: Int64?) {
        throw PostgresStorage.unbuilt(#function)
    }

    public func staffName(id: Int64) async throws -> String? {
        throw PostgresStorage.unbuilt(#function)
    }
}
