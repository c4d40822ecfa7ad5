/// An odometer reading: the miles a vehicle showed on a date.
public struct OdometerReading: Sendable, Equatable {
    public var date: LocalDate
    public var miles: Int
    public init(date: LocalDate, miles: Int) {
        self.date = date
        self.miles = miles
    }
}

/// When the factory warranties of a vehicle end, projected from its in-service date and how fast it
/// is driven. A declined service contract is worth raising again before the basic warranty ends.
public struct WarrantyProjection: Sendable, Equatable {
    public enum Limit: String, Sendable, Equatable { case time, miles }

    public struct Expiry: Sendable, Equatable {
        public var date: LocalDate
        /// Which limit ends it first.
        public var limit: Limit
        public var coverage: WarrantyTable.Coverage
        /// Whose coverage it is: the factory's, or the maker's certified pre-owned program.
        public var program: Program
        public init(date: LocalDate, limit: Limit, coverage: WarrantyTable.Coverage, program: Program = .factory) {
            self.date = date
            self.limit = limit
            self.coverage = coverage
            self.program = program
        }
    }

    public enum Program: String, Sendable, Equatable {
        /// The factory warranty, from the in-service date at 0 miles.
        case factory
        /// The certified pre-owned program's coverage from the original in-service date at 0 miles.
        case certified
        /// The certified pre-owned program's coverage from the certified sale (its date and odometer).
        case certifiedFromSale = "certified_from_sale"
        /// The maker's complimentary maintenance, from the in-service date at 0 miles.
        case freeMaintenance = "free_maintenance"
    }

    /// When basic coverage ends: the factory's, or for a certified car the latest of the factory's and the certified
    /// program's (`program` says whose).
    public var basic: Expiry
    /// The factory's basic warranty alone (for a certified car `basic` may be the program's): a maker's new-vehicle
    /// plan is sold only before this ends.
    public var factoryBasic: Expiry
    /// When powertrain coverage ends, likewise.
    public var powertrain: Expiry
    /// When the maker's free maintenance (ToyotaCare) ends, for a make that has it; `freeMaintenanceName` names it.
    public var freeMaintenance: Expiry?
    public var freeMaintenanceName: String?
    /// Miles a year used for the projection.
    public var milesPerYear: Int
    /// True when fewer than two readings a month or more apart were known, so `defaultMilesPerYear` was used.
    public var milesPerYearIsDefault: Bool

    /// Miles a day of the projection: always a positive number in `Plausibility.milesPerYear`.
    public var milesPerDay: Double
    /// The reading the projection counts from (the latest plausible one, or the in-service date at zero).
    public var anchor: OdometerReading
    /// Readings left out because they are implausible for the vehicle's age (see `Plausibility`).
    public var ignoredReadings: [OdometerReading]

    /// Miles a year of a vehicle with one reading: vehicles 1–5 years old average over 12,000 (NHTS 2017; FHWA's
    /// 13,476 is per driver, about 11,500 per light-duty vehicle in 2019). Source:
    /// https://www.greencarcongress.com/2021/01/20210112-sivak.html (checked 2026-12-04). Readings refine it.
    public static let defaultMilesPerYear = 12_000

