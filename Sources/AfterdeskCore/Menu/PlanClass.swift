/// A kind of plan a product can still be bought as after the sale, with the rules that open and close it. A service
/// contract is sold as a manufacturer's new-vehicle plan only while the factory basic warranty lasts, as a used-vehicle
/// plan to cars sold used within age and mileage limits, and after the warranty with an inspection (docs/menus.md,
/// "Plan classes"; sources in docs/timing.md).
public struct PlanClass: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A maker's new-vehicle plan: from the sale until the factory basic warranty ends (Ford Protect: within 3
        /// years/36,000 miles of the warranty start).
        case manufacturerNew = "manufacturer_new"
        /// A used-vehicle plan: vehicles sold used or certified, within the limits on the day the customer would buy.
        case used
        /// Once the basic warranty has ended, after an inspection.
        case afterWarranty = "after_warranty"
    }
    public let kind: Kind
    /// How a person and a customer are told about it ("a used-vehicle plan").
    public let name: String
    public let daysFromContract: Int?
    public let maxVehicleAgeYears: Int?
    public let maxOdometer: Int?
    /// The provider inspects the vehicle before it sells the plan.
    public let inspection: Bool
    /// "within 10 years of age and 125,000 miles", or nil when no age or mileage limit applies.
    public let limitsText: String?
    /// For staff, made once: "a used-vehicle plan (within 10 years of age and 125,000 miles)".
    public let summary: String

    public init(
        kind: Kind, name: String? = nil, daysFromContract: Int? = nil, maxVehicleAgeYears: Int? = nil, maxOdometer: Int? = nil,
        inspection: Bool? = nil
    ) {
        self.kind = kind
        self.name = name ?? PlanClass.defaultName(kind)
        self.daysFromContract = daysFromContract
        self.maxVehicleAgeYears = maxVehicleAgeYears
        self.maxOdometer = maxOdometer
        self.inspection = inspection ?? (kind == .afterWarranty)
        var parts: [String] = []
        if let y = maxVehicleAgeYears { parts.append("\(y) year\(y == 1 ? "" : "s") of age") }
        if let m = maxOdometer { parts.append("\(m.formattedMiles) miles") }
        limitsText = parts.isEmpty ? nil : "within " + parts.joined(separator: " and ")
        var notes: [String] = []
        if kind == .manufacturerNew { notes.append("while the factory basic warranty lasts") }
        if let l = limitsText { notes.append(l) }
        if self.inspection { notes.append("inspection required") }
        summary = self.name + (notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")")
    }

    public static func defaultName(_ kind: Kind) -> String {
        switch kind {
        case .manufacturerNew: return "a manufacturer's new-vehicle plan"
        case .used: return "a used-vehicle plan"
        case .afterWarranty: return "an after-warranty plan"
        }
    }

}
