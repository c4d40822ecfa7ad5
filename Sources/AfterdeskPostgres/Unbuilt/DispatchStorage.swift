import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func dueTouches(now: Date, limit: Int, after: (dueAt: Date, id: Int64)?) async throws -> [DueTouch] {
        throw PostgresStorage.unbuilt(#function)
    }

    @discardableResult public func record(_ records: [DispatchRecord], now: Date) async throws -> [Int64: Int64] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func enqueue(_ messages: [NewOutboxMessage], customerID: Int64?, taskID: Int64?, now: Date) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func advanceFirstTouches(customers: Int, to: Date) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func claimOutbox(now: Date, limit: Int) async throws -> [OutboxMessage] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func claimOutbox(id: Int64, now: Date) async throws -> OutboxMessage? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func inDoubtOutbox(before: Date) async throws -> [OutboxMessage] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func completeOutbox(_ results: [(id: Int64, result: SendResult)], now: Date) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func sendChecks(_ messages: [OutboxMessage]) async throws -> (stopped: [Int64: String], places: [Int64: RecipientPlace]) {
        throw PostgresStorage.unbuilt(#function)
    }

    public func cancelClaimed(_ items: [(id: Int64, reason: String)], now: Date) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func deferClaimed(_ items: [(id: Int64, until: Date, reason: String)], now: Date) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    @discardableResult public func recordDeliveryStatus(providerID: String, report: DeliveryReport, now: Date) async throws -> Bool {
        throw PostgresStorage.unbuilt(#function)
    }

    public func outbox(status: OutboxStatus?, limit: Int) async throws -> [OutboxMessage] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func retryDeadLetter(id: Int64, now: Date) async throws -> Bool {
        throw PostgresStorage.unbuilt(#function)
    }

    public func outboxCounts() async throws -> [String: Int] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func openSentLog() -> (any SentLog)? { nil }

    @discardableResult public func settleSentLog(now: Date) async throws -> Int {
        throw PostgresStorage.unbuilt(#function)
    }

    public func staffText(taskID: Int64, now: Date, decide: @Sendable (DueTouch) -> StaffTextVerdict) async throws -> StaffTextOutcome {
        throw PostgresStorage.unbuilt(#function)
    }
}
