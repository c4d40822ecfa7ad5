import AfterdeskCore
import Foundation
import GRDB

/// A stored deal rebuilt as imported, with the ids planning needs.
struct StoredDeal {
    let id: Int64
    let customerID: Int64
    let record: DealRecord
    let laterReadings: [OdometerReading]
}

enum DealLoader {
    /// Deals matching `condition` (SQL over `d`, the deals table), ordered by customer and contract date.
    /// Columns are read by position: planning loads every deal, and lookups by name cost more than the rest.
    static func load(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [StoredDeal] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT d.id, d.customer_id, d.vehicle_id, d.deal_number, d.status, d.contract_date, d.delivery_date, d.deal_type,
                   d.vehicle_condition, d.odometer, d.selling_price_cents, d.vehicle_value_cents, d.amount_financed_cents,
                   d.apr_milli, d.term_months, d.first_payment_date, d.lender, s.code,
                   c.first_name, c.last_name, c.email, c.phone, c.state, c.zip, c.customer_number,
                   c.consent_sms, c.consent_email, c.consent_phone,
                   v.vin, v.year, v.make, v.model, v.in_service_date, v.in_service_estimated,
                   sp.staff_code, sp.name, fi.staff_code, fi.name
            FROM deals d JOIN stores s ON s.id = d.store_id JOIN customers c ON c.id = d.customer_id
            JOIN vehicles v ON v.id = d.vehicle_id
            LEFT JOIN staff sp ON sp.id = d.salesperson_id LEFT JOIN staff fi ON fi.id = d.fi_manager_id
            WHERE \(condition) ORDER BY d.customer_id, d.contract_date, d.deal_number
            """, arguments: arguments)
        guard !rows.isEmpty else { return [] }
        // Later odometer readings of these deals' vehicles, in one query.
        var readings: [Int64: [(LocalDate, Int)]] = [:]
        for o in try Row.fetchAll(db, sql: """
            SELECT vehicle_id, read_on, miles FROM odometer_readings
            WHERE vehicle_id IN (SELECT d.vehicle_id FROM deals d WHERE \(condition)) ORDER BY read_on
            """, arguments: arguments) {
            if let date = LocalDate(o[1] as String) { readings[o[0], default: []].append((date, o[2])) }
        }
        let products = try db.makeStatement(sql: """
            SELECT product_code, outcome, price_cents, cost_cents, reason, presumed FROM deal_products WHERE deal_id = ?
            """)
        func date(_ r: Row, _ i: Int) -> LocalDate? { (r[i] as String?).flatMap(LocalDate.init) }
        func money(_ r: Row, _ i: Int) -> Money? { (r[i] as Int64?).map(Money.init(cents:)) }
        return try rows.map { r in
            let dealID: Int64 = r[0]
            let lines = try Row.fetchAll(products, arguments: [dealID]).map { p in
                ProductLine(code: p[0], outcome: ProductOutcome(rawValue: p[1]) ?? .declined, price: money(p, 2), cost: money(p, 3),
                            reason: p[4], presumed: p[5])
            }
            let delivery = date(r, 6)!
            let record = DealRecord(
                store: r[17], dealNumber: r[3], status: DealStatus(rawValue: r[4]) ?? .finalized,
                contractDate: date(r, 5)!, deliveryDate: delivery, dealType: DealType(rawValue: r[7]) ?? .cash,
                buyerFirstName: r[18], buyerLastName: r[19], buyerEmail: r[20], buyerPhone: r[21], buyerState: r[22],
                buyerZip: r[23], customerNumber: r[24], consent: Consent(sms: r[25], email: r[26], phone: r[27]),
                vin: r[28], vehicleYear: r[29], vehicleMake: r[30], vehicleModel: r[31],
                vehicleCondition: VehicleCondition(rawValue: r[8]) ?? .used, odometer: r[9],
                inServiceDate: date(r, 32)!, inServiceEstimated: r[33],
                sellingPrice: money(r, 10)!, vehicleValue: money(r, 11)!, amountFinanced: money(r, 12),
                apr: (r[13] as Int?).map(Rate.init(thousandthsOfPercent:)), termMonths: r[14],
                firstPaymentDate: date(r, 15), lender: r[16],
                salesperson: (r[34] as String?).map { StaffRef(id: $0, name: r[35]) },
                fiManager: (r[36] as String?).map { StaffRef(id: $0, name: r[37]) },
                products: lines)
            let later = (readings[r[2] as Int64] ?? []).filter { $0.0 > delivery }.map { OdometerReading(date: $0.0, miles: $0.1) }
            return StoredDeal(id: dealID, customerID: r[1], record: record, laterReadings: later)
        }
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
            let deals = try DealLoader.load(db, where: "d.customer_id = ?", arguments: [customer])
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
