/// Why one row was refused: the column as named in the file, the value found, and what is wrong.
public struct RowError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var value: String
    public var message: String
    public init(field: String, value: String, message: String) { self.field = field; self.value = value; self.message = message }
    public var description: String { "\(field) '\(value)': \(message)" }
}

/// Turns one row of any profile into a validated `DealRecord`, or the list of what is wrong with it.
/// Every rule of the canonical format lives here, so all formats are checked alike.
public struct DealRowDecoder: Sendable {
    public let layout: ImportLayout
    public let menu: Menu
    /// The dealership's today: contract dates after it are refused.
    public let today: LocalDate
    /// Store for rows without a store column.
    public let defaultStore: String

    /// The menu's retail price per product code, against which quotes are judged plausible.
    let retailPrices: [String: Money]

    public init(layout: ImportLayout, menu: Menu, today: LocalDate, defaultStore: String = "main") {
        self.layout = layout; self.menu = menu; self.today = today; self.defaultStore = defaultStore
        retailPrices = Dictionary(menu.products.map { ($0.code, $0.retailPrice) }, uniquingKeysWith: { a, _ in a })
    }

    public func decode<R: RowFields>(_ row: R, errors: inout [RowError]) -> DealRecord? {
        var warnings: [RowError] = []
        return decode(row, errors: &errors, warnings: &warnings)
    }

