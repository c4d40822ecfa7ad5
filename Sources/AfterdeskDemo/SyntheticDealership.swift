import AfterdeskCore

/// A realistic, seeded dealership: a year of finalized deals with their declined products.
/// Used by `afterdesk demo`, the benchmarks and the tests. The same seed gives the same deals.
public struct SyntheticDealership: Sendable {
    public var seed: UInt64
    public var menu: Menu
    /// Contract dates run up to this date.
    public var endDate: LocalDate
    public var days: Int
    public var dealsPerDay: Double
    /// Share of rows written with a realistic mistake (bad VIN, bad date, …), to exercise rejects.
    public var errorRate: Double
    public var store: String
    /// Where most customers live: the store's own state (nil: central Texas, the default demo's Austin store).
    public var home: String?

    public init(
        seed: UInt64 = 42, menu: Menu, endDate: LocalDate, days: Int = 365, dealsPerDay: Double = 5,
        errorRate: Double = 0.01, store: String = "main"
    ) {
        self.seed = seed
        self.menu = menu
        self.endDate = endDate
        self.days = days
        self.dealsPerDay = dealsPerDay
        self.errorRate = errorRate
        self.store = store
    }

    static let makes: [(String, String, [String], Int)] = [  // make, WMI, models, weight
        ("Toyota", "4T1", ["Camry", "RAV4", "Corolla", "Highlander", "Tacoma", "Tundra"], 16),
        ("Ford", "1FA", ["F-150", "Escape", "Explorer", "Bronco Sport", "Maverick"], 14),
        ("Chevrolet", "1G1", ["Silverado 1500", "Equinox", "Malibu", "Tahoe", "Traverse"], 12),
        ("Honda", "1HG", ["Civic", "Accord", "CR-V", "Pilot", "HR-V"], 11),
        ("Nissan", "1N4", ["Altima", "Rogue", "Sentra", "Pathfinder"], 8),
        ("Hyundai", "5NP", ["Elantra", "Tucson", "Santa Fe", "Palisade"], 8),
        ("Kia", "5XY", ["Sportage", "Telluride", "Sorento", "Forte"], 7),
        ("Jeep", "1C4", ["Grand Cherokee", "Wrangler", "Compass"], 6),
        ("Ram", "1C6", ["1500", "2500"], 5),
        ("Subaru", "4S4", ["Outback", "Forester", "Crosstrek"], 5),
        ("Mazda", "JM3", ["CX-5", "CX-50", "Mazda3"], 4),
        ("GMC", "1GT", ["Sierra 1500", "Acadia", "Terrain"], 4),
        ("BMW", "5UX", ["X3", "X5", "330i"], 3),
        ("Lexus", "2T2", ["RX 350", "NX 250", "ES 350"], 3),
        ("Tesla", "5YJ", ["Model 3", "Model Y"], 2),
    ]
    static let firstNames = [
        "Maria", "James", "Jose", "Linda", "Robert", "Patricia", "Michael", "Jennifer", "David",
        "Elizabeth", "Luis", "Susan", "Daniel", "Jessica", "Carlos", "Sarah", "Anthony", "Karen",
        "Mark", "Nancy", "Juan", "Lisa", "Kevin", "Ashley", "Brian", "Emily", "Thanh", "Priya",
        "Wei", "Fatima", "Andre", "Keisha", "Tyler", "Megan", "Hector", "Rosa",
    ]
    static let lastNames = [
        "Lopez", "Smith", "Garcia", "Johnson", "Martinez", "Williams", "Brown", "Hernandez", "Jones",
        "Nguyen", "Davis", "Rodriguez", "Miller", "Wilson", "Gonzalez", "Anderson", "Thomas",
        "Taylor", "Moore", "Jackson", "Patel", "Lee", "Kim", "Washington", "Perez", "Sanchez",
        "Ramirez", "Clark", "Lewis", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Flores",
    ]
    typealias Place = (state: String, zips: [String], areas: [String], weight: Int)
    /// Where a rooftop of `home`'s customers live: most near the store, a few from the other states.
    static func places(home: String?) -> [Place] {
        guard let home, let local = localPlaces[home] else { return places }
        return [local] + places.filter { $0.state != home }.map { ($0.state, $0.zips, $0.areas, 3) }
    }
    static let localPlaces: [String: Place] = [
        "OK": ("OK", ["74105", "74133", "74012", "74137", "74136", "74104", "74055", "74070"], ["918", "539"], 88),
        "FL": ("FL", ["33606", "33609", "33611", "33615", "33629", "33647", "33511", "33544"], ["813", "656"], 88),
    ]
    static let places: [Place] = [
        ("TX", ["78701", "78704", "78745", "78758", "78613", "78660", "78664", "78641", "78628", "78741"], ["512", "737"], 88),
        ("OK", ["73102", "74103"], ["405", "918"], 3),
        ("FL", ["33602", "32801"], ["813", "407"], 3),
        ("AZ", ["85004"], ["602"], 2),
        ("LA", ["70112"], ["504"], 2),
        ("CO", ["80202"], ["303"], 2),
    ]
    public static let salespeople: [(String, String)] = [
        ("S101", "Dana Whitfield"), ("S102", "Marcus Bell"), ("S103", "Alicia Ramos"), ("S104", "Trevor Nguyen"),
        ("S105", "Brenda Cole"), ("S106", "Omar Haddad"), ("S107", "Jenna Park"), ("S108", "Ray Delgado"),
    ]
    public static let financeManagers: [(String, String)] = [("F201", "Karen Liu"), ("F202", "Victor Osei"), ("F203", "Sam Patel")]
    static let reasons = [
        "payment", "payment", "payment", "price", "price", "covered", "think", "other",
        "wants to check with spouse", "already has coverage through credit union",
    ]

