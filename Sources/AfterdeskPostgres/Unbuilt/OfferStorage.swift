import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func offerLink(tokenHash: String) async throws -> StoredOfferLink? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func offerLinkTimes() async throws -> [(id: Int64, sentAt: Date)] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func recordOfferOpened(linkID: Int64, now: Date) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func pressOffer(_ press: OfferPress, now: Date) async throws -> OfferPressResult {
        throw PostgresStorage.unbuilt(#function)
    }

    public func offerFunnel(from: LocalDate, to: LocalDate, store: String?) async throws -> OfferFunnel {
        throw PostgresStorage.unbuilt(#function)
    }
}
