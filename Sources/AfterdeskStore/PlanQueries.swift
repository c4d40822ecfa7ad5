import AfterdeskCore
import Foundation
import GRDB

/// A stored deal rebuilt as imported, with the ids planning needs.
struct StoredDeal {
    let id: Int64
    let customerID: Int64
    let record: DealRecord
    let laterReadings: [OdometerReading]
    /// Stops recorded for the deal: product code (or "*") → kinds.
    var stops: [String: [StopKind]] = [:]
    /// Staff recorded "stop contacting me" for its customer.
    var contactStopped = false

    /// Why follow-up of `product` stopped for good, or nil.
    func stopReason(_ product: MenuProduct?) -> String? {
        guard let product else { return nil }
        if contactStopped { return "the customer asked to stop all contact" }
        let kinds = (stops[product.code] ?? []) + (stops["*"] ?? [])
        return kinds.first { $0.applies(to: product.kind) }?.reason
    }
}

enum DealLoader {
    /// Deals matching `condition` (SQL over `d`, the deals table, with `?` for each of `ids`), ordered by
    /// customer and contract date. Read through raw statements: planning loads every deal.
    static func load(_ db: Database, where condition: String, ids: [Int64]) throws -> [StoredDeal] {
        let main = try RawStatement(db, """
            SELECT d.id, d.customer_id, d.vehicle_id, d.deal_number, d.status, d.contract_date, d.delivery_date, d.deal_type,
                   d.vehicle_condition, d.odometer, d.selling_price_cents, d.vehicle_value_cents, d.amount_financed_cents,
                   d.apr_milli, d.term_months, d.first_payment_date, d.lender, s.code,
                   c.first_name, c.last_name, c.email, c.phone, c.state, c.zip, c.customer_number,
                   c.consent_sms, c.consent_email, c.consent_phone,
                   v.vin, v.year, v.make, v.model, v.in_service_date, v.in_service_estimated,
                   sp.staff_code, sp.name, fi.staff_code, fi.name, c.contact_stopped_at
            FROM deals d JOIN stores s ON s.id = d.store_id JOIN customers c ON c.id = d.customer_id
            JOIN vehicles v ON v.id = d.vehicle_id
            LEFT JOIN staff sp ON sp.id = d.salesperson_id LEFT JOIN staff fi ON fi.id = d.fi_manager_id
            WHERE \(condition) ORDER BY d.customer_id, d.contract_date, d.deal_number
            """)
        for (i, id) in ids.enumerated() { main.bind(Int32(i + 1), id) }
        // Later odometer readings of these deals' vehicles, in one query.
        var readings: [Int64: [OdometerReading]] = [:]
        let readingsStatement = try RawStatement(db, """
            SELECT vehicle_id, read_on, miles FROM odometer_readings
            WHERE vehicle_id IN (SELECT d.vehicle_id FROM deals d WHERE \(condition)) ORDER BY read_on
            """)
        for (i, id) in ids.enumerated() { readingsStatement.bind(Int32(i + 1), id) }
        while try readingsStatement.step() {
            if let date = readingsStatement.text(1).flatMap(LocalDate.init) {
                readings[readingsStatement.int64(0), default: []].append(OdometerReading(date: date, miles: readingsStatement.int(2)))
            }
        }
        readingsStatement.reset()
        var stops: [Int64: [String: [StopKind]]] = [:]
        let stopsStatement = try RawStatement(db, """
            SELECT deal_id, product_code, kind FROM follow_up_stops WHERE deal_id IN (SELECT d.id FROM deals d WHERE \(condition))
            """)
        for (i, id) in ids.enumerated() { stopsStatement.bind(Int32(i + 1), id) }
        while try stopsStatement.step() {
            if let kind = stopsStatement.text(2).flatMap(StopKind.init(rawValue:)) {
                stops[stopsStatement.int64(0), default: [:]][stopsStatement.text(1) ?? "*", default: []].append(kind)
            }
        }
        stopsStatement.reset()
        let products = try RawStatement(db, """
            SELECT product_code, outcome, price_cents, cost_cents, reason, presumed FROM deal_products WHERE deal_id = ?1
            """)
        var out: [StoredDeal] = []
        defer { main.reset() }
        while try main.step() {
            let r = main
            func date(_ i: Int32) -> LocalDate? { r.optionalText(i).flatMap(LocalDate.init) }
            func money(_ i: Int32) -> Money? { r.optionalInt64(i).map(Money.init(cents:)) }
            let dealID = r.int64(0)
            var lines: [ProductLine] = []
            products.bind(1, dealID)
            while try products.step() {
                let p = products
                lines.append(ProductLine(code: p.text(0) ?? "", outcome: ProductOutcome(rawValue: p.text(1) ?? "") ?? .declined,
                                         price: p.optionalInt64(2).map(Money.init(cents:)), cost: p.optionalInt64(3).map(Money.init(cents:)),
                                         reason: p.optionalText(4), presumed: p.bool(5)))
            }
            products.reset()
            let delivery = date(6)!
            let record = DealRecord(
                store: r.text(17) ?? "", dealNumber: r.text(3) ?? "", status: DealStatus(rawValue: r.text(4) ?? "") ?? .finalized,
                contractDate: date(5)!, deliveryDate: delivery, dealType: DealType(rawValue: r.text(7) ?? "") ?? .cash,
                buyerFirstName: r.text(18) ?? "", buyerLastName: r.text(19) ?? "", buyerEmail: r.optionalText(20),
                buyerPhone: r.optionalText(21), buyerState: r.optionalText(22), buyerZip: r.optionalText(23),
                customerNumber: r.optionalText(24), consent: Consent(sms: r.bool(25), email: r.bool(26), phone: r.bool(27)),
                vin: r.text(28) ?? "", vehicleYear: r.int(29), vehicleMake: r.text(30) ?? "", vehicleModel: r.text(31) ?? "",
                vehicleCondition: VehicleCondition(rawValue: r.text(8) ?? "") ?? .used, odometer: r.int(9),
                inServiceDate: date(32)!, inServiceEstimated: r.bool(33),
                sellingPrice: money(10)!, vehicleValue: money(11)!, amountFinanced: money(12),
                apr: r.optionalInt64(13).map { Rate(thousandthsOfPercent: Int($0)) }, termMonths: r.optionalInt64(14).map(Int.init),
                firstPaymentDate: date(15), lender: r.optionalText(16),
                salesperson: r.optionalText(34).map { StaffRef(id: $0, name: r.optionalText(35)) },
                fiManager: r.optionalText(36).map { StaffRef(id: $0, name: r.optionalText(37)) },
                products: lines)
            let later = (readings[r.int64(2)] ?? []).filter { $0.date > delivery }
            out.append(StoredDeal(id: dealID, customerID: r.int64(1), record: record, laterReadings: later,
                                  stops: stops[dealID] ?? [:], contactStopped: !r.isNull(38)))
        }
        return out
    }
}

