import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    public func listDeals(_ filter: DealFilter) async throws -> [DealListItem] {
        try await writer.read { db in
            var clauses: [String] = []
            var args: [any DatabaseValueConvertible] = []
            if let f = filter.from {
                clauses.append("d.contract_date >= ?")
                args.append(f.description)
            }
            if let t = filter.to {
                clauses.append("d.contract_date <= ?")
                args.append(t.description)
            }
            if let s = filter.store {
                clauses.append("s.code = ?")
                args.append(s)
            }
            if let some = filter.stores {
                clauses.append("s.code IN (SELECT value FROM json_each(?))")
                args.append(StoreList.json(some))
            }
            if let q = filter.search?.trimmingCharacters(in: .whitespaces), !q.isEmpty {
                let like = q.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_")
                clauses.append(
                    """
                    (d.deal_number LIKE ?1 || '%' ESCAPE '\\' OR (length(?2) >= 6 AND v.vin LIKE '%' || ?1 ESCAPE '\\')
                     OR c.last_name LIKE ?1 || '%' ESCAPE '\\' OR c.first_name || ' ' || c.last_name LIKE ?1 || '%' ESCAPE '\\')
                    """.replacingOccurrences(of: "?1", with: "?\(args.count + 1)").replacingOccurrences(
                        of: "?2", with: "?\(args.count + 2)"))
                args.append(like)
                args.append(q)
            }
            let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            args.append(filter.limit)
            args.append(max(filter.offset, 0))
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT s.code AS store, d.deal_number, d.status, d.contract_date, d.deal_type,
                           c.first_name || ' ' || c.last_name AS buyer,
                           v.year || ' ' || v.make || ' ' || v.model AS vehicle,
                           (SELECT group_concat(product_code, ' ') FROM deal_products p WHERE p.deal_id = d.id AND outcome = 'sold') AS sold,
                           (SELECT group_concat(product_code, ' ') FROM deal_products p WHERE p.deal_id = d.id AND outcome = 'declined') AS declined
                    FROM deals d JOIN stores s ON s.id = d.store_id JOIN vehicles v ON v.id = d.vehicle_id
                    JOIN customers c ON c.id = d.customer_id
                    \(whereSQL)
                    ORDER BY d.contract_date DESC, d.deal_number DESC, d.id
                    LIMIT ? OFFSET ?
                    """, arguments: StatementArguments(args))
            return try rows.map { r in
                try DealListItem(
                    store: r["store"], dealNumber: r["deal_number"], status: r.stored("status", of: "deals"),
                    contractDate: r.localDate("contract_date", of: "deals"), dealType: r.stored("deal_type", of: "deals"),
                    buyer: r["buyer"], vehicle: r["vehicle"],
                    sold: (r["sold"] as String?)?.split(separator: " ").map(String.init) ?? [],
                    declined: (r["declined"] as String?)?.split(separator: " ").map(String.init) ?? [])
            }
        }
    }

    /// The deal with this number; with several stores holding the number, `store` picks one.
    /// The one way to find a deal by its number: numbers are unique per store, not per dealer group. Without a store,
    /// the number must name one deal; when several stores have it, the error asks for the store.
    static func findDeal(_ db: Database, number: String, store: String?) throws -> (id: Int64, customerID: Int64, store: String)? {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT d.id, d.customer_id, s.code AS store_code FROM deals d JOIN stores s ON s.id = d.store_id
                WHERE d.deal_number = ? AND (?2 IS NULL OR s.code = ?2) ORDER BY s.code
                """, arguments: [number, store])
        if rows.count > 1 {
            throw StoreError.ambiguous(
                "deal \(number) is in several stores (\(rows.map { $0["store_code"] as String }.joined(separator: ", "))): say which with --store"
            )
        }
        return rows.first.map { ($0["id"], $0["customer_id"], $0["store_code"]) }
    }

    public func deal(number: String, store: String? = nil) async throws -> DealDetail? {
        try await writer.read { db in
            let sql = """
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
                WHERE d.id = ?
                """
            guard let found = try AfterdeskDatabase.findDeal(db, number: number, store: store),
                let r = try Row.fetchOne(db, sql: sql, arguments: [found.id])
            else { return nil }
            let dealID: Int64 = r["id"]
            let products = try Row.fetchAll(
                db,
                sql: """
                    SELECT product_code, outcome, price_cents, cost_cents, reason, presumed FROM deal_products WHERE deal_id = ? ORDER BY product_code
                    """, arguments: [dealID]
            ).map { try DealDetail.Product(row: SQLiteColumns($0)) }
            let events = try Row.fetchAll(
                db, sql: "SELECT kind, product_code, occurred_on, price_cents, detail FROM events WHERE deal_id = ? ORDER BY id",
                arguments: [dealID]
            ).map { try DealDetail.Event(row: SQLiteColumns($0)) }
            var detail = try DealDetail(row: SQLiteColumns(r), products: products, events: events)
            detail.optOuts = try AfterdeskDatabase.optOutStatus(db, customer: found.customerID, store: found.store)
            return detail
        }
    }

    public func captureSummary() async throws -> CaptureSummary {
        try await writer.read { db in
            let deals = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deals") ?? 0
            let unwound = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deals WHERE status = 'unwound'") ?? 0
            let customers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customers") ?? 0
            let months = try Row.fetchAll(
                db,
                sql: """
                    SELECT substr(d.contract_date, 1, 7) AS month, COUNT(DISTINCT d.id) AS deals,
                           SUM(p.outcome = 'declined') AS declines, SUM(p.outcome = 'sold') AS sold
                    FROM deals d LEFT JOIN deal_products p ON p.deal_id = d.id
                    GROUP BY month ORDER BY month
                    """
            ).map { CaptureSummary.Month(month: $0["month"], deals: $0["deals"], declines: $0["declines"] ?? 0, sold: $0["sold"] ?? 0) }
            let products = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.product_code AS code, SUM(outcome = 'sold') AS sold, SUM(outcome = 'declined') AS declined,
                           SUM(outcome = 'declined' AND presumed) AS presumed,
                           COALESCE(SUM(CASE WHEN outcome = 'declined' THEN price_cents END), 0) AS quoted,
                           (SELECT COUNT(*) FROM events e WHERE e.kind = 'recovered' AND e.product_code = p.product_code) AS recovered
                    FROM deal_products p GROUP BY p.product_code
                    """
            ).map {
                CaptureSummary.Product(
                    code: $0["code"], sold: $0["sold"], declined: $0["declined"], presumed: $0["presumed"],
                    declinedQuoted: Money(cents: $0["quoted"]), recovered: $0["recovered"])
            }
            var byField: [String: Int] = [:]
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT field, COUNT(*) AS n FROM rejects WHERE import_run_id IN (SELECT MAX(id) FROM import_runs GROUP BY file)
                    GROUP BY field
                    """)
            { byField[r["field"]] = r["n"] }
            return CaptureSummary(
                deals: deals, unwound: unwound, customers: customers, months: months, products: products, rejectsByField: byField)
        }
    }
}

func money(_ cents: Int64?) -> Money? { cents.map { Money(cents: $0) } }
