import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// The customers who have this phone number: those texted at it, and those whose number it is.
    public func customers(withPhone phone: String) async throws -> [Int64] {
        try await read { conn in try await customers(conn, withPhone: phone) }
    }

    func customers(_ conn: PostgresConnection, withPhone phone: String) async throws -> [Int64] {
        try await conn.all(
            Int64.self,
            """
            SELECT customer_id FROM outbox WHERE recipient = \(phone) AND channel = 'sms' AND customer_id IS NOT NULL
            UNION SELECT id FROM customers WHERE phone = \(phone) ORDER BY 1
            """, logger)
    }

    /// An SMS opt-out (STOP) or opt-in (START) from `phone`, kept in the opt-out ledger and applied to every customer
    /// with the number at once (none yet: it waits for the number). An opt-out cancels every pending SMS touch and
    /// every queued SMS. `source` is what the customer wrote (the keyword). Returns the customers changed.
    @discardableResult
    public func setSMSConsent(phone: String, consent: Bool, source: String, reference: String?, now: Date) async throws -> [Int64] {
        try await write { conn in
            let record = OptOutRecord(
                address: Phone.e164(phone) ?? phone, channel: .sms, source: consent ? .start : .keyword, detail: source,
                reference: reference, recordedBy: "customer")
            try await appendOptOut(conn, record, now: now)
            return try await customers(conn, withPhone: record.address)
        }
    }

    /// An email unsubscribe (the page's button, or RFC 8058 one-click): the customer's address is stopped in the
    /// opt-out ledger, so no import turns email back on; queued email is cancelled. False when there is no such customer.
    public func unsubscribeEmail(customerID: Int64, source: String, oneClick: Bool, now: Date) async throws -> Bool {
        let at = now.wholeSecond
        return try await write { conn in
            var found = false
            var email: String?
            for try await e in try await conn.statement("SELECT email FROM customers WHERE id = \(customerID)", logger: logger)
                .decode(String?.self)
            {
                found = true
                email = e
            }
            guard found else { return false }
            let address = email.map { $0.lowercased() } ?? ContactAddress.customer(customerID)
            let record = OptOutRecord(
                address: address, channel: .email, source: oneClick ? .oneClick : .unsubscribeLink, detail: source,
                reference: "customer \(customerID)", recordedBy: "customer", customerID: customerID)
            if !(try await appendOptOut(conn, record, now: at, unlessStopped: true)) {
                // Pressed twice: nothing new to record; what is queued is cancelled all the same.
                try await cancelPending(
                    conn, customers: [customerID], actions: ["email"], reason: "unsubscribed from email (\(source))", now: at)
            }
            return true
        }
    }

    /// Adds numbers to the do-not-call list (E.164). Returns how many were new.
    public func addDoNotCall(_ phones: [String], source: String, now: Date) async throws -> Int {
        try await write { conn in
            try await conn.all(
                Int.self,
                """
                INSERT INTO do_not_call (phone, source, added_at)
                SELECT DISTINCT p, \(source), \(now.wholeSecond) FROM unnest(\(phones)::text[]) AS p
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger
            ).count
        }
    }

    /// Cancels the customers' planned touches (of `actions`, or all) and queued outbox messages to them (on the channels
    /// of `actions`, or texts and emails).
    func cancelPending(_ conn: PostgresConnection, customers: [Int64], actions: [String]?, reason: String, now: Date) async throws {
        guard !customers.isEmpty else { return }
        try await conn.run(
            """
            UPDATE touches SET status = 'cancelled', status_reason = \(reason)
            WHERE customer_id = ANY(\(customers)) AND status = 'planned' AND (\(actions)::text[] IS NULL OR action = ANY(\(actions)::text[]))
            """, logger)
        try await conn.run(
            """
            UPDATE outbox SET status = 'cancelled', last_error = \(reason), updated_at = \(now.wholeSecond)
            WHERE customer_id = ANY(\(customers)) AND status = 'queued' AND channel = ANY(\(actions ?? ["sms", "email"]))
            """, logger)
    }
}
