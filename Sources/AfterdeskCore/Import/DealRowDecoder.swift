import Foundation

/// Why one row was refused: the column as named in the file, the value found, and what is wrong.
public struct RowError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var value: String
    public var message: String
    public init(field: String, value: String, message: String) {
        self.field = field
        self.value = value
        self.message = message
    }
    public var description: String { "\(field) '\(value)': \(message)" }
}

/// Turns one row of any profile into a validated `DealRecord`, or the list of what is wrong with it.
/// Every rule of the canonical format lives here, so all formats are checked alike.
public struct DealRowDecoder: Sendable {
    public let layout: ImportLayout
    public let menu: Menu
    /// The dealership's today: contract dates after it are refused.
    public let today: LocalDate
    /// Store for rows without a store column (or with it empty).
    public let defaultStore: String
    /// When set, the only stores a row may name: a row of any other store is refused, its reason naming the store
    /// (the import of a user limited to a store). Nil: any store (the command line).
    public let allowedStores: Set<String>?

    /// The menu's retail price per product code, against which quotes are judged plausible.
    let retailPrices: [String: Money]

    public init(layout: ImportLayout, menu: Menu, today: LocalDate, defaultStore: String = "main", allowedStores: Set<String>? = nil) {
        self.layout = layout
        self.menu = menu
        self.today = today
        self.defaultStore = defaultStore
        self.allowedStores = allowedStores
        retailPrices = Dictionary(menu.products.map { ($0.code, $0.retailPrice) }, uniquingKeysWith: { a, _ in a })
    }

    public func decode<R: RowFields>(_ row: R, errors: inout [RowError]) -> DealRecord? {
        var warnings: [RowError] = []
        return decode(row, errors: &errors, warnings: &warnings)
    }

    /// As `decode(_:errors:)`, also giving the warnings of a row that is kept: values valid in form but implausible
    /// (see `Plausibility`; docs/import.md lists them). A warning never refuses a row.
    /// The declined products of a row, however wrong the rest of it is: the capture rate counts the declines of refused
    /// rows too.
    public func declinedProducts<R: RowFields>(_ row: R) -> Int {
        var c = Cells(row: row, layout: layout, errors: [])
        let products: [ProductLine]
        switch layout.profile.products {
        case .perProductCode: products = c.productsByCode(layout.perCode, retailPrices: retailPrices)
        case .dmsSlots: products = c.productsFromSlots(layout.slots, menu: menu, dealType: moneySection(&c).dealType)
        }
        return products.filter { $0.outcome == .declined }.count
    }

    public func decode<R: RowFields>(_ row: R, errors: inout [RowError], warnings: inout [RowError]) -> DealRecord? {
        var c = Cells(row: row, layout: layout, errors: [])
        defer {
            errors = c.errors
            warnings = c.warnings
        }
        // The sections in the order their errors are listed.
        let deal = dealSection(&c)
        let money = moneySection(&c)
        let buyer = buyerSection(&c)
        let vehicle = vehicleSection(&c, contract: deal.contract, delivery: deal.delivery)
        let loan = financingSection(&c, dealType: money.dealType, financed: money.financed, contract: deal.contract)
        let salesperson =
            c.text(.salespersonID).map { StaffRef(id: $0, name: c.text(.salespersonName)) }
            ?? c.text(.salespersonName).map { StaffRef(id: DealRowDecoder.staffID(fromName: $0), name: $0) }
        let fiManager =
            c.text(.fiManagerID).map { StaffRef(id: $0, name: c.text(.fiManagerName)) }
            ?? c.text(.fiManagerName).map { StaffRef(id: DealRowDecoder.staffID(fromName: $0), name: $0) }
        let products: [ProductLine]
        switch layout.profile.products {
        case .perProductCode: products = c.productsByCode(layout.perCode, retailPrices: retailPrices)
        case .dmsSlots: products = c.productsFromSlots(layout.slots, menu: menu, dealType: money.dealType)
        }

        guard c.errors.isEmpty, let contract = deal.contract, let delivery = deal.delivery, let dealType = money.dealType,
            let first = buyer.first, let last = buyer.last, let vin = vehicle.vin, let year = vehicle.year,
            let make = vehicle.make, let model = vehicle.model, let condition = vehicle.condition, let odometer = vehicle.odometer,
            let inService = vehicle.inService, let selling = money.selling
        else { return nil }
        return DealRecord(
            store: deal.store, dealNumber: deal.number, status: deal.status, contractDate: contract, deliveryDate: delivery,
            dealType: dealType, buyerFirstName: first, buyerLastName: last, buyerEmail: buyer.email, buyerPhone: buyer.phone,
            buyerState: buyer.state, buyerZip: buyer.zip, customerNumber: buyer.customerNumber, consent: buyer.consent, vin: vin,
            vehicleYear: year, vehicleMake: make, vehicleModel: model, vehicleCondition: condition, odometer: odometer,
            inServiceDate: inService, inServiceEstimated: vehicle.inServiceEstimated, sellingPrice: selling,
            vehicleValue: money.value ?? selling, amountFinanced: loan.amountFinanced, apr: loan.apr, termMonths: loan.term,
            firstPaymentDate: loan.firstPayment, lender: loan.lender, salesperson: salesperson, fiManager: fiManager,
            products: products, contactBlocks: buyer.blocks.isEmpty ? nil : buyer.blocks)
    }
}
