import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// The writes of one batch transaction of a deal import, deal by deal: SQLite's `BatchWriter` on one PostgreSQL
/// connection.
struct DealWriter {
    let conn: PostgresConnection
    let importer: PostgresDealImport
    let runID: Int64
    let file: String
    /// What this batch changed of the desk sales (`desk_sales`), written with its deals (`writeDeskSales`).
    var deskSales = DeskSaleCounts()
    /// The new deals waiting to be written together (`DealChunk`), and whether this connection's staging tables exist.
    var chunk = DealChunk()
    var staged = false
    /// The stored deals of the rows being written (`lookUp`), with their fingerprints.
    private(set) var stored: [DealKey: (fingerprint: Int64, deal: StoredDeal)] = [:]
    var logger: Logger { importer.logger }
    /// `import:<run>`, the source of the events and recoveries this run records.
    var source: String { "import:\(runID)" }

    init(conn: PostgresConnection, importer: PostgresDealImport, runID: Int64, file: String) {
        self.conn = conn
        self.importer = importer
        self.runID = runID
        self.file = file
    }

    /// What writing one deal changed: its counts, and the customers whose plans are to be recomputed (the deal's,
    /// and the one it belonged to before when it moved).
    struct DealChange {
        var counts = ImportCounts()
        var customer: Int64?
        var previousCustomer: Int64?
    }

    /// A deal as stored before this import.
    struct StoredDeal {
        var id: Int64
        var status: String
        var customer: Int64
        var contract: LocalDate
    }

    /// A deal's key: its store and number.
    struct DealKey: Hashable {
        var store: Int64
        var number: String
    }

    /// Reads, in one query, the stored deals of the next rows to write (their stores created first, in the order the
    /// rows name them, as writing them one by one would). Nothing to read into a database that had no deals.
    mutating func lookUp(_ items: [ImportItem]) async throws {
        stored.removeAll(keepingCapacity: true)
        guard importer.dealsBefore else { return }
        var stores: [Int64] = []
        var numbers: [String] = []
        for case .deal(let deal) in items {
            stores.append(try await importer.storeID(conn, deal.record.store))
            numbers.append(deal.record.dealNumber)
        }
        guard !stores.isEmpty else { return }
        // Each key looked up on its own through the (store, deal number) unique index: a join (or a LATERAL that
        // PostgreSQL flattens into one) hashed every deal of the table for every batch's few hundred keys, 20 ms a batch
        // at 50,000 deals. `LIMIT 1` (one deal a key, as the index says) keeps the look-up from being flattened.
        let rows = try await conn.statement(
            """
            SELECT d.store_id, d.deal_number, d.id, d.fingerprint, d.status, d.customer_id, d.contract_date
            FROM unnest(\(stores)::int8[], \(numbers)::text[]) AS k(store_id, deal_number)
            CROSS JOIN LATERAL (
                SELECT * FROM deals d WHERE d.store_id = k.store_id AND d.deal_number = k.deal_number LIMIT 1
            ) d
            """, logger: logger)
        for try await (store, number, id, fingerprint, status, customer, contract) in rows.decode(
            (Int64, String, Int64, Int64, String, Int64, LocalDate).self)
        {
            let deal = StoredDeal(id: id, status: status, customer: customer, contract: contract)
            stored[DealKey(store: store, number: number)] = (fingerprint, deal)
        }
    }

    /// Inserts or updates one deal, unless it is unchanged.
    mutating func apply(_ deal: PreparedDeal) async throws -> DealChange {
        let r = deal.record
        let store = try await importer.storeID(conn, r.store)
        var existing: StoredDeal?
        var change = DealChange()
        // Into a database that had no deals when this import began, every deal is new (`seen` catches repeats).
        if importer.dealsBefore, let found = stored[DealKey(store: store, number: r.dealNumber)] {
            if found.fingerprint == deal.fingerprint {
                change.counts.unchanged = 1
                return change
            }
            existing = found.deal
        }
        try await recordBlocks(deal)  // first: the customer's consent below is read through the ledger
        let customer = try await customerID(deal, store: store)
        let vehicle = try await vehicleID(deal)
        let sales = try await importer.staffID(conn, store: store, r.salesperson, role: "sales")
        let fi = try await importer.staffID(conn, store: store, r.fiManager, role: "fi")
        let values = DealValues(
            record: r, customer: customer, vehicle: vehicle, sales: sales, fi: fi, deal: deal, run: runID, now: importer.now)
        if let existing {
            try await update(existing, values: values, store: store, counts: &change.counts)
            change.previousCustomer = existing.customer  // the deal may have moved from another customer
        } else {
            try await insert(values, store: store, counts: &change.counts)
        }
        change.customer = customer
        change.counts.declines = r.declinedCount
        return change
    }

    /// Updates a stored deal and its products, recording what changed as events.
    private mutating func update(_ e: StoredDeal, values: DealValues, store: Int64, counts: inout ImportCounts) async throws {
        let r = values.record
        let before = try await storedProducts(e.id)
        deskSales.takeBack(store: store, status: e.status, day: e.contract, before: before)
        deskSales.add(r, store: store)
        try await conn.run(values.update(id: e.id), logger)
        try await conn.run("DELETE FROM deal_products WHERE deal_id = \(e.id)", logger)
        try await insertProducts(r, deal: e.id)
        try await recordEvents(deal: e.id, oldStatus: e.status, before: before, after: r, counts: &counts)
        counts.updated = 1
    }

