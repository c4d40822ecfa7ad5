import AfterdeskCore
import Foundation

/// The facts a message may mention, for one customer and the products of one touch. Every variable is listed
/// in docs/templates.md.
public struct MessageFacts: Sendable, Equatable {
    public struct Product: Sendable, Equatable {
        public var code: String
        public var name: String
        public var provider: String
        public var quoted: Money
        public var eligibleUntil: LocalDate?
        public init(code: String, name: String, provider: String, quoted: Money, eligibleUntil: LocalDate?) {
            self.code = code
            self.name = name
            self.provider = provider
            self.quoted = quoted
            self.eligibleUntil = eligibleUntil
        }
    }
    public var firstName: String
    public var lastName: String
    public var dealershipName: String
    public var dealershipAddress: String
    public var dealershipPhone: String?
    public var vehicleYear: Int
    public var vehicleMake: String
    public var vehicleModel: String
    public var dealNumber: String
    /// The product the template is about, then the others merged into the same touch.
    public var product: Product
    public var others: [Product]
    public var warrantyEnds: LocalDate?
    /// `time` or `miles`: which limit ends the basic warranty first.
    public var warrantyLimit: String?
    public var warrantyMiles: Int?
    public var gapExposureEnds: LocalDate?
    public var staffName: String?
    public var unsubscribeURL: String
    public var today: LocalDate
    /// The customer's offer page for the touch's first product (`/o/{token}`), when the message carries one.
    public var offerURL: String?
    /// The email must say it is an advertisement: the customer's email consent is not affirmative (CAN-SPAM,
    /// 15 U.S.C. §7704(a)(5)(A)).
    public var advertisement = false
    /// The plan class the customer would buy the product as on `today` (service contracts): `class` in templates,
    /// present only while it is open then.
    public var planClass: ClassFact?
    /// The powertrain warranty's projected end and mileage limit: `powertrain`, only once the basic warranty has ended
    /// and while the powertrain's runs.
    public var powertrainEnds: LocalDate?
    public var powertrainMiles: Int?
    /// The price that applies on `today` (`price.amount`); `priceIsFrom`: a "from" price, not the desk's.
    public var price: Money?
    public var priceIsFrom = false
    /// A real quote: the price recorded at the desk for a decline that is not presumed (`quote.given_at_desk`).
    public var deskQuote: Money?
    /// GAP would pay the whole difference: the amount financed is within the waiver's loan-to-value cap
    /// (`gap.covers_difference`).
    public var gapCoversDifference = false
    /// The maker's free maintenance (ToyotaCare) and its projected end: `free_maintenance`, only while it still runs on
    /// `today` — then nothing may call the next service the customer's "first".
    public var freeMaintenanceEnds: LocalDate?
    public var freeMaintenanceName: String?
    /// The next scheduled service is the car's first: a car sold new with no maker's free plan (`first_service`).
    public var firstService = false

    public init(
        firstName: String, lastName: String, dealershipName: String, dealershipAddress: String, dealershipPhone: String?,
        vehicleYear: Int, vehicleMake: String, vehicleModel: String, dealNumber: String, product: Product, others: [Product],
        warrantyEnds: LocalDate?, warrantyLimit: String?, warrantyMiles: Int?, gapExposureEnds: LocalDate?, staffName: String?,
        unsubscribeURL: String, today: LocalDate
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.dealershipName = dealershipName
        self.dealershipAddress = dealershipAddress
        self.dealershipPhone = dealershipPhone
        self.vehicleYear = vehicleYear
        self.vehicleMake = vehicleMake
        self.vehicleModel = vehicleModel
        self.dealNumber = dealNumber
        self.product = product
        self.others = others
        self.warrantyEnds = warrantyEnds
        self.warrantyLimit = warrantyLimit
        self.warrantyMiles = warrantyMiles
        self.gapExposureEnds = gapExposureEnds
        self.staffName = staffName
        self.unsubscribeURL = unsubscribeURL
        self.today = today
    }

    /// The line every SMS ends with.
    public static let optOutLine = "Reply STOP to opt out."