    /// - Parameters:
    ///   - inService: the vehicle's in-service date (new: delivery; used: the original in-service date).
    ///   - readings: odometer readings known (the sale, service visits). For a used vehicle the in-service
    ///     date at zero miles counts as a reading too.
    ///   - firstOwner: false for a used vehicle, whose powertrain term may be shorter.
    ///   - certifiedSale: for a vehicle sold certified pre-owned, the sale (delivery date and odometer): the make's
    ///     `cpo` terms extend the coverage.
    public init(
        terms: WarrantyTable.Terms, inService: LocalDate, readings: [OdometerReading], firstOwner: Bool,
        certifiedSale: OdometerReading? = nil
    ) {
        // A reading the vehicle's age cannot explain (an odometer of 1 on a three-year-old car) is left out.
        var points: [OdometerReading] = []
        var ignored: [OdometerReading] = []
        for r in readings.sorted(by: { $0.date < $1.date }) {
            if r.miles < 0 || Plausibility.odometerProblem(miles: r.miles, on: r.date, inService: inService) != nil {
                ignored.append(r)
            } else {
                points.append(r)
            }
        }
        ignoredReadings = ignored
        if !firstOwner || points.isEmpty, !points.contains(where: { $0.date == inService }) {
            points.insert(OdometerReading(date: inService, miles: 0), at: 0)
        }
        // The rate from the earliest to the latest reading, when they are at least 30 days apart, the odometer went
        // up, and the rate is believable: later readings refine it.
        var rate = Double(WarrantyProjection.defaultMilesPerYear) / 365.25
        milesPerYearIsDefault = true
        if let first = points.first, let last = points.last, first.date.days(until: last.date) >= 30, last.miles > first.miles {
            let measured = Double(last.miles - first.miles) / Double(first.date.days(until: last.date))
            if Plausibility.isPlausible(milesPerDay: measured) {
                rate = measured
                milesPerYearIsDefault = false
            }
        }
        milesPerDay = rate
        milesPerYear = Int(saturating: (rate * 365.25).rounded())
        let anchor = points.last ?? OdometerReading(date: inService, miles: 0)
        self.anchor = anchor
        let start = OdometerReading(date: inService, miles: 0)
        func expiry(_ c: WarrantyTable.Coverage, _ program: Program = .factory, from: OdometerReading = start) -> Expiry {
            WarrantyProjection.expiry(c, program, from: from, anchor: anchor, milesPerDay: rate)
        }
        basic = expiry(terms.basic)
        factoryBasic = basic
        powertrain = expiry(firstOwner ? terms.powertrain : (terms.powertrainSubsequentOwner ?? terms.powertrain))
        if let fm = terms.freeMaintenance {
            freeMaintenance = expiry(fm.coverage, .freeMaintenance)
            freeMaintenanceName = fm.name
        }
        // Certified pre-owned: each coverage lasts until the later of the factory's and the program's.
        if var sale = certifiedSale, let cpo = terms.certified {
            if ignored.contains(sale) || sale.miles < 0 {  // an odometer left out: the projected one at the sale
                let driven = Int(saturating: (Double(anchor.date.days(until: sale.date)) * rate).rounded())
                sale.miles = max(0, anchor.miles + driven)
            }
            let extra = [cpo.basic.map { expiry($0, .certified) }, cpo.basicFromSale.map { expiry($0, .certifiedFromSale, from: sale) }]
            for e in extra.compactMap({ $0 }) where e.date > basic.date { basic = e }
            if let pt = cpo.powertrain.map({ expiry($0, .certified) }), pt.date > powertrain.date { powertrain = pt }
        }
    }

    /// The day a coverage counted `from` a reading ends: its years from that day, or its miles on top of that reading's,
    /// whichever comes first.
    static func expiry(
        _ c: WarrantyTable.Coverage, _ program: Program, from: OdometerReading, anchor: OdometerReading, milesPerDay: Double
    ) -> Expiry {
        let byTime = from.date.adding(years: c.years)
        let byMiles = day(odometer: min(max(from.miles, 0), 10_000_000) + c.miles, from: anchor, milesPerDay: milesPerDay)
        return byMiles < byTime
            ? Expiry(date: byMiles, limit: .miles, coverage: c, program: program)
            : Expiry(date: byTime, limit: .time, coverage: c, program: program)
    }

    /// The day the projected odometer reaches `miles` (already passed: the day it did).
    public func day(odometer miles: Int) -> LocalDate {
        WarrantyProjection.day(odometer: miles, from: anchor, milesPerDay: milesPerDay)
    }

    /// The odometer on `date`: the `reported` reading unless the projection left it out, else projected.
    public func miles(on date: LocalDate, reported: Int) -> Int {
        if !ignoredReadings.contains(OdometerReading(date: date, miles: reported)) { return reported }
        return max(0, anchor.miles + Int(saturating: (Double(anchor.date.days(until: date)) * milesPerDay).rounded()))
    }

    static func day(odometer miles: Int, from anchor: OdometerReading, milesPerDay: Double) -> LocalDate {
        anchor.date.adding(days: Int(saturating: (Double(miles - anchor.miles) / milesPerDay).rounded(.down)))
    }
}
