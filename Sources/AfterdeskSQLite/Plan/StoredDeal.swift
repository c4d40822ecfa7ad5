import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

enum DealLoader {
    /// What the deal queries return, copied out of SQLite; `decode` turns it into deals.
    struct Rows: Sendable {
        var deals = RawRows(columns: 29, integers: [0, 1, 2, 9, 10, 11, 12, 13, 14, 19, 20, 21, 22, 25, 26, 27, 28])
        var products = RawRows(columns: 7, integers: [0, 3, 4, 6])
        var readings = RawRows(columns: 3, integers: [0, 2])
        var stops = RawRows(columns: 3, integers: [0])
        /// (deal, product code, touch name, sent at) of every item of a touch already sent.
        var sent = RawRows(columns: 4, integers: [0])
    }

    /// The deals of the customers matching `customers` (SQL over a `customer_id` column, with `?` for each of `ids`),
    /// ordered by customer and contract date. Read through raw statements: planning loads every deal.
    static func load(_ db: Database, customers: String, ids: [Int64]) throws -> [StoredDeal] {
        decode(try read(db, customers: customers, ids: ids))
    }

    /// The rows of the deals of the customers matching `customers`, with their products, later odometer readings,
    /// stops and the touches already sent: five queries, whatever the number of deals.
    static func read(_ db: Database, customers: String, ids: [Int64]) throws -> Rows {
        func bound(_ sql: String) throws -> RawStatement { try RawStatement(db, sql, binding: ids) }
        let condition = "d." + customers
        var rows = Rows()
        // Only the facts planning uses: no names, contact details or staff (the planner never reads them); of the phone,
        // its area code only (Florida and Oklahoma presume a number with theirs reaches a resident: their law applies).
        try rows.deals.appendAll(
            bound(
                """
                SELECT d.id, d.customer_id, d.vehicle_id, d.deal_number, d.status, d.contract_date, d.delivery_date, d.deal_type,
                       d.vehicle_condition, d.odometer, d.selling_price_cents, d.vehicle_value_cents, d.amount_financed_cents,
                       d.apr_milli, d.term_months, d.first_payment_date, s.code, c.state, c.zip,
                       c.consent_sms, c.consent_email, c.consent_phone, v.year, v.make, v.in_service_date, v.in_service_estimated,
                       c.contact_stopped_at IS NOT NULL, (SELECT a.held_out FROM deal_arms a WHERE a.deal_id = d.id),
                       CASE WHEN c.phone GLOB '+1[2-9][0-9][0-9]*' THEN CAST(substr(c.phone, 3, 3) AS INTEGER) END
                FROM deals d JOIN stores s ON s.id = d.store_id JOIN customers c ON c.id = d.customer_id
                JOIN vehicles v ON v.id = d.vehicle_id
                WHERE \(condition)
                """))
        try rows.products.appendAll(
            bound(
                """
                SELECT deal_id, product_code, outcome, price_cents, cost_cents, reason, presumed FROM deal_products
                WHERE deal_id IN (SELECT d.id FROM deals d WHERE \(condition)) ORDER BY deal_id, product_code
                """))
        try rows.readings.appendAll(
            bound(
                """
                SELECT vehicle_id, read_on, miles FROM odometer_readings
                WHERE vehicle_id IN (SELECT d.vehicle_id FROM deals d WHERE \(condition)) ORDER BY read_on
                """))
        try rows.stops.appendAll(
            bound(
                """
                SELECT deal_id, product_code, kind FROM follow_up_stops WHERE deal_id IN (SELECT d.id FROM deals d WHERE \(condition))
                """))
        // By the customer the touch was sent to, on the partial index of sent touches (`sent_at IS NOT NULL`), which holds
        // nothing on a first planning (`+status` keeps SQLite off the index by status, which spans every customer's).
        try rows.sent.appendAll(
            bound(
                """
                SELECT i.deal_id, i.product_code, i.touch_name, t.sent_at FROM touches t JOIN touch_items i ON i.touch_id = t.id
                WHERE t.sent_at IS NOT NULL AND +t.status = 'sent' AND t.\(customers)
                """))
        return rows
    }

