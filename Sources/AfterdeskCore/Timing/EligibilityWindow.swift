import Foundation

/// Until when a declined product can still be bought, and which rule closes the window first. A product with plan
/// classes has a window per class; the product can be bought on a day when any class is open, as the first of them.
public struct EligibilityWindow: Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable {
        case daysFromContract = "days_from_contract"
        case basicWarranty = "basic_warranty"
        case vehicleAge = "vehicle_age"
        case odometer
        /// A class that never opens: a used-vehicle plan for a car sold new.
        case notForVehicle = "not_for_vehicle"
    }

    /// One plan class for one vehicle: from when to when it can be bought.
    public struct ClassWindow: Sendable, Equatable {
        public var planClass: PlanClass
        public var opens: LocalDate
        /// The last day; nil when no rule closes it.
        public var until: LocalDate?
        public var reason: Reason?

        public init(planClass: PlanClass, opens: LocalDate, until: LocalDate?, reason: Reason?) {
            self.planClass = planClass
            self.opens = opens
            self.until = until
            self.reason = reason
        }

        public func isOpen(on date: LocalDate) -> Bool { date >= opens && (until.map { date <= $0 } ?? true) }
        /// True when it is open on some day.
        public var opensAtAll: Bool { until.map { $0 >= opens } ?? true }

        /// For a touch's reason, short (it is stored with every touch): "a used-vehicle plan until about 2029-05-02"; the
        /// maker's plan closes with the basic warranty the reason already dates, so "the maker's new-vehicle plan".
        public var briefly: String {
            if planClass.kind == .manufacturerNew { return "the maker's new-vehicle plan" }
            let from = planClass.kind == .afterWarranty ? " from \(opens)" : ""
            return planClass.name + from + (until.map { " until about \($0)" } ?? "")
        }

        /// "a used-vehicle plan (within 10 years of age and 125,000 miles) until about 2029-05-02", for staff.
        public var description: String {
            let s = planClass.summary
            guard opensAtAll else {
                switch reason {
                case .notForVehicle: return s + ": not for a car sold new"
                case .basicWarranty: return s + ": closed, the basic warranty ended before the sale"
                case .vehicleAge, .odometer: return s + ": closed, past its \(reason == .odometer ? "mileage" : "age") limit at the sale"
                case .daysFromContract, nil: return s + ": closed"
                }
            }
            let from = planClass.kind == .afterWarranty ? " from \(opens)" : ""
            return s + from + (until.map { " until about \($0)" } ?? "")
        }
    }

    /// The last day the product can be bought; nil when no rule closes it.
    public var until: LocalDate?
    public var reason: Reason?
    /// `days_from_contract: 0`: the product is sold only at signing, so there is nothing to follow up.
    public var onlyAtSigning: Bool
    /// The product's plan classes for this vehicle, best first (empty for a product without classes).
    public var classes: [ClassWindow]

    /// - Parameters:
    ///   - condition: new, used or certified: a used-vehicle class is for vehicles not sold new.
    public init(
        eligibility e: Eligibility, contractDate: LocalDate, inService: LocalDate,
        basicWarrantyEnds: LocalDate?, odometerAt: (Int) -> LocalDate?, condition: VehicleCondition = .new
    ) {
        // The first rule to close, kept as the rules are read (no list of them: once per product planned).
        func limits(days: Int?, years: Int?, miles: Int?) -> FirstClose {
            var first = FirstClose()
            if let days { first.add(contractDate.adding(days: days), .daysFromContract) }
            if let years { first.add(inService.adding(years: years), .vehicleAge) }
            if let miles, let date = odometerAt(miles) { first.add(date, .odometer) }
            return first
        }
        onlyAtSigning = e.classes.isEmpty && e.daysFromContract == 0
        guard !e.classes.isEmpty else {
            let first = limits(days: e.daysFromContract, years: e.maxVehicleAgeYears, miles: e.maxOdometer)
            until = first.date
            reason = first.reason
            classes = []
            return
        }
        classes = e.classes.map { c in
            var opens = contractDate
            var closes = limits(days: c.daysFromContract, years: c.maxVehicleAgeYears, miles: c.maxOdometer)
            switch c.kind {
            case .manufacturerNew:
                // Its last day is the day before the warranty's projected end: on that day the messages, why-now and
                // explain all say the basic warranty has ended, and the after-warranty class opens.
                closes.add((basicWarrantyEnds ?? contractDate).adding(days: -1), .basicWarranty)
            case .used:
                if condition == .new { closes.add(contractDate.adding(days: -1), .notForVehicle) }
            case .afterWarranty:
                if let end = basicWarrantyEnds, end > contractDate { opens = end }
            }
            return ClassWindow(planClass: c, opens: opens, until: closes.date, reason: closes.reason)
        }
        // The product's window ends when its last class closes: an unbounded class leaves it open.
        // (The classes that open at all, else all of them; the first of the latest to close.)
        let anyOpens = classes.contains(where: \.opensAtAll)
        if classes.contains(where: { $0.opensAtAll && $0.until == nil }) {
            (until, reason) = (nil, nil)
        } else {
            var last: ClassWindow?
            for c in classes where !anyOpens || c.opensAtAll {
                if let l = last, !((l.until ?? .first) < (c.until ?? .first)) { continue }
                last = c
            }
            (until, reason) = (last?.until, last?.reason)
        }
    }

    /// The first of some closing rules: the earliest date, the first rule read on a tie (as `min(by:)` keeps).
    struct FirstClose {
        var date: LocalDate?
        var reason: Reason?

        mutating func add(_ day: LocalDate, _ why: Reason) {
            if let date, !(day < date) { return }
            (date, reason) = (day, why)
        }
    }

    /// True on a day the product can be bought: up to and including `until`, and, with classes, when one is open.
    public func isOpen(on date: LocalDate) -> Bool {
        guard !onlyAtSigning else { return false }
        if !classes.isEmpty { return classes.contains { $0.isOpen(on: date) } }
        guard let until else { return true }
        return date <= until
    }

    /// The class the customer would buy on `date`: the first open one; nil for a product without classes, or none open.
    public func bestClass(on date: LocalDate) -> ClassWindow? {
        classes.first { $0.isOpen(on: date) }
    }
}

