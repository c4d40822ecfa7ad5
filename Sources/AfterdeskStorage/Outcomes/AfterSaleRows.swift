import AfterdeskCore
import Foundation

/// One row of an after-sale file, read by column name (INTERFACES.md, "After-sale contracts and cancellations"), with
/// what is wrong in it collected as (field, value, error). Both backends check rows with it.
public struct AfterSaleRow {
    public let cells: [String: String]
    public var errors: [(field: String, value: String, error: String)] = []

    public init(cells: [String: String]) { self.cells = cells }

    public func text(_ name: String) -> String? {
        guard let v = cells[name]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        return v
    }
    public mutating func fail(_ field: String, _ error: String) { errors.append((field, text(field) ?? "", error)) }

    public mutating func required(_ name: String) -> String? {
        guard let v = text(name) else {
            fail(name, "required")
            return nil
        }
        guard v.utf8.count <= 64 else {
            fail(name, "longer than 64 characters")
            return nil
        }
        return v
    }

    public mutating func date(_ name: String, today: LocalDate) -> LocalDate? {
        guard let v = required(name) else { return nil }
        guard let d = LocalDate(v) else {
            fail(name, "not a date (expected YYYY-MM-DD or MM/DD/YYYY)")
            return nil
        }
        if d > today {
            fail(name, "after today (\(today))")
            return nil
        }
        return d
    }

    /// An amount of at least zero and under $1,000,000; nil (and no error) when absent and not required.
    public mutating func money(_ name: String, required isRequired: Bool) -> Money?? {
        guard let v = text(name) else {
            if isRequired { fail(name, "required") }
            return isRequired ? nil : .some(nil)
        }
        guard let m = Money(v), m.cents >= 0, m.cents < 100_000_000 else {
            fail(name, "not an amount from 0 to 999,999.99")
            return nil
        }
        return .some(m)
    }

    /// The menu code of the row's product: a code, or a name the menu maps.
    public mutating func product(menu: Menu) -> String? {
        guard let v = required("product") else { return nil }
        if let p = menu.product(v.lowercased()) ?? menu.product(matchingDMSName: v) { return p.code }
        fail("product", "not a product of the menu (\(menu.products.map(\.code).joined(separator: ", ")))")
        return nil
    }
}

/// What storing an after-sale row did.
public enum AfterSaleChange: Sendable { case inserted, updated, unchanged }

/// The after-sale files' layouts: each field's accepted header spellings, and the fields a file must have (`a|b`:
/// either).
public enum AfterSaleLayout {
    public static let contracts: [String: [String]] = [
        "contract_number": ["contract_number", "contract", "contract_no", "contract number"],
        "store": ["store", "store_code"], "deal_number": ["deal_number", "deal", "deal_no", "deal number"],
        "vin": ["vin"], "product": ["product", "product_code", "product_name"],
        "sale_date": ["sale_date", "sold_on", "contract_date", "date"], "price": ["price", "sale_price"],
        "cost": ["cost", "dealer_cost"], "sold_by": ["sold_by", "staff", "staff_code"],
    ]
    public static let contractsRequired = ["contract_number", "deal_number|vin", "product", "sale_date", "price", "cost"]

    public static let cancellations: [String: [String]] = [
        "contract_number": ["contract_number", "contract", "contract_no", "contract number"],
        "store": ["store", "store_code"], "deal_number": ["deal_number", "deal", "deal_no", "deal number"],
        "product": ["product", "product_code", "product_name"],
        "cancel_date": ["cancel_date", "cancelled_on", "cancellation_date", "date"],
        "customer_refund": ["customer_refund", "refund"], "chargeback": ["chargeback", "dealer_chargeback", "chargeback_amount"],
        "reason": ["reason", "cancel_reason"],
    ]
    public static let cancellationsRequired = ["contract_number|deal_number", "cancel_date", "chargeback"]

