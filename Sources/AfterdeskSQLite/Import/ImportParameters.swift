import AfterdeskStorage

// The parameters of the statements an import prepares once and binds per deal (see `StatementParameters`).

/// A deal, inserted or updated. The first is the store in the insert and the deal's id in the update.
enum DealParameter: Int32, StatementParameters {
    case storeOrID = 1
    case dealNumber, customer, vehicle, status, contractDate, deliveryDate, dealType, vehicleCondition, odometer
    case sellingPrice, vehicleValue, amountFinanced, apr, termMonths, firstPaymentDate, lender, salesperson, fiManager
    case fingerprint, importRun, updatedAt

    var column: String {
        switch self {
        case .storeOrID: "store_id"
        case .dealNumber: "deal_number"
        case .customer: "customer_id"
        case .vehicle: "vehicle_id"
        case .status: "status"
        case .contractDate: "contract_date"
        case .deliveryDate: "delivery_date"
        case .dealType: "deal_type"
        case .vehicleCondition: "vehicle_condition"
        case .odometer: "odometer"
        case .sellingPrice: "selling_price_cents"
        case .vehicleValue: "vehicle_value_cents"
        case .amountFinanced: "amount_financed_cents"
        case .apr: "apr_milli"
        case .termMonths: "term_months"
        case .firstPaymentDate: "first_payment_date"
        case .lender: "lender"
        case .salesperson: "salesperson_id"
        case .fiManager: "fi_manager_id"
        case .fingerprint: "fingerprint"
        case .importRun: "import_run_id"
        case .updatedAt: "updated_at"
        }
    }

    /// What an update sets: everything but the deal's key.
    static let updated = allCases.filter { $0 != .storeOrID && $0 != .dealNumber }
}

/// A customer, inserted, updated or upserted. The first is the store in the insert and the customer's id in the
/// update; `now` is the import's time, which is also when consent that changed was recorded.
enum CustomerParameter: Int32, StatementParameters {
    case storeOrID = 1
    case matchKey, firstName, lastName, email, phone, state, zip, customerNumber
    case consentSMS, consentEmail, consentPhone, consentSource, now, lastDealOn, matchHash

    var column: String {
        switch self {
        case .storeOrID: "store_id"
        case .matchKey: "match_key"
        case .firstName: "first_name"
        case .lastName: "last_name"
        case .email: "email"
        case .phone: "phone"
        case .state: "state"
        case .zip: "zip"
        case .customerNumber: "customer_number"
        case .consentSMS: "consent_sms"
        case .consentEmail: "consent_email"
        case .consentPhone: "consent_phone"
        case .consentSource: "consent_source"
        case .now: "consent_at"
        case .lastDealOn: "last_deal_on"
        case .matchHash: "match_hash"
        }
    }
}

/// A vehicle, inserted, updated or upserted. The first is the VIN in the insert and the vehicle's id in the update.
enum VehicleParameter: Int32, StatementParameters {
    case vinOrID = 1
    case year, make, model, inServiceDate, inServiceEstimated, vinHash

    var column: String {
        switch self {
        case .vinOrID: "vin"
        case .year: "year"
        case .make: "make"
        case .model: "model"
        case .inServiceDate: "in_service_date"
        case .inServiceEstimated: "in_service_estimated"
        case .vinHash: "vin_hash"
        }
    }
}

/// One product row of a deal. The insert takes all of a deal's products at once: the deal's id is ?1, and product
/// `row`'s parameters follow one another after it (`number(row:)`).
enum ProductParameter: Int32, CaseIterable {
    case code, outcome, price, cost, reason, presumed

    var column: String {
        switch self {
        case .code: "product_code"
        case .outcome: "outcome"
        case .price: "price_cents"
        case .cost: "cost_cents"
        case .reason: "reason"
        case .presumed: "presumed"
        }
    }

    @inline(__always) func number(row: Int) -> Int32 { 2 + Int32(truncatingIfNeeded: row) * Int32(Self.allCases.count) + rawValue }

    /// `INSERT INTO deal_products (deal_id, …) VALUES (?1, …), …` for `rows` products.
    static func insert(rows: Int) -> String {
        let values = (0..<rows).map { row in
            "(?1, " + allCases.map { "?\($0.number(row: row))" }.joined(separator: ", ") + ")"
        }
        return
            "INSERT INTO deal_products (deal_id, \(allCases.map(\.column).joined(separator: ", "))) VALUES \(values.joined(separator: ", "))"
    }
}

/// An event of a deal or product (recovered, cancelled, unwound, reinstated).
enum EventParameter: Int32, StatementParameters {
    case deal = 1
    case product, kind, occurredOn, recordedAt, price, cost, source, detail

    var column: String {
        switch self {
        case .deal: "deal_id"
        case .product: "product_code"
        case .kind: "kind"
        case .occurredOn: "occurred_on"
        case .recordedAt: "recorded_at"
        case .price: "price_cents"
        case .cost: "cost_cents"
        case .source: "source"
        case .detail: "detail"
        }
    }
}

/// A refused field or a warning.
enum RejectParameter: Int32, StatementParameters {
    case run = 1
    case file, line, dealNumber, field, value, error, severity, declines

    var column: String {
        switch self {
        case .run: "import_run_id"
        case .file: "file"
        case .line: "line"
        case .dealNumber: "deal_number"
        case .field: "field"
        case .value: "value"
        case .error: "error"
        case .severity: "severity"
        case .declines: "declines"
        }
    }
}
