import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Imports after-sale contracts (`afterdesk import-contracts`): products bought after the desk, each a recovery of the
    /// declined product when it falls in the attribution window. Importing the same file again changes nothing; a
    /// changed contract is updated. Follow-up of a product bought stops, and its customer is planned again.
    /// `allowedStores`, when set, refuses every row of another store (the import of a store-limited user).
    public func importContracts(
        file: String, menu: Menu, planner: Planner?, now: Date? = nil, writeRejectsFile: Bool = true, allowedStores: Set<String>? = nil
    ) async throws -> AfterSaleSummary {
        try await onOwnThread {
            try self.importContractsOnThisThread(
                file: file, menu: menu, planner: planner, now: now, writeRejectsFile: writeRejectsFile,
                allowedStores: allowedStores)
        }
    }

    func importContractsOnThisThread(
        file: String, menu: Menu, planner: Planner?, now: Date?, writeRejectsFile: Bool, allowedStores: Set<String>?
    ) throws -> AfterSaleSummary {
        var customers = Set<Int64>()
        var summary = try importAfterSaleFile(
            file, profile: "contracts", columns: AfterSaleLayout.contracts, required: AfterSaleLayout.contractsRequired,
            writeRejectsFile: writeRejectsFile
        ) {
            row, db, run in
            let today = LocalDate(clock.now(), in: menu.dealership.zone)
            guard let c = try Self.contract(&row, db, menu: menu, today: today, allowedStores: allowedStores) else {
                return nil
            }
            let change = try Self.store(c, db, run: run, now: Instant.iso8601(clock.now()))
            if change != .unchanged { customers.insert(c.customer) }
            return change
        }
        if let planner, !customers.isEmpty {
            summary.planned = try planCustomersOnThisThread(planner: planner, now: now ?? clock.now(), customerIDs: customers.sorted())
        }
        return summary
    }

    /// The row's contract, or nil with its errors in `row`.
    static func contract(_ row: inout AfterSaleRow, _ db: Database, menu: Menu, today: LocalDate, allowedStores: Set<String>?) throws
        -> AfterSaleContract?
    {
        let number = row.required("contract_number")
        let store = try afterSaleStore(&row, db, allowed: allowedStores)
        let product = row.product(menu: menu)
        let saleDate = row.date("sale_date", today: today)
        let price = row.money("price", required: true)
        let cost = row.money("cost", required: true)
        guard let store, let deal = try afterSaleDeal(&row, db, store: store.id, before: saleDate) else { return nil }
        if let saleDate, saleDate < deal.contractDate {
            row.fail("sale_date", "before the deal's contract date \(deal.contractDate)")
        }
        guard row.errors.isEmpty, let number, let product, let saleDate, let price = price ?? nil, let cost = cost ?? nil else {
            return nil
        }
        return AfterSaleContract(
            store: store.id, number: number, deal: deal.id, customer: deal.customer, product: product, saleDate: saleDate, price: price,
            cost: cost, soldBy: row.text("sold_by"))
    }

    /// The deal the row follows: by deal number in the store, else the VIN's latest deal in the store on or before
    /// `before`.
    static func afterSaleDeal(_ row: inout AfterSaleRow, _ db: Database, store: Int64, before: LocalDate?) throws
        -> (id: Int64, customer: Int64, contractDate: LocalDate)?
    {
        func found(_ r: Row?) -> (id: Int64, customer: Int64, contractDate: LocalDate)? {
            guard let r, let date = LocalDate(r["contract_date"] as String) else { return nil }
            return (r["id"], r["customer_id"], date)
        }
        if let number = row.text("deal_number") {
            let r = try Row.fetchOne(
                db, sql: "SELECT id, customer_id, contract_date FROM deals WHERE store_id = ? AND deal_number = ?",
                arguments: [store, number])
            if r == nil { row.fail("deal_number", "no deal with this number in the store") }
            return found(r)
        }
        guard let vinText = row.text("vin") else {
            row.fail("deal_number", "a deal number or a VIN is required")
            return nil
        }
        guard case .success(let vin) = VIN.validate(vinText),
            let vehicle = try KeyedTable.walk(vin, scope: 0, at: try RawStatement(db, KeyedTable.vehicleAt)).id
        else {
            row.fail("vin", "no deal with this VIN")
            return nil
        }
        let r = try Row.fetchOne(
            db,
            sql: """
                SELECT id, customer_id, contract_date FROM deals WHERE store_id = ? AND vehicle_id = ? AND contract_date <= ?
                ORDER BY contract_date DESC, id DESC LIMIT 1
                """, arguments: [store, vehicle, (before ?? .last).description])
        if r == nil { row.fail("vin", "no deal with this VIN in the store before the sale") }
        return found(r)
    }

    /// Inserts or updates the contract; a product bought stops its follow-up.
    static func store(_ c: AfterSaleContract, _ db: Database, run: Int64, now: String) throws -> AfterSaleChange {
        let fp = c.fingerprint
        let old = try Row.fetchOne(
            db, sql: "SELECT id, fingerprint FROM contracts WHERE store_id = ? AND contract_number = ?", arguments: [c.store, c.number])
        if let old, (old["fingerprint"] as Int64) == fp { return .unchanged }
        let values: [any DatabaseValueConvertible] = [
            c.deal, c.product, c.saleDate.description, c.price.cents, c.cost.cents, c.soldBy, fp, run, now,
        ]
        if let old {
            try db.execute(
                sql: """
                    UPDATE contracts SET deal_id = ?, product_code = ?, sale_date = ?, price_cents = ?, cost_cents = ?, sold_by = ?,
                        fingerprint = ?, import_run_id = ?, updated_at = ? WHERE id = ?
                    """, arguments: StatementArguments(values + [old["id"] as Int64]))
        } else {
            try db.execute(
                sql: """
                    INSERT INTO contracts (deal_id, product_code, sale_date, price_cents, cost_cents, sold_by, fingerprint, import_run_id,
                        updated_at, store_id, contract_number, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: StatementArguments(values + [c.store, c.number, now]))
        }
        try db.execute(
            sql: """
                INSERT INTO follow_up_stops (deal_id, product_code, kind, source, created_at) VALUES (?, ?, 'purchased', ?, ?)
                ON CONFLICT DO NOTHING
                """, arguments: [c.deal, c.product, "contract:\(c.number)", now])
        return old == nil ? .inserted : .updated
    }
}

extension AfterdeskDatabase {
    /// The latest sales after the desk, from tasks, deal imports and after-sale contracts, recorded on or before `asOf`.
    public func recentRecoveries(stores: [String]?, asOf: LocalDate, limit: Int = 15) async throws -> [RecentRecovery] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.code AS store, d.deal_number, d.contract_date, r.product_code, r.sold_on, r.price_cents, r.cost_cents,
                           r.source, r.sold_by, r.recorded_at AS at,
                           (SELECT h.horizon_until FROM decline_horizons h WHERE h.deal_id = r.deal_id AND h.product_code = r.product_code)
                               AS horizon
                    FROM recoveries r JOIN deals d ON d.id = r.deal_id JOIN stores s ON s.id = d.store_id
                    WHERE (?1 IS NULL OR s.code IN (SELECT value FROM json_each(?1))) AND r.sold_on <= ?2
                    UNION ALL
                    SELECT s.code, d.deal_number, d.contract_date, c.product_code, c.sale_date, c.price_cents, c.cost_cents,
                           'contract', c.sold_by, c.updated_at,
                           (SELECT h.horizon_until FROM decline_horizons h WHERE h.deal_id = c.deal_id AND h.product_code = c.product_code)
                    FROM contracts c JOIN deals d ON d.id = c.deal_id JOIN stores s ON s.id = c.store_id
                    WHERE (?1 IS NULL OR s.code IN (SELECT value FROM json_each(?1))) AND c.sale_date <= ?2
                    ORDER BY 5 DESC, 10 DESC LIMIT ?3
                    """, arguments: [StoreList.json(stores), asOf.description, limit]
            ).map {
                var r = try RecentRecovery(
                    store: $0["store"], dealNumber: $0["deal_number"], contractDate: $0.localDate("contract_date", of: "deals"),
                    product: $0["product_code"], soldOn: $0.localDate("sold_on", of: "recoveries"), priceCents: $0["price_cents"],
                    costCents: $0["cost_cents"],
                    source: $0.stored("source", of: "recoveries"),
                    soldBy: $0["sold_by"])
                r.horizon = ($0["horizon"] as String?).flatMap(LocalDate.init)
                return r
            }
        }
    }
}
