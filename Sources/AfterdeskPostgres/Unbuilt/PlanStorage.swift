import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func planCustomers(
        planner: Planner, now: Date, customerIDs: [Int64]?, rangeSize: Int, transactionSize: Int, progress: (@Sendable (Int, Int) -> Void)?
    ) async throws -> PlanSummary {
        throw PostgresStorage.unbuilt(#function)
    }

    public func plannedTouches(dealNumber: String?, store: String?, limit: Int) async throws -> [PlannedTouchRow] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func previewTouches(dealID: Int64, product: String) async throws -> [String: PreviewTouch] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func previewFacts(dealNumber: String, store: String?, product: String) async throws -> (
        customer: CustomerContact, item: DueItem, planned: [String: String]
    )? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func addStop(dealNumber: String, store: String?, product: String?, kind: StopKind, source: String, now: Date) async throws
        -> Int64
    {
        throw PostgresStorage.unbuilt(#function)
    }
}
