import AfterdeskCore
import Foundation
import GRDB

/// A stored deal rebuilt with the facts planning uses (not the buyer's name, contact details, VIN or staff),
/// with the ids planning needs.
struct StoredDeal {
    let id: Int64
    let customerID: Int64
    let record: DealRecord
    let laterReadings: [OdometerReading]
    /// Stops recorded for the deal: product code (or "*") → kinds.
    var stops: [String: [StopKind]] = [:]
    /// Staff recorded "stop contacting me" for its customer.
    var contactStopped = false

    /// The declines of a customer's deals that may be followed up, and what the customer allows: planning and
    /// `explain` both take them from here, so explain never promises a touch planning would not make. Unwound deals,
    /// products bought since, stops ("vehicle sold", "not interested") and "stop contacting me" leave them out.
    static func followUp(_ deals: [StoredDeal], menu: Menu) -> (declines: [DeclineFacts], permissions: ContactPermissions) {
        let declines = deals.filter { $0.record.status == .finalized }.flatMap { d in
            d.record.products.filter { $0.outcome == .declined && d.stopReason(menu.product($0.code)) == nil }.map {
                DeclineFacts(store: d.record.store, dealNumber: d.record.dealNumber, product: $0, deal: d.record, laterReadings: d.laterReadings)
            }
        }
        let c = (declines.first?.deal ?? deals.first?.record)?.consent ?? Consent()
        return (declines, ContactPermissions(sms: c.sms, email: c.email, phone: c.phone))
    }

    /// Why follow-up of `product` stopped for good, or nil.
    func stopReason(_ product: MenuProduct?) -> String? {
        guard let product else { return nil }
        if contactStopped { return "the customer asked to stop all contact" }
        let kinds = (stops[product.code] ?? []) + (stops["*"] ?? [])
        return kinds.first { $0.applies(to: product.kind) }?.reason
    }
}

/// The rows of a query, copied out of SQLite as they are (integers, and text bytes in one buffer), to be turned
/// into values elsewhere: the thread that talks to SQLite only copies, another one builds the strings.
struct RawRows: Sendable {
    let columns: Int
    /// Per cell: the integer, or for text the offset into `bytes` (length in `lengths`).
    private var values: [Int64] = []
    /// Per cell: -1 for NULL, -2 for an integer, else the text's length.
    private var lengths: [Int32] = []
    private var bytes: [UInt8] = []
    /// Per column: true when it holds integers.
    private let integer: [Bool]

    init(columns: Int, integers: Set<Int>) {
        self.columns = columns
        integer = (0..<columns).map(integers.contains)
    }

    var count: Int { lengths.count / max(1, columns) }

    /// Appends the current row of `s`: integer columns as integers (or NULL), the others as text.
    mutating func append(_ s: RawStatement) {
        for c in 0..<Int32(columns) {
            if s.isNull(c) { values.append(0); lengths.append(-1) }
            else if integer[Int(c)] { values.append(s.int64(c)); lengths.append(-2) }
            else {
                let n = s.appendText(c, to: &bytes)
                values.append(Int64(bytes.count - n)); lengths.append(Int32(n))
            }
        }
    }

    /// Appends every row `s` gives, then resets it.
    mutating func appendAll(_ s: RawStatement) throws {
        defer { s.reset() }
        while try s.step() { append(s) }
    }

    func isNull(_ row: Int, _ col: Int) -> Bool { lengths[row * columns + col] == -1 }
    func int64(_ row: Int, _ col: Int) -> Int64 { values[row * columns + col] }
    func int(_ row: Int, _ col: Int) -> Int { Int(values[row * columns + col]) }
    func bool(_ row: Int, _ col: Int) -> Bool { values[row * columns + col] != 0 }
    func optionalInt64(_ row: Int, _ col: Int) -> Int64? { isNull(row, col) ? nil : int64(row, col) }
    func optionalText(_ row: Int, _ col: Int) -> String? {
        let i = row * columns + col, n = Int(lengths[i])
        guard n >= 0 else { return nil }
        let start = Int(values[i])
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<start + n]), as: UTF8.self) }
    }
    func text(_ row: Int, _ col: Int) -> String { optionalText(row, col) ?? "" }
    func date(_ row: Int, _ col: Int) -> LocalDate? {
        let i = row * columns + col, n = Int(lengths[i])
        guard n >= 0 else { return nil }
        let start = Int(values[i])
        return bytes.withUnsafeBufferPointer { LocalDate.parse(UnsafeBufferPointer(rebasing: $0[start..<start + n])) }
    }
}

enum DealLoader {
    /// What the deal queries return, copied out of SQLite; `decode` turns it into deals.
    struct Rows: Sendable {
        var deals = RawRows(columns: 27, integers: [0, 1, 2, 9, 10, 11, 12, 13, 14, 19, 20, 21, 22, 25, 26])
        var products = RawRows(columns: 7, integers: [0, 3, 4, 6])
        var readings = RawRows(columns: 3, integers: [0, 2])
        var stops = RawRows(columns: 3, integers: [0])
    }

    /// Deals matching `condition` (SQL over `d`, the deals table, with `?` for each of `ids`), ordered by
    /// customer and contract date. Read through raw statements: planning loads every deal.
    static func load(_ db: Database, where condition: String, ids: [Int64]) throws -> [StoredDeal] {
        decode(try read(db, where: condition, ids: ids))
    }

