import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStore
import Foundation

extension Dispatcher {
    /// Why now, in the customer's words, from the same facts the message was written from on `day` (the plan's own
    /// reason is for staff): the class open that day, the basic warranty while it runs, else the powertrain's.
    func whyNow(_ item: DueItem, on day: LocalDate) -> String {
        guard let product = menu.product(item.product) else { return "" }
        switch product.kind {
        case .serviceContract:
            return serviceContractWhyNow(item, on: day)
        case .gap:
            var text = "GAP is about what you still owe if the vehicle is totaled or stolen: insurance pays its value, not the loan."
            if let ends = item.gapExposureEndsOn, day < ends {
                text += " Until about \(Words.longDate(ends)) you are projected to owe more on your loan than the vehicle is worth."
            }
            text +=
                gapCoversDifference(item)
                ? " If it were totaled or stolen, GAP would cover the difference."
                : " If it were totaled or stolen, GAP would pay toward what you still owe, up to the plan's limit."
            return text
        case .tireWheel:
            return "Potholes, nails and road debris cause most tire and wheel damage, and pothole season starts "
                + "\(Words.monthDay(LocalDate.clamped(year: 2001, month: menu.potholeSeasonStart.month, day: menu.potholeSeasonStart.day)))."
        case .appearance:
            return "Paint and fabric protection does the most good early on, before sun, sap and spills leave their mark."
        case .maintenance:
            if let ends = item.freeMaintenanceEndsOn, day < ends {
                let name =
                    warranties.terms(forMake: item.vehicleMake, modelYear: item.vehicleYear).freeMaintenance?.name ?? "free maintenance"
                return "Your \(name) is projected to end around \(Words.longDate(ends)): prepaid maintenance covers the services "
                    + "after it at today's prices."
            }
            let which = item.vehicleIsNew && item.freeMaintenanceEndsOn == nil ? "first" : "next"
            return "Your \(which) scheduled service is coming up: prepaid maintenance covers it at today's prices."
        case .other:
            return ""
        }
    }

    /// A service contract's "why now": the warranty that runs on `day` and the plan it would be bought as then.
    func serviceContractWhyNow(_ item: DueItem, on day: LocalDate) -> String {
        var text: String
        if let ends = item.basicExpiresOn, day < ends, item.vehicleIsCertified {
            // The factory's or the certified program's coverage, whichever ends later: its miles are not stored.
            text =
                "Your \(item.vehicleMake)'s warranty coverage is projected to end around \(Words.longDate(ends)). "
                + "A service contract can cover repairs after it ends."
        } else if let ends = item.basicExpiresOn, day < ends {
            let terms = warranties.terms(forMake: item.vehicleMake, modelYear: item.vehicleYear)
            let miles = item.basicLimit == "miles" ? " at \(Words.thousands(terms.basic.miles)) miles" : ""
            text =
                "Your \(item.vehicleMake)'s factory warranty is projected to end around \(Words.longDate(ends))\(miles). "
                + "A service contract can cover repairs after it ends."
        } else if let ends = item.powertrainExpiresOn, day < ends {
            text =
                "Your \(item.vehicleMake)'s basic factory warranty has ended; its powertrain warranty is projected to run until about "
                + "\(Words.longDate(ends)) (\(Words.thousands(powertrainCoverage(item).miles)) miles). "
                + "A service contract can cover the repairs the powertrain warranty does not."
        } else if let ends = item.basicExpiresOn ?? item.powertrainExpiresOn, ends <= day {
            text = "Your \(item.vehicleMake)'s factory warranty has ended: a service contract pays for covered repairs."
        } else {
            text = "A service contract pays for covered repairs after the factory warranty."
        }
        if let open = openClass(item, on: day) {
            let k = ClassFact(open)
            text += " It is offered now as \(k.name)\(k.limits.map { " (\($0))" } ?? "")"
            if k.inspection { text += ", after an inspection by the provider" }
            if let closes = k.closesOn { text += ", until about \(Words.longDate(closes))" }
            text += "."
        }
        return text
    }
}
