import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation

extension Dispatcher {
    /// Why now, in the customer's words, on `day` (`WhyNow.text`, from the facts the message was written from).
    func whyNow(_ item: DueItem, on day: LocalDate) -> String {
        guard let facts = whyNowFacts(item) else { return "" }
        return WhyNow.text(facts, on: day)
    }

    /// The facts "why now" is said from: the item's as planned, with the menu's and the maker's warranty terms.
    func whyNowFacts(_ item: DueItem) -> WhyNow.Facts? {
        guard let product = menu.product(item.product) else { return nil }
        let terms = warranties.terms(forMake: item.vehicleMake, modelYear: item.vehicleYear)
        return WhyNow.Facts(
            kind: product.kind, make: item.vehicleMake, vehicleIsNew: item.vehicleIsNew, vehicleIsCertified: item.vehicleIsCertified,
            basicExpiresOn: item.basicExpiresOn, basicLimit: item.basicLimit, basicMiles: terms.basic.miles,
            powertrainExpiresOn: item.powertrainExpiresOn, powertrainMiles: powertrainCoverage(item).miles,
            gapExposureEndsOn: item.gapExposureEndsOn, gapCoversDifference: product.kind == .gap && gapCoversDifference(item),
            potholeSeasonStart: menu.potholeSeasonStart, freeMaintenanceEndsOn: item.freeMaintenanceEndsOn,
            freeMaintenanceName: terms.freeMaintenance?.name, classes: classWindows(item))
    }
}
