import Foundation

/// Until when a declined product can still be bought, and which rule closes the window first.
public struct EligibilityWindow: Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable {
        case daysFromContract = "days_from_contract"
        case basicWarranty = "basic_warranty"
        case vehicleAge = "vehicle_age"
        case odometer
    }
    /// The last day the product can be bought; nil when no rule closes it.
    public var until: LocalDate?
    public var reason: Reason?
    /// `days_from_contract: 0`: the product is sold only at signing, so there is nothing to follow up.
    public var onlyAtSigning: Bool

    public init(
        eligibility e: Eligibility, contractDate: LocalDate, inService: LocalDate,
        basicWarrantyEnds: LocalDate?, odometerAt: (Int) -> LocalDate?
    ) {
        var candidates: [(LocalDate, Reason)] = []
        if let days = e.daysFromContract { candidates.append((contractDate.adding(days: days), .daysFromContract)) }
        if e.untilBasicWarrantyExpires, let end = basicWarrantyEnds { candidates.append((end, .basicWarranty)) }
        if let years = e.maxVehicleAgeYears { candidates.append((inService.adding(years: years), .vehicleAge)) }
        if let miles = e.maxOdometer, let date = odometerAt(miles) { candidates.append((date, .odometer)) }
        let first = candidates.min { $0.0 < $1.0 }
        until = first?.0
        reason = first?.1
        onlyAtSigning = e.daysFromContract == 0
    }

    /// True on every day up to and including `until`.
    public func isOpen(on date: LocalDate) -> Bool {
        guard !onlyAtSigning else { return false }
        guard let until else { return true }
        return date <= until
    }
}
