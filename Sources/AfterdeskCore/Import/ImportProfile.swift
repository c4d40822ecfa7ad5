import Foundation

/// A row of fields, however it was read (CSV reader, JSON object).
public protocol RowFields: AnyObject {
    var fieldCount: Int { get }
    /// The raw bytes of field `i`, valid until the row changes; empty when absent.
    func field(_ i: Int) -> UnsafeBufferPointer<UInt8>
}

/// Every field of the canonical deal format (INTERFACES.md, "Canonical deal CSV"), plus a few that
/// only DMS profiles fill (full name, block flags).
public enum CanonicalField: String, CaseIterable, Sendable {
    case dealNumber = "deal_number"
    case store, status
    case contractDate = "contract_date"
    case deliveryDate = "delivery_date"
    case dealType = "deal_type"
    case buyerFirstName = "buyer_first_name"
    case buyerLastName = "buyer_last_name"
    case buyerFullName = "buyer_full_name"
    case buyerEmail = "buyer_email"
    case buyerPhone = "buyer_phone"
    case buyerPhoneAlternate = "buyer_phone_alternate"
    case buyerState = "buyer_state"
    case buyerZip = "buyer_zip"
    case customerNumber = "customer_number"
    case consentSMS = "consent_sms"
    case consentEmail = "consent_email"
    case consentPhone = "consent_phone"
    case blockEmail = "block_email"
    case blockPhone = "block_phone"
    case coBuyerPhone = "co_buyer_phone"
    case coBuyerEmail = "co_buyer_email"
    case coBuyerBlockEmail = "co_buyer_block_email"
    case coBuyerBlockPhone = "co_buyer_block_phone"
    case vin
    case vehicleYear = "vehicle_year"
    case vehicleMake = "vehicle_make"
    case vehicleModel = "vehicle_model"
    case vehicleCondition = "vehicle_condition"
    case odometer
    case inServiceDate = "in_service_date"
    case sellingPrice = "selling_price"
    case vehicleValue = "vehicle_value"
    case amountFinanced = "amount_financed"
    case apr
    case termMonths = "term_months"
    case firstPaymentDate = "first_payment_date"
    case lender
    case salespersonID = "salesperson_id"
    case salespersonName = "salesperson_name"
    case fiManagerID = "fi_manager_id"
    case fiManagerName = "fi_manager_name"

    /// Fields only DMS profiles map; the canonical CSV does not have these columns.
    static let dmsOnly: Set<CanonicalField> = [
        .buyerFullName, .buyerPhoneAlternate, .blockEmail, .blockPhone, .coBuyerPhone, .coBuyerEmail, .coBuyerBlockEmail,
        .coBuyerBlockPhone,
    ]
}

/// How a file's columns map onto the canonical deal. `canonical` reads Afterdesk's own format;
/// `cdk` and `dealervault` read those DMS exports (docs/import.md lists every column).
public struct ImportProfile: Sendable {
    public enum ProductColumns: Sendable {
        /// `<code>_outcome`, `<code>_price`, `<code>_cost`, `<code>_reason` per menu product.
        case perProductCode
        /// Numbered line items of a DMS export: what was sold, matched to the menu by name.
        case dmsSlots([Slot])
    }

    /// One group of DMS line-item columns. `%` in a column name is replaced by each number in `numbers`.
    public struct Slot: Sendable {
        public var name: String?
        public var price: String
        public var cost: String?
        public var numbers: [Int]
        /// The menu product kind this slot holds when its name matches no product (e.g. MBI is a service contract).
        public var defaultKind: ProductKind?
    }

    public let name: String
    public let summary: String
    /// Header names per field; the first one present in the file is used.
    public let columns: [CanonicalField: [String]]
    public let required: [CanonicalField]
    public let products: ProductColumns
    /// Canonical values only (`finance`, `used`), versus the many spellings DMS exports use.
    public let strictValues: Bool

    public static let canonical = ImportProfile(
        name: "canonical",
        summary: "Afterdesk's canonical deal CSV (version 1)",
        columns: Dictionary(
            uniqueKeysWithValues: CanonicalField.allCases.filter { !CanonicalField.dmsOnly.contains($0) }.map { ($0, [$0.rawValue]) }),
        required: [
            .dealNumber, .contractDate, .dealType, .buyerFirstName, .buyerLastName, .vin, .vehicleYear,
            .vehicleMake, .vehicleModel, .vehicleCondition, .odometer, .sellingPrice, .vehicleValue,
        ],
        products: .perProductCode,
        strictValues: true)

