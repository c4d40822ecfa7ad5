import AfterdeskCore
import Testing

/// Plan classes at their edges: the day the basic warranty ends, the odometer crossing a limit, the age limit, and a
/// used-vehicle plan for a car sold new.
@Suite struct PlanClassTests {
    let contract = LocalDate(year: 2026, month: 6, day: 1)!
    let basicEnds = LocalDate(year: 2027, month: 9, day: 17)!
    let classes = [
        PlanClass(kind: .manufacturerNew),
        PlanClass(kind: .used, maxVehicleAgeYears: 10, maxOdometer: 125_000),
        PlanClass(kind: .afterWarranty, maxVehicleAgeYears: 15, maxOdometer: 150_000),
    ]

    func window(
        condition: VehicleCondition, inService: LocalDate, basic: LocalDate?, odometer: [Int: LocalDate] = [:]
    ) -> EligibilityWindow {
        EligibilityWindow(
            eligibility: Eligibility(classes: classes), contractDate: contract, inService: inService, basicWarrantyEnds: basic,
            odometerAt: { odometer[$0] }, condition: condition)
    }

    @Test func theDayTheBasicWarrantyEndsOpensTheAfterWarrantyPlan() {
        let w = window(condition: .new, inService: contract, basic: basicEnds)
        #expect(w.bestClass(on: basicEnds.adding(days: -1))?.planClass.kind == .manufacturerNew)
        #expect(w.bestClass(on: basicEnds)?.planClass.kind == .afterWarranty)
        #expect(w.bestClass(on: contract)?.planClass.kind == .manufacturerNew)
        #expect(w.isOpen(on: basicEnds))
        // A car sold new never gets a used-vehicle plan.
        #expect(!w.classes[1].opensAtAll && w.classes[1].reason == .notForVehicle)
        // The product closes with its last class: 15 years from the in-service date.
        #expect(w.until == contract.adding(years: 15) && w.reason == .vehicleAge)
    }

    @Test func theOdometerCrossingALimitClosesTheClassThatDay() {
        let crosses = LocalDate(year: 2028, month: 2, day: 10)!
        let w = window(
            condition: .used, inService: LocalDate(year: 2020, month: 1, day: 1)!, basic: LocalDate(year: 2023, month: 1, day: 1)!,
            odometer: [125_000: crosses, 150_000: LocalDate(year: 2030, month: 1, day: 1)!])
        #expect(w.bestClass(on: crosses)?.planClass.kind == .used)
        #expect(w.bestClass(on: crosses.adding(days: 1))?.planClass.kind == .afterWarranty)
        #expect(w.classes[1].reason == .odometer)
        // Basic warranty ended before the sale: the after-warranty plan is open from the sale, the maker's is not.
        #expect(w.classes[2].opens == contract && !w.classes[0].opensAtAll)
    }

    @Test func theAgeLimitClosesOnTheAnniversaryOfTheInServiceDate() {
        let inService = LocalDate(year: 2017, month: 3, day: 15)!
        let w = window(condition: .used, inService: inService, basic: LocalDate(year: 2020, month: 3, day: 15)!)
        let tenYears = LocalDate(year: 2027, month: 3, day: 15)!
        #expect(w.bestClass(on: tenYears)?.planClass.kind == .used)
        #expect(w.bestClass(on: tenYears.adding(days: 1))?.planClass.kind == .afterWarranty)
        #expect(!w.isOpen(on: LocalDate(year: 2032, month: 3, day: 16)!) && w.isOpen(on: LocalDate(year: 2032, month: 3, day: 15)!))
    }

    /// A certified car is sold used: the used-vehicle class is open to it.
    @Test func aCertifiedCarIsAUsedOne() {
        let w = window(
            condition: .certified, inService: LocalDate(year: 2023, month: 1, day: 1)!, basic: LocalDate(year: 2026, month: 1, day: 1)!)
        #expect(w.bestClass(on: contract)?.planClass.kind == .used)
    }

    @Test func storedWindowsReadBackAgainstTheMenu() {
        let w = window(condition: .new, inService: contract, basic: basicEnds)
        let text = EligibilityWindow.ClassWindow.encode(w.classes)
        #expect(text == "manufacturer_new:2026-06-01:2027-09-16;after_warranty:2027-09-17:2041-06-01")
        let product = MenuProduct(
            code: "vsc", name: "VSC", kind: .serviceContract, provider: "", retailPrice: Money(cents: 1), dealerCost: Money(cents: 1),
            eligibility: Eligibility(classes: classes), timing: Timing(anchor: .warrantyExpiry, touches: []))
        let back = EligibilityWindow.ClassWindow.decode(text, product: product)
        #expect(
            back.map(\.planClass.kind) == [.manufacturerNew, .afterWarranty]
                && back.map(\.until) == [basicEnds.adding(days: -1), LocalDate(year: 2041, month: 6, day: 1)])
        #expect(EligibilityWindow.ClassWindow.decode("used:2026-13-01:", product: product).isEmpty)
        #expect(EligibilityWindow.ClassWindow.decode("nonsense", product: product).isEmpty)
    }

    /// The previous release's menu still loads: its rule becomes one manufacturer's class, and `menu check` says how to
    /// write it now.
    @Test func aMenuOfThePreviousReleaseLoadsWithAWarning() throws {
        let lines = DefaultMenus.menuYAML.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [Substring] = []
        var skipping = false
        for l in lines {
            if l.hasPrefix("      classes:") {
                skipping = true
                out += ["      until_basic_warranty_expires: true", "      max_vehicle_age_years: 10", "      max_odometer: 125000"]
                continue
            }
            if skipping && (l.hasPrefix("        ") || l.hasPrefix("      #")) { continue }
            skipping = false
            out.append(l)
        }
        let menu = try MenuLoader.loadMenu(yaml: out.joined(separator: "\n"), file: "old.yaml")
        let vsc = try #require(menu.product("vsc"))
        #expect(vsc.eligibility.classes == [PlanClass(kind: .manufacturerNew, maxVehicleAgeYears: 10, maxOdometer: 125_000)])
        #expect(menu.warnings.count == 1 && menu.warnings[0].field == "products[0].eligibility.until_basic_warranty_expires")
        #expect(menu.warnings[0].message.contains("class: used"))
    }

    @Test func classesAreChecked() {
        let bad = DefaultMenus.menuYAML.replacingOccurrences(of: "        - class: after_warranty", with: "        - class: forever")
        #expect(throws: MenuErrors.self) { try MenuLoader.loadMenu(yaml: bad, file: "bad.yaml") }
        let unbounded = DefaultMenus.menuYAML.replacingOccurrences(
            of: "          max_vehicle_age_years: 15\n          max_odometer: 150000\n", with: "")
        #expect(throws: MenuErrors.self) { try MenuLoader.loadMenu(yaml: unbounded, file: "bad.yaml") }
    }
}
