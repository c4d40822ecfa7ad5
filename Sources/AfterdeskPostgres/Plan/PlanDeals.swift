import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// Reads customers' deals as planning sees them: the deal, its products, the vehicle's later odometer readings, the
/// deal's stops and the touches already sent for it: five queries, whatever the number of deals. Only the facts
/// planning uses: no names, contact details or staff; of the phone, its area code only (Florida and Oklahoma presume
/// a number with theirs reaches a resident: their law applies).
enum PlanDealReader {
    /// The deals of `customers`, ordered by customer, contract date and deal number.
    static func deals(_ conn: PostgresConnection, customers: [Int64], logger: Logger) async throws -> [StoredDeal] {
        let readings = try await laterReadings(conn, customers: customers, logger: logger)
        let stops = try await stops(conn, customers: customers, logger: logger)
        let sent = try await sent(conn, customers: customers, logger: logger)
        let products = try await products(conn, customers: customers, logger: logger)
        let rows = try await conn.rows(
            """
            SELECT d.id, d.customer_id, d.vehicle_id, d.deal_number, d.status, d.contract_date, d.delivery_date, d.deal_type,
                   d.vehicle_condition, d.odometer, d.selling_price_cents, d.vehicle_value_cents, d.amount_financed_cents,
                   d.apr_milli, d.term_months, d.first_payment_date, s.code, c.state, c.zip,
                   c.consent_sms, c.consent_email, c.consent_phone, v.year, v.make, v.in_service_date, v.in_service_estimated,
                   c.contact_stopped_at IS NOT NULL, (SELECT a.held_out FROM deal_arms a WHERE a.deal_id = d.id),
                   CASE WHEN c.phone ~ '^[+]1[2-9][0-9][0-9]' THEN substr(c.phone, 3, 3)::integer END
            FROM deals d JOIN stores s ON s.id = d.store_id JOIN customers c ON c.id = d.customer_id
            JOIN vehicles v ON v.id = d.vehicle_id
            WHERE d.customer_id = ANY(\(customers))
            """, logger)
        var out: [StoredDeal] = []
        out.reserveCapacity(rows.count)
        for row in rows {
            let r = row.makeRandomAccess()
            let id = try r[0].decode(Int64.self)
            // A row the importer could not have written (a date or a price missing) is not planned, rather than
            // stopping the planning of every other customer.
            guard let contract = try r[5].decode(LocalDate?.self), let delivery = try r[6].decode(LocalDate?.self),
                let inService = try r[24].decode(LocalDate?.self), let selling = try r[10].decode(Int64?.self),
                let value = try r[11].decode(Int64?.self)
            else { continue }
            var record = DealRecord(
                store: try r[16].decode(String.self), dealNumber: try r[3].decode(String.self),
                status: DealStatus(rawValue: try r[4].decode(String.self)) ?? .finalized,
                contractDate: contract, deliveryDate: delivery,
                dealType: DealType(rawValue: try r[7].decode(String.self)) ?? .cash,
                buyerFirstName: "", buyerLastName: "", buyerEmail: nil, buyerPhone: nil,
                buyerState: try r[17].decode(String?.self), buyerZip: try r[18].decode(String?.self), customerNumber: nil,
                consent: Consent(sms: try r[19].decode(Bool.self), email: try r[20].decode(Bool.self), phone: try r[21].decode(Bool.self)),
                vin: "", vehicleYear: try r[22].decode(Int.self), vehicleMake: try r[23].decode(String.self), vehicleModel: "",
                vehicleCondition: VehicleCondition(rawValue: try r[8].decode(String.self)) ?? .used, odometer: try r[9].decode(Int.self),
                inServiceDate: inService, inServiceEstimated: try r[25].decode(Bool.self),
                sellingPrice: Money(cents: selling), vehicleValue: Money(cents: value),
                amountFinanced: try r[12].decode(Int64?.self).map(Money.init(cents:)),
                apr: try r[13].decode(Int?.self).map { Rate(thousandthsOfPercent: $0) }, termMonths: try r[14].decode(Int?.self),
                firstPaymentDate: try r[15].decode(LocalDate?.self), lender: nil, salesperson: nil, fiManager: nil,
                products: products[id] ?? [])
            record.buyerAreaCode = try r[28].decode(Int?.self)
            let later = (readings[try r[2].decode(Int64.self)] ?? []).filter { $0.date > delivery }
            let deal = FollowUpDeal(
                record: record, laterReadings: later, stops: stops[id] ?? [:], contactStopped: try r[26].decode(Bool.self),
                heldOut: try r[27].decode(Bool?.self), sent: sent[id] ?? [:])
            out.append(StoredDeal(id: id, customerID: try r[1].decode(Int64.self), deal: deal))
        }
        out.sort {
            ($0.customerID, $0.record.contractDate, $0.record.dealNumber) < ($1.customerID, $1.record.contractDate, $1.record.dealNumber)
        }
        return out
    }

