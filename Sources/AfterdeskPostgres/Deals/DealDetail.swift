import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

extension PostgresStorage {
    public func deal(number: String, store: String?) async throws -> DealDetail? {
        let found = try await snapshot { conn -> DealDetail? in
            guard let found = try await PostgresStorage.findDeal(conn, number: number, store: store, logger: logger) else { return nil }
            let rows = try await conn.rows(
                """
                SELECT d.*, s.code AS store_code, v.vin, v.year, v.make, v.model, v.in_service_date, v.in_service_estimated,
                       c.first_name, c.last_name, c.email, c.phone, c.state, c.zip,
                       COALESCE(c.consent_sms_source, c.consent_source) AS consent_sms_source,
                       COALESCE(c.consent_sms_at, c.consent_at) AS consent_sms_at,
                       COALESCE(c.consent_email_source, c.consent_source) AS consent_email_source,
                       COALESCE(c.consent_email_at, c.consent_at) AS consent_email_at,
                       COALESCE(c.consent_phone_source, c.consent_source) AS consent_phone_source,
                       COALESCE(c.consent_phone_at, c.consent_at) AS consent_phone_at,
                       c.consent_sms AS c_sms, c.consent_email AS c_email, c.consent_phone AS c_phone,
                       sp.name AS sp_name, sp.staff_code AS sp_code, fi.name AS fi_name, fi.staff_code AS fi_code,
                       r.file AS run_file, r.started_at AS run_at
                FROM deals d JOIN stores s ON s.id = d.store_id JOIN vehicles v ON v.id = d.vehicle_id
                JOIN customers c ON c.id = d.customer_id
                LEFT JOIN staff sp ON sp.id = d.salesperson_id LEFT JOIN staff fi ON fi.id = d.fi_manager_id
                JOIN import_runs r ON r.id = d.import_run_id
                WHERE d.id = \(found.id)
                """, logger)
            guard let row = rows.first else { return nil }
            var products: [DealDetail.Product] = []
            let productRows = try await conn.query(
                """
                SELECT product_code, outcome, price_cents, cost_cents, reason, presumed FROM deal_products WHERE deal_id = \(found.id)
                ORDER BY product_code
                """, logger: logger)
            for try await (code, outcome, price, cost, reason, presumed) in productRows.decode(
                (String, String, Int64?, Int64?, String?, Bool).self)
            {
                products.append(
                    DealDetail.Product(
                        code: code, outcome: try known(outcome, "deal_products", "outcome"), price: price.map(Money.init(cents:)),
                        cost: cost.map(Money.init(cents:)), reason: reason, presumed: presumed))
            }
            var events: [DealDetail.Event] = []
            let eventRows = try await conn.query(
                "SELECT kind, product_code, occurred_on, price_cents, detail FROM events WHERE deal_id = \(found.id) ORDER BY id",
                logger: logger)
            for try await (kind, product, on, price, detail) in eventRows.decode((String, String?, LocalDate, Int64?, String?).self) {
                events.append(
                    DealDetail.Event(
                        kind: try known(kind, "events", "kind"), product: product, occurredOn: on, price: price.map(Money.init(cents:)),
                        detail: detail))
            }
            return try DealDetail(row: row.makeRandomAccess(), products: products, events: events)
        }
        guard var detail = found else { return nil }
        // The customer's opt-outs standing now, read through the ledger's own requirement.
        detail.optOuts = try await optOutStatus(dealNumber: number, store: detail.store)
        return detail
    }
}

extension DealDetail {
    /// A deal's detail from the row of `deal(number:store:)`'s query, by column name.
    init(row r: PostgresRandomAccessRow, products: [Product], events: [Event]) throws {
        func get<T: PostgresDecodable>(_ column: String, _ type: T.Type = T.self) throws -> T { try r[column].decode(T.self) }
        let consent = try [
            (ContactChannel.sms, "c_sms", "consent_sms"), (.email, "c_email", "consent_email"), (.phone, "c_phone", "consent_phone"),
        ]
        .map {
            DealDetail.Consent(
                channel: $0.0, granted: try get($0.1), source: try get("\($0.2)_source"), at: Instant.iso8601(try get("\($0.2)_at")))
        }
        func staff(_ name: String?, _ code: String?) -> String? {
            guard let code else { return nil }
            return name.map { "\($0) (\(code))" } ?? code
        }
        let apr = try get("apr_milli", Int?.self)
        try self.init(
            store: get("store_code"), dealNumber: get("deal_number"), status: known(get("status"), "deals", "status"),
            contractDate: get("contract_date"), deliveryDate: get("delivery_date"), dealType: known(get("deal_type"), "deals", "deal_type"),
            buyer: "\(get("first_name", String.self)) \(get("last_name", String.self))",
            phone: get("phone", String?.self).map(maskPhone), email: get("email", String?.self).map(maskEmail),
            state: get("state"), zip: get("zip"), consent: consent, vin: get("vin"),
            vehicle: "\(get("year", Int.self)) \(get("make", String.self)) \(get("model", String.self))",
            condition: known(get("vehicle_condition"), "deals", "vehicle_condition"),
            odometer: get("odometer"), inServiceDate: get("in_service_date"), inServiceEstimated: get("in_service_estimated"),
            sellingPrice: Money(cents: get("selling_price_cents")), vehicleValue: Money(cents: get("vehicle_value_cents")),
            amountFinanced: get("amount_financed_cents", Int64?.self).map(Money.init(cents:)),
            apr: apr.map { Rate(thousandthsOfPercent: $0) }, termMonths: get("term_months"),
            firstPaymentDate: get("first_payment_date"), lender: get("lender"),
            salesperson: staff(get("sp_name"), get("sp_code")), fiManager: staff(get("fi_name"), get("fi_code")),
            products: products, events: events,
            importedFrom: "\(get("run_file", String.self)) at \(Instant.iso8601(get("run_at", Date.self)))")
    }
}
