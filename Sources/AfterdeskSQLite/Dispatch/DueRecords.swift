import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

// Rows read by column name: each record says which columns it is read from, and the queries select them.

/// A query's column positions by name, found once per query. Rows are then read by name for the price of a dictionary
/// lookup: GRDB's `row["name"]` lowercases and compares the name with every column on each read, which cost dispatch
/// about a sixth of its time on 100,000 touches.
struct ColumnNames {
    private let positions: [String: Int]

    init(_ statement: Statement) {
        positions = Dictionary(statement.columnNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The position of column `name`; a column the query does not select is a mistake in the code, caught by its tests.
    subscript(_ name: String) -> Int {
        guard let i = positions[name] else { preconditionFailure("the query selects no column '\(name)'") }
        return i
    }
}

extension CustomerContact {
    /// The columns of `init(row:)`, from `customers c`. Consent is read through the opt-out ledger's state as well as
    /// the customer's row: the gate consults the ledger for every send and every task. Two primary-key searches per
    /// row: the phone's stopped channels at once, and the email's.
    static let columns = """
        c.id AS customer_id, c.first_name, c.last_name, c.email, c.phone, c.state, c.zip,
        c.consent_sms, c.consent_email, c.consent_phone, c.contact_stopped_at,
        (SELECT group_concat(o.channel) FROM opt_out_state o WHERE o.address = c.phone AND o.stopped) AS phone_stops,
        (SELECT CASE WHEN o.stopped THEN 'stopped' ELSE e.source END FROM opt_out_state o JOIN opt_outs e ON e.id = o.entry_id
         WHERE o.address = lower(c.email) AND o.channel = 'email') AS email_state
        """

    init(row r: Row, _ c: ColumnNames) {
        let phoneStops = (r[c["phone_stops"]] as String?)?.split(separator: ",") ?? []
        let emailState: String? = r[c["email_state"]]
        let emailStopped = emailState == "stopped"
        self.init(
            id: r[c["customer_id"]], firstName: r[c["first_name"]], lastName: r[c["last_name"]], email: r[c["email"]],
            phone: r[c["phone"]], state: r[c["state"]], zip: r[c["zip"]],
            consent: ContactPermissions(
                sms: r[c["consent_sms"]] && !phoneStops.contains("sms"), email: r[c["consent_email"]] && !emailStopped,
                phone: r[c["consent_phone"]] && !phoneStops.contains("phone")),
            contactStopped: (r[c["contact_stopped_at"]] as String?) != nil, phoneStopped: phoneStops.contains("phone"),
            emailConsentAffirmative: emailState == OptOutSource.consentRestore.rawValue)
    }
}

extension DueItem {
    /// The columns of `init(row:)`, from `deals d`, `vehicles v`, `plans p` and `deal_products dp` (the last two may
    /// be missing), besides `product_code`, which each query takes from where it starts.
    static let columns = """
        d.id AS deal_id, d.deal_number, d.status AS deal_status, d.contract_date, d.delivery_date, d.salesperson_id,
        d.fi_manager_id, d.vehicle_condition, v.year AS vehicle_year, v.make AS vehicle_make, v.model AS vehicle_model, v.vin,
        p.eligible_until, p.basic_expires_on, p.basic_limit, p.miles_per_year, p.gap_exposure_ends_on, p.plan_classes,
        p.powertrain_expires_on, p.powertrain_limit, p.free_maintenance_ends_on,
        dp.outcome, dp.price_cents, dp.presumed, d.odometer, v.in_service_date, d.amount_financed_cents, d.vehicle_value_cents
        """

    /// A due item from a row with `columns` and `product_code`; the touch's fields are given (empty for a preview).
    init(row r: Row, _ c: ColumnNames, touchName: String = "", template: String = "", reason: String = "", stops: [StopKind] = []) {
        let date = { (column: String) in (r[c[column]] as String?).flatMap(LocalDate.init) }
        self.init(
            dealID: r[c["deal_id"]], dealNumber: r[c["deal_number"]], product: r[c["product_code"]], touchName: touchName,
            template: template, reason: reason, eligibleUntil: date("eligible_until"),
            dealUnwound: (r[c["deal_status"]] as String?) == "unwound", productSold: (r[c["outcome"]] as String?) == "sold",
            stops: stops, quotedCents: r[c["price_cents"]], basicExpiresOn: date("basic_expires_on"), basicLimit: r[c["basic_limit"]],
            milesPerYear: r[c["miles_per_year"]], gapExposureEndsOn: date("gap_exposure_ends_on"), vehicleYear: r[c["vehicle_year"]],
            vehicleMake: r[c["vehicle_make"]], vehicleModel: r[c["vehicle_model"]], vin: r[c["vin"]],
            vehicleIsNew: (r[c["vehicle_condition"]] as String?) == "new", contractDate: date("contract_date") ?? .first,
            deliveryDate: date("delivery_date") ?? .first, salespersonID: r[c["salesperson_id"]], fiManagerID: r[c["fi_manager_id"]])
        planClasses = r[c["plan_classes"]]
        powertrainExpiresOn = date("powertrain_expires_on")
        powertrainLimit = r[c["powertrain_limit"]]
        freeMaintenanceEndsOn = date("free_maintenance_ends_on")
        vehicleIsCertified = (r[c["vehicle_condition"]] as String?) == "certified"
        presumed = (r[c["presumed"]] as Bool?) ?? false
        odometer = r[c["odometer"]]
        inServiceDate = date("in_service_date") ?? .first
        amountFinancedCents = r[c["amount_financed_cents"]]
        vehicleValueCents = r[c["vehicle_value_cents"]]
    }
}
