import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func customers(withPhone phone: String) async throws -> [Int64] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func customers(holdingAddress address: String) async throws -> [Int64] {
        throw PostgresStorage.unbuilt(#function)
    }

    @discardableResult public func setSMSConsent(phone: String, consent: Bool, source: String, reference: String?, now: Date) async throws
        -> [Int64]
    {
        throw PostgresStorage.unbuilt(#function)
    }

    public func unsubscribeEmail(customerID: Int64, source: String, oneClick: Bool, now: Date) async throws -> Bool {
        throw PostgresStorage.unbuilt(#function)
    }

    public func addDoNotCall(_ phones: [String], source: String, now: Date) async throws -> Int {
        throw PostgresStorage.unbuilt(#function)
    }

    public func addOptOut(address text: String, channel: ContactChannel?, detail: String, by user: String, now: Date) async throws
        -> [OptOutEntry]
    {
        throw PostgresStorage.unbuilt(#function)
    }

    public func recordConsent(address text: String, channel: ContactChannel, evidence: String, date: LocalDate, by user: String, now: Date)
        async throws -> OptOutEntry
    {
        throw PostgresStorage.unbuilt(#function)
    }

    public func optOutHistory(address text: String) async throws -> [OptOutEntry] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func optOutsInForce(includeRestored restored: Bool, limit: Int) async throws -> [OptOutEntry] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func optOutsInForce(customer: Int64) async throws -> [OptOutEntry] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func optOutStatus(dealNumber: String, store: String?) async throws -> [OptOutStatus] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func optOutSummary() async throws -> OptOutSummary {
        throw PostgresStorage.unbuilt(#function)
    }
}