    private var customerPlaces: [Place] { SyntheticDealership.places(home: home) }

    /// One column per canonical field the generator writes, in this order.
    public var header: [String] {
        var h = [
            "deal_number", "store", "status", "contract_date", "delivery_date", "deal_type", "buyer_first_name",
            "buyer_last_name", "buyer_email", "buyer_phone", "buyer_state", "buyer_zip", "consent_sms",
            "consent_email", "consent_phone", "vin", "vehicle_year", "vehicle_make", "vehicle_model",
            "vehicle_condition", "odometer", "in_service_date", "selling_price", "vehicle_value", "amount_financed",
            "apr", "term_months", "first_payment_date", "lender", "salesperson_id", "salesperson_name",
            "fi_manager_id", "fi_manager_name",
        ]
        for p in menu.products { h += ["\(p.code)_outcome", "\(p.code)_price", "\(p.code)_cost", "\(p.code)_reason"] }
        return h
    }

    /// Calls `body` with each generated deal, oldest first, as canonical CSV fields. Memory is constant.
    public func forEachRow(limit: Int? = nil, _ body: ([String]) throws -> Void) rethrows {
        var rng = SeededRandom(seed: seed)
        let start = endDate.adding(days: -(days - 1))
        var number = 10_000
        var produced = 0
        let perDayBase = Int(dealsPerDay)
        let extraChance = dealsPerDay - Double(perDayBase)
        for offset in 0..<days {
            let day = start.adding(days: offset)
            let weekday = (day.daysSinceEpoch + 4) % 7  // 0 = Sunday
            var n = perDayBase + (rng.chance(extraChance) ? 1 : 0)
            if weekday == 6 { n = n * 3 / 2 } else if weekday == 0 { n = n / 2 }  // Saturdays busy, Sundays light
            if limit != nil { n = max(n, perDayBase) }
            for _ in 0..<n {
                if let limit, produced >= limit { return }
                number += 1
                try body(row(number: number, contract: day, rng: &rng))
                produced += 1
            }
        }
        // A benchmark asking for more rows than the calendar holds continues on later days.
        if let limit, produced < limit {
            var day = endDate
            while produced < limit {
                day = day.adding(days: 1)
                for _ in 0..<max(1, perDayBase) where produced < limit {
                    number += 1
                    try body(row(number: number, contract: start.adding(days: (number % days)), rng: &rng))
                    produced += 1
                }
            }
        }
    }

    /// The whole file as canonical CSV text (for small datasets: demo and tests).
    public func csv(limit: Int? = nil) -> String {
        var out = header.joined(separator: ",") + "\n"
        forEachRow(limit: limit) { out += $0.map(SyntheticDealership.quote).joined(separator: ",") + "\n" }
        return out
    }

    /// RFC 4180 quoting only: this file stands for a DMS export, whose values are written as the DMS has them.
    public static func quote(_ s: String) -> String { CSVWriter.quote(s) }

