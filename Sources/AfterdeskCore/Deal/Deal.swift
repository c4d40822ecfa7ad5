public enum DealStatus: String, Sendable, Codable, CaseIterable { case finalized, unwound }
public enum DealType: String, Sendable, Codable, CaseIterable { case cash, finance, lease }
/// New, used, or certified pre-owned: a used vehicle (used depreciation, a later owner, its original in-service date)
/// that the maker's certified program covers longer (`WarrantyTable.CertifiedTerms`).
public enum VehicleCondition: String, Sendable, Codable, CaseIterable {
    case new, used, certified
    /// Used or certified: not the first owner, and the in-service date is the original one.
    public var isPreOwned: Bool { self != .new }
}
public enum ProductOutcome: String, Sendable, Codable, CaseIterable {
    case sold, declined
    case notOffered = "not_offered"
}

/// Permission to contact the buyer, per channel.
public struct Consent: Sendable, Equatable, Codable {
    public var sms: Bool
    public var email: Bool
    public var phone: Bool
    public init(sms: Bool = false, email: Bool = false, phone: Bool = false) {
        self.sms = sms
        self.email = email
        self.phone = phone
    }
}

/// A DMS block flag set to Y: the address it blocks, on one channel, and the column that said so.
public struct ContactBlock: Sendable, Equatable, Codable {
    public var address: String
    public var channel: ContactChannel
    public var field: String
    public init(address: String, channel: ContactChannel, field: String) {
        self.address = address
        self.channel = channel
        self.field = field
    }
}

public struct StaffRef: Sendable, Equatable, Codable {
    public var id: String
    public var name: String?
    public init(id: String, name: String? = nil) {
        self.id = id
        self.name = name
    }
}

/// One menu product on one deal, with what happened to it at the desk.
public struct ProductLine: Sendable, Equatable, Codable {
    public var code: String
    public var outcome: ProductOutcome
    /// Sold: the price; declined: the quoted price (nil when the export does not say).
    public var price: Money?
    /// Sold: the dealer cost.
    public var cost: Money?
    /// Why it was declined: `payment`, `price`, `covered`, `think`, `other`, or free text.
    public var reason: String?
    /// True when the decline is presumed (a DMS export shows it not sold and the menu says the
    /// full menu is presented on every deal), not recorded by a menu system.
    public var presumed: Bool

    public init(
        code: String, outcome: ProductOutcome, price: Money? = nil, cost: Money? = nil,
        reason: String? = nil, presumed: Bool = false
    ) {
        self.code = code
        self.outcome = outcome
        self.price = price
        self.cost = cost
        self.reason = reason
        self.presumed = presumed
    }
}

/// A finalized deal as imported: the canonical form every import format is turned into.
public struct DealRecord: Sendable, Equatable, Codable {
    public var store: String
    public var dealNumber: String
    public var status: DealStatus
    public var contractDate: LocalDate
    public var deliveryDate: LocalDate
    public var dealType: DealType

    public var buyerFirstName: String
    public var buyerLastName: String
    public var buyerEmail: String?
    public var buyerPhone: String?
    public var buyerState: String?
    public var buyerZip: String?
    /// The area code of the buyer's phone, when the phone itself is not read (planning from the store): whose law
    /// applies may depend on it (docs/compliance.md).
    public var buyerAreaCode: Int? = nil
    /// The DMS customer number when known: it identifies a returning customer across deals.
    public var customerNumber: String?
    public var consent: Consent

    public var vin: String
    public var vehicleYear: Int
    public var vehicleMake: String
    public var vehicleModel: String
    public var vehicleCondition: VehicleCondition
    public var odometer: Int
    /// New: the delivery date. Used: the original in-service date.
    public var inServiceDate: LocalDate
    /// True when the in-service date of a used vehicle was estimated from its model year.
    public var inServiceEstimated: Bool

    public var sellingPrice: Money
    public var vehicleValue: Money
    public var amountFinanced: Money?
    public var apr: Rate?
    public var termMonths: Int?
    public var firstPaymentDate: LocalDate?
    public var lender: String?

    public var salesperson: StaffRef?
    public var fiManager: StaffRef?

    public var products: [ProductLine]
    /// The DMS's `Block Phone`/`Block Email` = Y of this row (the buyer's and the co-buyer's): opt-outs for the ledger.
    /// nil when there are none (and in formats that carry no blocks).
    public var contactBlocks: [ContactBlock]?

