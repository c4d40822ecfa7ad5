import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func receiveInbound(providerID: String, phone: String, body: String, keyword: InboundKeyword?, source: String, now: Date)
        async throws -> InboundReceipt
    {
        throw PostgresStorage.unbuilt(#function)
    }

    public func linkInbound(providerID: String, taskID: Int64) async throws {
        throw PostgresStorage.unbuilt(#function)
    }
}
