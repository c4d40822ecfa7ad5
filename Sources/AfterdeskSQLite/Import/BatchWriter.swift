import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import GRDBSQLite

/// The statements of one batch transaction, prepared once and bound per deal.
struct BatchWriter {
    let db: Database
    let importer: DealImporter
    let runID: Int64
    let file: String
    let findDeal: RawStatement
    let customers: KeyedTable
    let vehicles: KeyedTable
    let insertDeal: RawStatement
    let updateDeal: RawStatement
    /// `insertProducts[n - 1]` inserts n product rows in one statement: one step per deal, not one per product.
    let insertProductRows: [RawStatement]
    let selectProducts: RawStatement
    let deleteProducts: RawStatement
    let insertEvent: RawStatement
    let insertRecovery: RawStatement
    let insertRejectStatement: RawStatement
    /// A DMS block into the opt-out ledger, unless the address is already stopped on the channel.
    let insertBlock: RawStatement
    /// What this batch changed of the desk sales (`desk_sales`, v15), written with its deals (`writeDeskSales`).
    var deskSales = DeskSaleCounts(), addDeskSales: RawStatement

    /// A known in-service date is never replaced by an estimate.
    static func vehicleAssignments(_ value: (VehicleParameter) -> String) -> String {
        """
        year = \(value(.year)), make = \(value(.make)), model = \(value(.model)),
        in_service_date = CASE WHEN \(value(.inServiceEstimated)) AND NOT in_service_estimated THEN in_service_date ELSE \(value(.inServiceDate)) END,
        in_service_estimated = \(value(.inServiceEstimated)) AND in_service_estimated
        """
    }

    init(db: Database, importer: DealImporter, runID: Int64, file: String) throws {
        self.db = db
        self.importer = importer
        self.runID = runID
        self.file = file
        findDeal = try RawStatement(
            db, "SELECT id, fingerprint, status, customer_id, contract_date FROM deals WHERE store_id = ?1 AND deal_number = ?2")
        let bulk = importer.bulk != nil
        customers = try BatchWriter.customerTable(db, upsert: !bulk)
        vehicles = try BatchWriter.vehicleTable(db, upsert: !bulk)
        typealias D = DealParameter
        insertDeal = try RawStatement(db, D.insert(into: "deals", also: [("created_at", .updatedAt)]))
        updateDeal = try RawStatement(db, "UPDATE deals SET \(D.assignments(D.updated)) WHERE id = \(D.storeOrID.placeholder)")
        insertProductRows = try (1...max(1, importer.options.menu.products.count)).map { n in
            try RawStatement(db, ProductParameter.insert(rows: n))
        }
        selectProducts = try RawStatement(
            db, "SELECT product_code, outcome, price_cents, cost_cents, reason FROM deal_products WHERE deal_id = ?1")
        deleteProducts = try RawStatement(db, "DELETE FROM deal_products WHERE deal_id = ?1")
        insertEvent = try RawStatement(db, EventParameter.insert(into: "events"))
        insertRecovery = try RawStatement(
            db,
            """
            INSERT INTO recoveries (deal_id, product_code, source, reference, sold_on, price_cents, cost_cents, quoted_cents, reason, sold_by,
                                    recorded_at)
            VALUES (?1, ?2, 'deal_import', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING
            """)
        insertRejectStatement = try RawStatement(db, RejectParameter.insert(into: "rejects"))
        insertBlock = try RawStatement(db, BatchWriter.insertBlockSQL)
        addDeskSales = try RawStatement(
            db,
            """
            INSERT INTO desk_sales (store_id, product_code, sold_on, contracts) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (store_id, product_code, sold_on) DO UPDATE SET contracts = contracts + excluded.contracts
            """)
    }

    /// Customers: a returning customer takes the facts of the newest deal. The update applies only when this deal
    /// is at least as new as the one that set the stored facts.
    private static func customerTable(_ db: Database, upsert: Bool) throws -> KeyedTable {
        typealias C = CustomerParameter
        let insert = customerInsert
        return try KeyedTable(
            db,
            insert: insert,
            update: """
                UPDATE customers SET \(customerAssignments(\.placeholder, throughLedger: true))
                WHERE id = \(C.storeOrID.placeholder) AND \(C.lastDealOn.placeholder) >= last_deal_on
                """,
            upsert: upsert
                ? insert + """
                     ON CONFLICT (store_id, match_hash) DO UPDATE SET \(customerAssignments({ "excluded.\($0.column)" }, throughLedger: false))
                    WHERE match_key = excluded.match_key AND excluded.last_deal_on >= last_deal_on
                    """ : nil,
            at: "SELECT id, match_key FROM customers WHERE store_id = ?1 AND match_hash = ?2",
            row: "SELECT store_id, match_hash, match_key FROM customers WHERE id = ?1")
    }