    /// As `decode(_:errors:)`, also giving the warnings of a row that is kept: values valid in form but implausible
    /// (see `Plausibility`; docs/import.md lists them). A warning never refuses a row.
    public func decode<R: RowFields>(_ row: R, errors: inout [RowError], warnings: inout [RowError]) -> DealRecord? {
        var c = Cells(row: row, layout: layout, errors: [])
        defer { errors = c.errors; warnings = c.warnings }
        let strict = layout.profile.strictValues

        let dealNumber = c.text(.dealNumber, required: true) ?? ""
        let store = c.text(.store) ?? defaultStore
        let status: DealStatus = c.choice(.status, strict: strict, parse: DealRowDecoder.status) ?? .finalized
        let contract = c.date(.contractDate, required: true)
        if let contract, contract > today {
            c.fail(.contractDate, "contract date is after today (\(today))")
        }
        var delivery = c.date(.deliveryDate) ?? contract
        if let d = delivery, let k = contract {
            if d < k.adding(days: -30) || d > k.adding(days: 120) {
                c.fail(.deliveryDate, "delivery date is more than 30 days before or 120 days after the contract date \(k)")
                delivery = nil
            }
        }

        // Money and financing first: DMS deal types depend on whether anything was financed.
        let selling = c.money(.sellingPrice, required: true, positive: true)
        let valueGiven = c.money(.vehicleValue, required: strict, positive: true)
        let financed = c.money(.amountFinanced, positive: false)
        var dealType: DealType?
        if strict {
            dealType = c.choice(.dealType, strict: true, required: true, parse: { DealType(rawValue: $0) })
        } else {
            dealType = c.choice(.dealType, strict: false, parse: DealRowDecoder.dmsDealType)
            let hasLoan = (financed?.cents ?? 0) > 0
            if dealType == nil || (dealType == .finance && !hasLoan) { dealType = hasLoan ? .finance : .cash }
        }

        // Buyer
        var first = c.text(.buyerFirstName, required: strict)
        var last = c.text(.buyerLastName, required: strict)
        if first == nil || last == nil, let full = c.text(.buyerFullName) {
            let split = DealRowDecoder.splitName(full)
            first = first ?? split.first
            last = last ?? split.last
        }
        if !strict, last == nil {
            c.fail(layout.column(.buyerLastName) != nil ? .buyerLastName : .buyerFullName, "the buyer's name is missing", value: "")
        }
        let email = c.email(.buyerEmail)
        var phone = c.phone(.buyerPhone)
        if phone == nil, c.isBlank(.buyerPhone) { phone = c.phone(.buyerPhoneAlternate) }
        let state = c.text(.buyerState).flatMap { c.check(.buyerState, $0, USState.normalize) }
        let zip = c.text(.buyerZip).flatMap { c.check(.buyerZip, $0, ZIP.normalize) }
        let customerNumber = c.text(.customerNumber)
        var consent = Consent(sms: c.flag(.consentSMS) ?? false, email: c.flag(.consentEmail) ?? false,
                              phone: c.flag(.consentPhone) ?? false)
        // DealerVault's block flags: an explicit "not blocked" permits email and calls from a person
        // (existing business relationship); SMS always needs express consent, which a DMS does not carry.
        if let blocked = c.flag(.blockEmail) { consent.email = !blocked && email != nil }
        if let blocked = c.flag(.blockPhone) { consent.phone = !blocked && phone != nil }

        // Vehicle
        let vin = c.vin()
        let year = c.int(.vehicleYear, required: true, range: 1981...(today.year + 2))
        let make = c.text(.vehicleMake, required: true)
        let model = c.text(.vehicleModel, required: true)
        var condition: VehicleCondition?
        if strict {
            condition = c.choice(.vehicleCondition, strict: true, required: true, parse: { VehicleCondition(rawValue: $0) })
        } else {
            condition = c.choice(.vehicleCondition, strict: false, parse: DealRowDecoder.dmsCondition)
            if condition == nil, let y = year, let k = contract { condition = y >= k.year ? .new : .used }
        }
        let odometer = c.int(.odometer, required: true, range: 0...999_999)
        var inService: LocalDate?
        var inServiceEstimated = false
        if condition == .used {
            inService = c.date(.inServiceDate, required: strict)
            if inService == nil, !strict, let y = year, let k = contract {
                // No in-service date in the export: assume the model year's first day, no later than the sale.
                inService = min(LocalDate.clamped(year: y, month: 1, day: 1), k)
                inServiceEstimated = true
            }
            if let s = inService, let k = contract, s > k {
                c.fail(.inServiceDate, "in-service date is after the contract date \(k)")
            }
            if let s = inService, let y = year, s.year < y - 1 {
                c.fail(.inServiceDate, "in-service date is before model year \(y) vehicles were built")
            }
        } else {
            inService = delivery
        }
        if let y = year, let k = contract, let why = Plausibility.modelYearProblem(y, contract: k) { c.warn(.vehicleYear, why) }
        if let miles = odometer, let s = inService, let d = delivery ?? contract,
           let why = Plausibility.odometerProblem(miles: miles, on: d, inService: s) {
            c.warn(.odometer, why + "; not used to project mileage")
        }

        // Financing
        var apr: Rate?, term: Int?, firstPayment: LocalDate?
        var amountFinanced: Money?
        let lender = c.text(.lender)
        if dealType == .finance || dealType == .lease {
            amountFinanced = financed
            let kind = dealType?.rawValue ?? "financed"
            if let financed {
                if financed.cents <= 0 { c.fail(.amountFinanced, "must be more than zero for a \(kind) deal") }
            } else {
                c.fail(.amountFinanced, "required for a \(kind) deal", value: "")
            }
            apr = c.rate(.apr, required: true)
            term = c.int(.termMonths, required: true, range: 1...96)
            firstPayment = c.date(.firstPaymentDate, required: strict)
            if let f = firstPayment, let k = contract, f < k || f > k.adding(days: 120) {
                c.fail(.firstPaymentDate, "first payment must fall within 120 days after the contract date \(k)")
            }
            if firstPayment == nil, !strict, let k = contract { firstPayment = k.adding(days: 30) }
        }

        let salesperson = c.text(.salespersonID).map { StaffRef(id: $0, name: c.text(.salespersonName)) }
            ?? c.text(.salespersonName).map { StaffRef(id: DealRowDecoder.staffID(fromName: $0), name: $0) }
        let fiManager = c.text(.fiManagerID).map { StaffRef(id: $0, name: c.text(.fiManagerName)) }
            ?? c.text(.fiManagerName).map { StaffRef(id: DealRowDecoder.staffID(fromName: $0), name: $0) }

        let products: [ProductLine]
        switch layout.profile.products {
        case .perProductCode: products = c.productsByCode(layout.perCode, retailPrices: retailPrices)
        case .dmsSlots: products = c.productsFromSlots(layout.slots, menu: menu, dealType: dealType)
        }

        guard c.errors.isEmpty, let contract, let delivery, let dealType, let first, let last, let vin, let year,
              let make, let model, let condition, let odometer, let inService, let selling else { return nil }
        return DealRecord(
            store: store, dealNumber: dealNumber, status: status, contractDate: contract, deliveryDate: delivery,
            dealType: dealType, buyerFirstName: first, buyerLastName: last, buyerEmail: email, buyerPhone: phone,
            buyerState: state, buyerZip: zip, customerNumber: customerNumber, consent: consent, vin: vin,
            vehicleYear: year, vehicleMake: make, vehicleModel: model, vehicleCondition: condition, odometer: odometer,
            inServiceDate: inService, inServiceEstimated: inServiceEstimated, sellingPrice: selling,
            vehicleValue: valueGiven ?? selling, amountFinanced: amountFinanced, apr: apr, termMonths: term,
            firstPaymentDate: firstPayment, lender: lender, salesperson: salesperson, fiManager: fiManager,
            products: products)
    }

