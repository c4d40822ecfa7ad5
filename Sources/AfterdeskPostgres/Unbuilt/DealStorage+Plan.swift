import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func customerDeals(ofDeal number: String, store: String?) async throws -> CustomerDeals? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func customerIDs(ofDeals numbers: [String], store: String?) async throws -> [Int64] {
        throw PostgresStorage.unbuilt(#function)
    }
}
