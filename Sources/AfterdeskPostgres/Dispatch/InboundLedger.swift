import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// The opt-out ledger as an inbound text writes it, inside the text's transaction: SQLite's `appendOptOut`,
/// `customers(withPhone:)` and `cancelPending` (Sources/AfterdeskSQLite/Consent/OptOutLedger.swift, Consent.swift,
/// Tasks/Tasks.swift) ported for `receiveInbound`. The consent area's port of the same statements should become the one
/// both use: until then they live here, under this area's name.
enum InboundLedger {
    /// The customers who have this phone number: those texted at it, and those whose row holds it; by id.
    static func customers(_ conn: PostgresConnection, withPhone phone: String, _ logger: Logger) async throws -> [Int64] {
        let ids = try await conn.all(
            Int64.self,
            """
            SELECT customer_id FROM outbox WHERE recipient = \(phone) AND channel = 'sms' AND customer_id IS NOT NULL
            UNION SELECT id FROM customers WHERE phone = \(phone)
            """, logger)
        return Array(Set(ids)).sorted()
    }

    /// The customers an address belongs to: by phone (and those texted at it), by email, or the customer itself.
    static func customers(_ conn: PostgresConnection, holding address: String, _ logger: Logger) async throws -> [Int64] {
        if address.hasPrefix("customer:") { return Int64(address.dropFirst("customer:".count)).map { [$0] } ?? [] }
        if ContactAddress.isEmail(address) {
            return try await conn.all(Int64.self, "SELECT id FROM customers WHERE lower(email) = \(address) ORDER BY id", logger)
        }
        return try await customers(conn, withPhone: address, logger)
    }

    /// Appends `record` and applies it at once to every customer holding the address: a stop turns the channel's
    /// consent off and cancels what is pending on it; a restore turns it on. `unlessStopped`: nothing is appended when
    /// the address is already stopped on the channel. Returns whether an entry was appended. (The ledger's trigger
    /// keeps `opt_out_state`.)
    @discardableResult
    static func append(
        _ conn: PostgresConnection, _ record: OptOutRecord, now: Date, unlessStopped: Bool, _ logger: Logger
    ) async throws -> Bool {
        let stop = !record.source.restores
        let channel = record.channel.rawValue
        if unlessStopped, stop,
            try await conn.one(
                Bool.self, "SELECT stopped FROM opt_out_state WHERE address = \(record.address) AND channel = \(channel)", logger)
                ?? false
        {
            return false
        }
        try await conn.run(
            """
            INSERT INTO opt_outs (address, channel, action, source, detail, reference, recorded_by, customer_id, effective_on, at)
            VALUES (\(record.address), \(channel), \(stop ? "stop" : "restore"), \(record.source.rawValue), \(record.detail),
                    \(record.reference)::text, \(record.recordedBy), \(record.customerID)::bigint, \(record.effectiveOn)::date, \(now))
            """, logger)
        // The customer row's source, as before the ledger for texts ("sms STOP SM1"), else the entry's source.
        let why =
            record.source == .keyword || record.source == .start
            ? "sms \(record.detail) \(record.reference ?? "")"
            : "\(record.source.rawValue): \(record.detail)\(record.reference.map { " (\($0))" } ?? "")"
        let column = "consent_\(channel)"
        for id in try await customers(conn, holding: record.address, logger) {
            try await conn.run(
                """
                UPDATE customers SET \(unescaped: column) = \(!stop), \(unescaped: column)_source = \(why),
                \(unescaped: column)_at = \(now), updated_at = \(now) WHERE id = \(id)
                """, logger)
            if stop {
                let actions = record.channel == .phone ? ["task"] : [channel]
                try await cancelPending(conn, customer: id, actions: actions, reason: "opted out of \(channel) (\(why))", now: now, logger)
            }
        }
        return true
    }

    /// Cancels a customer's planned touches of `actions` and queued messages on those channels.
    static func cancelPending(
        _ conn: PostgresConnection, customer: Int64, actions: [String], reason: String, now: Date, _ logger: Logger
    ) async throws {
        try await conn.run(
            """
            UPDATE touches SET status = 'cancelled', status_reason = \(reason)
            WHERE customer_id = \(customer) AND status = 'planned' AND action = ANY(\(actions))
            """, logger)
        try await conn.run(
            """
            UPDATE outbox SET status = 'cancelled', last_error = \(reason), updated_at = \(now)
            WHERE customer_id = \(customer) AND status = 'queued' AND channel = ANY(\(actions))
            """, logger)
    }
}
