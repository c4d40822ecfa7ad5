import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// Records an inbound text once by its message id and applies its keyword, in one transaction: a STOP always
    /// applies; a START only the first time its id is seen, so a START captured and replayed after a newer STOP
    /// changes nothing. The unique `provider_id` makes two concurrent copies of one message (on two servers) record,
    /// and apply, once: the second waits for the first's commit and finds the id taken. Messages are ordered as
    /// Afterdesk received them (`inbound_messages.id`). The opt-out ledger keeps the keyword and the message id.
    public func receiveInbound(
        providerID: String, phone: String, body: String, keyword: InboundKeyword?, source: String, now: Date
    ) async throws -> InboundReceipt {
        let now = now.wholeSecond
        return try await write { conn in
            let customers = try await customers(conn, withPhone: phone)
            let fresh =
                try await conn.one(
                    Int64.self,
                    """
                    INSERT INTO inbound_messages (provider_id, customer_id, from_phone, body, keyword, received_at)
                    VALUES (\(providerID), \(customers.first)::bigint, \(phone), \(body), \(keyword?.rawValue)::text, \(now))
                    ON CONFLICT (provider_id) DO NOTHING RETURNING id
                    """, logger) != nil
            // The ledger keeps the keyword and the message id; a STOP seen before is not written twice.
            let record = OptOutRecord.ofInbound(
                keyword: keyword, fresh: fresh, body: body, phone: phone, providerID: providerID, customerID: customers.first)
            if let record {
                try await appendOptOut(conn, record, now: now, unlessStopped: !fresh)
            }
            var receipt = InboundReceipt(fresh: fresh, applied: record != nil, customers: customers)
            if keyword == .stop { (receipt.alreadyStopped, receipt.firstReceived) = try await stopFacts(conn, phone, providerID) }
            if keyword == .start, !fresh {
                // A retry of the START that still stands: the number's latest entry is this very message's restore.
                let standing = try await conn.one(
                    Bool?.self,
                    """
                    SELECT o.reference = \(providerID) AND NOT s.stopped FROM opt_out_state s JOIN opt_outs o ON o.id = s.entry_id
                    WHERE s.address = \(phone) AND s.channel = 'sms'
                    """, logger)
                receipt.inForce = (standing.flatMap { $0 } ?? false) && !customers.isEmpty
            }
            return receipt
        }
    }

    /// For a STOP's one confirmation: whether an earlier STOP of the number still stood (no START since), and when
    /// Afterdesk first received this message id.
    private func stopFacts(
        _ conn: PostgresConnection, _ phone: String, _ providerID: String
    ) async throws -> (alreadyStopped: Bool, firstReceived: Date?) {
        let standing = try await conn.one(
            String.self,
            """
            SELECT keyword FROM inbound_messages WHERE from_phone = \(phone) AND keyword IN ('stop', 'start')
            AND provider_id <> \(providerID) ORDER BY id DESC LIMIT 1
            """, logger)
        let first = try await conn.one(
            Date.self, "SELECT received_at FROM inbound_messages WHERE provider_id = \(providerID)", logger)
        return (standing == InboundKeyword.stop.rawValue, first)
    }

    /// Links a reply to the task made for it.
    public func linkInbound(providerID: String, taskID: Int64) async throws {
        try await write { conn in
            try await conn.run("UPDATE inbound_messages SET task_id = \(taskID) WHERE provider_id = \(providerID)", logger)
        }
    }
}
