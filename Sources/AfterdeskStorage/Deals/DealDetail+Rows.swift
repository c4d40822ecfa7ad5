import AfterdeskCore
import Foundation

extension DealDetail {
    /// A deal's detail from the row of `deal(number:store:)`'s query (both backends select the same names: the deal's
    /// columns, `store_code`, the vehicle's and customer's, each channel's consent as `c_sms`/`consent_sms_source`/
    /// `consent_sms_at` and the like, the staff as `sp_name`/`sp_code`/`fi_name`/`fi_code`, and the import run as
    /// `run_file`/`run_at`), with its products and events. The contact details come out masked.
    public init(row r: some StoredColumns, products: [Product], events: [Event]) throws {
        let consent = try [
            (ContactChannel.sms, "c_sms", "consent_sms"), (.email, "c_email", "consent_email"), (.phone, "c_phone", "consent_phone"),
        ]
        .map {
            DealDetail.Consent(
                channel: $0.0, granted: try r.flag($0.1, of: "customers"), source: try r.text("\($0.2)_source", of: "customers"),
                at: try r.instantText("\($0.2)_at", of: "customers"))
        }
        func staff(_ role: String) throws -> String? {
            guard let code = try r.optionalText("\(role)_code") else { return nil }
            return try r.optionalText("\(role)_name").map { "\($0) (\(code))" } ?? code
        }
        let vehicle =
            "\(try r.integer("year", of: "vehicles")) \(try r.text("make", of: "vehicles")) \(try r.text("model", of: "vehicles"))"
        let run = "\(try r.text("run_file", of: "import_runs")) at \(try r.instantText("run_at", of: "import_runs"))"
        try self.init(
            store: r.text("store_code", of: "stores"), dealNumber: r.text("deal_number", of: "deals"),
            status: r.stored("status", of: "deals"),
            contractDate: r.date("contract_date", of: "deals"), deliveryDate: r.date("delivery_date", of: "deals"),
            dealType: r.stored("deal_type", of: "deals"),
            buyer: "\(try r.text("first_name", of: "customers")) \(try r.text("last_name", of: "customers"))",
            phone: r.optionalText("phone").map(maskPhone), email: r.optionalText("email").map(maskEmail),
            state: r.optionalText("state"), zip: r.optionalText("zip"), consent: consent, vin: r.text("vin", of: "vehicles"),
            vehicle: vehicle, condition: r.stored("vehicle_condition", of: "deals"), odometer: r.integer("odometer", of: "deals"),
            inServiceDate: r.date("in_service_date", of: "vehicles"), inServiceEstimated: r.flag("in_service_estimated", of: "vehicles"),
            sellingPrice: r.money("selling_price_cents", of: "deals"), vehicleValue: r.money("vehicle_value_cents", of: "deals"),
            amountFinanced: r.optionalMoney("amount_financed_cents"),
            apr: r.optionalInt("apr_milli").map { Rate(thousandthsOfPercent: $0) }, termMonths: r.optionalInt("term_months"),
            firstPaymentDate: r.optionalDate("first_payment_date", of: "deals"), lender: r.optionalText("lender"),
            salesperson: staff("sp"), fiManager: staff("fi"), products: products, events: events, importedFrom: run)
    }
}

extension DealDetail.Product {
    /// A row of `SELECT product_code, outcome, price_cents, cost_cents, reason, presumed FROM deal_products`.
    public init(row p: some StoredColumns) throws {
        try self.init(
            code: p.text("product_code", of: "deal_products"), outcome: p.stored("outcome", of: "deal_products"),
            price: p.optionalMoney("price_cents"), cost: p.optionalMoney("cost_cents"), reason: p.optionalText("reason"),
            presumed: p.flag("presumed", of: "deal_products"))
    }
}

extension DealDetail.Event {
    /// A row of `SELECT kind, product_code, occurred_on, price_cents, detail FROM events`.
    public init(row e: some StoredColumns) throws {
        try self.init(
            kind: e.stored("kind", of: "events"), product: e.optionalText("product_code"), occurredOn: e.date("occurred_on", of: "events"),
            price: e.optionalMoney("price_cents"), detail: e.optionalText("detail"))
    }
}