    public static let cdk = ImportProfile(
        name: "cdk",
        summary: "CDK Drive deal extract (DealNo, ContractDate, MBIName, Insurance1Name, FeeOption1Name…)",
        columns: [
            .dealNumber: ["DealNo"], .status: ["FiWipStatusCode"], .contractDate: ["ContractDate"],
            .deliveryDate: ["DeliveryDate"], .dealType: ["FIDealType", "DealType"],
            .buyerFullName: ["Name", "Name1"], .buyerEmail: ["Email1", "Email2"], .buyerPhone: ["HomePhone"],
            .buyerPhoneAlternate: ["BusinessPhone"], .buyerState: ["State"], .buyerZip: ["ZipOrPostalCode"],
            .customerNumber: ["CustNo", "CustomerNumber"],
            .vin: ["VIN"], .vehicleYear: ["Year"], .vehicleMake: ["MakeName"], .vehicleModel: ["ModelName"],
            .vehicleCondition: ["SaleType"], .odometer: ["VehicleMileage"], .inServiceDate: ["InServiceDate"],
            .sellingPrice: ["CashPrice"], .amountFinanced: ["FinanceAmt"], .apr: ["APR", "SellRateAPR"],
            .termMonths: ["Term"], .firstPaymentDate: ["FirstPayDate"], .lender: ["FinanceSource", "LienHolderName"],
            .salespersonID: ["Salesperson1"], .salespersonName: ["CRMSP1Name"],
            .fiManagerID: ["FIMgr1"], .fiManagerName: ["CRMFIMgrName"],
        ],
        required: [
            .dealNumber, .contractDate, .vin, .buyerFullName, .vehicleYear, .vehicleMake, .vehicleModel,
            .odometer, .sellingPrice,
        ],
        products: .dmsSlots([
            Slot(name: "MBIName", price: "MBIFee", cost: "MBICost", numbers: [0], defaultKind: .serviceContract),
            Slot(name: "Insurance%Name", price: "Ins%Fee", cost: "Ins%Cost", numbers: Array(1...3), defaultKind: nil),
            Slot(name: "FeeOption%Name", price: "FeeOption%Amount", cost: "FeeOption%Cost", numbers: Array(1...10), defaultKind: nil),
        ]),
        strictValues: false)

    public static let dealervault = ImportProfile(
        name: "dealervault",
        summary: "DealerVault normalised DMS sales extract (\"Deal Number\", \"Warranty 1 Name\", \"Fee/Aftermarket 1 Name\"…)",
        columns: [
            .dealNumber: ["Deal Number"], .status: ["Deal Status"], .contractDate: ["Contract Date"],
            .deliveryDate: ["Delivery Date"], .dealType: ["Deal Type", "Sale Type"],
            .buyerFirstName: ["First Name"], .buyerLastName: ["Last Name"], .buyerFullName: ["Full Name"],
            .buyerEmail: ["Email 1", "Email 2"], .buyerPhone: ["Cell Phone"], .buyerPhoneAlternate: ["Home Phone", "Work Phone"],
            .buyerState: ["State"], .buyerZip: ["Zip"], .customerNumber: ["Customer Number"],
            .blockEmail: ["Block Email"], .blockPhone: ["Block Phone"],
            // The co-buyer is not imported as a customer: only its phone and email, read when its block flag is Y, so
            // the block is kept in the opt-out ledger (docs/import.md).
            .coBuyerPhone: ["Co-Buyer Cell Phone", "Co-Buyer Home Phone"], .coBuyerEmail: ["Co-Buyer Email 1"],
            .coBuyerBlockEmail: ["Co Buyer Block Email"], .coBuyerBlockPhone: ["Co Buyer Block Phone"],
            .vin: ["VIN"], .vehicleYear: ["Year"], .vehicleMake: ["Make"], .vehicleModel: ["Model"],
            .vehicleCondition: ["New/Used"], .odometer: ["Delivery Mileage", "Mileage"], .inServiceDate: ["In Service Date"],
            .sellingPrice: ["Sales Price"], .amountFinanced: ["Amount Financed"], .apr: ["APR", "Sell Rate"],
            .termMonths: ["Term"], .firstPaymentDate: ["First Pay Date"], .lender: ["Bank Name"],
            .salespersonID: ["Salesman 1 Number"], .salespersonName: ["Salesman 1 Name"],
            .fiManagerID: ["Finance Manager Number"], .fiManagerName: ["Finance Manager Name"],
        ],
        required: [.dealNumber, .contractDate, .vin, .vehicleYear, .vehicleMake, .vehicleModel, .odometer, .sellingPrice],
        products: .dmsSlots([
            Slot(
                name: "Warranty % Name", price: "Warranty % Sale", cost: "Warranty % Cost", numbers: Array(1...5),
                defaultKind: .serviceContract),
            Slot(
                name: "Guaranteed Auto Protection Name", price: "Guaranteed Auto Protection Sale", cost: "Guaranteed Auto Protection Cost",
                numbers: [0], defaultKind: .gap),
            Slot(name: "Insurance % Name", price: "Insurance % Sale", cost: "Insurance % Cost", numbers: Array(1...3), defaultKind: nil),
            Slot(
                name: "Fee/Aftermarket % Name", price: "Fee/Aftermarket % Sale", cost: "Fee/Aftermarket % Cost", numbers: Array(1...20),
                defaultKind: nil),
        ]),
        strictValues: false)