    func row(number: Int, contract: LocalDate, rng: inout SeededRandom) -> [String] {
        let make = rng.weighted(SyntheticDealership.makes.map { ($0, $0.3) })
        let model = rng.pick(make.2)
        let isNew = rng.chance(0.42)
        let dealType = rng.weighted([("finance", 70), ("lease", isNew ? 22 : 3), ("cash", 14)])
        let delivery = rng.chance(0.85) ? contract : contract.adding(days: rng.int(1...3))
        let vehicleYear = isNew ? contract.year + (contract.month >= 8 && rng.chance(0.6) ? 1 : 0) : contract.year - rng.int(1...8)
        let ageYears = max(0, contract.year - vehicleYear)
        let inService: LocalDate? =
            isNew
            ? nil
            : LocalDate(year: vehicleYear, month: rng.int(1...12), day: rng.int(1...28)).map { min($0, contract.adding(days: -200)) }
        let odometer = isNew ? rng.int(3...45) : max(1_000, ageYears * rng.int(8_000...16_000) + rng.int(0...9_000))
        let price = Int64(isNew ? rng.int(26_000...68_000) : rng.int(13_000...42_000)) * 100 + Int64(rng.pick([0, 0, 50, 95, 99]))
        let value = price * Int64(isNew ? rng.int(88...95) : rng.int(82...96)) / 100

        let place = rng.weighted(customerPlaces.map { ($0, $0.weight) })
        let first = rng.pick(SyntheticDealership.firstNames)
        let last = rng.pick(SyntheticDealership.lastNames)
        let email =
            rng.chance(0.82)
            ? "\(first.lowercased()).\(last.lowercased())\(number % 997)@\(rng.pick(["example.com", "example.net", "example.org"]))" : ""
        let phone = rng.chance(0.9) ? SyntheticDealership.phone(place, rng: &rng) : ""
        let sales = rng.pick(SyntheticDealership.salespeople)
        let fi = rng.pick(SyntheticDealership.financeManagers)

        let (productFields, productsSoldCents) = products(dealType: dealType, rng: &rng)
        let loan =
            dealType == "cash"
            ? ["", "", "", "", ""]
            : financing(
                price: price, productsSold: productsSoldCents, isNew: isNew, dealType: dealType, contract: contract, make: make.0, rng: &rng
            )
        let (financed, apr, term, firstPay, lender) = (loan[0], loan[1], loan[2], loan[3], loan[4])

        var fields =
            [
                "D-\(number)", store, rng.chance(0.01) ? "unwound" : "finalized", contract.description, delivery.description, dealType,
                first, last, email, phone, place.state, place.zips[rng.int(0...(place.zips.count - 1))],
                rng.chance(0.55) && !phone.isEmpty ? "Y" : "N", rng.chance(0.7) && !email.isEmpty ? "Y" : "N",
                rng.chance(0.85) && !phone.isEmpty ? "Y" : "N",
                SyntheticDealership.vin(wmi: make.1, year: vehicleYear, rng: &rng), String(vehicleYear), make.0, model,
                isNew ? "new" : "used", String(odometer), inService?.description ?? "",
                Money(cents: price).description, Money(cents: value).description, financed, apr, term, firstPay, lender,
                sales.0, sales.1, fi.0, fi.1,
            ] + productFields
        if errorRate > 0, rng.chance(errorRate) { SyntheticDealership.spoil(&fields, rng: &rng) }
        return fields
    }

    /// Amount financed, APR, term, first payment and lender of a financed or leased deal.
    func financing(
        price: Int64, productsSold: Int64, isNew: Bool, dealType: String, contract: LocalDate, make: String, rng: inout SeededRandom
    ) -> [String] {
        let down = price * Int64(rng.int(0...20)) / 100
        let taxAndFees = price * 825 / 10_000 + 45_000
        let financed = Money(cents: price - down + taxAndFees + productsSold).description
        let apr =
            isNew
            ? rng.pick(["0", "1.9", "3.9", "4.99", "5.9", "6.49", "6.9", "7.25"])
            : rng.pick(["6.9", "7.49", "8.9", "9.99", "11.5", "13.9", "15.99"])
        let term = dealType == "lease" ? rng.pick(["24", "36", "39"]) : rng.pick(["48", "60", "72", "72", "84"])
        let firstPay = contract.adding(days: rng.int(30...45)).description
        let lender = rng.pick([
            "Ally Financial", "Capital One Auto", "Chase Auto", "Texas Dow Employees CU", "Wells Fargo Auto", "\(make) Financial Services",
        ])
        return [financed, apr, term, firstPay, lender]
    }

