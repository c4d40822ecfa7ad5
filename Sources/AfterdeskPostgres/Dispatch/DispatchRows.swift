import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// A row of this area's queries, read by column name (the names each query selects; a name it does not select is a
/// mistake in the code, caught by its tests). Typed columns (dates, instants, booleans) need no parsing; a closed set
/// kept as text is checked, and one that is not known is an integrity error naming the table, column and value, as
/// SQLite's `Row.stored` says it.
struct DispatchRow {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    /// The value of column `name`.
    func get<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T { try row[name].decode(T.self) }

    /// The value of a closed set stored as its raw text in `column` of `table`.
    func stored<E: RawRepresentable>(_ column: String, of table: String) throws -> E where E.RawValue == String {
        let text = try get(column, as: String.self)
        guard let e = E(rawValue: text) else { throw DispatchRow.unreadable(table, column, text, as: "a known \(E.self)") }
        return e
    }

    /// SQLite's words for a stored value that does not parse.
    static func unreadable(_ table: String, _ column: String, _ value: String, as what: String) -> StoreError {
        .integrity("\(table).\(column) holds \"\(value)\", which is not \(what)")
    }
}

/// SQLite's `LIMIT ?` takes a negative count as no limit; PostgreSQL refuses one, and takes `LIMIT NULL` as none.
func sqliteLimit(_ n: Int) -> Int64? { n < 0 ? nil : Int64(n) }

/// The customer's contact facts and a due item's facts, read as SQLite's `CustomerContact.init(row:)` and
/// `DueItem.init(row:)` read them (Sources/AfterdeskSQLite/Dispatch/DueRecords.swift).
enum DueRows {
    /// The columns of `customer(_:)`, from `customers c`. Consent is read through the opt-out ledger's state as well as
    /// the customer's row: the phone's stopped channels at once, and the email's.
    static let customerColumns = """
        c.id AS customer_id, c.first_name, c.last_name, c.email, c.phone, c.state, c.zip,
        c.consent_sms, c.consent_email, c.consent_phone, c.contact_stopped_at IS NOT NULL AS contact_stopped,
        (SELECT string_agg(o.channel, ',') FROM opt_out_state o WHERE o.address = c.phone AND o.stopped) AS phone_stops,
        (SELECT CASE WHEN o.stopped THEN 'stopped' ELSE e.source END FROM opt_out_state o JOIN opt_outs e ON e.id = o.entry_id
         WHERE o.address = lower(c.email) AND o.channel = 'email') AS email_state
        """

    static func customer(_ r: DispatchRow) throws -> CustomerContact {
        let phoneStops = try r.get("phone_stops", as: String?.self)?.split(separator: ",") ?? []
        let emailState = try r.get("email_state", as: String?.self)
        return CustomerContact(
            id: try r.get("customer_id"), firstName: try r.get("first_name"), lastName: try r.get("last_name"),
            email: try r.get("email"), phone: try r.get("phone"), state: try r.get("state"), zip: try r.get("zip"),
            consent: ContactPermissions(
                sms: try r.get("consent_sms", as: Bool.self) && !phoneStops.contains("sms"),
                email: try r.get("consent_email", as: Bool.self) && emailState != "stopped",
                phone: try r.get("consent_phone", as: Bool.self) && !phoneStops.contains("phone")),
            contactStopped: try r.get("contact_stopped"), phoneStopped: phoneStops.contains("phone"),
            emailConsentAffirmative: emailState == OptOutSource.consentRestore.rawValue)
    }

    /// The columns of `item(_:)`, from `deals d`, `vehicles v`, `plans p` and `deal_products dp` (the last two may be
    /// missing), besides `product_code`, which each query takes from where it starts.
    static let itemColumns = """
        d.id AS deal_id, d.deal_number, d.status AS deal_status, d.contract_date, d.delivery_date, d.salesperson_id,
        d.fi_manager_id, d.vehicle_condition, v.year AS vehicle_year, v.make AS vehicle_make, v.model AS vehicle_model, v.vin,
        p.eligible_until, p.basic_expires_on, p.basic_limit, p.miles_per_year, p.gap_exposure_ends_on, p.plan_classes,
        p.powertrain_expires_on, p.powertrain_limit, p.free_maintenance_ends_on,
        dp.outcome, dp.price_cents, dp.presumed, d.odometer, v.in_service_date, d.amount_financed_cents, d.vehicle_value_cents
        """

    /// A due item from a row with `itemColumns` and `product_code`; the touch's fields are given (empty for a preview).
    static func item(
        _ r: DispatchRow, touchName: String = "", template: String = "", reason: String = "", stops: [StopKind] = []
    ) throws -> DueItem {
        let date = { (column: String) in try r.get(column, as: LocalDate?.self) }
        let condition = try r.get("vehicle_condition", as: String?.self)
        var item = DueItem(
            dealID: try r.get("deal_id"), dealNumber: try r.get("deal_number"), product: try r.get("product_code"),
            touchName: touchName, template: template, reason: reason, eligibleUntil: try date("eligible_until"),
            dealUnwound: try r.get("deal_status", as: String?.self) == "unwound",
            productSold: try r.get("outcome", as: String?.self) == "sold", stops: stops, quotedCents: try r.get("price_cents"),
            basicExpiresOn: try date("basic_expires_on"), basicLimit: try r.get("basic_limit"),
            milesPerYear: try r.get("miles_per_year"), gapExposureEndsOn: try date("gap_exposure_ends_on"),
            vehicleYear: try r.get("vehicle_year"), vehicleMake: try r.get("vehicle_make"), vehicleModel: try r.get("vehicle_model"),
            vin: try r.get("vin"), vehicleIsNew: condition == "new", contractDate: try date("contract_date") ?? .first,
            deliveryDate: try date("delivery_date") ?? .first, salespersonID: try r.get("salesperson_id"),
            fiManagerID: try r.get("fi_manager_id"))
        item.planClasses = try r.get("plan_classes")
        item.powertrainExpiresOn = try date("powertrain_expires_on")
        item.powertrainLimit = try r.get("powertrain_limit")
        item.freeMaintenanceEndsOn = try date("free_maintenance_ends_on")
        item.vehicleIsCertified = condition == "certified"
        item.presumed = try r.get("presumed", as: Bool?.self) ?? false
        item.odometer = try r.get("odometer")
        item.inServiceDate = try date("in_service_date") ?? .first
        item.amountFinancedCents = try r.get("amount_financed_cents")
        item.vehicleValueCents = try r.get("vehicle_value_cents")
        return item
    }
}
