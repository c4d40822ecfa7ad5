import AfterdeskCore
import Foundation
import Testing

/// Prepaid maintenance is timed to where the maker's free maintenance (ToyotaCare 2 years/25,000 miles) ends, for a
/// vehicle still under it at delivery; the default of 12,000 miles a year projects a vehicle with one reading.
@Suite struct FreeMaintenanceTests {
    let menu = try! MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
    let warranties = try! MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
    func d(_ s: String) -> LocalDate { LocalDate(s)! }

    /// The good row (a new 2026 Toyota delivered 2026-06-01 with 12 miles) with its maintenance declined.
    func deal(_ change: (inout DealRecord) -> Void = { _ in }) throws -> DealRecord {
        var deal = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        deal.dealNumber = "D-QUOTE-3"
        deal.products = [ProductLine(code: "maintenance", outcome: .declined, price: menu.product("maintenance")!.retailPrice)]
        change(&deal)
        return deal
    }

    func plan(_ deal: DealRecord, readings: [OdometerReading] = []) throws -> (ProductPlan, [TouchItem]) {
        let facts = DeclineFacts(
            store: deal.store, dealNumber: deal.dealNumber, product: deal.products[0], deal: deal, laterReadings: readings)
        let now = ContactWindow.strict.instant(on: deal.deliveryDate, atMinutes: 9 * 60, zone: TimeZone(identifier: "America/Chicago")!)
        let p = Planner(menu: menu, warranties: warranties).plan(
            declines: [facts], permissions: ContactPermissions(sms: true, email: false, phone: false), now: now)
        let product = try #require(p.products.first)
        #expect(!product.holdout, "pick a deal number outside the holdout")
        return (product, p.touches.flatMap(\.items) + p.dropped.map(\.item))
    }

    func firstServiceReason(_ items: [TouchItem]) throws -> String {
        try #require(items.first { $0.touch == "first-service" }).reason
    }

    @Test func aNewToyotaIsTimedToTheEndOfToyotaCareByTime() throws {
        let (plan, items) = try plan(try deal())
        // At 12,000 miles a year 25,000 miles take 2 years and 25 days: the 2 years come first.
        #expect(plan.freeMaintenanceEnds == d("2028-06-01"))
        #expect(
            try firstServiceReason(items)
                == "ToyotaCare free maintenance projected to end around 2028-06-01 (2 years/25,000 miles); 21 days before")
    }

    /// While ToyotaCare pays for the services, prepaid maintenance is not pitched: the day-14 touch is dropped, and the
    /// one 21 days before the free plan ends is kept (the store's plan sells for 3 years).
    @Test func nothingIsPitchedWhileTheFreePlanRuns() throws {
        let deal = try deal()
        let facts = DeclineFacts(store: deal.store, dealNumber: deal.dealNumber, product: deal.products[0], deal: deal)
        let now = ContactWindow.strict.instant(on: deal.deliveryDate, atMinutes: 9 * 60, zone: TimeZone(identifier: "America/Chicago")!)
        let p = Planner(menu: menu, warranties: warranties).plan(
            declines: [facts], permissions: ContactPermissions(sms: true, email: false, phone: false), now: now)
        #expect(p.touches.flatMap(\.items).map(\.touch) == ["first-service"])
        #expect(p.touches.first?.dueOn == d("2028-05-11"))
        let first = try #require(p.dropped.first { $0.item.touch == "first" })
        #expect(first.why == "the maker's free maintenance runs until about 2028-06-01: prepaid maintenance is raised as it ends")
    }

    @Test func aHighMileageDriverLeavesToyotaCareByMiles() throws {
        // 14,988 miles in the first 183 days: 25,000 miles on 2027-04-02.
        let (plan, items) = try plan(try deal(), readings: [OdometerReading(date: d("2026-12-01"), miles: 15_000)])
        #expect(plan.freeMaintenanceEnds == d("2027-04-02"))
        #expect(try firstServiceReason(items).hasPrefix("ToyotaCare free maintenance projected to end around 2027-04-02 (2 years/25,000"))
    }

    @Test func aUsedCarCountsOnlyWhileTheFreePlanStillRuns() throws {
        let underIt = try deal {
            $0.vehicleCondition = .used
            $0.vehicleYear = 2025
            $0.inServiceDate = d("2025-09-01")
            $0.odometer = 8_000
        }
        #expect(try plan(underIt).0.freeMaintenanceEnds == d("2027-09-01"))
        let overTheMiles = try deal {
            $0.vehicleCondition = .certified
            $0.vehicleYear = 2025
            $0.inServiceDate = d("2025-06-01")
            $0.odometer = 26_000
        }
        let (overPlan, overItems) = try plan(overTheMiles)
        #expect(overPlan.freeMaintenanceEnds == nil)
        #expect(try firstServiceReason(overItems).hasPrefix("first scheduled service due around"))
        let overTheYears = try deal {
            $0.vehicleCondition = .used
            $0.vehicleYear = 2023
            $0.inServiceDate = d("2023-07-01")
            $0.odometer = 20_000
        }
        #expect(try plan(overTheYears).0.freeMaintenanceEnds == nil)
    }

    @Test func aMakeWithoutFreeMaintenanceKeepsTheFirstService() throws {
        let (plan, items) = try plan(try deal { $0.vehicleMake = "Ford" })
        #expect(plan.freeMaintenanceEnds == nil)
        // 5,000 miles at 12,000 a year take 152 days, before the 6 months.
        #expect(try firstServiceReason(items).hasPrefix("first scheduled service due around 2026-10-31; 21 days before"))
    }

    @Test func aVehicleWithOneReadingIsProjectedAt12000MilesAYear() {
        #expect(WarrantyProjection.defaultMilesPerYear == 12_000)
        let p = WarrantyProjection(
            terms: warranties.terms(forMake: "Ford"), inService: d("2025-01-15"),
            readings: [OdometerReading(date: d("2025-01-15"), miles: 0)], firstOwner: true)
        #expect(p.milesPerYearIsDefault && p.milesPerYear == 12_000)
        // At 12,000 miles a year 3 years and 36,000 miles coincide: the day is the same either way.
        #expect(p.basic.date == d("2028-01-15") && p.day(odometer: 36_000) == d("2028-01-15"))
        #expect(p.day(odometer: 12_000) == d("2026-01-15"))
    }
}
