import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

extension PostgresStorage {
    public func listDeals(_ filter: DealFilter) async throws -> [DealListItem] {
        var clauses: [String] = []
        var binds = PostgresBindings()
        func bind<T: PostgresDynamicTypeEncodable>(_ value: T) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let f = filter.from { clauses.append("d.contract_date >= \(bind(f))") }
        if let t = filter.to { clauses.append("d.contract_date <= \(bind(t))") }
        if let s = filter.store { clauses.append("s.code = \(bind(s))") }
        if let some = filter.stores { clauses.append("s.code = ANY(\(bind(some)))") }
        if let q = filter.search?.trimmingCharacters(in: .whitespaces), !q.isEmpty {
            // SQLite's LIKE ignores the case of ASCII letters only, as ILIKE does on text in the "C" collation.
            let like = bind(
                q.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_"))
            let whole = bind(q)
            clauses.append(
                """
                (d.deal_number ILIKE \(like) || '%' OR (length(\(whole)) >= 6 AND v.vin ILIKE '%' || \(like))
                 OR c.last_name ILIKE \(like) || '%' OR c.first_name || ' ' || c.last_name ILIKE \(like) || '%')
                """)
        }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        // A negative limit is no limit, as in SQLite.
        let limit = filter.limit < 0 ? "ALL" : bind(Int64(filter.limit))
        let offset = bind(Int64(max(filter.offset, 0)))
        let sql = """
            SELECT s.code, d.deal_number, d.status, d.contract_date, d.deal_type,
                   c.first_name || ' ' || c.last_name,
                   v.year || ' ' || v.make || ' ' || v.model,
                   (SELECT string_agg(product_code, ' ' ORDER BY product_code) FROM deal_products p
                    WHERE p.deal_id = d.id AND outcome = 'sold'),
                   (SELECT string_agg(product_code, ' ' ORDER BY product_code) FROM deal_products p
                    WHERE p.deal_id = d.id AND outcome = 'declined')
            FROM deals d JOIN stores s ON s.id = d.store_id JOIN vehicles v ON v.id = d.vehicle_id
            JOIN customers c ON c.id = d.customer_id
            \(whereSQL)
            ORDER BY d.contract_date DESC, d.deal_number DESC, d.id
            LIMIT \(limit) OFFSET \(offset)
            """
        return try await read { conn in
            var out: [DealListItem] = []
            let rows = try await conn.statement(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            for try await (store, number, status, date, type, buyer, vehicle, sold, declined) in rows.decode(
                (String, String, String, LocalDate, String, String, String, String?, String?).self)
            {
                out.append(
                    DealListItem(
                        store: store, dealNumber: number, status: try known(status, "deals", "status"), contractDate: date,
                        dealType: try known(type, "deals", "deal_type"), buyer: buyer, vehicle: vehicle,
                        sold: sold?.split(separator: " ").map(String.init) ?? [],
                        declined: declined?.split(separator: " ").map(String.init) ?? []))
            }
            return out
        }
    }

    /// The deal with this number; with several stores holding the number, `store` picks one.
    /// The one way to find a deal by its number: numbers are unique per store, not per dealer group. Without a store,
    /// the number must name one deal; when several stores have it, the error asks for the store.
    static func findDeal(_ conn: PostgresConnection, number: String, store: String?, logger: Logger) async throws
        -> (id: Int64, customerID: Int64, store: String)?
    {
        let rows = try await conn.statement(
            """
            SELECT d.id, d.customer_id, s.code FROM deals d JOIN stores s ON s.id = d.store_id
            WHERE d.deal_number = \(number) AND (\(store)::text IS NULL OR s.code = \(store)) ORDER BY s.code
            """, logger: logger)
        var found: [(id: Int64, customerID: Int64, store: String)] = []
        for try await row in rows.decode((Int64, Int64, String).self) { found.append(row) }
        if found.count > 1 {
            throw StoreError.ambiguous(
                "deal \(number) is in several stores (\(found.map(\.store).joined(separator: ", "))): say which with --store")
        }
        return found.first
    }

    public func captureSummary() async throws -> CaptureSummary {
        try await snapshot { conn in
            let deals = try await conn.one(Int.self, "SELECT count(*) FROM deals", logger) ?? 0
            let unwound = try await conn.one(Int.self, "SELECT count(*) FROM deals WHERE status = 'unwound'", logger) ?? 0
            let customers = try await conn.one(Int.self, "SELECT count(*) FROM customers", logger) ?? 0
            var months: [CaptureSummary.Month] = []
            let monthRows = try await conn.statement(
                """
                SELECT to_char(d.contract_date, 'YYYY-MM') AS month, count(DISTINCT d.id),
                       count(*) FILTER (WHERE p.outcome = 'declined'), count(*) FILTER (WHERE p.outcome = 'sold')
                FROM deals d LEFT JOIN deal_products p ON p.deal_id = d.id
                GROUP BY month ORDER BY month
                """, logger: logger)
            for try await (month, n, declines, sold) in monthRows.decode((String, Int, Int, Int).self) {
                months.append(CaptureSummary.Month(month: month, deals: n, declines: declines, sold: sold))
            }
            var products: [CaptureSummary.Product] = []
            let productRows = try await conn.statement(
                """
                SELECT p.product_code, count(*) FILTER (WHERE outcome = 'sold'), count(*) FILTER (WHERE outcome = 'declined'),
                       count(*) FILTER (WHERE outcome = 'declined' AND presumed),
                       COALESCE(sum(price_cents) FILTER (WHERE outcome = 'declined'), 0)::int8,
                       (SELECT count(*) FROM events e WHERE e.kind = 'recovered' AND e.product_code = p.product_code)
                FROM deal_products p GROUP BY p.product_code ORDER BY p.product_code
                """, logger: logger)
            for try await (code, sold, declined, presumed, quoted, recovered) in productRows.decode(
                (String, Int, Int, Int, Int64, Int).self)
            {
                products.append(
                    CaptureSummary.Product(
                        code: code, sold: sold, declined: declined, presumed: presumed, declinedQuoted: Money(cents: quoted),
                        recovered: recovered))
            }
            var byField: [String: Int] = [:]
            let fieldRows = try await conn.statement(
                """
                SELECT field, count(*) FROM rejects WHERE import_run_id IN (SELECT max(id) FROM import_runs GROUP BY file)
                GROUP BY field
                """, logger: logger)
            for try await (field, n) in fieldRows.decode((String, Int).self) { byField[field] = n }
            return CaptureSummary(
                deals: deals, unwound: unwound, customers: customers, months: months, products: products, rejectsByField: byField)
        }
    }
}

/// The value of a closed set stored as its raw text, or the store's integrity error naming where it was read.
func known<E: RawRepresentable>(_ text: String, _ table: String, _ column: String) throws -> E where E.RawValue == String {
    guard let e = E(rawValue: text) else {
        throw StoreError.integrity("\(table).\(column) holds \"\(text)\", which is not a known \(E.self)")
    }
    return e
}
