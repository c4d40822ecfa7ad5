import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

extension PostgresStorage {
    /// The touches that name a deal's product, by touch name: the planned one when there is one, else the latest.
    public func previewTouches(dealID: Int64, product: String) async throws -> [String: PreviewTouch] {
        try await read { conn in
            var out: [String: PreviewTouch] = [:]
            let rows = try await conn.statement(
                """
                SELECT i.touch_name, t.status, t.status_reason, t.due_at, t.due_on, t.action FROM touch_items i
                JOIN touches t ON t.id = i.touch_id WHERE i.deal_id = \(dealID) AND i.product_code = \(product) ORDER BY t.id
                """, logger: logger)
            for try await (name, status, reason, dueAt, dueOn, action) in rows.decode(
                (String, String, String?, Date?, LocalDate?, String?).self)
            {
                let touch = PreviewTouch(
                    status: try Self.planStored(status, "touches", "status"), reason: reason, dueAt: dueAt, dueOn: dueOn,
                    action: try action.map { try Self.planStored($0, "touches", "action") })
                if out[name]?.status != .planned { out[name] = touch }
            }
            return out
        }
    }

    /// A deal's declined product as dispatch would see it (touch fields empty), with its customer and the planned or
    /// sent touches that name it (touch name → due instant, as the store writes instants). Nil when the deal or
    /// product is unknown. Read in one snapshot.
    public func previewFacts(dealNumber: String, store: String?, product: String) async throws -> (
        customer: CustomerContact, item: DueItem, planned: [String: String]
    )? {
        try await snapshot { conn in
            guard let deal = try await Self.planFindDeal(conn, number: dealNumber, store: store, logger: logger) else { return nil }
            let rows = try await conn.rows(
                """
                SELECT dp.product_code, \(unescaped: PreviewColumns.item), \(unescaped: PreviewColumns.customer)
                FROM deals d JOIN deal_products dp ON dp.deal_id = d.id AND dp.product_code = \(product)
                JOIN vehicles v ON v.id = d.vehicle_id JOIN customers c ON c.id = d.customer_id
                LEFT JOIN plans p ON p.deal_id = d.id AND p.product_code = dp.product_code
                WHERE d.id = \(deal.id)
                """, logger)
            guard let row = rows.first else { return nil }
            let r = row.makeRandomAccess()
            let customer = try PreviewColumns.customer(r)
            let item = try PreviewColumns.item(r)
            var planned: [String: String] = [:]
            let touches = try await conn.statement(
                """
                SELECT i.touch_name, t.due_at FROM touch_items i JOIN touches t ON t.id = i.touch_id
                WHERE i.deal_id = \(item.dealID) AND i.product_code = \(product) AND t.status IN ('planned', 'sent') ORDER BY t.id
                """, logger: logger)
            for try await (name, dueAt) in touches.decode((String, Date).self) { planned[name] = Instant.iso8601(dueAt) }
            return (customer, item, planned)
        }
    }

    /// Records that follow-up of a deal's product (or all its products: `*`) stops for good; recorded once per kind,
    /// and read by every later planning, whatever imports come after. Returns the customer.
    public func addStop(
        dealNumber: String, store: String?, product: String?, kind: StopKind, source: String, now: Date
    ) async throws -> Int64 {
        try await write { conn in
            guard let deal = try await Self.planFindDeal(conn, number: dealNumber, store: store, logger: logger) else {
                throw StoreError("no deal '\(dealNumber)'")
            }
            try await conn.run(
                """
                INSERT INTO follow_up_stops (deal_id, product_code, kind, source, created_at)
                VALUES (\(deal.id), \(product ?? "*"), \(kind.rawValue), \(source), \(now.wholeSecond)) ON CONFLICT DO NOTHING
                """, logger)
            return deal.customerID
        }
    }
}

/// The columns a preview reads a customer and a due item from, and the values made of them, as dispatch reads them.
enum PreviewColumns {
    /// From `customers c`. Consent is read through the opt-out ledger's state as well as the customer's row.
    static let customer = """
        c.id AS customer_id, c.first_name, c.last_name, c.email, c.phone, c.state, c.zip,
        c.consent_sms, c.consent_email, c.consent_phone, c.contact_stopped_at IS NOT NULL AS contact_stopped,
        (SELECT string_agg(o.channel, ',') FROM opt_out_state o WHERE o.address = c.phone AND o.stopped) AS phone_stops,
        (SELECT CASE WHEN o.stopped THEN 'stopped' ELSE e.source END FROM opt_out_state o JOIN opt_outs e ON e.id = o.entry_id
         WHERE o.address = lower(c.email) AND o.channel = 'email') AS email_state
        """