extension AfterdeskDatabase {
    /// Every deal of the customer who bought deal `number` (in `store`, or the first store holding it),
    /// rebuilt as imported, with later odometer readings per deal. Nil when there is no such deal.
    public func customerDeals(ofDeal number: String, store: String? = nil) throws -> (deal: String, records: [DealRecord], readings: [String: [OdometerReading]])? {
        try writer.read { db in
            var sql = "SELECT d.customer_id FROM deals d JOIN stores s ON s.id = d.store_id WHERE d.deal_number = ?"
            var args: [any DatabaseValueConvertible] = [number]
            if let store { sql += " AND s.code = ?"; args.append(store) }
            guard let customer = try Int64.fetchOne(db, sql: sql + " ORDER BY s.code LIMIT 1", arguments: StatementArguments(args)) else { return nil }
            let deals = try DealLoader.load(db, where: "d.customer_id = ?", ids: [customer])
            var readings: [String: [OdometerReading]] = [:]
            for d in deals { readings[d.record.dealNumber] = d.laterReadings }
            return (number, deals.map(\.record), readings)
        }
    }
}

/// `afterdesk explain --json`, in the shape INTERFACES.md gives (more fields may be added).
public struct DealExplanation: Codable, Sendable {
    public struct Expiry: Codable, Sendable { public var expiresOn: String; public var limit: String
        enum CodingKeys: String, CodingKey { case expiresOn = "expires_on", limit } }
    public struct Warranty: Codable, Sendable {
        public var basic: Expiry
        public var powertrain: Expiry
        public var milesPerYear: Int
        public var milesPerYearIsDefault: Bool
        enum CodingKeys: String, CodingKey { case basic, powertrain, milesPerYear = "miles_per_year", milesPerYearIsDefault = "miles_per_year_is_default" }
    }
    public struct GAPMonth: Codable, Sendable { public var month: Int; public var date: String; public var balance: String; public var value: String }
    public struct GAP: Codable, Sendable {
        public var ltvAtContract: String
        public var schedule: [GAPMonth]
        public var exposureEndsOn: String?
        enum CodingKeys: String, CodingKey { case ltvAtContract = "ltv_at_contract", schedule, exposureEndsOn = "exposure_ends_on" }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(ltvAtContract, forKey: .ltvAtContract)
            try c.encode(schedule, forKey: .schedule)
            try c.encode(exposureEndsOn, forKey: .exposureEndsOn)   // null when never above, as documented
        }
    }
    public struct Touch: Codable, Sendable {
        public var dueAt: String
        public var action: String
        public var template: String
        public var reason: String
        public var status: String
        /// Other products raised in the same message or call.
        public var with: [String]
        enum CodingKeys: String, CodingKey { case dueAt = "due_at", action, template, reason, status, with }
    }
    public struct Product: Codable, Sendable {
        public var code: String
        public var outcome: String
        public var holdout: Bool
        public var warranty: Warranty?
        public var gap: GAP?
        public var eligibleUntil: String?
        public var eligibilityRule: String?
        public var note: String?
        public var touches: [Touch]
        public var dropped: [Touch]
        enum CodingKeys: String, CodingKey {
            case code, outcome, holdout, warranty, gap, eligibleUntil = "eligible_until", eligibilityRule = "eligibility_rule"
            case note, touches, dropped
        }
    }
    public var dealNumber: String
    public var plannedAt: String
    public var products: [Product]
    enum CodingKeys: String, CodingKey { case dealNumber = "deal_number", plannedAt = "planned_at", products }
}

