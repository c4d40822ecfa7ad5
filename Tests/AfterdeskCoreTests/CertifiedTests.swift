import AfterdeskCore
import Foundation
import Testing

/// Certified pre-owned: a used vehicle with the maker's certified coverage, imported from `certified`, `Certified`, `CPO`.
@Suite struct CertifiedTests {
    let table = try! MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
    func d(_ s: String) -> LocalDate { LocalDate(s)! }

    @Test func theCanonicalValueIsCertified() throws {
        let certified = row(["vehicle_condition": "certified", "vehicle_year": "2023", "in_service_date": "2023-03-01"])
        let record = try #require(try decodeCSV(canonicalHeader + "\n" + certified + "\n")[0].record)
        #expect(record.vehicleCondition == .certified && record.inServiceDate == d("2023-03-01"))
        // Like a used car, it needs its in-service date.
        let missing = try decodeCSV(canonicalHeader + "\n" + row(["vehicle_condition": "certified", "vehicle_year": "2023"]) + "\n")
        #expect(missing[0].errors == [RowError(field: "in_service_date", value: "", message: "required field is empty")])
        let cpo = try decodeCSV(canonicalHeader + "\n" + row("vehicle_condition", "cpo") + "\n")
        #expect(cpo[0].errors.first?.message == "expected new, used or certified")
    }

    @Test(arguments: [
        ("Certified", VehicleCondition.certified), ("CPO", .certified), ("certified", .certified), ("cpo", .certified),
        ("C", .certified), ("Certified Pre-Owned", .certified), ("Used", .used), ("Pre-Owned", .used), ("U", .used), ("N", .new),
    ])
    func dmsExportsSayItInTheNewUsedField(_ spelling: String, _ condition: VehicleCondition) throws {
        let text = """
            Deal Number,Deal Status,Contract Date,Deal Type,New/Used,First Name,Last Name,Email 1,Cell Phone,Home Phone,State,Zip,Block Email,Block Phone,VIN,Year,Make,Model,Delivery Mileage,Sales Price,Amount Financed,APR,Term,First Pay Date,Warranty 1 Name,Warranty 1 Sale,Warranty 1 Cost,Guaranteed Auto Protection Name,Guaranteed Auto Protection Sale,Guaranteed Auto Protection Cost
            55001,Finalized,05/02/2026,Finance,\(spelling),Maria,Lopez,maria@example.com,(512) 555-0142,,TX,78701,N,Y,4T1B11HK7RU000001,2024,Toyota,Camry,21000,31250.00,34500.00,6.90,72,06/16/2026,,,,Ally GAP Plus,895.00,300.00
            """
        let record = try #require(try decodeCSV(text + "\n", profile: .dealervault)[0].record)
        #expect(record.vehicleCondition == condition)
        // Pre-owned vehicles without an in-service date are assumed in service from their model year's first day.
        #expect(record.inServiceDate == (condition == .new ? d("2026-05-02") : d("2024-01-01")))
    }