    /// A phone number of the place, written one of the ways DMS exports write them.
    static func phone(_ place: Place, rng: inout SeededRandom) -> String {
        let area = rng.pick(place.areas)
        let exch = rng.int(200...999)
        let line = rng.int(0...9999)
        let l4 = String(repeating: "0", count: 4 - String(line).count) + String(line)
        return rng.pick(["(\(area)) \(exch)-\(l4)", "\(area)-\(exch)-\(l4)", "\(area)\(exch)\(l4)", "+1 \(area) \(exch) \(l4)"])
    }

    /// The outcome, price, cost and reason of every menu product on a deal, and what the products sold add up to.
    func products(dealType: String, rng: inout SeededRandom) -> (fields: [String], soldCents: Int64) {
        var productsSoldCents: Int64 = 0
        var productFields: [String] = []
        for group in menu.products {
            // A store's own price; a product the store does not sell is not on its deals.
            guard let p = menu.product(group.code, store: store) else {
                productFields += ["", "", "", ""]
                continue
            }
            var outcome = "declined"
            let applicable = !(p.kind == .gap && (dealType == "cash" || (dealType == "lease" && p.includedWithLease)))
            let soldChance: Double
            switch p.kind {
            case .serviceContract: soldChance = dealType == "lease" ? 0.15 : 0.42
            case .gap: soldChance = 0.48
            case .tireWheel: soldChance = 0.27
            case .appearance: soldChance = 0.21
            case .maintenance: soldChance = 0.19
            case .other: soldChance = 0.2
            }
            if !applicable || rng.chance(0.04) { outcome = "not_offered" } else if rng.chance(soldChance) { outcome = "sold" }
            switch outcome {
            case "sold":
                let priceCents = p.retailPrice.cents * Int64(rng.int(80...110)) / 100
                productsSoldCents += priceCents
                productFields += ["sold", Money(cents: priceCents).description, p.dealerCost.description, ""]
            case "declined":
                let quoted = p.retailPrice.cents * Int64(rng.int(85...125)) / 100
                productFields += ["declined", Money(cents: quoted).description, "", rng.pick(SyntheticDealership.reasons)]
            default:
                productFields += ["", "", "", ""]
            }
        }
        return (productFields, productsSoldCents)
    }

    /// The mistakes real exports contain.
    static func spoil(_ f: inout [String], rng: inout SeededRandom) {
        switch rng.int(0...6) {
        case 0:  // a mistyped VIN: the check digit no longer matches
            var v = Array(f[15])
            v[16] = v[16] == "1" ? "2" : "1"
            f[15] = String(v)
        case 1: f[3] = "13/45/2025"  // impossible date
        case 2: f[9] = "555-0142"  // phone without area code
        case 3: f[8] = f[8].isEmpty ? "maria@" : f[8].replacingOccurrences(of: "@", with: " at ")
        case 4: f[22] = "$24,99.00"  // misplaced thousands separator
        case 5:
            f[5] = "finance"
            f[24] = ""  // financed deal without the amount financed
        default: f[10] = "XX"  // not a state
        }
    }

    static let vinChars = Array("ABCDEFGHJKLMNPRSTUVWXYZ0123456789".utf8)

    /// A VIN with a correct check digit and model-year code.
    public static func vin(wmi: String, year: Int, rng: inout SeededRandom) -> String {
        var b = Array(wmi.utf8)
        for _ in 0..<5 { b.append(rng.pick(vinChars)) }
        b.append(UInt8(ascii: "0"))  // check digit placeholder
        b.append(yearCode(year))
        b.append(rng.pick(Array("ABCDEFGHJKLMNPRSTUVWXYZ".utf8)))
        for _ in 0..<6 { b.append(UInt8(ascii: "0") + UInt8(rng.int(0...9))) }
        let check = VIN.checkDigit(b)!
        b[8] = check.asciiValue!
        return String(decoding: b, as: UTF8.self)
    }

    static func yearCode(_ year: Int) -> UInt8 {
        let codes = Array("ABCDEFGHJKLMNPRSTVWXY123456789".utf8)  // 1980 = A … 2000 = Y, 2001 = 1 … 2009 = 9, then repeats
        return codes[(year - 1980) % 30]
    }
}