    // MARK: Value spellings

    static func status(_ s: String) -> DealStatus? {
        switch s {
        case "finalized", "finalised", "final", "f", "closed", "c", "sold", "booked", "b", "posted", "p", "delivered", "d":
            return .finalized
        case "unwound", "unwind", "u", "void", "voided", "v", "cancelled", "canceled", "x": return .unwound
        default: return nil
        }
    }

    static func dmsDealType(_ s: String) -> DealType? {
        if s.contains("lease") || s == "l" { return .lease }
        if s.contains("cash") || s == "c" { return .cash }
        if s.contains("financ") || s.contains("retail") || s.contains("balloon") || s.contains("purchase")
            || s.contains("installment") || s == "r" || s == "f" { return .finance }
        return nil
    }

    static func dmsCondition(_ s: String) -> VehicleCondition? {
        switch s {
        case "new", "n": return .new
        case "used", "u", "certified", "cpo", "pre-owned", "preowned", "c": return .used
        default: return nil
        }
    }

    /// "LOPEZ, MARIA A" (DMS style) or "Maria Lopez".
    static func splitName(_ full: String) -> (first: String?, last: String?) {
        func cap(_ s: Substring) -> String {
            let t = s.trimmingCharacters(in: .whitespaces)
            // DMS exports shout; people's names are written with capitals only at the start of words.
            guard t == t.uppercased() else { return t }
            return t.lowercased().split(separator: " ").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
        }
        if let comma = full.firstIndex(of: ",") {
            let last = cap(full[..<comma])
            let rest = full[full.index(after: comma)...].split(separator: " ")
            return (rest.first.map { cap($0) }, last.isEmpty ? nil : last)
        }
        let parts = full.split(separator: " ")
        guard parts.count >= 2 else { return (nil, parts.first.map { cap($0) }) }
        return (cap(parts[0]), cap(parts[parts.count - 1]))
    }

    /// A stable id for staff known only by name ("SMITH, JOHN" → "smith-john").
    static func staffID(fromName name: String) -> String {
        Menu.fold(name).replacingOccurrences(of: " ", with: "-")
    }
}

/// Field access for one row: reads raw bytes, converts, and records errors against the file's column names.
struct Cells<R: RowFields> {
    let row: R
    let layout: ImportLayout
    var errors: [RowError]
    /// What is kept but implausible.
    var warnings: [RowError] = []

    func raw(_ f: CanonicalField) -> UnsafeBufferPointer<UInt8>? {
        guard let i = layout.column(f) else { return nil }
        return Text.trim(row.field(i))
    }

    func isBlank(_ f: CanonicalField) -> Bool { (raw(f)?.count ?? 0) == 0 }

    func show(_ b: UnsafeBufferPointer<UInt8>) -> String { String(decoding: b, as: UTF8.self) }

    /// The bytes as a String; nil when they are not valid UTF-8. ASCII, the common case, is checked fast.
    @inline(__always) static func string(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var ascii = true
        for c in b where c >= 0x80 { ascii = false; break }
        if ascii { return String(decoding: b, as: UTF8.self) }
        return String(validating: b, as: UTF8.self)
    }

