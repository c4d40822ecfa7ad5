import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The customers who have this phone number: those texted at it first (indexed), else a scan.
    public func customers(withPhone phone: String) async throws -> [Int64] {
        try await writer.read { db in try Self.customers(db, withPhone: phone) }
    }

    static func customers(_ db: Database, withPhone phone: String) throws -> [Int64] {
        let texted = try Int64.fetchAll(
            db,
            sql: """
                SELECT DISTINCT customer_id FROM outbox WHERE recipient = ? AND channel = 'sms' AND customer_id IS NOT NULL
                """, arguments: [phone])
        let all = try Int64.fetchAll(db, sql: "SELECT id FROM customers WHERE phone = ?", arguments: [phone])
        return Array(Set(texted + all)).sorted()
    }

    /// An SMS opt-out (STOP) or opt-in (START) from `phone`, kept in the opt-out ledger and applied to every customer
    /// with the number at once (none yet: it waits for the number). An opt-out cancels every pending SMS touch and
    /// every queued SMS. `source` is what the customer wrote (the keyword). Returns the customers changed.
    @discardableResult
    public func setSMSConsent(phone: String, consent: Bool, source: String, reference: String? = nil, now: Date) async throws -> [Int64] {
        try await writer.write { db in
            let record = OptOutRecord(
                address: Phone.e164(phone) ?? phone, channel: .sms, source: consent ? .start : .keyword, detail: source,
                reference: reference, recordedBy: "customer")
            try appendOptOut(db, record, now: Instant.iso8601(now))
            return try Self.customers(db, withPhone: record.address)
        }
    }

    /// An email unsubscribe (the page's button, or RFC 8058 one-click): the customer's address is stopped in the
    /// opt-out ledger, so no import turns email back on; queued email is cancelled. False when there is no such customer.
    public func unsubscribeEmail(customerID: Int64, source: String, oneClick: Bool = false, now: Date) async throws -> Bool {
        let nowText = Instant.iso8601(now)
        return try await writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT email FROM customers WHERE id = ?", arguments: [customerID]) else {
                return false
            }
            let address = (row["email"] as String?).map { $0.lowercased() } ?? ContactAddress.customer(customerID)
            let record = OptOutRecord(
                address: address, channel: .email, source: oneClick ? .oneClick : .unsubscribeLink, detail: source,
                reference: "customer \(customerID)", recordedBy: "customer", customerID: customerID)
            if !(try appendOptOut(db, record, now: nowText, unlessStopped: true)) {
                // Pressed twice: nothing new to record; what is queued is cancelled all the same.
                try cancelPending(db, customer: customerID, actions: ["email"], reason: "unsubscribed from email (\(source))", now: nowText)
            }
            return true
        }
    }

    /// Adds numbers to the do-not-call list (E.164). Returns how many were new.
    public func addDoNotCall(_ phones: [String], source: String, now: Date) async throws -> Int {
        try await writer.write { db in
            var added = 0
            for p in phones {
                try db.execute(
                    sql: "INSERT INTO do_not_call (phone, source, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    arguments: [p, source, Instant.iso8601(now)])
                added += db.changesCount
            }
            return added
        }
    }
}