    /// The products of the customers' deals, by deal, each deal's in product code order.
    private static func products(
        _ conn: PostgresConnection, customers: [Int64], logger: Logger
    ) async throws -> [Int64: [ProductLine]] {
        var products: [Int64: [ProductLine]] = [:]
        let rows = try await conn.statement(
            """
            SELECT p.deal_id, p.product_code, p.outcome, p.price_cents, p.cost_cents, p.reason, p.presumed
            FROM deal_products p JOIN deals d ON d.id = p.deal_id
            WHERE d.customer_id = ANY(\(customers)) ORDER BY p.deal_id, p.product_code
            """, logger: logger)
        for try await (deal, code, outcome, price, cost, reason, presumed) in rows.decode(
            (Int64, String, String, Int64?, Int64?, String?, Bool).self)
        {
            products[deal, default: []].append(
                ProductLine(
                    code: code, outcome: ProductOutcome(rawValue: outcome) ?? .declined, price: price.map(Money.init(cents:)),
                    cost: cost.map(Money.init(cents:)), reason: reason, presumed: presumed))
        }
        return products
    }

    /// Odometer readings of the customers' vehicles by vehicle, oldest first (the deal keeps those after its delivery).
    private static func laterReadings(
        _ conn: PostgresConnection, customers: [Int64], logger: Logger
    ) async throws -> [Int64: [OdometerReading]] {
        var readings: [Int64: [OdometerReading]] = [:]
        let rows = try await conn.statement(
            """
            SELECT vehicle_id, read_on, miles FROM odometer_readings
            WHERE vehicle_id IN (SELECT d.vehicle_id FROM deals d WHERE d.customer_id = ANY(\(customers))) ORDER BY read_on, id
            """, logger: logger)
        for try await (vehicle, on, miles) in rows.decode((Int64, LocalDate, Int).self) {
            readings[vehicle, default: []].append(OdometerReading(date: on, miles: miles))
        }
        return readings
    }

    /// Stops by deal: product code (or "*") → kinds.
    private static func stops(
        _ conn: PostgresConnection, customers: [Int64], logger: Logger
    ) async throws -> [Int64: [String: [StopKind]]] {
        var stops: [Int64: [String: [StopKind]]] = [:]
        let rows = try await conn.statement(
            """
            SELECT s.deal_id, s.product_code, s.kind FROM follow_up_stops s JOIN deals d ON d.id = s.deal_id
            WHERE d.customer_id = ANY(\(customers))
            """, logger: logger)
        for try await (deal, code, kind) in rows.decode((Int64, String, String).self) {
            if let kind = StopKind(rawValue: kind) { stops[deal, default: [:]][code, default: []].append(kind) }
        }
        return stops
    }

    /// The items of the touches sent to `customers`, with their sending.
    static func sentQuery(_ customers: [Int64]) -> PostgresQuery {
        """
        SELECT i.deal_id, i.product_code, i.touch_name, t.sent_at FROM touches t JOIN touch_items i ON i.touch_id = t.id
        WHERE t.sent_at IS NOT NULL AND t.status = 'sent' AND t.customer_id = ANY(\(customers))
        """
    }

    /// Touches already sent by deal: product code → touch name → when; by the customer the touch was sent to.
    private static func sent(
        _ conn: PostgresConnection, customers: [Int64], logger: Logger
    ) async throws -> [Int64: [String: [String: Date]]] {
        var sent: [Int64: [String: [String: Date]]] = [:]
        let rows = try await conn.statement(sentQuery(customers), logger: logger)
        for try await (deal, code, name, at) in rows.decode((Int64, String, String, Date).self) {
            sent[deal, default: [:]][code, default: [:]][name] = at
        }
        return sent
    }
}

extension PostgresStorage {
    /// Deal `number` of `store` (without it, the number must name one deal): its id, customer and store. Nil when
    /// there is none; ambiguous when the number is in several stores.
    static func planFindDeal(
        _ conn: PostgresConnection, number: String, store: String?, logger: Logger
    ) async throws -> (id: Int64, customerID: Int64, store: String)? {
        var found: [(Int64, Int64, String)] = []
        let rows = try await conn.statement(
            """
            SELECT d.id, d.customer_id, s.code FROM deals d JOIN stores s ON s.id = d.store_id
            WHERE d.deal_number = \(number) AND (\(store)::text IS NULL OR s.code = \(store)::text) ORDER BY s.code
            """, logger: logger)
        for try await row in rows.decode((Int64, Int64, String).self) { found.append(row) }
        if found.count > 1 {
            throw StoreError.ambiguous(
                "deal \(number) is in several stores (\(found.map(\.2).joined(separator: ", "))): say which with --store")
        }
        return found.first.map { (id: $0.0, customerID: $0.1, store: $0.2) }
    }

    /// Every deal of the customer who bought deal `number` (in `store`; without it, the number must name one deal),
    /// rebuilt with the facts planning uses, read in one snapshot. Nil when there is no such deal.
    public func customerDeals(ofDeal number: String, store: String?) async throws -> CustomerDeals? {
        try await snapshot { conn in
            guard let found = try await Self.planFindDeal(conn, number: number, store: store, logger: logger) else { return nil }
            let deals = try await PlanDealReader.deals(conn, customers: [found.customerID], logger: logger)
            return CustomerDeals(dealNumber: number, store: found.store, deals: deals.map(\.deal))
        }
    }

    /// Customer ids of the given deals of `store` (or of the only store holding each number), sorted, once each.
    public func customerIDs(ofDeals numbers: [String], store: String?) async throws -> [Int64] {
        try await snapshot { conn in
            var ids: Set<Int64> = []
            for number in numbers {
                if let found = try await Self.planFindDeal(conn, number: number, store: store, logger: logger) {
                    ids.insert(found.customerID)
                }
            }
            return ids.sorted()
        }
    }
}