    public init(
        store: String, dealNumber: String, status: DealStatus, contractDate: LocalDate, deliveryDate: LocalDate,
        dealType: DealType, buyerFirstName: String, buyerLastName: String, buyerEmail: String? = nil,
        buyerPhone: String? = nil, buyerState: String? = nil, buyerZip: String? = nil, customerNumber: String? = nil,
        consent: Consent = Consent(), vin: String, vehicleYear: Int, vehicleMake: String, vehicleModel: String,
        vehicleCondition: VehicleCondition, odometer: Int, inServiceDate: LocalDate, inServiceEstimated: Bool = false,
        sellingPrice: Money, vehicleValue: Money, amountFinanced: Money? = nil, apr: Rate? = nil, termMonths: Int? = nil,
        firstPaymentDate: LocalDate? = nil, lender: String? = nil, salesperson: StaffRef? = nil, fiManager: StaffRef? = nil,
        products: [ProductLine] = [], contactBlocks: [ContactBlock]? = nil
    ) {
        self.store = store
        self.dealNumber = dealNumber
        self.status = status
        self.contractDate = contractDate
        self.deliveryDate = deliveryDate
        self.dealType = dealType
        self.buyerFirstName = buyerFirstName
        self.buyerLastName = buyerLastName
        self.buyerEmail = buyerEmail
        self.buyerPhone = buyerPhone
        self.buyerState = buyerState
        self.buyerZip = buyerZip
        self.customerNumber = customerNumber
        self.consent = consent
        self.vin = vin
        self.vehicleYear = vehicleYear
        self.vehicleMake = vehicleMake
        self.vehicleModel = vehicleModel
        self.vehicleCondition = vehicleCondition
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
        self.contactBlocks = contactBlocks
    }

    public func product(_ code: String) -> ProductLine? { products.first { $0.code == code } }

    public var declinedCount: Int { products.reduce(0) { $0 + ($1.outcome == .declined ? 1 : 0) } }

    /// How the store recognises the same buyer on another deal: the DMS customer number, else the
    /// phone, else the email; with none of them the buyer is only known on this deal.
    public var customerMatchKey: String {
        if let n = customerNumber { return "n:" + n }
        if let p = buyerPhone { return "p:" + p }
        if let e = buyerEmail { return "e:" + e.lowercased() }
        return "d:" + dealNumber
    }

    /// A stable 64-bit fingerprint of everything imported (FNV-1a over a fixed serialisation), so a
    /// re-import can tell "unchanged" from "updated" without reading the stored deal back.
    public var fingerprint: Int64 {
        var h = StableHasher()
        h.add(store)
        h.add(dealNumber)
        h.add(status.rawValue)
        h.add(contractDate.daysSinceEpoch)
        h.add(deliveryDate.daysSinceEpoch)
        h.add(dealType.rawValue)
        h.add(buyerFirstName)
        h.add(buyerLastName)
        h.add(buyerEmail)
        h.add(buyerPhone)
        h.add(buyerState)
        h.add(buyerZip)
        h.add(customerNumber)
        h.add(consent.sms)
        h.add(consent.email)
        h.add(consent.phone)
        h.add(vin)
        h.add(vehicleYear)
        h.add(vehicleMake)
        h.add(vehicleModel)
        h.add(vehicleCondition.rawValue)
        h.add(odometer)
        h.add(inServiceDate.daysSinceEpoch)
        h.add(inServiceEstimated)
        h.add(sellingPrice.cents)
        h.add(vehicleValue.cents)
        h.add(amountFinanced?.cents)
        h.add(apr?.thousandthsOfPercent)
        h.add(termMonths)
        h.add(firstPaymentDate?.daysSinceEpoch)
        h.add(lender)
        h.add(salesperson?.id)
        h.add(salesperson?.name)
        h.add(fiManager?.id)
        h.add(fiManager?.name)
        for p in products {
            h.add(p.code)
            h.add(p.outcome.rawValue)
            h.add(p.price?.cents)
            h.add(p.cost?.cents)
            h.add(p.reason)
            h.add(p.presumed)
        }
        // Only rows with a block add to it, so the fingerprints of every other deal stay as they were.
        for b in contactBlocks ?? [] {
            h.add(b.address)
            h.add(b.channel.rawValue)
        }
        return h.signed
    }
}