    /// The rows of the deals matching `condition`, with their products, later odometer readings and stops:
    /// four queries, whatever the number of deals.
    static func read(_ db: Database, where condition: String, ids: [Int64]) throws -> Rows {
        func bound(_ sql: String) throws -> RawStatement { try RawStatement(db, sql, binding: ids) }
        var rows = Rows()
        // Only the facts planning uses: no names, contact details or staff (the planner never reads them).
        try rows.deals.appendAll(bound("""
            SELECT d.id, d.customer_id, d.vehicle_id, d.deal_number, d.status, d.contract_date, d.delivery_date, d.deal_type,
                   d.vehicle_condition, d.odometer, d.selling_price_cents, d.vehicle_value_cents, d.amount_financed_cents,
                   d.apr_milli, d.term_months, d.first_payment_date, s.code, c.state, c.zip,
                   c.consent_sms, c.consent_email, c.consent_phone, v.year, v.make, v.in_service_date, v.in_service_estimated,
                   c.contact_stopped_at IS NOT NULL
            FROM deals d JOIN stores s ON s.id = d.store_id JOIN customers c ON c.id = d.customer_id
            JOIN vehicles v ON v.id = d.vehicle_id
            WHERE \(condition)
            """))
        try rows.products.appendAll(bound("""
            SELECT deal_id, product_code, outcome, price_cents, cost_cents, reason, presumed FROM deal_products
            WHERE deal_id IN (SELECT d.id FROM deals d WHERE \(condition)) ORDER BY deal_id, product_code
            """))
        try rows.readings.appendAll(bound("""
            SELECT vehicle_id, read_on, miles FROM odometer_readings
            WHERE vehicle_id IN (SELECT d.vehicle_id FROM deals d WHERE \(condition)) ORDER BY read_on
            """))
        try rows.stops.appendAll(bound("""
            SELECT deal_id, product_code, kind FROM follow_up_stops WHERE deal_id IN (SELECT d.id FROM deals d WHERE \(condition))
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
        var stops: [Int64: [String: [StopKind]]] = [:]
        let sr = rows.stops
        for i in 0..<sr.count {
            if let kind = StopKind(rawValue: sr.text(i, 2)) { stops[sr.int64(i, 0), default: [:]][sr.optionalText(i, 1) ?? "*", default: []].append(kind) }
        }
        // Products come ordered by deal id; each deal takes its run.
        var products: [Int64: [ProductLine]] = [:]
        let p = rows.products
        for i in 0..<p.count {
            let money = { (c: Int) in p.optionalInt64(i, c).map(Money.init(cents:)) }
            products[p.int64(i, 0), default: []].append(ProductLine(
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
            let record = DealRecord(
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
            let later = (readings[r.int64(i, 2)] ?? []).filter { $0.date > delivery }
            out.append(StoredDeal(id: dealID, customerID: r.int64(i, 1), record: record, laterReadings: later,
                                  stops: stops[dealID] ?? [:], contactStopped: r.bool(i, 26)))
        }
        // Ordered here rather than by SQLite, off the thread that talks to it.
        out.sort { ($0.customerID, $0.record.contractDate, $0.record.dealNumber) < ($1.customerID, $1.record.contractDate, $1.record.dealNumber) }
        return out
    }
}

/// Every deal of one customer, as planning sees them (with stops and later readings): what `explain` works from.
public struct CustomerDeals: Sendable {
    /// The deal asked about, and its store.
    public let dealNumber: String
    public let store: String
    let deals: [StoredDeal]
    public var records: [DealRecord] { deals.map(\.record) }
}

extension AfterdeskDatabase {
    /// Every deal of the customer who bought deal `number` (in `store`; without it, the number must name one deal),
    /// rebuilt with the facts planning uses. Nil when there is no such deal.
    public func customerDeals(ofDeal number: String, store: String? = nil) throws -> CustomerDeals? {
        try writer.read { db in
            guard let found = try AfterdeskDatabase.findDeal(db, number: number, store: store) else { return nil }
            let deals = try DealLoader.load(db, where: "d.customer_id = ?", ids: [found.customerID])
            return CustomerDeals(dealNumber: number, store: found.store, deals: deals)
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
    public static func explain(_ customer: CustomerDeals, planner: Planner, now: Date) -> DealExplanation? {
        let dealNumber = customer.dealNumber
        guard let stored = customer.deals.first(where: { $0.record.dealNumber == dealNumber && $0.record.store == customer.store }) else { return nil }
        let deal = stored.record
        let (declines, permissions) = StoredDeal.followUp(customer.deals, menu: planner.menu)
        let plan = declines.isEmpty ? CustomerPlan(products: [], touches: [], dropped: [])
            : planner.plan(declines: declines, permissions: permissions, now: now)
        var products: [DealExplanation.Product] = []
        for line in deal.products {
            let p = plan.products.first { $0.dealNumber == dealNumber && $0.product == line.code }
            var out = DealExplanation.Product(code: line.code, outcome: line.outcome.rawValue, holdout: p?.holdout ?? false,
                                              eligibleUntil: p?.eligibility.until?.description,
                                              eligibilityRule: p?.eligibility.reason?.rawValue, note: p?.note, touches: [], dropped: [])
            if deal.status == .unwound { out.note = "the deal was unwound: nothing is followed up" }
            else if line.outcome == .sold { out.note = "sold at the desk" }
            else if line.outcome == .declined, let stop = stored.stopReason(planner.menu.product(line.code)) { out.note = "follow-up stopped: \(stop)" }
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
