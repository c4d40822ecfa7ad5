import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The store's contracts of each product and their cancellations as of `asOf` (`OutcomeStorage`): after-sale
    /// contracts by their sale date, and products sold on finalized deals by the deal's contract date (or, for a product
    /// a later deal import showed sold, that recovery's date). Sales are counted by day in SQL, so the read costs one
    /// pass over the sold products and returns a few thousand rows; cancellations are few.
    public func cancellationHistories(store: String?, asOf: LocalDate) async throws -> [CancellationHistory] {
        try await writer.read { db in try CancellationHistoryReader.read(db, store: store, asOf: asOf) }
    }

    /// `p` with its reserve table: the cancellation histories read once, made curves under the menu's terms.
    func withReserve(_ p: ReportParameters) async throws -> ReportParameters {
        guard p.netToStore.reserve == nil else { return p }
        var q = p
        let histories = try await cancellationHistories(store: p.store, asOf: p.asOf)
        q.netToStore.reserve = ReserveTable(histories: histories, terms: p.netToStore.cancellation)
        return q
    }
}

enum CancellationHistoryReader {
    struct Key: Hashable {
        var store: Int64
        var product: String
        var soldOn: LocalDate
    }

    static func read(_ db: Database, store: String?, asOf: LocalDate) throws -> [CancellationHistory] {
        let stores = try Row.fetchAll(db, sql: "SELECT id, code FROM stores").map { (id: $0["id"] as Int64, code: $0["code"] as String) }
        let codes = Dictionary(stores.map { ($0.id, $0.code) }, uniquingKeysWith: { a, _ in a })
        let only = store.flatMap { s in stores.first { $0.code == s }?.id }
        if store != nil && only == nil { throw StoreError.notFound("no store '\(store ?? "")'") }
        let day = asOf.description
        var sales: [Key: Int] = [:]
        func add(_ rows: RowCursor, _ sign: Int) throws {
            while let r = try rows.next() {
                let id: Int64 = r[0]
                guard only == nil || only == id, let date = LocalDate(r[2] as String), date <= asOf else { continue }
                sales[Key(store: id, product: r[1], soldOn: date), default: 0] += sign * (r[3] as Int)
            }
        }
        try add(Row.fetchCursor(db, sql: Self.deskSales, arguments: [day]), 1)
        try add(Row.fetchCursor(db, sql: Self.contracts, arguments: [day]), 1)
        // A product a later deal import showed sold: sold on the recovery's date, not the deal's.
        let moved = try Row.fetchAll(db, sql: Self.soldSinceDesk, arguments: [day])
        for r in moved {
            let id: Int64 = r[0]
            guard let contract = LocalDate(r[2] as String), let sold = LocalDate(r[3] as String) else { continue }
            let k = Key(store: id, product: r[1], soldOn: contract)
            if (sales[k] ?? 0) > 0, only == nil || only == id {
                sales[k, default: 0] -= 1
                if sold <= asOf { sales[Key(store: id, product: r[1], soldOn: sold), default: 0] += 1 }
            }
        }
        var histories: [String: CancellationHistory] = [:]
        func history(_ store: Int64, _ product: String) -> String? {
            guard let code = codes[store] else { return nil }
            let name = code + "\u{1F}" + product
            if histories[name] == nil { histories[name] = CancellationHistory(store: code, product: product) }
            return name
        }
        for r in try Row.fetchAll(db, sql: Self.cancellations, arguments: [day]) {
            let id: Int64 = r[0]
            guard only == nil || only == id, let sold = LocalDate(r[2] as String), let cancelled = LocalDate(r[3] as String) else {
                continue
            }
            let k = Key(store: id, product: r[1], soldOn: sold)
            guard (sales[k] ?? 0) > 0, let name = history(id, k.product) else { continue }
            sales[k, default: 0] -= 1
            histories[name]?.cancelledInMonth[CancellationHistory.months(from: sold, to: cancelled) + 1, default: 0] += 1
        }
        for (k, count) in sales where count > 0 {
            guard let name = history(k.store, k.product) else { continue }
            histories[name]?.inForceAfterMonths[CancellationHistory.months(from: k.soldOn, to: asOf), default: 0] += count
        }
        return histories.keys.sorted().compactMap { histories[$0] }
    }

    static let deskSales = """
        SELECT d.store_id, p.product_code, d.contract_date, COUNT(*) FROM deal_products p CROSS JOIN deals d ON d.id = p.deal_id
        WHERE p.outcome = 'sold' AND d.status = 'finalized' AND d.contract_date <= ?1 GROUP BY 1, 2, 3
        """
    static let contracts = """
        SELECT store_id, product_code, sale_date, COUNT(*) FROM contracts WHERE sale_date <= ?1 GROUP BY 1, 2, 3
        """
    static let soldSinceDesk = """
        SELECT d.store_id, r.product_code, d.contract_date, r.sold_on FROM recoveries r CROSS JOIN deals d ON d.id = r.deal_id
        JOIN deal_products p ON p.deal_id = r.deal_id AND p.product_code = r.product_code
        WHERE r.source = 'deal_import' AND p.outcome = 'sold' AND d.status = 'finalized' AND d.contract_date <= ?1
        """
    /// Each cancellation dated on or before the day, with its sale's store, product and date.
    static let cancellations = """
        SELECT k.store_id, k.product_code, k.sale_date, c.cancel_date FROM cancellations c CROSS JOIN contracts k ON k.id = c.contract_id
        WHERE c.cancel_date <= ?1
        UNION ALL
        SELECT d.store_id, c.product_code, COALESCE(r.sold_on, d.contract_date), c.cancel_date
        FROM cancellations c CROSS JOIN deals d ON d.id = c.deal_id
        LEFT JOIN recoveries r ON r.deal_id = c.deal_id AND r.product_code = c.product_code AND r.source = 'deal_import'
        WHERE c.contract_id IS NULL AND c.cancel_date <= ?1
        """
}
