import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// Appends `record` and applies it at once to every customer holding the address: a stop turns the channel's
    /// consent off and cancels what is pending on it; a restore turns it on. `unlessStopped`: nothing is appended when
    /// the address is already stopped on the channel (a re-import, an unsubscribe pressed twice); the address and
    /// channel are then locked for the rest of the transaction (an advisory lock), so two servers never both append.
    /// The baseline's trigger keeps `opt_out_state` (the entry with the largest id stands). Returns whether an entry
    /// was appended.
    @discardableResult
    func appendOptOut(_ conn: PostgresConnection, _ record: OptOutRecord, now: Date, unlessStopped: Bool = false) async throws -> Bool {
        let at = now.wholeSecond
        let stop = !record.source.restores
        if unlessStopped, stop {
            // The two-key form: its keys never meet the single 64-bit keys of the coordination locks.
            let key = record.channel.rawValue + " " + record.address
            try await conn.run("SELECT pg_advisory_xact_lock(2901, hashtext(\(key)))", logger)
            if try await isStopped(conn, address: record.address, channel: record.channel) { return false }
        }
        try await conn.run(
            """
            INSERT INTO opt_outs (address, channel, action, source, detail, reference, recorded_by, customer_id, effective_on, at)
            VALUES (\(record.address), \(record.channel.rawValue), \(stop ? "stop" : "restore"), \(record.source.rawValue),
                    \(record.detail), \(record.reference), \(record.recordedBy), \(record.customerID), \(record.effectiveOn), \(at))
            """, logger)
        let ids = try await customers(conn, holding: record.address)
        guard !ids.isEmpty else { return true }
        let column = "consent_\(record.channel.rawValue)"
        // The customer row's source, as before the ledger for texts ("sms STOP SM1"), else the entry's source.
        let why =
            record.source == .keyword || record.source == .start
            ? "sms \(record.detail) \(record.reference ?? "")"
            : "\(record.source.rawValue): \(record.detail)\(record.reference.map { " (\($0))" } ?? "")"
        try await conn.run(
            """
            UPDATE customers SET \(unescaped: column) = \(!stop), \(unescaped: column)_source = \(why), \(unescaped: column)_at = \(at),
                updated_at = \(at) WHERE id = ANY(\(ids))
            """, logger)
        if stop {
            let actions = record.channel == .phone ? ["task"] : [record.channel.rawValue]
            try await cancelPending(
                conn, customers: ids, actions: actions, reason: "opted out of \(record.channel.rawValue) (\(why))", now: at)
        }
        return true
    }

    /// Whether the address is stopped on the channel now.
    func isStopped(_ conn: PostgresConnection, address: String, channel: ContactChannel) async throws -> Bool {
        try await conn.one(
            Bool.self, "SELECT stopped FROM opt_out_state WHERE address = \(address) AND channel = \(channel.rawValue)", logger)
            ?? false
    }

    /// The customers an address belongs to: by phone (and those texted at it), by email, or the customer itself.
    func customers(_ conn: PostgresConnection, holding address: String) async throws -> [Int64] {
        if address.hasPrefix("customer:") { return Int64(address.dropFirst("customer:".count)).map { [$0] } ?? [] }
        if ContactAddress.isEmail(address) {
            return try await conn.all(Int64.self, "SELECT id FROM customers WHERE lower(email) = \(address) ORDER BY id", logger)
        }
        return try await customers(conn, withPhone: address)
    }

    /// The customers a normalised address belongs to now (to re-plan after a restore).
    public func customers(holdingAddress address: String) async throws -> [Int64] {
        try await read { conn in try await customers(conn, holding: address) }
    }

    /// Records an opt-out by an admin: every channel of the address (texts and calls of a phone) unless `channel`
    /// says one. Returns the address's entries.
    public func addOptOut(
        address text: String, channel: ContactChannel?, detail: String, by user: String, now: Date
    ) async throws -> [OptOutEntry] {
        let (address, channels) = try OptOutRecord.checkedOptOut(address: text, channel: channel)
        return try await write { conn in
            for c in channels {
                try await appendOptOut(
                    conn, OptOutRecord(address: address, channel: c, source: .admin, detail: detail, recordedBy: user), now: now)
            }
            return try await optOutHistory(conn, address: address)
        }
    }

    /// Restores a channel on staff's word, with the evidence of the customer's consent and its date. The only way,
    /// besides the customer's START, that a stopped channel is turned back on.
    public func recordConsent(
        address text: String, channel: ContactChannel, evidence: String, date: LocalDate, by user: String, now: Date
    ) async throws -> OptOutEntry {
        let (address, words) = try OptOutRecord.checkedConsent(
            address: text, channel: channel, evidence: evidence, date: date, now: now)
        return try await write { conn in
            // A STOP revokes every consent given before it: evidence dated before the stop that stands restores nothing.
            if let stoppedAt = try await conn.one(
                Date.self,
                """
                SELECT e.at FROM opt_out_state s JOIN opt_outs e ON e.id = s.entry_id
                WHERE s.address = \(address) AND s.channel = \(channel.rawValue) AND s.stopped
                """, logger), date < LocalDate(stoppedAt, in: .gmt)
            {
                throw StoreError(
                    "the consent's date \(date) is before the opt-out of \(LocalDate(stoppedAt, in: .gmt)) that stands: "
                        + "the opt-out revoked it; record consent the customer gave after it")
            }
            try await appendOptOut(
                conn,
                OptOutRecord(
                    address: address, channel: channel, source: .consentRestore, detail: String(words.prefix(500)), recordedBy: user,
                    effectiveOn: date), now: now)
            guard let entry = try await optOutHistory(conn, address: address).last else {
                throw StoreError.integrity("consent not recorded")
            }
            return entry
        }
    }
}
