import AfterdeskCore
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Records an inbound text once (providers retry webhooks). Returns false when it was already recorded.
    public func recordInbound(providerID: String, from: String, body: String, keyword: String?, customerID: Int64?, now: Date) throws
        -> Bool
    {
        try writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO inbound_messages (provider_id, customer_id, from_phone, body, keyword, received_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (provider_id) DO NOTHING
                    """, arguments: [providerID, customerID, from, body, keyword, Instant.iso8601(now)])
            return db.changesCount == 1
        }
    }

    public func linkInbound(providerID: String, taskID: Int64) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE inbound_messages SET task_id = ? WHERE provider_id = ?", arguments: [taskID, providerID])
        }
    }
}
