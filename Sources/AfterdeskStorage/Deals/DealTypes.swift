import AfterdeskCore

public struct DealFilter: Sendable {
    public var from: LocalDate?
    public var to: LocalDate?
    public var store: String?
    /// The stores the reader may see (nil: every store): a store-limited user's list never holds another store's deal.
    public var stores: [String]?
    public var limit: Int
    /// A deal number (or its start), a VIN (or its last 6 or more characters), or a customer's name.
    public var search: String?
    /// Deals to skip, for the next page of a list.
    public var offset = 0
    public init(from: LocalDate? = nil, to: LocalDate? = nil, store: String? = nil, limit: Int = 100, search: String? = nil) {
        self.from = from
        self.to = to
        self.store = store
        self.limit = limit
        self.search = search
    }
}

/// One line of `afterdesk deals`.
public struct DealListItem: Codable, Sendable, Equatable {
    public var store: String
    public var dealNumber: String
    public var status: DealStatus
    public var contractDate: LocalDate
    public var dealType: DealType
    public var buyer: String
    public var vehicle: String
    public var sold: [String]
    public var declined: [String]

    enum CodingKeys: String, CodingKey {
        case store
        case dealNumber = "deal_number"
        case status
        case contractDate = "contract_date"
        case dealType = "deal_type"
        case buyer, vehicle, sold, declined
    }

    public init(
        store: String, dealNumber: String, status: DealStatus, contractDate: LocalDate, dealType: DealType, buyer: String, vehicle: String,
        sold: [String], declined: [String]
    ) {
        self.store = store
        self.dealNumber = dealNumber
        self.status = status
        self.contractDate = contractDate
        self.dealType = dealType
        self.buyer = buyer
        self.vehicle = vehicle
        self.sold = sold
        self.declined = declined
    }
}

/// Everything stored about one deal, for `afterdesk deals show`.
public struct DealDetail: Codable, Sendable, Equatable {
    public struct Product: Codable, Sendable, Equatable {
        public var code: String
        public var outcome: ProductOutcome
        public var price: Money?
        public var cost: Money?
        public var reason: String?
        public var presumed: Bool

        public init(
            code: String, outcome: ProductOutcome, price: Money? = nil, cost: Money? = nil, reason: String? = nil, presumed: Bool
        ) {
            self.code = code
            self.outcome = outcome
            self.price = price
            self.cost = cost
            self.reason = reason
            self.presumed = presumed
        }
    }
    public struct Event: Codable, Sendable, Equatable {
        public var kind: DealEventKind
        public var product: String?
        public var occurredOn: LocalDate
        public var price: Money?
        public var detail: String?
        enum CodingKeys: String, CodingKey {
            case kind, product
            case occurredOn = "occurred_on"
            case price, detail
        }

        public init(
            kind: DealEventKind, product: String? = nil, occurredOn: LocalDate, price: Money? = nil, detail: String? = nil
        ) {
            self.kind = kind
            self.product = product
            self.occurredOn = occurredOn
            self.price = price
            self.detail = detail
        }
    }
    public struct Consent: Codable, Sendable, Equatable {
        public var channel: ContactChannel
        public var granted: Bool
        public var source: String
        public var at: String

        public init(
            channel: ContactChannel, granted: Bool, source: String, at: String
        ) {
            self.channel = channel
            self.granted = granted
            self.source = source
            self.at = at
        }
    }

    public var store: String
    public var dealNumber: String
    public var status: DealStatus
    public var contractDate: LocalDate
    public var deliveryDate: LocalDate
    public var dealType: DealType
    public var buyer: String
    /// Masked: the last four digits only. Full contact details stay in the database.
    public var phone: String?
    public var email: String?
    public var state: String?
    public var zip: String?
    public var consent: [Consent]
    public var vin: String
    public var vehicle: String
    public var condition: VehicleCondition
    public var odometer: Int
    public var inServiceDate: LocalDate
    public var inServiceEstimated: Bool
    public var sellingPrice: Money
    public var vehicleValue: Money
    public var amountFinanced: Money?
    public var apr: Rate?
    public var termMonths: Int?
    public var firstPaymentDate: LocalDate?
    public var lender: String?
    public var salesperson: String?
    public var fiManager: String?
    public var products: [Product]
    public var events: [Event]
    public var importedFrom: String
    /// The customer's opt-outs standing now (docs/compliance.md, "Opt-outs"); always filled by `deal(number:store:)`.
    public var optOuts: [OptOutStatus]?

