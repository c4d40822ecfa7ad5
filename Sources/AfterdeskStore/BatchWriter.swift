import AfterdeskCore
import Foundation
import GRDB

/// The statements of one batch transaction, prepared once and bound per deal.
struct BatchWriter {
    let db: Database
    let importer: DealImporter
    let runID: Int64
    let file: String
    let findDeal: RawStatement
    let findParties: RawStatement
    let insertCustomer: RawStatement
    let updateCustomer: RawStatement
    let insertVehicle: RawStatement
    let updateVehicle: RawStatement
    let insertDeal: RawStatement
    let updateDeal: RawStatement
    /// `insertProducts[n - 1]` inserts n product rows in one statement: one step per deal, not one per product.
    let insertProductRows: [RawStatement]
    let selectProducts: RawStatement
    let deleteProducts: RawStatement
    let insertEvent: RawStatement
    let insertRejectStatement: RawStatement

    /// Bound as ?3, ?4, … in this order by `bindDeal`; ?1 is the store (insert) or the deal id (update), ?2 the number.
    static let dealColumns = """
        customer_id, vehicle_id, status, contract_date, delivery_date, deal_type,
        vehicle_condition, odometer, selling_price_cents, vehicle_value_cents, amount_financed_cents, apr_milli,
        term_months, first_payment_date, lender, salesperson_id, fi_manager_id, fingerprint, import_run_id, updated_at
        """
    static let lastDealParameter = 22

    init(db: Database, importer: DealImporter, runID: Int64, file: String) throws {
        self.db = db; self.importer = importer; self.runID = runID; self.file = file
        findDeal = try RawStatement(db, "SELECT id, fingerprint, status, customer_id FROM deals WHERE store_id = ?1 AND deal_number = ?2")
        // For a new or changed deal, one statement finds its customer and its vehicle.
        findParties = try RawStatement(db, """
            SELECT (SELECT id FROM customers WHERE store_id = ?1 AND match_hash = ?2 AND match_key = ?3),
                   (SELECT id FROM vehicles WHERE vin_hash = ?4 AND vin = ?5)
            """)
        insertCustomer = try RawStatement(db, """
            INSERT INTO customers (store_id, match_key, match_hash, first_name, last_name, email, phone, state, zip,
                customer_number, consent_sms, consent_email, consent_phone, consent_source, consent_at,
                last_deal_on, created_at, updated_at)
            VALUES (?1, ?2, ?16, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?14, ?14)
            """)
        // A returning customer takes the facts of the newest deal. A channel whose consent changes records
        // this import as its own source; the others keep theirs.
        updateCustomer = try RawStatement(db, """
            UPDATE customers SET
                first_name = ?3, last_name = ?4, email = ?5, phone = ?6, state = ?7, zip = ?8,
                customer_number = COALESCE(?9, customer_number),
                consent_sms_source = CASE WHEN consent_sms = ?10 THEN consent_sms_source ELSE ?13 END,
                consent_sms_at = CASE WHEN consent_sms = ?10 THEN consent_sms_at ELSE ?14 END,
                consent_sms = ?10,
                consent_email_source = CASE WHEN consent_email = ?11 THEN consent_email_source ELSE ?13 END,
                consent_email_at = CASE WHEN consent_email = ?11 THEN consent_email_at ELSE ?14 END,
                consent_email = ?11,
                consent_phone_source = CASE WHEN consent_phone = ?12 THEN consent_phone_source ELSE ?13 END,
                consent_phone_at = CASE WHEN consent_phone = ?12 THEN consent_phone_at ELSE ?14 END,
                consent_phone = ?12,
                last_deal_on = ?15, updated_at = ?14, match_hash = ?16
            WHERE id = ?1 AND ?15 >= last_deal_on
            """)
        insertVehicle = try RawStatement(db, """
            INSERT INTO vehicles (vin, year, make, model, in_service_date, in_service_estimated, vin_hash)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """)
        // A known in-service date is never replaced by an estimate.
        updateVehicle = try RawStatement(db, """
            UPDATE vehicles SET year = ?2, make = ?3, model = ?4,
                in_service_date = CASE WHEN ?6 AND NOT in_service_estimated THEN in_service_date ELSE ?5 END,
                in_service_estimated = ?6 AND in_service_estimated, vin_hash = ?7
            WHERE id = ?1
            """)
        let last = BatchWriter.lastDealParameter
        let placeholders = (3...last).map { "?\($0)" }.joined(separator: ", ")
        insertDeal = try RawStatement(db, """
            INSERT INTO deals (store_id, deal_number, \(BatchWriter.dealColumns), created_at)
            VALUES (?1, ?2, \(placeholders), ?\(last))
            """)
        let assignments = BatchWriter.dealColumns.split(separator: ",").enumerated()
            .map { "\($0.element.trimmingCharacters(in: .whitespacesAndNewlines)) = ?\($0.offset + 3)" }.joined(separator: ", ")
        updateDeal = try RawStatement(db, "UPDATE deals SET \(assignments) WHERE id = ?1")
        insertProductRows = try (1...max(1, importer.options.menu.products.count)).map { n in
            let rows = (0..<n).map { i in "(?1, " + (2...7).map { "?\(i * 6 + $0)" }.joined(separator: ", ") + ")" }
            return try RawStatement(db, """
                INSERT INTO deal_products (deal_id, product_code, outcome, price_cents, cost_cents, reason, presumed)
                VALUES \(rows.joined(separator: ", "))
                """)
        }
        selectProducts = try RawStatement(db, "SELECT product_code, outcome, price_cents, cost_cents FROM deal_products WHERE deal_id = ?1")
        deleteProducts = try RawStatement(db, "DELETE FROM deal_products WHERE deal_id = ?1")
        insertEvent = try RawStatement(db, """
            INSERT INTO events (deal_id, product_code, kind, occurred_on, recorded_at, price_cents, cost_cents, source, detail)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            """)
        insertRejectStatement = try RawStatement(db, """
            INSERT INTO rejects (import_run_id, file, line, deal_number, field, value, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """)
    }

