import AfterdeskCore
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The customers who have this phone number: those texted at it first (indexed), else a scan.
    public func customers(withPhone phone: String) throws -> [Int64] {
        try writer.read { db in try Self.customers(db, withPhone: phone) }
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

    /// An SMS opt-out (STOP) or opt-in (START) from `phone`: every customer with the number, at once. An opt-out
    /// cancels every pending SMS touch and every queued SMS. Returns the customers changed.
    @discardableResult
    public func setSMSConsent(phone: String, consent: Bool, source: String, now: Date) throws -> [Int64] {
        try writer.write { db in
            let ids = try Self.customers(db, withPhone: phone)
            try setSMSConsent(db, customers: ids, consent: consent, source: source, now: Instant.iso8601(now))
            return ids
        }
    }

    func setSMSConsent(_ db: Database, customers ids: [Int64], consent: Bool, source: String, now nowText: String) throws {
        for id in ids {
            try db.execute(
                sql: """
                    UPDATE customers SET consent_sms = ?, consent_sms_source = ?, consent_sms_at = ?, updated_at = ? WHERE id = ?
                    """, arguments: [consent, source, nowText, nowText, id])
            if !consent {
                try cancelPending(db, customer: id, actions: ["sms"], reason: "opted out of SMS (\(source))", now: nowText)
            }
        }
    }

    /// An email unsubscribe: no more email to the customer; queued email cancelled.
    public func unsubscribeEmail(customerID: Int64, source: String, now: Date) throws -> Bool {
        let nowText = Instant.iso8601(now)
        return try writer.write { db in
            try db.execute(
                sql: """
                    UPDATE customers SET consent_email = 0, consent_email_source = ?, consent_email_at = ?, updated_at = ? WHERE id = ?
                    """, arguments: [source, nowText, nowText, customerID])
            guard db.changesCount == 1 else { return false }
            try cancelPending(db, customer: customerID, actions: ["email"], reason: "unsubscribed from email (\(source))", now: nowText)
            return true
        }
    }

    /// Adds numbers to the do-not-call list (E.164). Returns how many were new.
    public func addDoNotCall(_ phones: [String], source: String, now: Date) throws -> Int {
        try writer.write { db in
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
