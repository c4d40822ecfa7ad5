import Foundation

/// Why now, in the customer's words, for the offer page (the plan's own reason is for staff): a function of the
/// product, the plan's facts and the day, from the same facts the message was written from.
public enum WhyNow {
    /// What "why now" is said from: the product's kind, the vehicle and its warranties, the loan and the plan's class
    /// windows, as planned.
    public struct Facts: Sendable, Equatable {
        public var kind: ProductKind
        public var make: String
        public var vehicleIsNew: Bool
        public var vehicleIsCertified: Bool
        /// The factory's basic coverage: when it is projected to end, by which limit ("miles" or "years"), and its miles.
        public var basicExpiresOn: LocalDate?
        public var basicLimit: String?
        public var basicMiles: Int
        /// The powertrain coverage that applies to this owner: when it is projected to end, and its miles.
        public var powertrainExpiresOn: LocalDate?
        public var powertrainMiles: Int
        /// The last day the loan is projected to be worth more than the vehicle, and whether GAP covers all the
        /// difference (else up to its limit).
        public var gapExposureEndsOn: LocalDate?
        public var gapCoversDifference: Bool
        /// The menu's first day of pothole season.
        public var potholeSeasonStart: MonthDay
        /// The maker's free maintenance: when it is projected to end, and what the customer calls it.
        public var freeMaintenanceEndsOn: LocalDate?
        public var freeMaintenanceName: String?
        /// The plan's class windows (empty without classes).
        public var classes: [EligibilityWindow.ClassWindow]

        public init(
            kind: ProductKind, make: String, vehicleIsNew: Bool, vehicleIsCertified: Bool, basicExpiresOn: LocalDate?,
            basicLimit: String?, basicMiles: Int, powertrainExpiresOn: LocalDate?, powertrainMiles: Int,
            gapExposureEndsOn: LocalDate?, gapCoversDifference: Bool, potholeSeasonStart: MonthDay,
            freeMaintenanceEndsOn: LocalDate?, freeMaintenanceName: String?, classes: [EligibilityWindow.ClassWindow]
        ) {
            self.kind = kind
            self.make = make
            self.vehicleIsNew = vehicleIsNew
            self.vehicleIsCertified = vehicleIsCertified
            self.basicExpiresOn = basicExpiresOn
            self.basicLimit = basicLimit
            self.basicMiles = basicMiles
            self.powertrainExpiresOn = powertrainExpiresOn
            self.powertrainMiles = powertrainMiles
            self.gapExposureEndsOn = gapExposureEndsOn
            self.gapCoversDifference = gapCoversDifference
            self.potholeSeasonStart = potholeSeasonStart
            self.freeMaintenanceEndsOn = freeMaintenanceEndsOn
            self.freeMaintenanceName = freeMaintenanceName
            self.classes = classes
        }
    }

    /// Why now on `day`: the class open that day, the basic warranty while it runs, else the powertrain's.
    public static func text(_ f: Facts, on day: LocalDate) -> String {
        switch f.kind {
        case .serviceContract:
            return serviceContract(f, on: day)
        case .gap:
            var text = "GAP is about what you still owe if the vehicle is totaled or stolen: insurance pays its value, not the loan."
            if let ends = f.gapExposureEndsOn, day < ends {
                text += " Until about \(ends.longDate) you are projected to owe more on your loan than the vehicle is worth."
            }
            text +=
                f.gapCoversDifference
                ? " If it were totaled or stolen, GAP would cover the difference."
                : " If it were totaled or stolen, GAP would pay toward what you still owe, up to the plan's limit."
            return text
        case .tireWheel:
            let season = LocalDate.clamped(year: 2001, month: f.potholeSeasonStart.month, day: f.potholeSeasonStart.day)
            return "Potholes, nails and road debris cause most tire and wheel damage, and pothole season starts \(season.monthDay)."
        case .appearance:
            return "Paint and fabric protection does the most good early on, before sun, sap and spills leave their mark."
        case .maintenance:
            if let ends = f.freeMaintenanceEndsOn, day < ends {
                return "Your \(f.freeMaintenanceName ?? "free maintenance") is projected to end around \(ends.longDate): "
                    + "prepaid maintenance covers the services after it at today's prices."
            }
            let which = f.vehicleIsNew && f.freeMaintenanceEndsOn == nil ? "first" : "next"
            return "Your \(which) scheduled service is coming up: prepaid maintenance covers it at today's prices."
        case .other:
            return ""
        }
    }

    /// A service contract's: the warranty that runs on `day` and the plan it would be bought as then.
    static func serviceContract(_ f: Facts, on day: LocalDate) -> String {
        var text: String
        if let ends = f.basicExpiresOn, day < ends, f.vehicleIsCertified {
            // The factory's or the certified program's coverage, whichever ends later: its miles are not stored.
            text =
                "Your \(f.make)'s warranty coverage is projected to end around \(ends.longDate). "
                + "A service contract can cover repairs after it ends."
        } else if let ends = f.basicExpiresOn, day < ends {
            let miles = f.basicLimit == "miles" ? " at \(f.basicMiles.grouped) miles" : ""
            text =
                "Your \(f.make)'s factory warranty is projected to end around \(ends.longDate)\(miles). "
                + "A service contract can cover repairs after it ends."
        } else if let ends = f.powertrainExpiresOn, day < ends {
            text =
                "Your \(f.make)'s basic factory warranty has ended; its powertrain warranty is projected to run until about "
                + "\(ends.longDate) (\(f.powertrainMiles.grouped) miles). "
                + "A service contract can cover the repairs the powertrain warranty does not."
        } else if let ends = f.basicExpiresOn ?? f.powertrainExpiresOn, ends <= day {
            text = "Your \(f.make)'s factory warranty has ended: a service contract pays for covered repairs."
        } else {
            text = "A service contract pays for covered repairs after the factory warranty."
        }
        if let open = f.classes.first(where: { $0.isOpen(on: day) }) {
            text += " It is offered now as \(open.planClass.name)\(open.planClass.limitsText.map { " (\($0))" } ?? "")"
            if open.planClass.inspection { text += ", after an inspection by the provider" }
            if let closes = open.until { text += ", until about \(closes.longDate)" }
            text += "."
        }
        return text
    }
}
