import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The touches that name a deal's product, by touch name: the planned one when there is one, else the latest.
    public func previewTouches(dealID: Int64, product: String) async throws -> [String: PreviewTouch] {
        try await writer.read { db in
            var out: [String: PreviewTouch] = [:]
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT i.touch_name, t.status, t.status_reason, t.due_at, t.due_on, t.action FROM touch_items i
                    JOIN touches t ON t.id = i.touch_id WHERE i.deal_id = ? AND i.product_code = ? ORDER BY t.id
                    """, arguments: [dealID, product])
            {
                let name: String = r["touch_name"]
                let touch = try PreviewTouch(
                    status: r.stored("status", of: "touches"), reason: r["status_reason"],
                    dueAt: r.optionalInstant("due_at", of: "touches"), dueOn: r.optionalLocalDate("due_on", of: "touches"),
                    action: r.optionalStored("action", of: "touches"))
                if out[name]?.status != .planned { out[name] = touch }
            }
            return out
        }
    }
}