    /// The Mustache context: names as in docs/templates.md (`values`, as swift-mustache takes them).
    public var context: [String: Any] { values.mapValues(\.any) }

    /// The facts a template sees, typed (`CompiledTemplate` renders them without dynamic casts).
    public var values: [String: MustacheValue] {
        func values(_ p: Product) -> MustacheValue {
            var d: [String: MustacheValue] = [
                "code": .string(p.code), "name": .string(p.name), "provider": .string(p.provider),
                "quoted_price": .string(p.quoted.formatted),
            ]
            // Only while the window is bounded and today is in it: a deadline already past is no deadline.
            if let u = p.eligibleUntil, today <= u {
                d["available_until"] = .string(u.longDate)
                d["days_left"] = .int(today.days(until: u))
            }
            return .object(d)
        }
        var dealership: [String: MustacheValue] = ["name": .string(dealershipName), "address": .string(dealershipAddress)]
        if let phone = dealershipPhone, !phone.isEmpty { dealership["phone"] = .string(phone) }
        var c: [String: MustacheValue] = [
            "first_name": .string(firstName), "last_name": .string(lastName), "customer_name": .string("\(firstName) \(lastName)"),
            "dealership": .object(dealership),
            "vehicle": .string("\(vehicleYear) \(vehicleMake) \(vehicleModel)"), "vehicle_year": .int(vehicleYear),
            "vehicle_make": .string(vehicleMake), "vehicle_model": .string(vehicleModel), "deal_number": .string(dealNumber),
            "product": values(product), "others": .list(others.map(values)),
            "unsubscribe_url": .string(unsubscribeURL), "opt_out": .string(Self.optOutLine),
        ]
        if let s = staffName { c["staff_name"] = .string(s) }
        if let o = offerURL { c["offer_url"] = .string(o) }
        if advertisement { c["advertisement"] = .bool(true) }
        // Absent rather than empty: an empty string opens a Mustache section.
        if !others.isEmpty { c["others_text"] = .string(Words.list(others.map(\.name))) }
        addClaims(to: &c)
        return c
    }

    /// The guarded facts (docs/templates.md, "Facts that guard claims"): each is present only on a day it holds.
    private func addClaims(to c: inout [String: MustacheValue]) {
        if let w = warrantyEnds, today.days(until: w) > 0 {
            var warranty: [String: MustacheValue] = [
                "ends": .string(w.longDate), "ends_short": .string(w.monthDay), "days_left": .int(today.days(until: w)),
                "by_miles": .bool(warrantyLimit == "miles"), "by_time": .bool(warrantyLimit != "miles"),
            ]
            if let m = warrantyMiles { warranty["miles"] = .string(Words.thousands(m)) }
            c["warranty"] = .object(warranty)
        } else if let p = powertrainEnds, today.days(until: p) > 0 {
            var powertrain: [String: MustacheValue] = [
                "ends": .string(p.longDate), "ends_short": .string(p.monthDay), "days_left": .int(today.days(until: p)),
            ]
            if let m = powertrainMiles { powertrain["miles"] = .string(Words.thousands(m)) }
            c["powertrain"] = .object(powertrain)
        }
        if let k = planClass, k.isOpen(on: today) { c["class"] = k.values }
        if let q = deskQuote { c["quote"] = .object(["given_at_desk": .bool(true), "price": .string(q.formatted)]) }
        if let p = price, p.cents > 0 { c["price"] = .object(["amount": .string(p.formatted), "from": .bool(priceIsFrom)]) }
        var gap: [String: MustacheValue] = [:]
        if let g = gapExposureEnds, today < g { gap["exposure_ends"] = .string(g.longDate) }
        if gapCoversDifference { gap["covers_difference"] = .bool(true) }
        if !gap.isEmpty { c["gap"] = .object(gap) }
        if firstService { c["first_service"] = .bool(true) }
        if let f = freeMaintenanceEnds, today < f {
            c["free_maintenance"] = .object([
                "ends": .string(f.longDate), "ends_short": .string(f.monthDay),
                "name": .string(freeMaintenanceName ?? "free maintenance"),
            ])
        }
    }