    /// A 2021 Toyota sold certified in 2025 with 40,000 miles: the factory basic warranty ended in 2024, the certified
    /// 1 year/12,000 miles from the sale runs to 2026-06-01 (time first at 10,000 miles a year), and the certified
    /// powertrain 7 years/100,000 miles from the in-service date outlasts the factory's 5 years.
    @Test func certifiedCoverageOutlastsTheFactoryWarranty() {
        let sale = OdometerReading(date: d("2025-06-01"), miles: 40_000)
        let terms = table.terms(forMake: "Toyota", modelYear: 2021)
        let used = WarrantyProjection(terms: terms, inService: d("2021-06-01"), readings: [sale], firstOwner: false)
        #expect(used.basic == .init(date: d("2024-06-01"), limit: .time, coverage: .init(years: 3, miles: 36_000)))
        #expect(used.powertrain.date == d("2026-06-01") && used.powertrain.program == .factory)
        let certified = WarrantyProjection(
            terms: terms, inService: d("2021-06-01"), readings: [sale], firstOwner: false, certifiedSale: sale)
        #expect(
            certified.basic
                == .init(date: d("2026-06-01"), limit: .time, coverage: .init(years: 1, miles: 12_000), program: .certifiedFromSale))
        #expect(
            certified.powertrain
                == .init(date: d("2028-06-01"), limit: .time, coverage: .init(years: 7, miles: 100_000), program: .certified))
        // A driver who covers 12,000 miles in less than a year runs out of certified coverage by miles.
        let fast = [sale, OdometerReading(date: d("2025-12-01"), miles: 52_000)]
        let heavy = WarrantyProjection(terms: terms, inService: d("2021-06-01"), readings: fast, firstOwner: false, certifiedSale: sale)
        #expect(heavy.basic.program == .certifiedFromSale && heavy.basic.limit == .miles && heavy.basic.date == d("2025-12-01"))
    }

    /// Honda extends the basic warranty counted from the in-service date; a make without certified terms is used.
    @Test func certifiedBasicFromTheInServiceDateAndMakesWithoutAProgram() {
        let sale = OdometerReading(date: d("2025-06-01"), miles: 20_000)
        let honda = WarrantyProjection(
            terms: table.terms(forMake: "Honda", modelYear: 2023), inService: d("2023-06-01"), readings: [sale], firstOwner: false,
            certifiedSale: sale)
        #expect(honda.basic == .init(date: d("2027-06-01"), limit: .time, coverage: .init(years: 4, miles: 48_000), program: .certified))
        let bmwTerms = table.terms(forMake: "BMW", modelYear: 2023)
        let bmw = WarrantyProjection(terms: bmwTerms, inService: d("2023-06-01"), readings: [sale], firstOwner: false, certifiedSale: sale)
        #expect(bmw == WarrantyProjection(terms: bmwTerms, inService: d("2023-06-01"), readings: [sale], firstOwner: false))
        // Certified coverage that ends before the factory's leaves the factory's in place.
        let young = OdometerReading(date: d("2023-09-01"), miles: 3_000)
        let early = WarrantyProjection(
            terms: table.terms(forMake: "Toyota", modelYear: 2023), inService: d("2023-06-01"), readings: [young], firstOwner: false,
            certifiedSale: young)
        #expect(early.basic.program == .factory && early.basic.date == d("2026-06-01"))
    }

    /// The planner projects a certified deal with the maker's certified terms and says so in the reason.
    @Test func thePlannerSaysWhichCoverageEnds() throws {
        let menu = try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
        var deal = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        deal.dealNumber = "D-QUOTE-3"
        deal.vehicleCondition = .certified
        deal.vehicleYear = 2023
        deal.inServiceDate = d("2023-03-01")
        deal.odometer = 30_000
        deal.products = [ProductLine(code: "vsc", outcome: .declined, price: menu.product("vsc")!.retailPrice)]
        let facts = DeclineFacts(store: deal.store, dealNumber: deal.dealNumber, product: deal.products[0], deal: deal)
        let now = ContactWindow.strict.instant(on: deal.deliveryDate, atMinutes: 9 * 60, zone: TimeZone(identifier: "America/Chicago")!)
        let plan = Planner(menu: menu, warranties: table).plan(
            declines: [facts], permissions: ContactPermissions(sms: true, email: false, phone: false), now: now)
        let vsc = try #require(plan.products.first)
        #expect(!vsc.holdout, "pick a deal number outside the holdout")
        // 1 year/12,000 miles from the sale (2026-06-01, 30,000 miles) at about 9,200 miles a year: a year first.
        #expect(vsc.warranty?.basic.program == .certifiedFromSale && vsc.warranty?.basic.date == d("2027-06-01"))
        let reasons = (plan.touches.flatMap(\.items) + plan.dropped.map(\.item)).map(\.reason)
        #expect(reasons.contains { $0.hasPrefix("certified pre-owned coverage projected to end 2027-06-01 1 year after the sale") })
    }

    /// `explain` says whose coverage ends when, and when the free maintenance ends.
    @Test func explainNamesTheCoverageAndTheFreeMaintenance() throws {
        let menu = try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
        var deal = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        deal.dealNumber = "D-QUOTE-3"
        deal.vehicleCondition = .certified
        deal.vehicleYear = 2025
        deal.inServiceDate = d("2025-09-01")
        deal.odometer = 8_000
        deal.products = ["vsc", "maintenance"].map { ProductLine(code: $0, outcome: .declined, price: menu.product($0)!.retailPrice) }
        let customer = CustomerDeals(
            dealNumber: deal.dealNumber, store: deal.store, deals: [FollowUpDeal(record: deal, laterReadings: [], heldOut: false)])
        let now = ContactWindow.strict.instant(on: deal.deliveryDate, atMinutes: 9 * 60, zone: TimeZone(identifier: "America/Chicago")!)
        let e = try #require(Explain.explain(customer, planner: Planner(menu: menu, warranties: table), now: now))
        let vsc = try #require(e.products.first { $0.code == "vsc" })
        // Factory basic 3 years from 2025-09-01; certified 1 year/12,000 miles from the sale ends first (about 10,700 a year).
        #expect(vsc.warranty?.basic.coverage == "factory" && vsc.warranty?.basic.expiresOn == "2028-09-01")
        #expect(vsc.warranty?.powertrain.coverage == "certified")
        let maintenance = try #require(e.products.first { $0.code == "maintenance" })
        #expect(maintenance.freeMaintenanceEnds == "2027-09-01" && vsc.freeMaintenanceEnds == nil)
    }
}