    public static let all: [ImportProfile] = [.canonical, .cdk, .dealervault]

    public static func named(_ name: String) -> ImportProfile? { all.first { $0.name == name.lowercased() } }
}

/// The file's header resolved against a profile and a menu: which column holds what.
public final class ImportLayout: Sendable {
    public struct ProductColumns: Sendable {
        public var code: String
        public var outcome: Int?, price: Int?, cost: Int?, reason: Int?
    }
    public struct SlotColumns: Sendable {
        public var name: Int?, price: Int, cost: Int?
        public var defaultKind: ProductKind?
        public var label: String
    }

    public let profile: ImportProfile
    public let header: [String]
    let index: [Int]  // by CanonicalField ordinal; -1 when absent
    let perCode: [ProductColumns]
    let slots: [SlotColumns]
    /// Columns the profile does not read, reported once as a warning.
    public let unknownColumns: [String]

    public enum HeaderError: Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case missingColumns([String])
        case duplicateColumn(String)
        public var description: String {
            switch self {
            case .empty: return "the file has no header row"
            case .missingColumns(let c):
                return "required column\(c.count == 1 ? "" : "s") missing from the header: \(c.joined(separator: ", "))"
            case .duplicateColumn(let c): return "column '\(c)' appears twice in the header"
            }
        }
    }

    public init(header raw: [String], profile: ImportProfile, menu: Menu) throws(HeaderError) {
        let header = raw.map { $0.trimmingSpaces }
        guard !header.isEmpty, header.contains(where: { !$0.isEmpty }) else { throw .empty }
        self.profile = profile
        self.header = header
        var position: [String: Int] = [:]
        for (i, h) in header.enumerated() where !h.isEmpty {
            let key = h.lowercased()
            if position[key] != nil { throw .duplicateColumn(h) }
            position[key] = i
        }
        var used = Set<Int>()
        func find(_ name: String) -> Int? {
            guard let i = position[name.lowercased()] else { return nil }
            used.insert(i)
            return i
        }
        var index = Array(repeating: -1, count: CanonicalField.allCases.count)
        for (ordinal, field) in CanonicalField.allCases.enumerated() {
            for name in profile.columns[field] ?? [] {
                if let i = find(name) {
                    index[ordinal] = i
                    break
                }
            }
        }
        self.index = index
        var perCode: [ProductColumns] = []
        var slots: [SlotColumns] = []
        let missing = profile.required.filter { index[$0.ordinal] < 0 }.map { profile.columns[$0]?.first ?? $0.rawValue }
        if !missing.isEmpty { throw .missingColumns(missing) }
        switch profile.products {
        case .perProductCode:
            for p in menu.products {
                perCode.append(
                    ProductColumns(
                        code: p.code, outcome: find("\(p.code)_outcome"), price: find("\(p.code)_price"),
                        cost: find("\(p.code)_cost"), reason: find("\(p.code)_reason")))
            }
        case .dmsSlots(let groups):
            for g in groups {
                for n in g.numbers {
                    let sub: (String) -> String = { n == 0 ? $0 : $0.replacingOccurrences(of: "%", with: String(n)) }
                    guard let price = find(sub(g.price)) else { continue }
                    slots.append(
                        SlotColumns(
                            name: g.name.flatMap { find(sub($0)) }, price: price,
                            cost: g.cost.flatMap { find(sub($0)) }, defaultKind: g.defaultKind,
                            label: sub(g.name ?? g.price)))
                }
            }
        }
        self.perCode = perCode
        self.slots = slots
        unknownColumns = header.enumerated().filter { !$0.element.isEmpty && !used.contains($0.offset) }.map(\.element)
    }

    @inline(__always) public func column(_ f: CanonicalField) -> Int? {
        let i = index[f.ordinal]
        return i < 0 ? nil : i
    }

    public func columnName(_ f: CanonicalField) -> String {
        if let i = column(f) { return header[i] }
        return profile.columns[f]?.first ?? f.rawValue
    }
}

extension CanonicalField {
    /// Position in `allCases`: a payload-free enum is stored as its case index, so this is a load.
    @inline(__always) var ordinal: Int { Int(unsafeBitCast(self, to: UInt8.self)) }
}