    /// Plausible facts for checking templates when they load.
    public static func sample(dealership: Dealership) -> MessageFacts {
        let today = LocalDate(year: 2026, month: 11, day: 2)!
        var facts = MessageFacts(
            firstName: "Maria-Guadalupe", lastName: "Lopez", dealershipName: dealership.name, dealershipAddress: dealership.address,
            dealershipPhone: dealership.phone, vehicleYear: 2024, vehicleMake: "Mercedes-Benz", vehicleModel: "GLE 450",
            dealNumber: "D-100234",
            product: Product(
                code: "vsc", name: "Vehicle Service Contract", provider: "Lakeside Protection Plans",
                quoted: Money(cents: 249_500), eligibleUntil: today.adding(days: 41)),
            others: [
                Product(
                    code: "tire_wheel", name: "Tire & Wheel Protection", provider: "Road Hazard", quoted: Money(cents: 79_900),
                    eligibleUntil: today.adding(days: 60))
            ],
            warrantyEnds: today.adding(days: 41), warrantyLimit: "miles", warrantyMiles: 36_000, gapExposureEnds: today.adding(days: 700),
            staffName: "Jordan Smith",
            unsubscribeURL: "https://afterdesk.example/unsubscribe?c=123456&t=0123456789abcdef0123456789abcdef0123456789a",
            today: today)
        // Every guarded fact present, so a template's longest text is what load checks (segments, the address).
        facts.planClass = ClassFact(
            kind: .manufacturerNew, name: PlanClass.defaultName(.manufacturerNew), opens: today.adding(days: -30),
            closesOn: today.adding(days: 41), inspection: false, limits: nil)
        facts.powertrainEnds = today.adding(days: 800)
        facts.powertrainMiles = 60_000
        facts.price = Money(cents: 249_500)
        facts.deskQuote = Money(cents: 249_500)
        facts.gapCoversDifference = true
        // As long as a real link: a public URL of 30 characters and a 22-character token.
        facts.offerURL = "https://afterdesk.example.com/o/AbCdEfGhIjKlMnOpQrStUv"
        return facts
    }
}

/// The plan class a product would be bought as on the send day (`class` in templates).
public struct ClassFact: Sendable, Equatable {
    public var kind: PlanClass.Kind
    /// "a used-vehicle plan"
    public var name: String
    public var opens: LocalDate
    /// The last day it can be bought as this class; nil when no rule closes it.
    public var closesOn: LocalDate?
    /// The provider inspects the vehicle first.
    public var inspection: Bool
    /// "within 10 years of age and 125,000 miles"
    public var limits: String?

    public init(kind: PlanClass.Kind, name: String, opens: LocalDate, closesOn: LocalDate?, inspection: Bool, limits: String?) {
        self.kind = kind
        self.name = name
        self.opens = opens
        self.closesOn = closesOn
        self.inspection = inspection
        self.limits = limits
    }

    /// The class of a plan's window.
    public init(_ w: EligibilityWindow.ClassWindow) {
        self.init(
            kind: w.planClass.kind, name: w.planClass.name, opens: w.opens, closesOn: w.until, inspection: w.planClass.inspection,
            limits: w.planClass.limitsText)
    }

    public func isOpen(on day: LocalDate) -> Bool { day >= opens && (closesOn.map { day <= $0 } ?? true) }

    var values: MustacheValue {
        var d: [String: MustacheValue] = [
            "name": .string(name), "inspection": .bool(inspection), "manufacturer_new": .bool(kind == .manufacturerNew),
            "used": .bool(kind == .used), "after_warranty": .bool(kind == .afterWarranty),
        ]
        if let u = closesOn { d["closes_on"] = .string(u.longDate) }
        if let l = limits { d["limits"] = .string(l) }
        return .object(d)
    }
}

/// Words for messages: thousands separators, lists (dates: `LocalDate.longDate` and `monthDay`).
public enum Words {
    public static func thousands(_ n: Int) -> String { n.grouped }
    public static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        case 2: return "\(items[0]) and \(items[1])"
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }
}