    mutating func apply(_ deal: PreparedDeal, counts: inout DealImporter.RunCounts) throws {
        let r = deal.record
        let store = try importer.storeID(db, r.store)
        let fingerprint = deal.fingerprint
        findDeal.bind(1, store); findDeal.bind(2, r.dealNumber)
        var existing: (id: Int64, fingerprint: Int64, status: String, customer: Int64)?
        if try findDeal.step() {
            existing = (findDeal.int64(0), findDeal.int64(1), findDeal.text(2) ?? "", findDeal.int64(3))
        }
        findDeal.reset()
        if let e = existing, e.fingerprint == fingerprint {
            counts.unchanged += 1
            return
        }
        let p = findParties
        p.bind(1, store); p.bind(2, deal.customerHash); p.bind(3, deal.customerKey); p.bind(4, deal.vinHash); p.bind(5, r.vin)
        guard try p.step() else { throw DatabaseError(message: "the customer and vehicle lookup returned no row") }
        let knownCustomer: Int64? = p.isNull(0) ? nil : p.int64(0)
        let knownVehicle: Int64? = p.isNull(1) ? nil : p.int64(1)
        p.reset()
        let customer = try customerID(deal, store: store, existing: knownCustomer)
        let vehicle = try vehicleID(deal, existing: knownVehicle)
        let sales = try importer.staffID(db, store: store, r.salesperson, role: "sales")
        let fi = try importer.staffID(db, store: store, r.fiManager, role: "fi")
        let declines = r.declinedCount
        if let e = existing {
            let before = try storedProducts(e.id)
            bindDeal(updateDeal, r, customer: customer, vehicle: vehicle, sales: sales, fi: fi, fingerprint: fingerprint)
            updateDeal.bind(1, e.id)
            try updateDeal.run()
            deleteProducts.bind(1, e.id)
            try deleteProducts.run()
            try insertProducts(r, deal: e.id)
            try recordEvents(deal: e.id, oldStatus: e.status, before: before, after: r, counts: &counts)
            counts.updated += 1
            if importer.options.planner != nil {
                importer.changedCustomers.insert(customer)
                importer.changedCustomers.insert(e.customer)   // the deal may have moved from another customer
            }
        } else {
            bindDeal(insertDeal, r, customer: customer, vehicle: vehicle, sales: sales, fi: fi, fingerprint: fingerprint)
            insertDeal.bind(1, store); insertDeal.bind(2, r.dealNumber)
            try insertDeal.run()
            let id = db.lastInsertedRowID
            try insertProducts(r, deal: id)
            if r.status == .unwound {
                try event(deal: id, product: nil, kind: "unwound", price: nil, cost: nil, detail: "first imported as unwound")
                counts.unwinds += 1
            }
            counts.inserted += 1
            if importer.options.planner != nil { importer.changedCustomers.insert(customer) }
        }
        counts.declines += declines
    }

    private func customerID(_ deal: PreparedDeal, store: Int64, existing: Int64?) throws -> Int64 {
        let r = deal.record
        let key = deal.customerKey
        let hash = deal.customerHash
        let s = existing == nil ? insertCustomer : updateCustomer
        s.bind(1, existing ?? store); s.bind(2, key); s.bind(3, r.buyerFirstName); s.bind(4, r.buyerLastName)
        s.bind(5, r.buyerEmail); s.bind(6, r.buyerPhone); s.bind(7, r.buyerState); s.bind(8, r.buyerZip)
        s.bind(9, r.customerNumber); s.bind(10, r.consent.sms); s.bind(11, r.consent.email); s.bind(12, r.consent.phone)
        // Where consent came from: the file and line it was read from (the same on a re-run).
        s.bind(13, deal.consentSource); s.bind(14, importer.nowText); s.bind(15, r.contractDate)
        s.bind(16, hash)
        try s.run()
        return existing ?? db.lastInsertedRowID
    }

