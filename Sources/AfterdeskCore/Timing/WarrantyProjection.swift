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
        public init(date: LocalDate, limit: Limit, coverage: WarrantyTable.Coverage) {
            self.date = date
            self.limit = limit
            self.coverage = coverage
        }
    }

    public var basic: Expiry
    public var powertrain: Expiry
    /// Miles a year used for the projection.
    public var milesPerYear: Int
    /// True when fewer than two readings a month or more apart were known, so the national average was used.
    public var milesPerYearIsDefault: Bool

    /// Miles a day of the projection: always a positive number in `Plausibility.milesPerYear`.
    public var milesPerDay: Double
    /// The reading the projection counts from (the latest plausible one, or the in-service date at zero).
    public var anchor: OdometerReading
    /// Readings left out because they are implausible for the vehicle's age (see `Plausibility`).
    public var ignoredReadings: [OdometerReading]

    /// FHWA's average miles driven per driver per year.
    public static let defaultMilesPerYear = 13_476

    /// - Parameters:
    ///   - inService: the vehicle's in-service date (new: delivery; used: the original in-service date).
    ///   - readings: odometer readings known (the sale, service visits). For a used vehicle the in-service
    ///     date at zero miles counts as a reading too.
    ///   - firstOwner: false for a used vehicle, whose powertrain term may be shorter.
    public init(terms: WarrantyTable.Terms, inService: LocalDate, readings: [OdometerReading], firstOwner: Bool) {
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
        func expiry(_ c: WarrantyTable.Coverage) -> Expiry {
            let byTime = inService.adding(years: c.years)
            let byMiles = WarrantyProjection.day(odometer: c.miles, from: anchor, milesPerDay: rate)
            return byMiles < byTime ? Expiry(date: byMiles, limit: .miles, coverage: c) : Expiry(date: byTime, limit: .time, coverage: c)
        }
        basic = expiry(terms.basic)
        powertrain = expiry(firstOwner ? terms.powertrain : (terms.powertrainSubsequentOwner ?? terms.powertrain))
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