    /// Inserts a new deal and its products.
    private mutating func insert(_ values: DealValues, store: Int64, counts: inout ImportCounts) async throws {
        let r = values.record
        deskSales.add(r, store: store)
        guard let id = try await conn.one(Int64.self, values.insert(store: store), logger) else {
            throw StoreError("deal \(r.dealNumber) could not be inserted")
        }
        try await insertProducts(r, deal: id)
        if r.status == .unwound {
            try await event(deal: id, product: nil, kind: "unwound", price: nil, cost: nil, detail: "first imported as unwound")
            counts.unwinds = 1
        }
        counts.inserted = 1
    }

    /// All of a deal's products in one statement.
    private func insertProducts(_ r: DealRecord, deal: Int64) async throws {
        guard !r.products.isEmpty else { return }
        var binds = PostgresBindings(capacity: 1 + 6 * r.products.count)
        binds.append(deal)
        var rows: [String] = []
        for (row, p) in r.products.enumerated() {
            let n = 2 + row * 6
            rows.append("($1, " + (n..<n + 6).map { "$\($0)" }.joined(separator: ", ") + ")")
            binds.append(p.code)
            binds.append(p.outcome.rawValue)
            binds.append(p.price?.cents)
            binds.append(p.cost?.cents)
            binds.append(p.reason)
            binds.append(p.presumed)
        }
        let sql = """
            INSERT INTO deal_products (deal_id, product_code, outcome, price_cents, cost_cents, reason, presumed)
            VALUES \(rows.joined(separator: ", "))
            """
        try await conn.run(PostgresQuery(unsafeSQL: sql, binds: binds), logger)
    }

    private func storedProducts(_ deal: Int64) async throws -> [String: StoredProduct] {
        let rows = try await conn.statement(
            "SELECT product_code, outcome, price_cents, cost_cents, reason FROM deal_products WHERE deal_id = \(deal)", logger: logger)
        var out: [String: StoredProduct] = [:]
        for try await (code, outcome, price, cost, reason) in rows.decode((String, String, Int64?, Int64?, String?).self) {
            out[code] = StoredProduct(outcome: outcome, price: price, cost: cost, reason: reason)
        }
        return out
    }

    /// A product turning from declined to sold is a recovery; from sold to not sold a cancellation;
    /// the deal turning unwound (or back) is recorded too.
    private func recordEvents(
        deal: Int64, oldStatus: String, before: [String: StoredProduct], after r: DealRecord, counts: inout ImportCounts
    ) async throws {
        for e in DealChangeEvent.between(oldStatus: oldStatus, before: before, after: r, menu: importer.options.menu, counts: &counts) {
            try await event(deal: deal, product: e.product, kind: e.kind, price: e.price, cost: e.cost, detail: e.detail)
            if let (sold, desk) = e.recovery, let product = e.product {
                try await recovery(deal: deal, product: product, sold: sold, desk: desk, soldBy: r.fiManager?.id)
            }
        }
    }

    /// The sale of a product declined at the desk, as this import shows it: kept as a recovery whatever later imports of
    /// the deal say, with the desk's quote and reason, which the deal's product row no longer holds.
    private func recovery(deal: Int64, product: String, sold: ProductLine, desk: StoredProduct?, soldBy: String?) async throws {
        try await conn.run(
            """
            INSERT INTO recoveries (deal_id, product_code, source, reference, sold_on, price_cents, cost_cents, quoted_cents, reason, sold_by,
                                    recorded_at)
            VALUES (\(deal), \(product), 'deal_import', \(source), \(importer.today), \(sold.price?.cents ?? 0), \(sold.cost?.cents),
                    \(desk?.price), \(desk?.reason), \(soldBy), \(importer.now))
            ON CONFLICT DO NOTHING
            """, logger)
    }

    private func event(deal: Int64, product: String?, kind: String, price: Int64?, cost: Int64?, detail: String?) async throws {
        try await conn.run(
            """
            INSERT INTO events (deal_id, product_code, kind, occurred_on, recorded_at, price_cents, cost_cents, source, detail)
            VALUES (\(deal), \(product), \(kind), \(importer.today), \(importer.now), \(price), \(cost), \(source), \(detail))
            """, logger)
    }

    /// The batch's refused fields and warnings, a few hundred to a statement.
    func insertRejects(_ rejects: [ImportReject]) async throws {
        for chunk in stride(from: 0, to: rejects.count, by: 500).map({ rejects[$0..<min($0 + 500, rejects.count)] }) {
            var binds = PostgresBindings(capacity: 1 + 8 * chunk.count)
            binds.append(runID)
            var rows: [String] = []
            for (i, r) in chunk.enumerated() {
                let n = 2 + i * 8
                rows.append("($1, " + (n..<n + 8).map { "$\($0)" }.joined(separator: ", ") + ")")
                binds.append(r.file)
                binds.append(r.line)
                binds.append(r.dealNumber)
                binds.append(r.field)
                binds.append(r.value)
                binds.append(r.error)
                binds.append(r.isWarning ? "warning" : "refused")
                binds.append(r.declines)
            }
            let sql = """
                INSERT INTO rejects (import_run_id, file, line, deal_number, field, value, error, severity, declines)
                VALUES \(rows.joined(separator: ", "))
                """
            try await conn.run(PostgresQuery(unsafeSQL: sql, binds: binds), logger)
        }
    }
}
