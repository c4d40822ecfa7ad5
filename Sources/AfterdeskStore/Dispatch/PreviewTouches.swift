import AfterdeskCore
import Foundation
import GRDB

/// A touch of a deal's product as the plan holds it, for a preview.
public struct PreviewTouch: Sendable, Equatable {
    /// planned | sent | cancelled | skipped
    public var status: String
    public var reason: String?
    public var dueAt: Date?
    /// The customer's calendar date of the touch.
    public var dueOn: LocalDate?
    /// How the plan makes it: sms | email | task (a message touch becomes a task above the quote threshold, or without
    /// consent for SMS or email).
    public var action: String? = nil
}

extension AfterdeskDatabase {
    /// The touches that name a deal's product, by touch name: the planned one when there is one, else the latest.
    public func previewTouches(dealID: Int64, product: String) throws -> [String: PreviewTouch] {
        try writer.read { db in
            var out: [String: PreviewTouch] = [:]
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT i.touch_name, t.status, t.status_reason, t.due_at, t.due_on, t.action FROM touch_items i
                    JOIN touches t ON t.id = i.touch_id WHERE i.deal_id = ? AND i.product_code = ? ORDER BY t.id
                    """, arguments: [dealID, product])
            {
                let name: String = r["touch_name"]
                let touch = PreviewTouch(
                    status: r["status"], reason: r["status_reason"], dueAt: Instant.parse(r["due_at"]),
                    dueOn: (r["due_on"] as String?).flatMap(LocalDate.init), action: r["action"])
                if out[name]?.status != "planned" { out[name] = touch }
            }
            return out
        }
    }
}
