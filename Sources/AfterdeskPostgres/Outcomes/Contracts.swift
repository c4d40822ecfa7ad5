import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

extension PostgresStorage {
    /// Imports after-sale contracts (`afterdesk import-contracts`): products bought after the desk, each a recovery of the
    /// declined product when it falls in the attribution window. Importing the same file again changes nothing; a
    /// changed contract is updated. Follow-up of a product bought stops, and its customer is planned again.
    /// `allowedStores`, when set, refuses every row of another store (the import of a store-limited user).
    public func importContracts(
        file: String, menu: Menu, planner: Planner?, now: Date?, writeRejectsFile: Bool, allowedStores: Set<String>?
    ) async throws -> AfterSaleSummary {
        let (logger, clock) = (logger, clock)
        var customers = Set<Int64>()
        var summary = try await importAfterSaleFile(
            file, profile: "contracts", columns: AfterSaleLayout.contracts, required: AfterSaleLayout.contractsRequired,
            writeRejectsFile: writeRejectsFile
        ) { row, conn, stores, run in
            let today = LocalDate(clock.now(), in: menu.dealership.zone)
            let lookup = AfterSaleLookup(conn: conn, logger: logger)
            guard let c = try await lookup.contract(&row, stores: stores, menu: menu, today: today, allowedStores: allowedStores)
            else { return nil }
            let change = try await lookup.store(c, run: run, now: clock.now().wholeSecond)
            if change != .unchanged { customers.insert(c.customer) }
            return change
        }
        if let planner, !customers.isEmpty {
            summary.planned = try await planCustomers(planner: planner, now: now ?? clock.now(), customerIDs: customers.sorted())
        }
        return summary
    }

    /// The latest sales after the desk, from tasks, deal imports and after-sale contracts, recorded on or before `asOf`
    /// (a negative `limit`: all of them, as SQLite's LIMIT takes it). Ties come in the order SQLite's scan gives them:
    /// recoveries before contracts, each in the order it was written.
    public func recentRecoveries(stores: [String]?, asOf: LocalDate, limit: Int) async throws -> [RecentRecovery] {
        let logger = logger
        let rows = try await read { conn in
            try await conn.rows(
                """
                SELECT s.code AS store, d.deal_number, d.contract_date, r.product_code, r.sold_on, r.price_cents, r.cost_cents,
                       r.source, r.sold_by, r.recorded_at AS at,
                       (SELECT h.horizon_until FROM decline_horizons h WHERE h.deal_id = r.deal_id AND h.product_code = r.product_code)
                           AS horizon, 0 AS branch, r.deal_id AS tie, r.product_code AS tie_product
                FROM recoveries r JOIN deals d ON d.id = r.deal_id JOIN stores s ON s.id = d.store_id
                WHERE (\(stores)::text[] IS NULL OR s.code = ANY(\(stores))) AND r.sold_on <= \(asOf)
                UNION ALL
                SELECT s.code, d.deal_number, d.contract_date, c.product_code, c.sale_date, c.price_cents, c.cost_cents,
                       'contract', c.sold_by, c.updated_at,
                       (SELECT h.horizon_until FROM decline_horizons h WHERE h.deal_id = c.deal_id AND h.product_code = c.product_code),
                       1, c.id, ''
                FROM contracts c JOIN deals d ON d.id = c.deal_id JOIN stores s ON s.id = c.store_id
                WHERE (\(stores)::text[] IS NULL OR s.code = ANY(\(stores))) AND c.sale_date <= \(asOf)
                ORDER BY 5 DESC, 10 DESC, 12, 13, 14 LIMIT \(limit < 0 ? nil : limit)
                """, logger)
        }
        return try rows.map { row in
            let (code, number, contract, product, soldOn, price, cost, source, soldBy, _, horizon) = try row.decode(
                (String, String, LocalDate, String, LocalDate, Int64, Int64?, String, String?, Date, LocalDate?).self)
            guard let from = RecoverySource(rawValue: source) else {
                throw StoreError.integrity("recoveries.source holds \"\(source)\", which is not a known RecoverySource")
            }
            var r = RecentRecovery(
                store: code, dealNumber: number, contractDate: contract, product: product, soldOn: soldOn, priceCents: price,
                costCents: cost, source: from, soldBy: soldBy)
            r.horizon = horizon
            return r
        }
    }
}

/// The look-ups and writes of an after-sale row, on the import's connection.
struct AfterSaleLookup {
    let conn: PostgresConnection
    let logger: Logger

