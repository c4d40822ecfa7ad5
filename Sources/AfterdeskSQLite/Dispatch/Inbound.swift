import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Records an inbound text once by its message id and applies its keyword, in one transaction: a STOP always
    /// applies; a START only the first time its id is seen, so a START captured and replayed after a newer STOP
    /// changes nothing (the provider's requests carry no send time, so a replay always looks new). The unique
    /// `provider_id` makes two concurrent copies of one message record, and apply, once. Messages are ordered as
    /// Afterdesk received them (`inbound_messages.id`). The opt-out ledger keeps the keyword and the message id (`source`
    /// is the caller's wording, no longer stored).
    public func receiveInbound(
        providerID: String, phone: String, body: String, keyword: InboundKeyword?, source: String, now: Date
    ) async throws -> InboundReceipt {
        let nowText = Instant.iso8601(now)
        return try await writer.write { db in
            let customers = try Self.customers(db, withPhone: phone)
            try db.execute(
                sql: """
                    INSERT INTO inbound_messages (provider_id, customer_id, from_phone, body, keyword, received_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (provider_id) DO NOTHING
                    """, arguments: [providerID, customers.first, phone, body, keyword?.rawValue, nowText])
            let fresh = db.changesCount == 1
            // The ledger keeps the keyword and the message id; a STOP seen before is not written twice.
            let record = OptOutRecord.ofInbound(
                keyword: keyword, fresh: fresh, body: body, phone: phone, providerID: providerID, customerID: customers.first)
            if let record {
                try appendOptOut(db, record, now: nowText, unlessStopped: !fresh)
            }
            var receipt = InboundReceipt(fresh: fresh, applied: record != nil, customers: customers)
            if keyword == .stop { (receipt.alreadyStopped, receipt.firstReceived) = try Self.stopFacts(db, phone, providerID) }
            if keyword == .start, !fresh {
                // A retry of the START that still stands: the number's latest entry is this very message's restore.
                receipt.inForce =
                    try Bool.fetchOne(
                        db,
                        sql: """
                            SELECT o.reference = ? AND s.stopped = 0 FROM opt_out_state s JOIN opt_outs o ON o.id = s.entry_id
                            WHERE s.address = ? AND s.channel = 'sms'
                            """, arguments: [providerID, phone]) ?? false
                receipt.inForce = receipt.inForce && !customers.isEmpty
            }
            return receipt
        }
    }

    /// For a STOP's one confirmation: whether an earlier STOP of the number still stood (no START since), and when
    /// Afterdesk first received this message id.
    static func stopFacts(_ db: Database, _ phone: String, _ providerID: String) throws -> (alreadyStopped: Bool, firstReceived: Date?) {
        let standing = try String.fetchOne(
            db,
            sql: """
                SELECT keyword FROM inbound_messages WHERE from_phone = ? AND keyword IN ('stop', 'start') AND provider_id <> ?
                ORDER BY id DESC LIMIT 1
                """, arguments: [phone, providerID])
        let first = try String.fetchOne(
            db, sql: "SELECT received_at FROM inbound_messages WHERE provider_id = ?", arguments: [providerID])
        return (standing == InboundKeyword.stop.rawValue, first.flatMap(Instant.parse))
    }

    public func linkInbound(providerID: String, taskID: Int64) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE inbound_messages SET task_id = ? WHERE provider_id = ?", arguments: [taskID, providerID])
        }
    }
}