    /// Reads `reader`'s header and returns the column of each field it names (by any of its spellings). The file is
    /// refused when its header lacks a `required` field.
    public static func positions<S: ByteSource>(_ reader: CSVReader<S>, file: String, columns: [String: [String]], required: [String])
        throws -> [String: Int]
    {
        let hasHeader: Bool
        do { hasHeader = try reader.nextRow() } catch let e as CSVError { throw StoreError(.unreadableHeader(file, e)) }
        guard hasHeader else { throw StoreError(.empty(file)) }
        let header = (0..<reader.fieldCount).map { reader.string($0).trimmingCharacters(in: .whitespaces).lowercased() }
        var position: [String: Int] = [:]
        for (field, names) in columns {
            if let i = names.lazy.compactMap({ header.firstIndex(of: $0) }).first { position[field] = i }
        }
        let missing = required.filter { r in !r.split(separator: "|").contains { position[String($0)] != nil } }
        if !missing.isEmpty {
            throw StoreError(.header(file, .missingColumns(missing.map { $0.replacingOccurrences(of: "|", with: " or ") })))
        }
        return position
    }

    /// The cells of the reader's current row, by field.
    public static func cells<S: ByteSource>(_ reader: CSVReader<S>, _ position: [String: Int]) -> [String: String] {
        var cells: [String: String] = [:]
        for (field, i) in position where i < reader.fieldCount { cells[field] = reader.string(i) }
        return cells
    }
}

/// An after-sale contract as stored, and its fingerprint (equal: unchanged).
public struct AfterSaleContract: Sendable {
    public var store: Int64, number: String, deal: Int64, customer: Int64, product: String, saleDate: LocalDate
    public var price: Money, cost: Money, soldBy: String?
    public init(
        store: Int64, number: String, deal: Int64, customer: Int64, product: String, saleDate: LocalDate, price: Money, cost: Money,
        soldBy: String?
    ) {
        (self.store, self.number, self.deal, self.customer, self.product) = (store, number, deal, customer, product)
        (self.saleDate, self.price, self.cost, self.soldBy) = (saleDate, price, cost, soldBy)
    }
    public var fingerprint: Int64 {
        var h = StableHasher()
        h.add(deal)
        h.add(product)
        h.add(saleDate.description)
        h.add(price.cents)
        h.add(cost.cents)
        h.add(soldBy ?? "")
        return h.signed
    }
}

/// A cancellation as stored (of a contract, or of a product sold on a deal: `target`), and its fingerprint.
public struct AfterSaleCancellation: Sendable {
    public var store: Int64, target: String, contract: Int64?, deal: Int64, product: String, cancelDate: LocalDate
    public var refund: Money?, chargeback: Money, reason: String?
    public init(
        store: Int64, target: String, contract: Int64?, deal: Int64, product: String, cancelDate: LocalDate, refund: Money?,
        chargeback: Money, reason: String?
    ) {
        (self.store, self.target, self.contract, self.deal, self.product) = (store, target, contract, deal, product)
        (self.cancelDate, self.refund, self.chargeback, self.reason) = (cancelDate, refund, chargeback, reason)
    }
    public var fingerprint: Int64 {
        var h = StableHasher()
        h.add(cancelDate.description)
        h.add(refund?.cents)
        h.add(chargeback.cents)
        h.add(reason ?? "")
        return h.signed
    }
}

extension AfterSaleRow {
    /// A store as a backend reads it: its id, code and time zone's name.
    public typealias Store = (id: Int64, code: String, zone: String)

    /// The store this row names among `all`, or the only store when it names none; a row that names no store it may
    /// is failed. With `allowed` (an import limited to some stores, as a store-limited user's is), a row naming another
    /// store is refused, and "the only store" is the only one of those.
    public mutating func store(among all: [Store], allowed: Set<String>?) -> Store? {
        let stores = allowed.map { allowed in all.filter { allowed.contains($0.code) } } ?? all
        let found: Store?
        if let code = text("store") {
            found = stores.first { $0.code.caseInsensitiveCompare(code) == .orderedSame }
            if found == nil {
                // Said the same whether the store exists or not: its existence is not the limited user's to learn.
                fail("store", allowed.map { DealRowDecoder.outsideStores(code, $0) } ?? "no such store")
            }
        } else if stores.count == 1 {
            found = stores.first
        } else {
            fail("store", stores.isEmpty ? "no deals imported yet" : "required: \(stores.count) stores hold deals")
            found = nil
        }
        return found
    }
}