    private func vehicleID(_ deal: PreparedDeal, existing: Int64?) throws -> Int64 {
        let r = deal.record
        let hash = deal.vinHash
        let s = existing == nil ? insertVehicle : updateVehicle
        if let existing { s.bind(1, existing) } else { s.bind(1, r.vin) }
        s.bind(2, r.vehicleYear); s.bind(3, r.vehicleMake); s.bind(4, r.vehicleModel)
        s.bind(5, r.inServiceDate); s.bind(6, r.inServiceEstimated); s.bind(7, hash)
        try s.run()
        return existing ?? db.lastInsertedRowID
    }

    private func bindDeal(_ s: RawStatement, _ r: DealRecord, customer: Int64, vehicle: Int64, sales: Int64?, fi: Int64?,
                          fingerprint: Int64) {
        s.bind(3, customer); s.bind(4, vehicle); s.bind(5, r.status.rawValue); s.bind(6, r.contractDate)
        s.bind(7, r.deliveryDate); s.bind(8, r.dealType.rawValue)
        s.bind(9, r.vehicleCondition.rawValue); s.bind(10, r.odometer); s.bind(11, r.sellingPrice.cents)
        s.bind(12, r.vehicleValue.cents); s.bind(13, r.amountFinanced?.cents); s.bind(14, r.apr?.thousandthsOfPercent)
        s.bind(15, r.termMonths); s.bind(16, r.firstPaymentDate); s.bind(17, r.lender); s.bind(18, sales); s.bind(19, fi)
        s.bind(20, fingerprint); s.bind(21, runID); s.bind(22, importer.nowText)
    }

    private func insertProducts(_ r: DealRecord, deal: Int64) throws {
        guard !r.products.isEmpty else { return }
        let s = insertProductRows[r.products.count - 1]
        s.bind(1, deal)
        for (i, p) in r.products.enumerated() {
            let o = Int32(i * 6)
            s.bind(o + 2, p.code); s.bind(o + 3, p.outcome.rawValue); s.bind(o + 4, p.price?.cents)
            s.bind(o + 5, p.cost?.cents); s.bind(o + 6, p.reason); s.bind(o + 7, p.presumed)
        }
        try s.run()
    }

    private func storedProducts(_ deal: Int64) throws -> [String: (outcome: String, price: Int64?, cost: Int64?)] {
        let s = selectProducts
        s.bind(1, deal)
        defer { s.reset() }
        var out: [String: (outcome: String, price: Int64?, cost: Int64?)] = [:]
        while try s.step() {
            out[s.text(0) ?? ""] = (s.text(1) ?? "", s.isNull(2) ? nil : s.int64(2), s.isNull(3) ? nil : s.int64(3))
        }
        return out
    }

    /// A product turning from declined to sold is a recovery; from sold to not sold a cancellation;
    /// the deal turning unwound (or back) is recorded too.
    private mutating func recordEvents(deal: Int64, oldStatus: String, before: [String: (outcome: String, price: Int64?, cost: Int64?)],
                                       after r: DealRecord, counts: inout DealImporter.RunCounts) throws {
        if oldStatus != r.status.rawValue {
            if r.status == .unwound {
                try event(deal: deal, product: nil, kind: "unwound", price: nil, cost: nil, detail: nil)
                counts.unwinds += 1
            } else {
                try event(deal: deal, product: nil, kind: "reinstated", price: nil, cost: nil, detail: "status back to finalized")
            }
        }
        for p in importer.options.menu.products {
            let old = before[p.code]
            let new = r.product(p.code)
            if old?.outcome == "declined", let new, new.outcome == .sold {
                try event(deal: deal, product: p.code, kind: "recovered", price: new.price?.cents, cost: new.cost?.cents,
                          detail: "declined at the desk, now sold")
                counts.recoveries += 1
            } else if old?.outcome == "sold", new?.outcome != .sold {
                try event(deal: deal, product: p.code, kind: "cancelled", price: old?.price, cost: old?.cost,
                          detail: "sold before, now \(new?.outcome.rawValue ?? "not on the deal")")
            }
        }
    }

    private func event(deal: Int64, product: String?, kind: String, price: Int64?, cost: Int64?, detail: String?) throws {
        let s = insertEvent
        s.bind(1, deal); s.bind(2, product); s.bind(3, kind); s.bind(4, importer.today); s.bind(5, importer.nowText)
        s.bind(6, price); s.bind(7, cost); s.bind(8, "import:\(runID)"); s.bind(9, detail)
        try s.run()
    }

    func insertReject(_ r: ImportReject) throws {
        let s = insertRejectStatement
        s.bind(1, runID); s.bind(2, r.file); s.bind(3, r.line); s.bind(4, r.dealNumber); s.bind(5, r.field)
        s.bind(6, r.value); s.bind(7, r.error)
        try s.run()
    }
}


/// The index key of customers and vehicles: stable across builds and machines (unlike Swift's Hasher),
/// so stored hashes stay valid; changing it needs a migration.
enum StableHash {
    static func of(_ s: String) -> Int64 {
        var h = StableHasher()
        h.add(s)
        return h.signed
    }
}