    private static func vehicleTable(_ db: Database, upsert: Bool) throws -> KeyedTable {
        typealias V = VehicleParameter
        let insert = V.insert(into: "vehicles")
        return try KeyedTable(
            db,
            insert: insert,
            update: "UPDATE vehicles SET \(vehicleAssignments(\.placeholder)) WHERE id = \(V.vinOrID.placeholder)",
            upsert: upsert
                ? insert + """
                     ON CONFLICT (vin_hash) DO UPDATE SET \(vehicleAssignments { "excluded.\($0.column)" })
                    WHERE vin = excluded.vin
                    """ : nil,
            at: KeyedTable.vehicleAt,
            row: "SELECT 0, vin_hash, vin FROM vehicles WHERE id = ?1")
    }

    /// What writing one deal changed: its counts, and the customers whose plans are to be recomputed (the deal's,
    /// and the one it belonged to before when it moved).
    struct DealChange {
        var counts = DealImporter.RunCounts()
        var customer: Int64?
        var previousCustomer: Int64?
    }

    /// Inserts or updates one deal, unless it is unchanged.
    mutating func apply(_ deal: PreparedDeal) throws -> DealChange {
        let r = deal.record
        let store = try importer.storeID(db, r.store)
        var existing: (id: Int64, status: String, customer: Int64, contract: LocalDate?)?
        var change = DealChange()
        // Into a database that had no deals when this import began, every deal is new (`seen` catches repeats).
        if importer.dealsBefore {
            findDeal.bind(1, store)
            findDeal.bind(2, r.dealNumber)
            defer { findDeal.reset() }
            if try findDeal.step() {
                if findDeal.int64(1) == deal.fingerprint {
                    change.counts.unchanged = 1
                    return change
                }
                existing = (findDeal.int64(0), findDeal.text(2) ?? "", findDeal.int64(3), LocalDate.parse(findDeal.bytes(4)))
            }
        }
        try recordBlocks(deal)  // first: the customer's consent below is read through the ledger
        let customer = try customerID(deal, store: store)
        let vehicle = try vehicleID(deal)
        let sales = try importer.staffID(db, store: store, r.salesperson, role: "sales")
        let fi = try importer.staffID(db, store: store, r.fiManager, role: "fi")
        bindDeal(
            existing == nil ? insertDeal : updateDeal, r, customer: customer, vehicle: vehicle, sales: sales, fi: fi,
            fingerprint: deal.fingerprint)
        if let existing {
            try update(existing, with: r, store: store, counts: &change.counts)
            change.previousCustomer = existing.customer  // the deal may have moved from another customer
        } else {
            try insert(r, store: store, counts: &change.counts)
        }
        change.customer = customer
        change.counts.declines = r.declinedCount
        return change
    }

    /// Updates a stored deal (its parameters bound) and its products, recording what changed as events.
    private mutating func update(
        _ e: (id: Int64, status: String, customer: Int64, contract: LocalDate?), with r: DealRecord, store: Int64,
        counts: inout DealImporter.RunCounts
    ) throws {
        let before = try storedProducts(e.id)
        deskSales.takeBack(store: store, status: e.status, day: e.contract, before: before)
        deskSales.add(r, store: store)
        updateDeal.bind(DealParameter.storeOrID, e.id)
        try updateDeal.run()
        deleteProducts.bind(1, e.id)
        try deleteProducts.run()
        try insertProducts(r, deal: e.id)
        try recordEvents(deal: e.id, oldStatus: e.status, before: before, after: r, counts: &counts)
        counts.updated = 1
    }

    /// Inserts a new deal (its parameters bound) and its products.
    private mutating func insert(_ r: DealRecord, store: Int64, counts: inout DealImporter.RunCounts) throws {
        deskSales.add(r, store: store)
        insertDeal.bind(DealParameter.storeOrID, store)
        insertDeal.bind(DealParameter.dealNumber, r.dealNumber)
        try insertDeal.run()
        let id = db.lastInsertedRowID
        try insertProducts(r, deal: id)
        if r.status == .unwound {
            try event(deal: id, product: nil, kind: "unwound", price: nil, cost: nil, detail: "first imported as unwound")
            counts.unwinds = 1
        }
        counts.inserted = 1
    }

