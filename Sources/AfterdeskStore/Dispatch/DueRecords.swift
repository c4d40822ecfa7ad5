import AfterdeskCore
import Foundation
import GRDB

// Rows read by column name: each record says which columns it is read from, and the queries select them.

extension CustomerContact {
    /// The columns of `init(row:)`, from `customers c`.
    static let columns = """
        c.id AS customer_id, c.first_name, c.last_name, c.email, c.phone, c.state, c.zip,
        c.consent_sms, c.consent_email, c.consent_phone, c.contact_stopped_at
        """

    init(row r: Row) {
        self.init(
            id: r["customer_id"], firstName: r["first_name"], lastName: r["last_name"], email: r["email"], phone: r["phone"],
            state: r["state"], zip: r["zip"],
            consent: ContactPermissions(sms: r["consent_sms"], email: r["consent_email"], phone: r["consent_phone"]),
            contactStopped: (r["contact_stopped_at"] as String?) != nil)
    }
}

extension DueItem {
    /// The columns of `init(row:)`, from `deals d`, `vehicles v`, `plans p` and `deal_products dp` (the last two may
    /// be missing), besides `product_code`, which each query takes from where it starts.
    static let columns = """
        d.id AS deal_id, d.deal_number, d.status AS deal_status, d.contract_date, d.delivery_date, d.salesperson_id,
        d.fi_manager_id, d.vehicle_condition, v.year AS vehicle_year, v.make AS vehicle_make, v.model AS vehicle_model, v.vin,
        p.eligible_until, p.basic_expires_on, p.basic_limit, p.miles_per_year, p.gap_exposure_ends_on,
        dp.outcome, dp.price_cents
        """

    /// A due item from a row with `columns` and `product_code`; the touch's fields are given (empty for a preview).
    init(row r: Row, touchName: String = "", template: String = "", reason: String = "", stops: [StopKind] = []) {
        let date = { (column: String) in (r[column] as String?).flatMap(LocalDate.init) }
        self.init(
            dealID: r["deal_id"], dealNumber: r["deal_number"], product: r["product_code"], touchName: touchName, template: template,
            reason: reason, eligibleUntil: date("eligible_until"), dealUnwound: (r["deal_status"] as String?) == "unwound",
            productSold: (r["outcome"] as String?) == "sold", stops: stops, quotedCents: r["price_cents"],
            basicExpiresOn: date("basic_expires_on"), basicLimit: r["basic_limit"], milesPerYear: r["miles_per_year"],
            gapExposureEndsOn: date("gap_exposure_ends_on"), vehicleYear: r["vehicle_year"], vehicleMake: r["vehicle_make"],
            vehicleModel: r["vehicle_model"], vin: r["vin"], vehicleIsNew: (r["vehicle_condition"] as String?) == "new",
            contractDate: date("contract_date") ?? .first, deliveryDate: date("delivery_date") ?? .first,
            salespersonID: r["salesperson_id"], fiManagerID: r["fi_manager_id"])
    }
}
