import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    func addStop(_ db: Database, dealID: Int64, product: String, kind: StopKind, source: String, now: String) throws {
        try db.execute(
            sql: """
                INSERT INTO follow_up_stops (deal_id, product_code, kind, source, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [dealID, product, kind.rawValue, source, now])
    }

    /// Records that follow-up of a deal's product (or all its products) stops for good. Returns the customer.
    public func addStop(dealNumber: String, store: String? = nil, product: String?, kind: StopKind, source: String, now: Date) async throws
        -> Int64
    {
        try await writer.write { db in
            guard let deal = try AfterdeskDatabase.findDeal(db, number: dealNumber, store: store) else {
                throw StoreError("no deal '\(dealNumber)'")
            }
            try addStop(db, dealID: deal.id, product: product ?? "*", kind: kind, source: source, now: Instant.iso8601(now))
            return deal.customerID
        }
    }
}