    /// The customer of the deal, inserted or refreshed.
    private func customerID(_ deal: PreparedDeal, store: Int64) throws -> Int64 {
        try customers.findOrInsert(
            key: deal.customerKey, scope: store, firstHash: deal.customerHash, db: db,
            memory: importer.bulk?.customers,
            bindInsert: { s, h in bindCustomer(s, deal, store, hash: h) },
            bindUpdate: { s, id, h in bindCustomer(s, deal, id, hash: h) })
    }

    /// The vehicle of the deal, inserted or refreshed. Vehicles are one per VIN across the stores; an import limited to
    /// some stores links its deal to a vehicle another store's deal holds but never rewrites it (its in-service date
    /// times that store's follow-up).
    private func vehicleID(_ deal: PreparedDeal) throws -> Int64 {
        if let allowed = importer.options.allowedStores,
            let id = try KeyedTable.vehicleOfAnotherStore(deal.record.vin, allowed: allowed, at: vehicles.at, db: db)
        {
            return id
        }
        return try vehicles.findOrInsert(
            key: deal.record.vin, scope: 0, firstHash: deal.vinHash, db: db,
            memory: importer.bulk?.vehicles,
            bindInsert: { s, h in bindVehicle(s, deal, hash: h) },
            bindUpdate: { s, id, h in bindVehicle(s, deal, hash: h).bind(1, id) })
    }

    /// Binds the customer parameters; the first is the store (insert, upsert) or the customer id (update).
    @discardableResult
    private func bindCustomer(_ s: RawStatement, _ deal: PreparedDeal, _ first: Int64, hash: Int64) -> RawStatement {
        let r = deal.record
        s.bind(CustomerParameter.storeOrID, first)
        s.bind(CustomerParameter.matchKey, deal.customerKey)
        s.bind(CustomerParameter.firstName, r.buyerFirstName)
        s.bind(CustomerParameter.lastName, r.buyerLastName)
        s.bind(CustomerParameter.email, r.buyerEmail)
        s.bind(CustomerParameter.phone, r.buyerPhone)
        s.bind(CustomerParameter.state, r.buyerState)
        s.bind(CustomerParameter.zip, r.buyerZip)
        s.bind(CustomerParameter.customerNumber, r.customerNumber)
        s.bind(CustomerParameter.consentSMS, r.consent.sms)
        s.bind(CustomerParameter.consentEmail, r.consent.email)
        s.bind(CustomerParameter.consentPhone, r.consent.phone)
        // Where consent came from: the file and line it was read from (the same on a re-run).
        s.bind(CustomerParameter.consentSource, deal.consentSource)
        s.bind(CustomerParameter.now, importer.nowText)
        s.bind(CustomerParameter.lastDealOn, r.contractDate)
        s.bind(CustomerParameter.matchHash, hash)
        return s
    }

    @discardableResult
    private func bindVehicle(_ s: RawStatement, _ deal: PreparedDeal, hash: Int64) -> RawStatement {
        let r = deal.record
        s.bind(VehicleParameter.vinOrID, r.vin)
        s.bind(VehicleParameter.year, r.vehicleYear)
        s.bind(VehicleParameter.make, r.vehicleMake)
        s.bind(VehicleParameter.model, r.vehicleModel)
        s.bind(VehicleParameter.inServiceDate, r.inServiceDate)
        s.bind(VehicleParameter.inServiceEstimated, r.inServiceEstimated)
        s.bind(VehicleParameter.vinHash, hash)
        return s
    }

    /// Binds every deal parameter but the first two (the key: store and number, or the id).
    private func bindDeal(
        _ s: RawStatement, _ r: DealRecord, customer: Int64, vehicle: Int64, sales: Int64?, fi: Int64?,
        fingerprint: Int64
    ) {
        typealias D = DealParameter
        s.bind(D.customer, customer)
        s.bind(D.vehicle, vehicle)
        s.bind(D.status, r.status.rawValue)
        s.bind(D.contractDate, r.contractDate)
        s.bind(D.deliveryDate, r.deliveryDate)
        s.bind(D.dealType, r.dealType.rawValue)
        s.bind(D.vehicleCondition, r.vehicleCondition.rawValue)
        s.bind(D.odometer, r.odometer)
        s.bind(D.sellingPrice, r.sellingPrice.cents)
        s.bind(D.vehicleValue, r.vehicleValue.cents)
        s.bind(D.amountFinanced, r.amountFinanced?.cents)
        s.bind(D.apr, r.apr?.thousandthsOfPercent)
        s.bind(D.termMonths, r.termMonths)
        s.bind(D.firstPaymentDate, r.firstPaymentDate)
        s.bind(D.lender, r.lender)
        s.bind(D.salesperson, sales)
        s.bind(D.fiManager, fi)
        s.bind(D.fingerprint, fingerprint)
        s.bind(D.importRun, runID)
        s.bind(D.updatedAt, importer.nowText)
    }

