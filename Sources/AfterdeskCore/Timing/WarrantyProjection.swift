/// An odometer reading: the miles a vehicle showed on a date.
public struct OdometerReading: Sendable, Equatable {
    public var date: LocalDate
    public var miles: Int
    public init(date: LocalDate, miles: Int) { self.date = date; self.miles = miles }
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
            self.date = date; self.limit = limit; self.coverage = coverage
        }
    }

    public var basic: Expiry
    public var powertrain: Expiry
    /// Miles a year used for the projection.
    public var milesPerYear: Int
    /// True when fewer than two readings a month or more apart were known, so the national average was used.
    public var milesPerYearIsDefault: Bool

    /// FHWA's average miles driven per driver per year.
    public static let defaultMilesPerYear = 13_476

    /// - Parameters:
    ///   - inService: the vehicle's in-service date (new: delivery; used: the original in-service date).
    ///   - readings: odometer readings known (the sale, service visits). For a used vehicle the in-service
    ///     date at zero miles counts as a reading too.
    ///   - firstOwner: false for a used vehicle, whose powertrain term may be shorter.
    public init(terms: WarrantyTable.Terms, inService: LocalDate, readings: [OdometerReading], firstOwner: Bool) {
        var points = readings.sorted { $0.date < $1.date }
        if !firstOwner, !points.contains(where: { $0.date == inService }) {
            points.insert(OdometerReading(date: inService, miles: 0), at: 0)
        }
        // The rate from the earliest to the latest reading, when they are at least 30 days apart and the
        // odometer went up: later readings refine it.
        let rate: Double
        if let first = points.first, let last = points.last, first.date.days(until: last.date) >= 30, last.miles > first.miles {
            rate = Double(last.miles - first.miles) / Double(first.date.days(until: last.date))
            milesPerYearIsDefault = false
        } else {
            rate = Double(WarrantyProjection.defaultMilesPerYear) / 365.25
            milesPerYearIsDefault = true
        }
        milesPerYear = Int((rate * 365.25).rounded())
        let anchor = points.last ?? OdometerReading(date: inService, miles: 0)
        func expiry(_ c: WarrantyTable.Coverage) -> Expiry {
            let byTime = inService.adding(years: c.years)
            // The day the projected odometer reaches the mileage limit (already passed: the day it did).
            let days = Double(c.miles - anchor.miles) / rate
            let byMiles = anchor.date.adding(days: Int(days.rounded(.down)))
            return byMiles < byTime ? Expiry(date: byMiles, limit: .miles, coverage: c) : Expiry(date: byTime, limit: .time, coverage: c)
        }
        basic = expiry(terms.basic)
        powertrain = expiry(firstOwner ? terms.powertrain : (terms.powertrainSubsequentOwner ?? terms.powertrain))
    }
}