    /// The row's contract, or nil with its errors in `row`.
    func contract(_ row: inout AfterSaleRow, stores: AfterSaleStores, menu: Menu, today: LocalDate, allowedStores: Set<String>?)
        async throws -> AfterSaleContract?
    {
        let number = row.required("contract_number")
        let store = try stores.of(&row, allowed: allowedStores)
        let product = row.product(menu: menu)
        let saleDate = row.date("sale_date", today: today)
        let price = row.money("price", required: true)
        let cost = row.money("cost", required: true)
        guard let store, let deal = try await deal(&row, store: store.id, before: saleDate) else { return nil }
        if let saleDate, saleDate < deal.contractDate {
            row.fail("sale_date", "before the deal's contract date \(deal.contractDate)")
        }
        guard row.errors.isEmpty, let number, let product, let saleDate, let price = price ?? nil, let cost = cost ?? nil else {
            return nil
        }
        return AfterSaleContract(
            store: store.id, number: number, deal: deal.id, customer: deal.customer, product: product, saleDate: saleDate,
            price: price, cost: cost, soldBy: row.text("sold_by"))
    }

    /// The deal the row follows: by deal number in the store, else the VIN's latest deal in the store on or before
    /// `before`.
    func deal(_ row: inout AfterSaleRow, store: Int64, before: LocalDate?) async throws
        -> (id: Int64, customer: Int64, contractDate: LocalDate)?
    {
        if let number = row.text("deal_number") {
            let found = try await first(
                "SELECT id, customer_id, contract_date FROM deals WHERE store_id = \(store) AND deal_number = \(number)")
            if found == nil { row.fail("deal_number", "no deal with this number in the store") }
            return found
        }
        guard let vinText = row.text("vin") else {
            row.fail("deal_number", "a deal number or a VIN is required")
            return nil
        }
        guard case .success(let vin) = VIN.validate(vinText), let vehicle = try await vehicle(vin) else {
            row.fail("vin", "no deal with this VIN")
            return nil
        }
        let found = try await first(
            """
            SELECT id, customer_id, contract_date FROM deals WHERE store_id = \(store) AND vehicle_id = \(vehicle)
                AND contract_date <= \(before ?? .last)
            ORDER BY contract_date DESC, id DESC LIMIT 1
            """)
        if found == nil { row.fail("vin", "no deal with this VIN in the store before the sale") }
        return found
    }

    private func first(_ q: PostgresQuery) async throws -> (id: Int64, customer: Int64, contractDate: LocalDate)? {
        try await conn.rows(q, logger).first.map { try $0.decode((Int64, Int64, LocalDate).self) }
    }

    /// The vehicle of `vin`, looked up through its index key: the key's hash or one of the next of its probe chain (the
    /// deal import's `StableHash`: a VIN whose hash another holds takes the next free one; rows are never deleted).
    func vehicle(_ vin: String) async throws -> Int64? {
        let chain = (0..<StableHash.maxAttempts).map { StableHash.of(vin, attempt: $0) }
        return try await conn.one(Int64.self, "SELECT id FROM vehicles WHERE vin_hash = ANY(\(chain)) AND vin = \(vin) LIMIT 1", logger)
    }

    /// Inserts or updates the contract; a product bought stops its follow-up.
    func store(_ c: AfterSaleContract, run: Int64, now: Date) async throws -> AfterSaleChange {
        let fp = c.fingerprint
        let old = try await conn.rows(
            "SELECT id, fingerprint FROM contracts WHERE store_id = \(c.store) AND contract_number = \(c.number) FOR UPDATE", logger
        ).first.map { try $0.decode((Int64, Int64).self) }
        if let old, old.1 == fp { return .unchanged }
        if let old {
            try await conn.run(
                """
                UPDATE contracts SET deal_id = \(c.deal), product_code = \(c.product), sale_date = \(c.saleDate),
                    price_cents = \(c.price.cents), cost_cents = \(c.cost.cents), sold_by = \(c.soldBy), fingerprint = \(fp),
                    import_run_id = \(run), updated_at = \(now) WHERE id = \(old.0)
                """, logger)
        } else {
            try await conn.run(
                """
                INSERT INTO contracts (deal_id, product_code, sale_date, price_cents, cost_cents, sold_by, fingerprint, import_run_id,
                    updated_at, store_id, contract_number, created_at)
                VALUES (\(c.deal), \(c.product), \(c.saleDate), \(c.price.cents), \(c.cost.cents), \(c.soldBy), \(fp), \(run),
                    \(now), \(c.store), \(c.number), \(now))
                """, logger)
        }
        try await conn.run(
            """
            INSERT INTO follow_up_stops (deal_id, product_code, kind, source, created_at)
            VALUES (\(c.deal), \(c.product), 'purchased', \("contract:\(c.number)"), \(now)) ON CONFLICT DO NOTHING
            """, logger)
        return old == nil ? .inserted : .updated
    }
}