    /// ASCII-lower-cased text, for matching codes such as `Finance` or `SOLD` without Unicode case mapping.
    @inline(__always) static func lowerASCII(_ b: UnsafeBufferPointer<UInt8>) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: b.count) { out in
            for i in 0..<b.count { let c = b[i]; out[i] = c >= 65 && c <= 90 ? c + 32 : c }
            return String(decoding: UnsafeBufferPointer(out), as: UTF8.self)
        }
    }

    mutating func fail(_ f: CanonicalField, _ message: String, value: String? = nil) {
        let v = value ?? raw(f).map(show) ?? ""
        errors.append(RowError(field: layout.columnName(f), value: v, message: message))
    }

    mutating func warn(_ f: CanonicalField, _ message: String) {
        warnings.append(RowError(field: layout.columnName(f), value: raw(f).map(show) ?? "", message: message))
    }

    mutating func warnColumn(_ column: Int?, _ name: String, _ message: String) {
        let v = column.map { show(Text.trim(row.field($0))) } ?? ""
        warnings.append(RowError(field: column.map { layout.header[$0] } ?? name, value: v, message: message))
    }

    mutating func failColumn(_ column: Int?, _ name: String, _ message: String) {
        let v = column.map { show(Text.trim(row.field($0))) } ?? ""
        errors.append(RowError(field: column.map { layout.header[$0] } ?? name, value: v, message: message))
    }

    mutating func text(_ f: CanonicalField, required: Bool = false) -> String? {
        guard let b = raw(f), b.count > 0 else {
            if required { fail(f, "required field is empty", value: "") }
            return nil
        }
        guard let s = Cells.string(b) else { fail(f, "not valid UTF-8 text"); return nil }
        return s
    }

    mutating func check(_ f: CanonicalField, _ s: String, _ rule: (String) -> Result<String, FieldProblem>) -> String? {
        switch rule(s) {
        case .success(let v): return v
        case .failure(let p): fail(f, p.description); return nil
        }
    }

    mutating func date(_ f: CanonicalField, required: Bool = false) -> LocalDate? {
        guard let b = raw(f), b.count > 0 else {
            if required { fail(f, "required field is empty", value: "") }
            return nil
        }
        guard let d = LocalDate.parse(b) else {
            fail(f, "not a date (expected YYYY-MM-DD or MM/DD/YYYY)")
            return nil
        }
        if d.year < 1980 || d.year > 2100 { fail(f, "date out of range"); return nil }
        return d
    }

    mutating func money(_ f: CanonicalField, required: Bool = false, positive: Bool) -> Money? {
        guard let b = raw(f), b.count > 0 else {
            if required { fail(f, "required field is empty", value: "") }
            return nil
        }
        return money(bytes: b, positive: positive) { me, message in me.fail(f, message) }
    }

    mutating func money(bytes b: UnsafeBufferPointer<UInt8>, positive: Bool, onError: (inout Self, String) -> Void) -> Money? {
        switch Money.parse(b) {
        case .success(let m):
            if m.cents < 0 { onError(&self, "must not be negative"); return nil }
            if positive && m.cents == 0 { onError(&self, "must be more than zero"); return nil }
            if m.cents > 100_000_000_00 { onError(&self, "more than $100,000,000 is not a deal amount"); return nil }
            return m
        case .failure(let p):
            onError(&self, p.description)
            return nil
        }
    }

    mutating func rate(_ f: CanonicalField, required: Bool) -> Rate? {
        guard let b = raw(f), b.count > 0 else {
            if required { fail(f, "required field is empty", value: "") }
            return nil
        }
        guard let r = Rate.parse(b) else { fail(f, "not a percentage such as 6.9 (at most three decimals)"); return nil }
        guard r.thousandthsOfPercent <= 36_000 else { fail(f, "APR above 36% is not a retail auto rate; write 6.9 for 6.9%"); return nil }
        return r
    }

    mutating func int(_ f: CanonicalField, required: Bool = false, range: ClosedRange<Int>) -> Int? {
        guard let b = raw(f), b.count > 0 else {
            if required { fail(f, "required field is empty", value: "") }
            return nil
        }
        var v = 0, digits = 0
        for c in b {
            if c == UInt8(ascii: ",") { continue }
            guard c >= 48, c <= 57, v < 100_000_000 else { fail(f, "not a whole number"); return nil }
            v = v * 10 + Int(c - 48); digits += 1
        }
        guard digits > 0 else { fail(f, "not a whole number"); return nil }
        guard range.contains(v) else { fail(f, "out of range \(range.lowerBound)...\(range.upperBound)"); return nil }
        return v
    }

    mutating func flag(_ f: CanonicalField) -> Bool? {
        guard let b = raw(f) else { return nil }
        guard let v = YesNo.parse(b) else { fail(f, "not a flag (Y/N, yes/no, true/false, 1/0)"); return nil }
        return v
    }

    mutating func choice<T>(_ f: CanonicalField, strict: Bool, required: Bool = false, parse: (String) -> T?) -> T? {
        guard let b = raw(f), b.count > 0 else {
            if required { fail(f, "required field is empty", value: "") }
            return nil
        }
        let s = Cells.lowerASCII(b)
        if let v = parse(s) { return v }
        if strict || f == .status {
            let allowed: String
            switch f {
            case .status: allowed = strict ? "finalized or unwound" : "a finalized or unwound status (only finalized deals are imported)"
            case .dealType: allowed = "cash, finance or lease"
            case .vehicleCondition: allowed = "new or used"
            default: allowed = "a known value"
            }
            fail(f, "expected \(allowed)")
        }
        return nil
    }

    mutating func email(_ f: CanonicalField) -> String? {
        guard let s = text(f) else { return nil }
        return check(f, s, Email.normalize)
    }

    mutating func phone(_ f: CanonicalField) -> String? {
        guard let b = raw(f), b.count > 0 else { return nil }
        switch Phone.e164(b) {
        case .success(let p): return p
        case .failure(let p): fail(f, p.description); return nil
        }
    }

    mutating func vin() -> String? {
        guard let b = raw(.vin), b.count > 0 else { fail(.vin, "required field is empty", value: ""); return nil }
        switch VIN.validate(b) {
        case .success(let v): return v
        case .failure(let p): fail(.vin, p.description); return nil
        }
    }

    // MARK: Products

    mutating func productsByCode(_ columns: [ImportLayout.ProductColumns], retailPrices: [String: Money]) -> [ProductLine] {
        var out: [ProductLine] = []
        out.reserveCapacity(columns.count)
        for pc in columns {
            var outcome = ProductOutcome.notOffered
            if let oc = pc.outcome {
                let b = Text.trim(row.field(oc))
                if b.count > 0 {
                    let s = Cells.lowerASCII(b)
                    if let o = ProductOutcome(rawValue: s) ?? (s == "not offered" ? .notOffered : nil) { outcome = o }
                    else { failColumn(oc, "\(pc.code)_outcome", "expected sold, declined or not_offered (or blank)"); continue }
                }
            }
            let price = productMoney(pc.price, "\(pc.code)_price")
            let cost = productMoney(pc.cost, "\(pc.code)_cost")
            var reason: String?
            if let rc = pc.reason {
                let b = Text.trim(row.field(rc))
                if b.count > 0 { reason = Cells.normalizeReason(b) }
            }
            if outcome == .notOffered {
                // Menu systems print the rate card's price for every product, offered or not: kept, not refused.
                if reason != nil {
                    warnColumn(pc.reason, "\(pc.code)_reason", "a decline reason is given but the product was not offered; ignored")
                }
                continue
            }
            if outcome == .sold, price == nil { failColumn(pc.price, "\(pc.code)_price", "a sold product needs its price"); continue }
            // A declined product's dealer cost is the rate card's, exported with every product presented: not stored.
            if outcome == .declined, let price, let retail = retailPrices[pc.code],
               let why = Plausibility.quotedPriceProblem(price, retail: retail) {
                warnColumn(pc.price, "\(pc.code)_price", why + "; the menu's price is used for planning")
            }
            out.append(ProductLine(code: pc.code, outcome: outcome, price: price,
                                   cost: outcome == .sold ? cost : nil, reason: reason))
        }
        return out
    }

    /// The standard reasons in lower case; free text as written.
    static func normalizeReason(_ b: UnsafeBufferPointer<UInt8>) -> String {
        if b.count <= 7 {
            let l = lowerASCII(b)
            if DeclineReason.known.contains(l) { return l }
        }
        return String(decoding: b, as: UTF8.self)
    }

    mutating func productMoney(_ column: Int?, _ name: String) -> Money? {
        guard let column else { return nil }
        let b = Text.trim(row.field(column))
        guard b.count > 0 else { return nil }
        return money(bytes: b, positive: false) { me, message in me.failColumn(column, name, message) }
    }

    mutating func productsFromSlots(_ slots: [ImportLayout.SlotColumns], menu: Menu, dealType: DealType?) -> [ProductLine] {
        var sold: [String: (price: Money, cost: Money?)] = [:]
        for slot in slots {
            let name = slot.name.map { show(Text.trim(row.field($0))) } ?? ""
            let price = productMoney(slot.price, slot.label)
            let cost = slot.cost.flatMap { productMoney($0, slot.label) }
            if name.isEmpty && (price?.cents ?? 0) == 0 { continue }
            let product = menu.product(matchingDMSName: name)
                ?? slot.defaultKind.flatMap { k in menu.products.first { $0.kind == k } }
            guard let product else { continue } // a fee or insurance the menu does not follow up
            let prior = sold[product.code]
            sold[product.code] = (price: (prior?.price ?? .zero) + (price ?? .zero),
                                  cost: (prior?.cost ?? cost).map { c in prior == nil ? c : c + (cost ?? .zero) })
        }
        var out: [ProductLine] = []
        for p in menu.products {
            if let s = sold[p.code] {
                out.append(ProductLine(code: p.code, outcome: .sold, price: s.price, cost: s.cost))
                continue
            }
            guard p.presentedOnEveryDeal else { continue }
            if p.kind == .gap, dealType == .cash || (dealType == .lease && p.includedWithLease) { continue }
            out.append(ProductLine(code: p.code, outcome: .declined, presumed: true))
        }
        return out
    }
}

import Foundation

enum DeclineReason {
    /// The standard decline reasons of the canonical format; anything else is kept as free text.
    static let known: Set<String> = ["payment", "price", "covered", "think", "other"]
}
