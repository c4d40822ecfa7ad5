import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The ledger's statements, written once: the insert (the trigger keeps `opt_out_state`) and the state read.
    static let insertOptOut = """
        INSERT INTO opt_outs (address, channel, action, source, detail, reference, recorded_by, customer_id, effective_on, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Appends `record` and applies it at once to every customer holding the address: a stop turns the channel's
    /// consent off and cancels what is pending on it; a restore turns it on. `unlessStopped`: nothing is appended when
    /// the address is already stopped on the channel (a re-import, an unsubscribe pressed twice). Returns whether an
    /// entry was appended.
    @discardableResult
    func appendOptOut(_ db: Database, _ record: OptOutRecord, now: String, unlessStopped: Bool = false) throws -> Bool {
        let stop = !record.source.restores
        if unlessStopped, stop, try Self.isStopped(db, address: record.address, channel: record.channel) { return false }
        try db.execute(
            sql: Self.insertOptOut,
            arguments: [
                record.address, record.channel.rawValue, stop ? "stop" : "restore", record.source.rawValue, record.detail,
                record.reference, record.recordedBy, record.customerID, record.effectiveOn?.description, now,
            ])
        let ids = try Self.customers(db, holding: record.address)
        let column = "consent_\(record.channel.rawValue)"
        // The customer row's source, as before the ledger for texts ("sms STOP SM1"), else the entry's source.
        let why =
            record.source == .keyword || record.source == .start
            ? "sms \(record.detail) \(record.reference ?? "")"
            : "\(record.source.rawValue): \(record.detail)\(record.reference.map { " (\($0))" } ?? "")"
        for id in ids {
            try db.execute(
                sql: "UPDATE customers SET \(column) = ?, \(column)_source = ?, \(column)_at = ?, updated_at = ? WHERE id = ?",
                arguments: [!stop, why, now, now, id])
            if stop {
                let actions = record.channel == .phone ? ["task"] : [record.channel.rawValue]
                try cancelPending(db, customer: id, actions: actions, reason: "opted out of \(record.channel.rawValue) (\(why))", now: now)
            }
        }
        return true
    }

    /// Whether the address is stopped on the channel now.
    static func isStopped(_ db: Database, address: String, channel: ContactChannel) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT stopped FROM opt_out_state WHERE address = ? AND channel = ?", arguments: [address, channel.rawValue])
            ?? false
    }

    /// The customers an address belongs to: by phone (and those texted at it), by email, or the customer itself.
    static func customers(_ db: Database, holding address: String) throws -> [Int64] {
        if address.hasPrefix("customer:") { return Int64(address.dropFirst("customer:".count)).map { [$0] } ?? [] }
        if ContactAddress.isEmail(address) {
            return try Int64.fetchAll(db, sql: "SELECT id FROM customers WHERE lower(email) = ? ORDER BY id", arguments: [address])
        }
        return try customers(db, withPhone: address)
    }

    /// The customers a normalised address belongs to now (to re-plan after a restore).
    public func customers(holdingAddress address: String) async throws -> [Int64] {
        try await writer.read { db in try Self.customers(db, holding: address) }
    }

    /// Records an opt-out by an admin: every channel of the address (texts and calls of a phone) unless `channel`
    /// says one. Returns the entries appended.
    public func addOptOut(
        address text: String, channel: ContactChannel?, detail: String, by user: String, now: Date
    ) async throws -> [OptOutEntry] {
        let (address, channels) = try OptOutRecord.checkedOptOut(address: text, channel: channel)
        let nowText = Instant.iso8601(now)
        return try await writer.write { db in
            for c in channels {
                try appendOptOut(
                    db, OptOutRecord(address: address, channel: c, source: .admin, detail: detail, recordedBy: user), now: nowText)
            }
            return try Self.optOutHistory(db, address: address)
        }
    }

    /// Restores a channel on staff's word, with the evidence of the customer's consent and its date. The only way,
    /// besides the customer's START, that a stopped channel is turned back on.
    public func recordConsent(
        address text: String, channel: ContactChannel, evidence: String, date: LocalDate, by user: String, now: Date
    ) async throws -> OptOutEntry {
        let (address, words) = try OptOutRecord.checkedConsent(
            address: text, channel: channel, evidence: evidence, date: date, now: now)
        let nowText = Instant.iso8601(now)
        return try await writer.write { db in
            // A STOP revokes every consent given before it: evidence dated before the stop that stands restores nothing.
            if let stoppedAt = try String.fetchOne(
                db,
                sql: """
                    SELECT e.at FROM opt_out_state s JOIN opt_outs e ON e.id = s.entry_id WHERE s.address = ? AND s.channel = ? AND s.stopped
                    """, arguments: [address, channel.rawValue]
            ).flatMap(Instant.parse), date < LocalDate(stoppedAt, in: .gmt) {
                throw StoreError(
                    "the consent's date \(date) is before the opt-out of \(LocalDate(stoppedAt, in: .gmt)) that stands: "
                        + "the opt-out revoked it; record consent the customer gave after it")
            }
            try appendOptOut(
                db,
                OptOutRecord(
                    address: address, channel: channel, source: .consentRestore, detail: String(words.prefix(500)), recordedBy: user,
                    effectiveOn: date), now: nowText)
            guard let entry = try Self.optOutHistory(db, address: address).last else { throw StoreError.integrity("consent not recorded") }
            return entry
        }
    }

    /// Every entry for an address (a phone number or email address as typed), oldest first.
    public func optOutHistory(address text: String) async throws -> [OptOutEntry] {
        guard let address = ContactAddress.normalize(text) else { throw StoreError("not a US phone number or an email address") }
        return try await writer.read { db in try Self.optOutHistory(db, address: address) }
    }

    static func optOutHistory(_ db: Database, address: String) throws -> [OptOutEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM opt_outs WHERE address = ? ORDER BY id", arguments: [address]).compactMap(Self.entry)
    }

    /// What stands now, newest first: the latest entry of every address and channel (stopped ones only unless
    /// `restored`), at most `limit`.
    public func optOutsInForce(includeRestored restored: Bool = false, limit: Int = 500) async throws -> [OptOutEntry] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.* FROM opt_out_state s JOIN opt_outs o ON o.id = s.entry_id
                    WHERE s.stopped = 1 OR ? ORDER BY o.id DESC LIMIT ?
                    """, arguments: [restored, limit]
            ).compactMap(Self.entry)
        }
    }

    /// The entries standing now for a customer: its phone's, its email's and its own (stop all contact).
    static func optOutsInForce(_ db: Database, customer: Int64) throws -> [OptOutEntry] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT o.* FROM customers c
                JOIN opt_out_state s ON s.address IN (c.phone, lower(c.email), 'customer:' || c.id)
                JOIN opt_outs o ON o.id = s.entry_id
                WHERE c.id = ? ORDER BY o.id
                """, arguments: [customer]
        ).compactMap(Self.entry)
    }

    public func optOutsInForce(customer: Int64) async throws -> [OptOutEntry] {
        try await writer.read { db in try Self.optOutsInForce(db, customer: customer) }
    }

    /// The opt-outs standing now for a deal's customer, with their days in the store's time zone.
    public func optOutStatus(dealNumber: String, store: String?) async throws -> [OptOutStatus] {
        try await writer.read { db in
            guard let found = try Self.findDeal(db, number: dealNumber, store: store) else { return [] }
            return try Self.optOutStatus(db, customer: found.customerID, store: found.store)
        }
    }

    static func optOutStatus(_ db: Database, customer: Int64, store: String) throws -> [OptOutStatus] {
        let zone = try zone(ofStore: store, db)
        return try optOutsInForce(db, customer: customer).map { OptOutStatus($0, timeZone: zone) }
    }

    static func entry(_ r: Row) -> OptOutEntry? {
        let channelText: String = r["channel"] ?? ""
        let sourceText: String = r["source"] ?? ""
        guard let channel = ContactChannel(rawValue: channelText), let source = OptOutSource(rawValue: sourceText) else { return nil }
        let id: Int64 = r["id"] ?? 0
        let action: String? = r["action"]
        let address: String = r["address"] ?? ""
        let detail: String = r["detail"] ?? ""
        let reference: String? = r["reference"]
        let by: String = r["recorded_by"] ?? ""
        let customer: Int64? = r["customer_id"]
        let effectiveOn: String? = r["effective_on"]
        let at: String = r["at"] ?? ""
        return OptOutEntry(
            id: id, address: address, channel: channel, stop: action == "stop", source: source, detail: detail, reference: reference,
            recordedBy: by, customerID: customer, effectiveOn: effectiveOn, at: at)
    }
}