extension EligibilityWindow.ClassWindow {
    /// The classes that open at all, as stored beside a plan: `used:2026-06-01:2029-05-02;after_warranty:2027-05-17:`
    /// (an empty end: no rule closes it). Read back with `decode` against the menu in force.
    public static func encode(_ windows: [Self]) -> String? {
        // Appended piece by piece, without interpolation: planning encodes one per declined product with classes.
        var out = ""
        for w in windows where w.opensAtAll {
            if !out.isEmpty { out += ";" }
            out += w.planClass.kind.rawValue
            out += ":"
            out += w.opens.description
            out += ":"
            if let until = w.until { out += until.description }
        }
        return out.isEmpty ? nil : out
    }

    /// The stored windows of `encode`, each with its class as `product` declares it now (a class the menu no longer
    /// lists is left out); nil or malformed text gives none.
    public static func decode(_ text: String?, product: MenuProduct?) -> [Self] {
        guard let text, let product else { return [] }
        return text.split(separator: ";").compactMap { part in
            let f = part.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count == 3, let kind = PlanClass.Kind(rawValue: String(f[0])),
                let c = product.eligibility.classes.first(where: { $0.kind == kind }), let opens = LocalDate(String(f[1]))
            else { return nil }
            let until = f[2].isEmpty ? nil : LocalDate(String(f[2]))
            if !f[2].isEmpty && until == nil { return nil }
            return Self(planClass: c, opens: opens, until: until, reason: nil)
        }
    }
}
