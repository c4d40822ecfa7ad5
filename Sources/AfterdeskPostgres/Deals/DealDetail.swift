import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

extension PostgresStorage {
    public func deal(number: String, store: String?) async throws -> DealDetail? {
        let found = try await snapshot { conn -> DealDetail? in
            guard let found = try await PostgresStorage.findDeal(conn, number: number, store: store, logger: logger) else { return nil }
            let rows = try await conn.rows(
                """
                SELECT d.*, s.code AS store_code, v.vin, v.year, v.make, v.model, v.in_service_date, v.in_service_estimated,
                       c.first_name, c.last_name, c.email, c.phone, c.state, c.zip,
                       COALESCE(c.consent_sms_source, c.consent_source) AS consent_sms_source,
                       COALESCE(c.consent_sms_at, c.consent_at) AS consent_sms_at,
                       COALESCE(c.consent_email_source, c.consent_source) AS consent_email_source,
                       COALESCE(c.consent_email_at, c.consent_at) AS consent_email_at,
                       COALESCE(c.consent_phone_source, c.consent_source) AS consent_phone_source,
                       COALESCE(c.consent_phone_at, c.consent_at) AS consent_phone_at,
                       c.consent_sms AS c_sms, c.consent_email AS c_email, c.consent_phone AS c_phone,
                       sp.name AS sp_name, sp.staff_code AS sp_code, fi.name AS fi_name, fi.staff_code AS fi_code,
                       r.file AS run_file, r.started_at AS run_at
                FROM deals d JOIN stores s ON s.id = d.store_id JOIN vehicles v ON v.id = d.vehicle_id
                JOIN customers c ON c.id = d.customer_id
                LEFT JOIN staff sp ON sp.id = d.salesperson_id LEFT JOIN staff fi ON fi.id = d.fi_manager_id
                JOIN import_runs r ON r.id = d.import_run_id
                WHERE d.id = \(found.id)
                """, logger)
            guard let row = rows.first else { return nil }
            let products = try await conn.rows(
                """
                SELECT product_code, outcome, price_cents, cost_cents, reason, presumed FROM deal_products WHERE deal_id = \(found.id)
                ORDER BY product_code
                """, logger
            ).map { try DealDetail.Product(row: PostgresColumns($0)) }
            let events = try await conn.rows(
                "SELECT kind, product_code, occurred_on, price_cents, detail FROM events WHERE deal_id = \(found.id) ORDER BY id", logger
            ).map { try DealDetail.Event(row: PostgresColumns($0)) }
            return try DealDetail(row: PostgresColumns(row), products: products, events: events)
        }
        guard var detail = found else { return nil }
        // The customer's opt-outs standing now, read through the ledger's own requirement.
        detail.optOuts = try await optOutStatus(dealNumber: number, store: detail.store)
        return detail
    }
}

/// A PostgreSQL row as the shared assembly reads it (`StoredColumns`), by column name: dates and instants are typed
/// columns, an instant given as SQLite's text.
struct PostgresColumns: StoredColumns {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    func optionalText(_ column: String) throws -> String? { try row[column].decode(String?.self) }
    func optionalInteger(_ column: String) throws -> Int64? { try row[column].decode(Int64?.self) }
    func optionalFlag(_ column: String) throws -> Bool? { try row[column].decode(Bool?.self) }
    func optionalDate(_ column: String, of table: String) throws -> LocalDate? { try row[column].decode(LocalDate?.self) }
    func optionalInstantText(_ column: String, of table: String) throws -> String? {
        try row[column].decode(Date?.self).map { Instant.iso8601($0) }
    }
}