    /// The deals of `rows`, in their order.
    static func decode(_ rows: Rows) -> [StoredDeal] {
        var readings: [Int64: [OdometerReading]] = [:]
        let rr = rows.readings
        for i in 0..<rr.count {
            if let date = rr.date(i, 1) { readings[rr.int64(i, 0), default: []].append(OdometerReading(date: date, miles: rr.int(i, 2))) }
        }
        let stops = decodeStops(rows.stops)
        let sent = decodeSent(rows.sent)
        // Products come ordered by deal id; each deal takes its run.
        var products: [Int64: [ProductLine]] = [:]
        let p = rows.products
        for i in 0..<p.count {
            let money = { (c: Int) in p.optionalInt64(i, c).map(Money.init(cents:)) }
            products[p.int64(i, 0), default: []].append(
                ProductLine(
                    code: p.text(i, 1), outcome: ProductOutcome(rawValue: p.text(i, 2)) ?? .declined, price: money(3), cost: money(4),
                    reason: p.optionalText(i, 5), presumed: p.bool(i, 6)))
        }
        let r = rows.deals
        var out: [StoredDeal] = []
        out.reserveCapacity(r.count)
        for i in 0..<r.count {
            let date = { (c: Int) in r.date(i, c) }
            let money = { (c: Int) in r.optionalInt64(i, c).map(Money.init(cents:)) }
            let dealID = r.int64(i, 0)
            // A row the importer could not have written (a date or a price missing) is not planned, rather than
            // stopping the planning of every other customer.
            guard let delivery = date(6), let contract = date(5), let inService = date(24), let selling = money(10), let value = money(11)
            else { continue }
            var record = DealRecord(
                store: r.text(i, 16), dealNumber: r.text(i, 3), status: DealStatus(rawValue: r.text(i, 4)) ?? .finalized,
                contractDate: contract, deliveryDate: delivery, dealType: DealType(rawValue: r.text(i, 7)) ?? .cash,
                buyerFirstName: "", buyerLastName: "", buyerEmail: nil, buyerPhone: nil,
                buyerState: r.optionalText(i, 17), buyerZip: r.optionalText(i, 18),
                customerNumber: nil, consent: Consent(sms: r.bool(i, 19), email: r.bool(i, 20), phone: r.bool(i, 21)),
                vin: "", vehicleYear: r.int(i, 22), vehicleMake: r.text(i, 23), vehicleModel: "",
                vehicleCondition: VehicleCondition(rawValue: r.text(i, 8)) ?? .used, odometer: r.int(i, 9),
                inServiceDate: inService, inServiceEstimated: r.bool(i, 25),
                sellingPrice: selling, vehicleValue: value, amountFinanced: money(12),
                apr: r.optionalInt64(i, 13).map { Rate(thousandthsOfPercent: Int($0)) }, termMonths: r.optionalInt64(i, 14).map(Int.init),
                firstPaymentDate: date(15), lender: nil, salesperson: nil, fiManager: nil,
                products: products[dealID] ?? [])
            record.buyerAreaCode = r.optionalInt64(i, 28).map(Int.init)
            let later = (readings[r.int64(i, 2)] ?? []).filter { $0.date > delivery }
            let deal = FollowUpDeal(
                record: record, laterReadings: later, stops: stops[dealID] ?? [:], contactStopped: r.bool(i, 26),
                heldOut: r.optionalInt64(i, 27).map { $0 != 0 }, sent: sent[dealID] ?? [:])
            out.append(StoredDeal(id: dealID, customerID: r.int64(i, 1), deal: deal))
        }
        // Ordered here rather than by SQLite, off the thread that talks to it.
        out.sort {
            ($0.customerID, $0.record.contractDate, $0.record.dealNumber) < ($1.customerID, $1.record.contractDate, $1.record.dealNumber)
        }
        return out
    }
}

extension DealLoader {
    /// Stops by deal: product code (or "*") → kinds.
    static func decodeStops(_ rows: RawRows) -> [Int64: [String: [StopKind]]] {
        var stops: [Int64: [String: [StopKind]]] = [:]
        for i in 0..<rows.count {
            if let kind = StopKind(rawValue: rows.text(i, 2)) {
                stops[rows.int64(i, 0), default: [:]][rows.optionalText(i, 1) ?? "*", default: []].append(kind)
            }
        }
        return stops
    }

    /// Touches already sent by deal: product code → touch name → when.
    static func decodeSent(_ rows: RawRows) -> [Int64: [String: [String: Date]]] {
        var sent: [Int64: [String: [String: Date]]] = [:]
        for i in 0..<rows.count {
            // A sent touch whose instant does not read still counts as sent: the date is only for explain's words.
            let at = Instant.parse(rows.text(i, 3)) ?? Date(timeIntervalSince1970: 0)
            sent[rows.int64(i, 0), default: [:]][rows.text(i, 1), default: [:]][rows.text(i, 2)] = at
        }
        return sent
    }
}

extension AfterdeskDatabase {
    /// Every deal of the customer who bought deal `number` (in `store`; without it, the number must name one deal),
    /// rebuilt with the facts planning uses. Nil when there is no such deal.
    public func customerDeals(ofDeal number: String, store: String? = nil) async throws -> CustomerDeals? {
        try await writer.read { db in
            guard let found = try AfterdeskDatabase.findDeal(db, number: number, store: store) else { return nil }
            let deals = try DealLoader.load(db, customers: "customer_id = ?", ids: [found.customerID])
            return CustomerDeals(dealNumber: number, store: found.store, deals: deals.map(\.deal))
        }
    }
}
