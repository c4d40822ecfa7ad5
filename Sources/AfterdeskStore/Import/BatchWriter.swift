import AfterdeskCore
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
    let insertRejectStatement: RawStatement

    /// Bound as ?3, ?4, … in this order by `bindDeal`; ?1 is the store (insert) or the deal id (update), ?2 the number.
    static let dealColumns = """
        customer_id, vehicle_id, status, contract_date, delivery_date, deal_type,
        vehicle_condition, odometer, selling_price_cents, vehicle_value_cents, amount_financed_cents, apr_milli,
        term_months, first_payment_date, lender, salesperson_id, fi_manager_id, fingerprint, import_run_id, updated_at
        """
    static let lastDealParameter = 22

    /// The customer parameters of the insert by number, for the upsert's `excluded.` references.
    static let customerColumns: [Int: String] = [
        3: "first_name", 4: "last_name", 5: "email", 6: "phone", 7: "state", 8: "zip", 9: "customer_number",
        10: "consent_sms", 11: "consent_email", 12: "consent_phone", 13: "consent_source", 14: "consent_at",
        15: "last_deal_on",
    ]

    /// The SET clause that refreshes a returning customer; `value(n)` is how parameter n is written (`?n` in the
    /// UPDATE, `excluded.column` in the upsert). A channel whose consent changes records this import as its own
    /// source; the others keep theirs.
    static func customerAssignments(_ value: (Int) -> String) -> String {
        func consent(_ channel: String, _ n: Int) -> String {
            """
            consent_\(channel)_source = CASE WHEN consent_\(channel) = \(value(n)) THEN consent_\(channel)_source ELSE \(value(13)) END,
            consent_\(channel)_at = CASE WHEN consent_\(channel) = \(value(n)) THEN consent_\(channel)_at ELSE \(value(14)) END,
            consent_\(channel) = \(value(n))
            """
        }
        return """
            first_name = \(value(3)), last_name = \(value(4)), email = \(value(5)), phone = \(value(6)), state = \(value(7)),
            zip = \(value(8)), customer_number = COALESCE(\(value(9)), customer_number),
            \(consent("sms", 10)), \(consent("email", 11)), \(consent("phone", 12)),
            last_deal_on = \(value(15)), updated_at = \(value(14))
            """
    }

    static let vehicleColumns: [Int: String] = [2: "year", 3: "make", 4: "model", 5: "in_service_date", 6: "in_service_estimated"]

    /// A known in-service date is never replaced by an estimate.
    static func vehicleAssignments(_ value: (Int) -> String) -> String {
        """
        year = \(value(2)), make = \(value(3)), model = \(value(4)),
        in_service_date = CASE WHEN \(value(6)) AND NOT in_service_estimated THEN in_service_date ELSE \(value(5)) END,
        in_service_estimated = \(value(6)) AND in_service_estimated
        """
    }

    init(db: Database, importer: DealImporter, runID: Int64, file: String) throws {
        self.db = db; self.importer = importer; self.runID = runID; self.file = file
        findDeal = try RawStatement(db, "SELECT id, fingerprint, status, customer_id FROM deals WHERE store_id = ?1 AND deal_number = ?2")
        let bulk = importer.bulk != nil
        let customerInsert = """
            INSERT INTO customers (store_id, match_key, match_hash, first_name, last_name, email, phone, state, zip,
                customer_number, consent_sms, consent_email, consent_phone, consent_source, consent_at,
                last_deal_on, created_at, updated_at)
            VALUES (?1, ?2, ?16, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?14, ?14)
            """
        customers = try KeyedTable(
            db,
            insert: customerInsert,
            // A returning customer takes the facts of the newest deal: the update applies only when this deal
            // is at least as new as the one that set the stored facts.
            update: """
                UPDATE customers SET \(BatchWriter.customerAssignments { "?\($0)" })
                WHERE id = ?1 AND ?15 >= last_deal_on
                """,
            upsert: bulk ? nil : customerInsert + """
                 ON CONFLICT (store_id, match_hash) DO UPDATE SET \(BatchWriter.customerAssignments { "excluded.\(BatchWriter.customerColumns[$0]!)" })
                WHERE match_key = excluded.match_key AND excluded.last_deal_on >= last_deal_on
                """,
            at: "SELECT id, match_key FROM customers WHERE store_id = ?1 AND match_hash = ?2",
            row: "SELECT store_id, match_hash, match_key FROM customers WHERE id = ?1")
        let vehicleInsert = """
            INSERT INTO vehicles (vin, year, make, model, in_service_date, in_service_estimated, vin_hash)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """
        vehicles = try KeyedTable(
            db,
            insert: vehicleInsert,
            update: "UPDATE vehicles SET \(BatchWriter.vehicleAssignments { "?\($0)" }) WHERE id = ?1",
            upsert: bulk ? nil : vehicleInsert + """
                 ON CONFLICT (vin_hash) DO UPDATE SET \(BatchWriter.vehicleAssignments { "excluded.\(BatchWriter.vehicleColumns[$0]!)" })
                WHERE vin = excluded.vin
                """,
            at: KeyedTable.vehicleAt,
            row: "SELECT 0, vin_hash, vin FROM vehicles WHERE id = ?1")
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
            INSERT INTO rejects (import_run_id, file, line, deal_number, field, value, error, severity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """)
    }

    mutating func apply(_ deal: PreparedDeal, counts: inout DealImporter.RunCounts) throws {
        let r = deal.record
        let store = try importer.storeID(db, r.store)
        var existing: (id: Int64, status: String, customer: Int64)?
        // Into a database that had no deals when this import began, every deal is new (`seen` catches repeats).
        if importer.dealsBefore {
            findDeal.bind(1, store); findDeal.bind(2, r.dealNumber)
            defer { findDeal.reset() }
            if try findDeal.step() {
                if findDeal.int64(1) == deal.fingerprint {
                    counts.unchanged += 1
                    return
                }
                existing = (findDeal.int64(0), findDeal.text(2) ?? "", findDeal.int64(3))
            }
        }
        let customer = try customerID(deal, store: store)
        let vehicle = try vehicleID(deal)
        try write(deal, store: store, existing: existing, customer: customer, vehicle: vehicle, counts: &counts)
    }

    private mutating func write(_ deal: PreparedDeal, store: Int64, existing: (id: Int64, status: String, customer: Int64)?,
                                customer: Int64, vehicle: Int64, counts: inout DealImporter.RunCounts) throws {
        let r = deal.record
        let fingerprint = deal.fingerprint
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

    /// The customer of the deal, inserted or refreshed.
    private func customerID(_ deal: PreparedDeal, store: Int64) throws -> Int64 {
        try customers.findOrInsert(key: deal.customerKey, scope: store, firstHash: deal.customerHash, db: db,
                                   memory: importer.bulk?.customers,
                                   bindInsert: { s, h in bindCustomer(s, deal, store, hash: h) },
                                   bindUpdate: { s, id, h in bindCustomer(s, deal, id, hash: h) })
    }

    /// The vehicle of the deal, inserted or refreshed.
    private func vehicleID(_ deal: PreparedDeal) throws -> Int64 {
        try vehicles.findOrInsert(key: deal.record.vin, scope: 0, firstHash: deal.vinHash, db: db,
                                  memory: importer.bulk?.vehicles,
                                  bindInsert: { s, h in bindVehicle(s, deal, hash: h) },
                                  bindUpdate: { s, id, h in bindVehicle(s, deal, hash: h).bind(1, id) })
    }

    /// Binds the customer parameters; ?1 is the store (insert, upsert) or the customer id (update).
    @discardableResult
    private func bindCustomer(_ s: RawStatement, _ deal: PreparedDeal, _ first: Int64, hash: Int64) -> RawStatement {
        let r = deal.record
        s.bind(1, first); s.bind(2, deal.customerKey); s.bind(3, r.buyerFirstName); s.bind(4, r.buyerLastName)
        s.bind(5, r.buyerEmail); s.bind(6, r.buyerPhone); s.bind(7, r.buyerState); s.bind(8, r.buyerZip)
        s.bind(9, r.customerNumber); s.bind(10, r.consent.sms); s.bind(11, r.consent.email); s.bind(12, r.consent.phone)
        // Where consent came from: the file and line it was read from (the same on a re-run).
        s.bind(13, deal.consentSource); s.bind(14, importer.nowText); s.bind(15, r.contractDate)
        s.bind(16, hash)
        return s
    }

    @discardableResult
    private func bindVehicle(_ s: RawStatement, _ deal: PreparedDeal, hash: Int64) -> RawStatement {
        let r = deal.record
        s.bind(1, r.vin); s.bind(2, r.vehicleYear); s.bind(3, r.vehicleMake); s.bind(4, r.vehicleModel)
        s.bind(5, r.inServiceDate); s.bind(6, r.inServiceEstimated); s.bind(7, hash)
        return s
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
        s.bind(6, r.value); s.bind(7, r.error); s.bind(8, r.isWarning ? "warning" : "refused")
        try s.run()
    }
}