    enum CodingKeys: String, CodingKey {
        case store
        case dealNumber = "deal_number"
        case status
        case contractDate = "contract_date"
        case deliveryDate = "delivery_date"
        case dealType = "deal_type"
        case buyer, phone, email, state, zip, consent, vin, vehicle, condition, odometer
        case inServiceDate = "in_service_date"
        case inServiceEstimated = "in_service_estimated"
        case sellingPrice = "selling_price"
        case vehicleValue = "vehicle_value"
        case amountFinanced = "amount_financed"
        case apr
        case termMonths = "term_months"
        case firstPaymentDate = "first_payment_date"
        case lender, salesperson
        case fiManager = "fi_manager"
        case products, events
        case importedFrom = "imported_from"
        case optOuts = "opt_outs"
    }

    public init(
        store: String, dealNumber: String, status: DealStatus, contractDate: LocalDate, deliveryDate: LocalDate, dealType: DealType,
        buyer: String, phone: String? = nil, email: String? = nil, state: String? = nil, zip: String? = nil, consent: [Consent],
        vin: String, vehicle: String, condition: VehicleCondition, odometer: Int, inServiceDate: LocalDate, inServiceEstimated: Bool,
        sellingPrice: Money, vehicleValue: Money, amountFinanced: Money? = nil, apr: Rate? = nil, termMonths: Int? = nil,
        firstPaymentDate: LocalDate? = nil, lender: String? = nil, salesperson: String? = nil, fiManager: String? = nil,
        products: [Product], events: [Event], importedFrom: String, optOuts: [OptOutStatus]? = nil
    ) {
        self.store = store
        self.dealNumber = dealNumber
        self.status = status
        self.contractDate = contractDate
        self.deliveryDate = deliveryDate
        self.dealType = dealType
        self.buyer = buyer
        self.phone = phone
        self.email = email
        self.state = state
        self.zip = zip
        self.consent = consent
        self.vin = vin
        self.vehicle = vehicle
        self.condition = condition
        self.odometer = odometer
        self.inServiceDate = inServiceDate
        self.inServiceEstimated = inServiceEstimated
        self.sellingPrice = sellingPrice
        self.vehicleValue = vehicleValue
        self.amountFinanced = amountFinanced
        self.apr = apr
        self.termMonths = termMonths
        self.firstPaymentDate = firstPaymentDate
        self.lender = lender
        self.salesperson = salesperson
        self.fiManager = fiManager
        self.products = products
        self.events = events
        self.importedFrom = importedFrom
        self.optOuts = optOuts
    }
}

/// What a deal's history records (`events.kind`).
public enum DealEventKind: String, Sendable, Equatable, CaseIterable, Codable {
    case recovered, cancelled, unwound, reinstated
}

/// What the capture step holds, for the demo and the F&I manager.
public struct CaptureSummary: Codable, Sendable, Equatable {
    public struct Month: Codable, Sendable, Equatable {
        public var month: String
        public var deals: Int
        public var declines: Int
        public var sold: Int

        public init(
            month: String, deals: Int, declines: Int, sold: Int
        ) {
            self.month = month
            self.deals = deals
            self.declines = declines
            self.sold = sold
        }
    }
    public struct Product: Codable, Sendable, Equatable {
        public var code: String
        public var sold: Int
        public var declined: Int
        public var presumed: Int
        public var declinedQuoted: Money
        public var recovered: Int

        public init(
            code: String, sold: Int, declined: Int, presumed: Int, declinedQuoted: Money, recovered: Int
        ) {
            self.code = code
            self.sold = sold
            self.declined = declined
            self.presumed = presumed
            self.declinedQuoted = declinedQuoted
            self.recovered = recovered
        }
    }
    public var deals: Int
    public var unwound: Int
    public var customers: Int
    public var months: [Month]
    public var products: [Product]
    public var rejectsByField: [String: Int]

    public init(
        deals: Int, unwound: Int, customers: Int, months: [Month], products: [Product], rejectsByField: [String: Int]
    ) {
        self.deals = deals
        self.unwound = unwound
        self.customers = customers
        self.months = months
        self.products = products
        self.rejectsByField = rejectsByField
    }
}
