import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The store's contracts of each product and their cancellations as of `asOf` (`OutcomeStorage`): after-sale
    /// contracts by their sale date, and products sold on finalized deals by the deal's contract date (or, for a product
    /// a later deal import showed sold, that recovery's date), as the deal import counts them (`desk_sales`, v15).
    public func cancellationHistories(stores: [String]?, asOf: LocalDate) async throws -> [CancellationHistory] {
        let rest = try await writer.read { db in try CancellationHistoryReader.Rest(db, asOf: asOf) }
        return try CancellationHistoryReader.histories(rest, stores: stores, asOf: asOf)
    }
}

enum CancellationHistoryReader {
    typealias Key = CancellationHistoryRows.Key
    /// The history, read in one snapshot (`CancellationHistoryRows`, counted the same on every backend).
    typealias Rest = CancellationHistoryRows

    /// The histories of `stores` alone when given.
    static func histories(_ rest: Rest, stores: [String]?, asOf: LocalDate) throws -> [CancellationHistory] {
        try rest.histories(stores: stores, asOf: asOf)
    }

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

extension CancellationHistoryRows {
    /// The rows of the history as of `asOf`, read from SQLite.
    init(_ db: Database, asOf: LocalDate) throws {
        self.init()
        let day = asOf.description
        stores = try Row.fetchAll(db, sql: "SELECT id, code FROM stores").map { ($0["id"], $0["code"]) }
        let sold = try RawStatement(
            db, "SELECT store_id, product_code, sold_on, contracts FROM desk_sales WHERE sold_on <= ?1 AND contracts > 0")
        sold.bind(1, asOf)
        var codes = CodeTable()
        while try sold.step() {
            guard let day = LocalDate.parse(sold.bytes(2)) else { continue }
            desk[Key(store: sold.int64(0), product: codes.code(sold.bytes(1)), soldOn: day), default: 0] += Int(
                min(sold.int64(3), 1 << 40))
        }
        contracts = try Row.fetchAll(db, sql: CancellationHistoryReader.contracts, arguments: [day]).map {
            ($0[0], $0[1], $0[2], $0[3])
        }
        moved = try Row.fetchAll(db, sql: CancellationHistoryReader.soldSinceDesk, arguments: [day]).map {
            ($0[0], $0[1], $0[2], $0[3])
        }
        cancellations = try Row.fetchAll(db, sql: CancellationHistoryReader.cancellations, arguments: [day]).map {
            ($0[0], $0[1], $0[2], $0[3])
        }
    }
}
