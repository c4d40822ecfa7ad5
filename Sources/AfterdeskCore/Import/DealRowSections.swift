import Foundation

extension DealRowDecoder {
    /// Why a row of `store` is refused to an import limited to `allowed`.
    public static func outsideStores(_ store: String, _ allowed: Set<String>) -> String {
        let stores = allowed.sorted().joined(separator: ", ")
        if store.isEmpty { return "the row names no store, and this import may write several (\(stores)): give each row its store" }
        return "store \(store.prefix(40)) is not one of the stores this import may write (\(stores))"
    }

    // MARK: Sections of a row (inlined into `decode`, which runs for every row of an import)

    /// The deal's number, store, status and dates.
    struct DealSection {
        var number: String
        var store: String
        var status: DealStatus
        var contract: LocalDate? = nil
        var delivery: LocalDate? = nil
    }

    @inline(__always) func dealSection<R: RowFields>(_ c: inout Cells<R>) -> DealSection {
        let number = c.text(.dealNumber, required: true) ?? ""
        let store = c.text(.store) ?? defaultStore
        if let allowedStores, !allowedStores.contains(store) {
            c.fail(.store, Self.outsideStores(store, allowedStores))
        }
        let status: DealStatus = c.choice(.status, strict: layout.profile.strictValues, parse: DealRowDecoder.status) ?? .finalized
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
        return DealSection(number: number, store: store, status: status, contract: contract, delivery: delivery)
    }

    /// Prices and the deal type, read before the buyer: DMS deal types depend on whether anything was financed.
    struct MoneySection {
        var selling: Money? = nil
        var value: Money? = nil
        var financed: Money? = nil
        var dealType: DealType? = nil
    }

    @inline(__always) func moneySection<R: RowFields>(_ c: inout Cells<R>) -> MoneySection {
        let strict = layout.profile.strictValues
        let selling = c.money(.sellingPrice, required: true, positive: true)
        let value = c.money(.vehicleValue, required: strict, positive: true)
        let financed = c.money(.amountFinanced, positive: false)
        var dealType: DealType?
        if strict {
            dealType = c.choice(.dealType, strict: true, required: true, parse: { DealType(rawValue: $0) })
        } else {
            dealType = c.choice(.dealType, strict: false, parse: DealRowDecoder.dmsDealType)
            let hasLoan = (financed?.cents ?? 0) > 0
            if dealType == nil || (dealType == .finance && !hasLoan) { dealType = hasLoan ? .finance : .cash }
        }
        return MoneySection(selling: selling, value: value, financed: financed, dealType: dealType)
    }

    struct BuyerSection {
        var first: String? = nil
        var last: String? = nil
        var email: String? = nil
        var phone: String? = nil
        var state: String? = nil
        var zip: String? = nil
        var customerNumber: String? = nil
        var consent: Consent
        var blocks: [ContactBlock] = []
    }

    @inline(__always) func buyerSection<R: RowFields>(_ c: inout Cells<R>) -> BuyerSection {
        let strict = layout.profile.strictValues
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
        var consent = Consent(
            sms: c.flag(.consentSMS) ?? false, email: c.flag(.consentEmail) ?? false,
            phone: c.flag(.consentPhone) ?? false)
        // DealerVault's block flags. `Y` is an opt-out: kept in the ledger (with the file and line), which no later `N`
        // lifts, and no consent on this row. `N` is only an existing business relationship: it permits a person's call,
        // never SMS or email (a DMS carries no express consent for either).
        var blocks: [ContactBlock] = []
        if let blocked = c.flag(.blockEmail), blocked {
            consent.email = false
            if let email { blocks.append(ContactBlock(address: email.lowercased(), channel: .email, field: "Block Email")) }
        }
        if let blocked = c.flag(.blockPhone) {
            consent.phone = !blocked && phone != nil
            if blocked {
                consent.sms = false
                if let phone {
                    blocks += [ContactChannel.sms, .phone].map { ContactBlock(address: phone, channel: $0, field: "Block Phone") }
                }
            }
        }
        blocks += coBuyerBlocks(&c)
        return BuyerSection(
            first: first, last: last, email: email, phone: phone, state: state, zip: zip,
            customerNumber: customerNumber, consent: consent, blocks: blocks)
    }

