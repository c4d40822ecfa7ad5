import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func listDeals(_ filter: DealFilter) async throws -> [DealListItem] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func deal(number: String, store: String?) async throws -> DealDetail? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func captureSummary() async throws -> CaptureSummary {
        throw PostgresStorage.unbuilt(#function)
    }
}