public enum Explain {
    /// The plan of one deal's products, computed now from the customer's deals.
    public static func explain(dealNumber: String, records: [DealRecord], readings: [String: [OdometerReading]],
                               planner: Planner, now: Date) -> DealExplanation? {
        guard let deal = records.first(where: { $0.dealNumber == dealNumber }) else { return nil }
        let declines = records.filter { $0.status == .finalized }.flatMap { r in
            r.products.filter { $0.outcome == .declined }.map {
                DeclineFacts(store: r.store, dealNumber: r.dealNumber, product: $0, deal: r, laterReadings: readings[r.dealNumber] ?? [])
            }
        }
        let permissions = ContactPermissions(sms: deal.consent.sms, email: deal.consent.email, phone: deal.consent.phone)
        let plan = planner.plan(declines: declines, permissions: permissions, now: now)
        var products: [DealExplanation.Product] = []
        for line in deal.products {
            let p = plan.products.first { $0.dealNumber == dealNumber && $0.product == line.code }
            var out = DealExplanation.Product(code: line.code, outcome: line.outcome.rawValue, holdout: p?.holdout ?? false,
                                              eligibleUntil: p?.eligibility.until?.description,
                                              eligibilityRule: p?.eligibility.reason?.rawValue, note: p?.note, touches: [], dropped: [])
            if deal.status == .unwound { out.note = "the deal was unwound: nothing is followed up" }
            else if line.outcome == .sold { out.note = "sold at the desk" }
            if let w = p?.warranty {
                out.warranty = .init(basic: .init(expiresOn: w.basic.date.description, limit: w.basic.limit.rawValue),
                                     powertrain: .init(expiresOn: w.powertrain.date.description, limit: w.powertrain.limit.rawValue),
                                     milesPerYear: w.milesPerYear, milesPerYearIsDefault: w.milesPerYearIsDefault)
            }
            if let g = p?.gap {
                out.gap = .init(ltvAtContract: "\(g.loanToValueAtContract)",
                                schedule: g.schedule.map { .init(month: $0.number, date: $0.date.description, balance: $0.balance.description, value: $0.value.description) },
                                exposureEndsOn: g.exposureEndsOn?.description)
            }
            for t in plan.touches {
                for item in t.items where item.dealNumber == dealNumber && item.product == line.code {
                    out.touches.append(.init(dueAt: Instant.iso8601(t.dueAt), action: t.action.rawValue, template: item.template,
                                             reason: item.reason, status: "planned",
                                             with: t.items.filter { $0 != item }.map(\.product)))
                }
            }
            for d in plan.dropped where d.item.dealNumber == dealNumber && d.item.product == line.code {
                out.dropped.append(.init(dueAt: d.wouldBeOn.description, action: "none", template: d.item.template,
                                         reason: d.item.reason, status: "skipped: \(d.why)", with: []))
            }
            products.append(out)
        }
        return DealExplanation(dealNumber: dealNumber, plannedAt: Instant.iso8601(now), products: products)
    }
}