    /// The co-buyer's blocks: the co-buyer is not imported, but a blocked phone or email of theirs is kept in the
    /// opt-out ledger, so it stays blocked if it turns up as a buyer's (or is the buyer's too). Read leniently: a
    /// malformed co-buyer number is not a reason to refuse the deal.
    @inline(__always) func coBuyerBlocks<R: RowFields>(_ c: inout Cells<R>) -> [ContactBlock] {
        var blocks: [ContactBlock] = []
        if c.flag(.coBuyerBlockPhone) == true, let phone = c.text(.coBuyerPhone).flatMap({ Phone.e164($0) as String? }) {
            blocks += [ContactChannel.sms, .phone].map { ContactBlock(address: phone, channel: $0, field: "Co Buyer Block Phone") }
        }
        if c.flag(.coBuyerBlockEmail) == true, let email = c.text(.coBuyerEmail).flatMap(ContactAddress.normalize),
            ContactAddress.isEmail(email)
        {
            blocks.append(ContactBlock(address: email, channel: .email, field: "Co Buyer Block Email"))
        }
        return blocks
    }

    struct VehicleSection {
        var vin: String? = nil
        var year: Int? = nil
        var make: String? = nil
        var model: String? = nil
        var condition: VehicleCondition? = nil
        var odometer: Int? = nil
        var inService: LocalDate? = nil
        var inServiceEstimated: Bool
    }

    /// The vehicle, with the warnings of an implausible model year or odometer.
    @inline(__always) func vehicleSection<R: RowFields>(_ c: inout Cells<R>, contract: LocalDate?, delivery: LocalDate?) -> VehicleSection {
        let strict = layout.profile.strictValues
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
        if condition?.isPreOwned == true {
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
            let why = Plausibility.odometerProblem(miles: miles, on: d, inService: s)
        {
            c.warn(.odometer, why + "; not used to project mileage")
        }
        return VehicleSection(
            vin: vin, year: year, make: make, model: model, condition: condition, odometer: odometer,
            inService: inService, inServiceEstimated: inServiceEstimated)
    }

    struct FinancingSection {
        var amountFinanced: Money? = nil
        var apr: Rate? = nil
        var term: Int? = nil
        var firstPayment: LocalDate? = nil
        var lender: String? = nil
    }

    /// The loan of a finance or lease deal; nothing for a cash deal.
    @inline(__always) func financingSection<R: RowFields>(_ c: inout Cells<R>, dealType: DealType?, financed: Money?, contract: LocalDate?)
        -> FinancingSection
    {
        let strict = layout.profile.strictValues
        var loan = FinancingSection(lender: c.text(.lender))
        guard dealType == .finance || dealType == .lease else { return loan }
        loan.amountFinanced = financed
        let kind = dealType?.rawValue ?? "financed"
        if let financed {
            if financed.cents <= 0 { c.fail(.amountFinanced, "must be more than zero for a \(kind) deal") }
        } else {
            c.fail(.amountFinanced, "required for a \(kind) deal", value: "")
        }
        loan.apr = c.rate(.apr, required: true)
        loan.term = c.int(.termMonths, required: true, range: 1...96)
        loan.firstPayment = c.date(.firstPaymentDate, required: strict)
        if let f = loan.firstPayment, let k = contract, f < k || f > k.adding(days: 120) {
            c.fail(.firstPaymentDate, "first payment must fall within 120 days after the contract date \(k)")
        }
        if loan.firstPayment == nil, !strict, let k = contract { loan.firstPayment = k.adding(days: 30) }
        return loan
    }
}
