import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func importContracts(
        file: String, menu: Menu, planner: Planner?, now: Date?, writeRejectsFile: Bool, allowedStores: Set<String>?
    ) async throws -> AfterSaleSummary {
        throw PostgresStorage.unbuilt(#function)
    }

    public func importCancellations(file: String, menu: Menu, writeRejectsFile: Bool, allowedStores: Set<String>?) async throws
        -> AfterSaleSummary
    {
        throw PostgresStorage.unbuilt(#function)
    }

    public func recentRecoveries(store: String?, asOf: LocalDate, limit: Int) async throws -> [RecentRecovery] {
        throw PostgresStorage.unbuilt(#function)
    }
}
