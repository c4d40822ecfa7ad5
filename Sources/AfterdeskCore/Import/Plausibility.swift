/// Values that are valid in form but unlikely in fact: a DMS placeholder odometer of 1, a model year two years
/// ahead, a product quoted at a cent. The importer keeps such a row and reports a warning (docs/import.md lists
/// every one); the projections leave the value out, so one odd field cannot distort a plan. One rule, used by both.
public enum Plausibility {
    /// The miles a year a vehicle is believed to be driven: below, it was parked or the odometer is a placeholder;
    /// above, a typo (a commercial vehicle on the road every day reaches about 100,000).
    public static let milesPerYear: ClosedRange<Int> = 250...100_000

    /// Why an odometer reading of `miles` on `date` is implausible for a vehicle in service since `inService`, or nil.
    /// Young vehicles (under half a year) are held only to the upper bound: a few miles is normal for them.
    public static func odometerProblem(miles: Int, on date: LocalDate, inService: LocalDate) -> String? {
        let days = max(0, inService.days(until: date))
        let upper = Double(milesPerYear.upperBound) * Double(max(days, 183)) / 365.25
        if Double(miles) > upper {
            return days < 183
                ? "\(miles.grouped) miles on a vehicle in service for \(days) days is more than \(milesPerYear.upperBound.grouped) miles a year"
                : "\(milesText(miles)) in \(years(days)) implies \(rate(miles, days).grouped) miles a year, far above what vehicles are driven"
        }
        if days >= 183, rate(miles, days) < milesPerYear.lowerBound {
            return "\(milesText(miles)) in \(years(days)) implies \(rate(miles, days).grouped) miles a year: a placeholder or a typo?"
        }
        return nil
    }

    /// Whether a rate in miles a day lies in `milesPerYear` (and is a number at all).
    public static func isPlausible(milesPerDay: Double) -> Bool {
        guard milesPerDay.isFinite else { return false }
        let perYear = milesPerDay * 365.25
        return perYear >= Double(milesPerYear.lowerBound) && perYear <= Double(milesPerYear.upperBound)
    }

    /// Why a model year is implausible for a sale on `contract` (more than a year after it), or nil.
    public static func modelYearProblem(_ year: Int, contract: LocalDate) -> String? {
        year > contract.year + 1 ? "model year \(year) is more than a year after the sale in \(contract.year)" : nil
    }

    /// A quoted price below a tenth or above five times the menu's retail price is not believed: the planner then
    /// uses the menu's price (a $99,999 quote would otherwise turn every touch into a call).
    public static func quotedPriceProblem(_ price: Money, retail: Money) -> String? {
        guard retail.cents > 0 else { return nil }
        if price.cents < retail.cents / 10 { return "quoted at \(price.formatted), under a tenth of the menu's \(retail.formatted)" }
        if price.cents / 5 > retail.cents { return "quoted at \(price.formatted), over five times the menu's \(retail.formatted)" }
        return nil
    }

    public static func isPlausible(quoted price: Money, retail: Money) -> Bool { quotedPriceProblem(price, retail: retail) == nil }

    static func milesText(_ miles: Int) -> String { miles == 1 ? "1 mile" : "\(miles.grouped) miles" }

    static func rate(_ miles: Int, _ days: Int) -> Int { Int(saturating: (Double(miles) * 365.25 / Double(max(days, 1))).rounded()) }

    static func years(_ days: Int) -> String {
        let tenths = Int(saturating: (Double(days) / 36.525).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10) years" : "\(tenths / 10).\(tenths % 10) years"
    }
}