    private func insertProducts(_ r: DealRecord, deal: Int64) throws {
        guard !r.products.isEmpty else { return }
        let s = insertProductRows[r.products.count - 1]
        s.bind(1, deal)
        for (row, p) in r.products.enumerated() {
            s.bind(ProductParameter.code.number(row: row), p.code)
            s.bind(ProductParameter.outcome.number(row: row), p.outcome.rawValue)
            s.bind(ProductParameter.price.number(row: row), p.price?.cents)
            s.bind(ProductParameter.cost.number(row: row), p.cost?.cents)
            s.bind(ProductParameter.reason.number(row: row), p.reason)
            s.bind(ProductParameter.presumed.number(row: row), p.presumed)
        }
        try s.run()
    }

    private func storedProducts(_ deal: Int64) throws -> [String: StoredProduct] {
        let s = selectProducts
        s.bind(1, deal)
        defer { s.reset() }
        var out: [String: StoredProduct] = [:]
        while try s.step() {
            out[s.text(0) ?? ""] = StoredProduct(
                outcome: s.text(1) ?? "", price: s.isNull(2) ? nil : s.int64(2), cost: s.isNull(3) ? nil : s.int64(3), reason: s.text(4))
        }
        return out
    }

    /// A product turning from declined to sold is a recovery; from sold to not sold a cancellation;
    /// the deal turning unwound (or back) is recorded too.
    private mutating func recordEvents(
        deal: Int64, oldStatus: String, before: [String: StoredProduct],
        after r: DealRecord, counts: inout DealImporter.RunCounts
    ) throws {
        for e in DealChangeEvent.between(oldStatus: oldStatus, before: before, after: r, menu: importer.options.menu, counts: &counts) {
            try event(deal: deal, product: e.product, kind: e.kind, price: e.price, cost: e.cost, detail: e.detail)
            if let (sold, desk) = e.recovery, let product = e.product {
                try recovery(deal: deal, product: product, sold: sold, desk: desk, soldBy: r.fiManager?.id)
            }
        }
    }

    /// The sale of a product declined at the desk, as this import shows it: kept as a recovery whatever later imports of
    /// the deal say, with the desk's quote and reason, which the deal's product row no longer holds.
    private func recovery(deal: Int64, product: String, sold: ProductLine, desk: StoredProduct?, soldBy: String?) throws {
        let s = insertRecovery
        s.bind(1, deal)
        s.bind(2, product)
        s.bind(3, "import:\(runID)")
        s.bind(4, importer.today)
        s.bind(5, sold.price?.cents ?? 0)
        s.bind(6, sold.cost?.cents)
        s.bind(7, desk?.price)
        s.bind(8, desk?.reason)
        s.bind(9, soldBy)
        s.bind(10, importer.nowText)
        try s.run()
    }

    private func event(deal: Int64, product: String?, kind: String, price: Int64?, cost: Int64?, detail: String?) throws {
        let s = insertEvent
        typealias E = EventParameter
        s.bind(E.deal, deal)
        s.bind(E.product, product)
        s.bind(E.kind, kind)
        s.bind(E.occurredOn, importer.today)
        s.bind(E.recordedAt, importer.nowText)
        s.bind(E.price, price)
        s.bind(E.cost, cost)
        s.bind(E.source, "import:\(runID)")
        s.bind(E.detail, detail)
        try s.run()
    }

    func insertReject(_ r: ImportReject) throws {
        let s = insertRejectStatement
        typealias R = RejectParameter
        s.bind(R.run, runID)
        s.bind(R.file, r.file)
        s.bind(R.line, r.line)
        s.bind(R.dealNumber, r.dealNumber)
        s.bind(R.field, r.field)
        s.bind(R.value, r.value)
        s.bind(R.error, r.error)
        s.bind(R.severity, r.isWarning ? "warning" : "refused")
        s.bind(R.declines, r.declines)
        try s.run()
    }
}
