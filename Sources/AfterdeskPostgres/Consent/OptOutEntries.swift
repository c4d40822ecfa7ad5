import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// Every entry for an address (a phone number or email address as typed), oldest first.
    public func optOutHistory(address text: String) async throws -> [OptOutEntry] {
        guard let address = ContactAddress.normalize(text) else { throw StoreError("not a US phone number or an email address") }
        return try await read { conn in try await optOutHistory(conn, address: address) }
    }

    func optOutHistory(_ conn: PostgresConnection, address: String) async throws -> [OptOutEntry] {
        try await optOutEntries(conn, "SELECT \(unescaped: Self.entryColumns) FROM opt_outs o WHERE o.address = \(address) ORDER BY o.id")
    }

    /// What stands now, newest first: the latest entry of every address and channel (stopped ones only unless
    /// `restored`), at most `limit`.
    public func optOutsInForce(includeRestored restored: Bool, limit: Int) async throws -> [OptOutEntry] {
        // SQLite's negative LIMIT is no limit; PostgreSQL's is LIMIT NULL.
        let cap: Int? = limit < 0 ? nil : limit
        return try await read { conn in
            try await optOutEntries(
                conn,
                """
                SELECT \(unescaped: Self.entryColumns) FROM opt_out_state s JOIN opt_outs o ON o.id = s.entry_id
                WHERE s.stopped OR \(restored) ORDER BY o.id DESC LIMIT \(cap)::int8
                """)
        }
    }

    /// The entries standing now for a customer: its phone's, its email's and its own (stop all contact).
    public func optOutsInForce(customer: Int64) async throws -> [OptOutEntry] {
        try await read { conn in try await optOutsInForce(conn, customer: customer) }
    }

    func optOutsInForce(_ conn: PostgresConnection, customer: Int64) async throws -> [OptOutEntry] {
        try await optOutEntries(
            conn,
            """
            SELECT \(unescaped: Self.entryColumns) FROM customers c
            JOIN opt_out_state s ON s.address IN (c.phone, lower(c.email), 'customer:' || c.id)
            JOIN opt_outs o ON o.id = s.entry_id
            WHERE c.id = \(customer) ORDER BY o.id
            """)
    }

    /// The opt-outs standing now for a deal's customer, with their days in the store's time zone.
    public func optOutStatus(dealNumber: String, store: String?) async throws -> [OptOutStatus] {
        try await read { conn in
            var found: [(customer: Int64, store: String)] = []
            for try await (customer, code) in try await conn.statement(
                """
                SELECT d.customer_id, s.code FROM deals d JOIN stores s ON s.id = d.store_id
                WHERE d.deal_number = \(dealNumber) AND (\(store)::text IS NULL OR s.code = \(store)) ORDER BY s.code
                """, logger: logger
            ).decode((Int64, String).self) {
                found.append((customer, code))
            }
            if found.count > 1 {
                throw StoreError.ambiguous(
                    "deal \(dealNumber) is in several stores (\(found.map(\.store).joined(separator: ", "))): say which with --store")
            }
            guard let deal = found.first else { return [] }
            return try await optOutStatus(conn, customer: deal.customer, store: deal.store)
        }
    }

    /// The opt-outs standing now for a customer, with their days in the time zone of the store `store` (a code).
    func optOutStatus(_ conn: PostgresConnection, customer: Int64, store: String) async throws -> [OptOutStatus] {
        let zone = try await storeZone(conn, code: store)
        return try await optOutsInForce(conn, customer: customer).map { OptOutStatus($0, timeZone: zone) }
    }

    /// The columns `optOutEntries` reads, of `opt_outs o`.
    static let entryColumns =
        "o.id, o.address, o.channel, o.action, o.source, o.detail, o.reference, o.recorded_by, o.customer_id, o.effective_on, o.at"

    /// The ledger's entries a query of `entryColumns` reads; an entry of a channel or source this version does not know
    /// is left out, as on SQLite.
    func optOutEntries(_ conn: PostgresConnection, _ query: PostgresQuery) async throws -> [OptOutEntry] {
        var out: [OptOutEntry] = []
        for try await (id, address, channelText, action, sourceText, detail, reference, by, customer, effectiveOn, at)
            in try await conn.statement(query, logger: logger).decode(
                (Int64, String, String, String, String, String, String?, String, Int64?, LocalDate?, Date).self)
        {
            guard let channel = ContactChannel(rawValue: channelText), let source = OptOutSource(rawValue: sourceText) else { continue }
            out.append(
                OptOutEntry(
                    id: id, address: address, channel: channel, stop: action == "stop", source: source, detail: detail,
                    reference: reference, recordedBy: by, customerID: customer, effectiveOn: effectiveOn?.description,
                    at: Instant.iso8601(at)))
        }
        return out
    }
}