    /// From `deals d`, `vehicles v`, `plans p` and `deal_products dp` (the last two may be missing), besides
    /// `product_code`.
    static let item = """
        d.id AS deal_id, d.deal_number, d.status AS deal_status, d.contract_date, d.delivery_date, d.salesperson_id,
        d.fi_manager_id, d.vehicle_condition, v.year AS vehicle_year, v.make AS vehicle_make, v.model AS vehicle_model, v.vin,
        p.eligible_until, p.basic_expires_on, p.basic_limit, p.miles_per_year, p.gap_exposure_ends_on, p.plan_classes,
        p.powertrain_expires_on, p.powertrain_limit, p.free_maintenance_ends_on,
        dp.outcome, dp.price_cents, dp.presumed, d.odometer, v.in_service_date, d.amount_financed_cents, d.vehicle_value_cents
        """

    static func customer(_ r: PostgresRandomAccessRow) throws -> CustomerContact {
        let phoneStops = try r["phone_stops"].decode(String?.self)?.split(separator: ",") ?? []
        let emailState = try r["email_state"].decode(String?.self)
        return CustomerContact(
            id: try r["customer_id"].decode(Int64.self), firstName: try r["first_name"].decode(String.self),
            lastName: try r["last_name"].decode(String.self), email: try r["email"].decode(String?.self),
            phone: try r["phone"].decode(String?.self), state: try r["state"].decode(String?.self), zip: try r["zip"].decode(String?.self),
            consent: ContactPermissions(
                sms: try r["consent_sms"].decode(Bool.self) && !phoneStops.contains("sms"),
                email: try r["consent_email"].decode(Bool.self) && emailState != "stopped",
                phone: try r["consent_phone"].decode(Bool.self) && !phoneStops.contains("phone")),
            contactStopped: try r["contact_stopped"].decode(Bool.self), phoneStopped: phoneStops.contains("phone"),
            emailConsentAffirmative: emailState == OptOutSource.consentRestore.rawValue)
    }

    /// A due item with its touch's fields empty.
    static func item(_ r: PostgresRandomAccessRow) throws -> DueItem {
        let date = { (column: String) in try r[column].decode(LocalDate?.self) }
        var item = DueItem(
            dealID: try r["deal_id"].decode(Int64.self), dealNumber: try r["deal_number"].decode(String.self),
            product: try r["product_code"].decode(String.self), touchName: "", template: "", reason: "",
            eligibleUntil: try date("eligible_until"), dealUnwound: try r["deal_status"].decode(String?.self) == "unwound",
            productSold: try r["outcome"].decode(String?.self) == "sold", stops: [],
            quotedCents: try r["price_cents"].decode(Int64?.self), basicExpiresOn: try date("basic_expires_on"),
            basicLimit: try r["basic_limit"].decode(String?.self), milesPerYear: try r["miles_per_year"].decode(Int?.self),
            gapExposureEndsOn: try date("gap_exposure_ends_on"), vehicleYear: try r["vehicle_year"].decode(Int.self),
            vehicleMake: try r["vehicle_make"].decode(String.self), vehicleModel: try r["vehicle_model"].decode(String.self),
            vin: try r["vin"].decode(String.self), vehicleIsNew: try r["vehicle_condition"].decode(String?.self) == "new",
            contractDate: try date("contract_date") ?? .first, deliveryDate: try date("delivery_date") ?? .first,
            salespersonID: try r["salesperson_id"].decode(Int64?.self), fiManagerID: try r["fi_manager_id"].decode(Int64?.self))
        item.planClasses = try r["plan_classes"].decode(String?.self)
        item.powertrainExpiresOn = try date("powertrain_expires_on")
        item.powertrainLimit = try r["powertrain_limit"].decode(String?.self)
        item.freeMaintenanceEndsOn = try date("free_maintenance_ends_on")
        item.vehicleIsCertified = try r["vehicle_condition"].decode(String?.self) == "certified"
        item.presumed = try r["presumed"].decode(Bool?.self) ?? false
        item.odometer = try r["odometer"].decode(Int.self)
        item.inServiceDate = try date("in_service_date") ?? .first
        item.amountFinancedCents = try r["amount_financed_cents"].decode(Int64?.self)
        item.vehicleValueCents = try r["vehicle_value_cents"].decode(Int64.self)
        return item
    }
}
