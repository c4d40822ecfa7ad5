import Foundation
import Testing

@testable import AfterdeskCore

@Suite struct AmortizationTests {
    @Test(arguments: [
        (3_000_000, 6_900, 72, 51_003), (3_450_000, 6_900, 72, 58_654), (2_500_000, 0, 60, 41_667),
        (4_324_758, 15_990, 72, 93_788), (1_800_000, 4_990, 36, 53_940),
    ])
    func paymentIsTheStandardFormulaRoundedToTheCent(principal: Int64, aprMilli: Int, term: Int, payment: Int64) {
        #expect(
            Amortization.payment(principal: Money(cents: principal), apr: Rate(thousandthsOfPercent: aprMilli), termMonths: term)
                == Money(cents: payment))
    }

    /// The fast payment agrees with exact decimal arithmetic on thousands of loans.
    @Test func theFastPaymentIsTheExactOne() {
        var rng = SeededRandom(seed: 8)
        for _ in 0..<5_000 {
            let principal = Money(cents: Int64(rng.int(100_000...15_000_000)))
            let apr = Rate(thousandthsOfPercent: rng.int(0...29_999))
            let term = rng.int(1...96)
            #expect(
                Amortization.payment(principal: principal, apr: apr, termMonths: term)
                    == Amortization.exactPayment(principal: principal, apr: apr, termMonths: term))
        }
    }

    /// Every month of many loans against the closed form P(1+r)^k − A((1+r)^k − 1)/r, computed here
    /// independently in floating point: equal to the cent (one cent of rounding at a half-cent boundary).
    @Test func everyMonthMatchesTheClosedForm() {
        var rng = SeededRandom(seed: 5)
        for _ in 0..<300 {
            let principal = Int64(rng.int(500_000...9_000_000))
            let apr = rng.pick([0, 1_900, 3_900, 4_990, 6_900, 9_990, 14_500, 21_990, 29_900])
            let term = rng.pick([12, 24, 36, 48, 60, 66, 72, 75, 84, 96])
            let months = Amortization.schedule(
                principal: Money(cents: principal), apr: Rate(thousandthsOfPercent: apr),
                termMonths: term, firstPaymentDate: LocalDate(year: 2025, month: 1, day: 31)!)
            let a = Double(
                Amortization.payment(principal: Money(cents: principal), apr: Rate(thousandthsOfPercent: apr), termMonths: term).cents)
            let r = Double(apr) / 1_200_000
            #expect(months.count == term)
            for m in months.dropLast() {
                let k = Double(m.number)
                let closed =
                    r == 0
                    ? Double(principal) - a * k
                    : Double(principal) * pow(1 + r, k) - a * (pow(1 + r, k) - 1) / r
                #expect(abs(Double(m.balance.cents) - closed) <= 1.0, "principal \(principal) apr \(apr) term \(term) month \(m.number)")
            }
            #expect(months.last?.balance == .zero)
            // The last payment takes the remainder: the payment's rounding (at most half a cent) compounded
            // over the term, ½·((1+r)^n − 1)/r cents, and not a cent more.
            let compounded = r == 0 ? Double(term) : (pow(1 + r, Double(term)) - 1) / r
            #expect(abs(Double(months.last!.payment.cents) - a) <= 0.5 * compounded + 1)
        }
    }

    @Test func paymentDatesFollowTheFirstPaymentByCalendarMonth() {
        let months = Amortization.schedule(
            principal: Money(dollars: 12_000), apr: Rate(thousandthsOfPercent: 0), termMonths: 4,
            firstPaymentDate: LocalDate(year: 2024, month: 1, day: 31)!)
        #expect(months.map(\.date.description) == ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"])
        #expect(months.map(\.balance) == [Money(dollars: 9_000), Money(dollars: 6_000), Money(dollars: 3_000), .zero])
    }
}

@Suite struct DepreciationTests {
    let curve = Depreciation(
        new: [
            .init(month: 0, remainingBasisPoints: 10_000), .init(month: 12, remainingBasisPoints: 8_000),
            .init(month: 60, remainingBasisPoints: 4_000),
        ],
        used: [.init(month: 0, remainingBasisPoints: 10_000), .init(month: 12, remainingBasisPoints: 8_500)])

    @Test func linearBetweenPointsAndContinuingPastTheLast() {
        #expect(curve.remainingBasisPoints(condition: .new, months: 0) == 10_000)
        #expect(curve.remainingBasisPoints(condition: .new, months: 6) == 9_000)
        #expect(curve.remainingBasisPoints(condition: .new, months: 12) == 8_000)
        #expect(curve.remainingBasisPoints(condition: .new, months: 36) == 6_000)
        #expect(curve.remainingBasisPoints(condition: .new, months: 72) == 3_000)  // slope of the last segment
        #expect(curve.remainingBasisPoints(condition: .new, months: 400) == 500)  // never below 5%
        #expect(curve.remainingBasisPoints(condition: .used, months: 6) == 9_250)
        #expect(curve.remainingBasisPoints(condition: .new, months: -3) == 10_000)
    }

    @Test func gapExposureEndsWhenTheBalanceMeetsTheValue() throws {
        let menu = try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
        let contract = LocalDate(year: 2025, month: 6, day: 1)!
        let gap = GAPExposure(
            amountFinanced: Money(dollars: 34_500), apr: Rate(thousandthsOfPercent: 6_900), termMonths: 72,
            firstPaymentDate: LocalDate(year: 2025, month: 7, day: 15)!, contractDate: contract,
            vehicleValue: Money(dollars: 29_000), condition: .new, depreciation: menu.depreciation)
        #expect(gap.loanToValueAtContract == Decimal(string: "1.19"))
        #expect(gap.schedule.count == 72)
        #expect(gap.schedule.first?.exposed == true)
        let end = try #require(gap.exposureEndsOn)
        let firstCovered = try #require(gap.schedule.first { !$0.exposed })
        #expect(end == firstCovered.date)
        // Before the end every month is exposed; the curve and the loan only cross once.
        let before = gap.schedule.filter { $0.date < end }
        let after = gap.schedule.filter { $0.date >= end }
        #expect(!before.isEmpty && before.allSatisfy { $0.exposed })
        #expect(!after.isEmpty && after.allSatisfy { !$0.exposed })
        // A loan below the value from the start is never exposed.
        let small = GAPExposure(
            amountFinanced: Money(dollars: 10_000), apr: Rate(thousandthsOfPercent: 6_900), termMonths: 36,
            firstPaymentDate: LocalDate(year: 2025, month: 7, day: 15)!, contractDate: contract,
            vehicleValue: Money(dollars: 29_000), condition: .new, depreciation: menu.depreciation)
        #expect(small.exposureEndsOn == nil && small.loanToValueAtContract == Decimal(string: "0.34"))
    }
}

@Suite struct WarrantyProjectionTests {
    let table = try! MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
    func d(_ s: String) -> LocalDate { LocalDate(s)! }

    /// At the default 12,000 miles a year a 3 years/36,000 miles warranty's two limits fall on the same day.
    @Test func aNewCarAtTheDefaultRateMeetsBothBasicLimitsTogether() {
        let p = WarrantyProjection(
            terms: table.terms(forMake: "Toyota"), inService: d("2025-01-15"),
            readings: [OdometerReading(date: d("2025-01-15"), miles: 12)], firstOwner: true)
        #expect(p.milesPerYearIsDefault && p.milesPerYear == 12_000)
        #expect(p.basic.date == d("2028-01-15") && p.basic.limit == .time)
        #expect(p.powertrain.limit == .miles)
    }

    @Test func aServiceVisitRefinesTheRateAndALowMileageDriverRunsOutOfTime() {
        let p = WarrantyProjection(
            terms: table.terms(forMake: "Toyota"), inService: d("2025-01-15"),
            readings: [OdometerReading(date: d("2025-01-15"), miles: 10), OdometerReading(date: d("2026-01-15"), miles: 6_010)],
            firstOwner: true)
        #expect(!p.milesPerYearIsDefault && p.milesPerYear == 6_004)
        #expect(p.basic == .init(date: d("2028-01-15"), limit: .time, coverage: .init(years: 3, miles: 36_000)))
    }

    @Test func aUsedHyundaiGetsTheSecondOwnerPowertrain() {
        let used = WarrantyProjection(
            terms: table.terms(forMake: "Hyundai"), inService: d("2022-03-01"),
            readings: [OdometerReading(date: d("2025-03-01"), miles: 30_000)], firstOwner: false)
        #expect(used.milesPerYear == 9_998)
        #expect(used.basic.date == d("2027-03-01") && used.basic.limit == .time)
        #expect(used.powertrain.coverage == .init(years: 5, miles: 60_000) && used.powertrain.date == d("2027-03-01"))
        let firstOwner = WarrantyProjection(
            terms: table.terms(forMake: "Hyundai"), inService: d("2022-03-01"),
            readings: [OdometerReading(date: d("2022-03-01"), miles: 0), OdometerReading(date: d("2025-03-01"), miles: 36_000)],
            firstOwner: true)
        #expect(firstOwner.powertrain.coverage == .init(years: 10, miles: 100_000) && firstOwner.powertrain.limit == .miles)
        // 10,000 miles a year meets 100,000 miles on the very day ten years end: a tie is reported as time.
        let tie = WarrantyProjection(
            terms: table.terms(forMake: "Hyundai"), inService: d("2022-03-01"),
            readings: [OdometerReading(date: d("2022-03-01"), miles: 0), OdometerReading(date: d("2025-03-01"), miles: 30_000)],
            firstOwner: true)
        #expect(tie.powertrain == .init(date: d("2032-03-01"), limit: .time, coverage: .init(years: 10, miles: 100_000)))
    }

    @Test func aHighMileageUsedCarWhoseWarrantyAlreadyEndedSaysWhen() {
        let p = WarrantyProjection(
            terms: table.terms(forMake: "Toyota"), inService: d("2023-01-01"),
            readings: [OdometerReading(date: d("2025-01-01"), miles: 50_000)], firstOwner: false)
        #expect(p.milesPerYear == 24_983)
        #expect(p.basic.date == d("2024-06-10") && p.basic.limit == .miles)
    }

    /// The defect that stopped every import: a used car sold with an odometer of 1 gave a rate of 0 miles a year,
    /// and the day the odometer reaches a limit was computed by dividing by it.
    @Test func aPlaceholderOdometerIsLeftOutOfTheProjection() {
        let p = WarrantyProjection(
            terms: table.terms(forMake: "Toyota"), inService: d("2023-07-01"),
            readings: [OdometerReading(date: d("2026-06-01"), miles: 1)], firstOwner: false)
        #expect(p.ignoredReadings == [OdometerReading(date: d("2026-06-01"), miles: 1)])
        #expect(p.milesPerYearIsDefault && p.milesPerYear == 12_000)
        #expect(p.anchor == OdometerReading(date: d("2023-07-01"), miles: 0))
        // 36,000 miles at 12,000 a year from the in-service date: 1,095 days, a day before the 3 years run out.
        #expect(p.basic == .init(date: d("2026-06-30"), limit: .miles, coverage: .init(years: 3, miles: 36_000)))
        #expect(p.day(odometer: 1_000_000) < LocalDate.last)
        #expect(p.miles(on: d("2026-06-01"), reported: 1) > 30_000)
    }

    /// Readings that go backwards, or a rate no vehicle drives, fall back to the national average.
    @Test func anUnbelievableRateIsNotUsed() {
        let slow = WarrantyProjection(
            terms: table.terms(forMake: "Toyota"), inService: d("2025-01-15"),
            readings: [OdometerReading(date: d("2025-01-15"), miles: 10), OdometerReading(date: d("2025-03-01"), miles: 11)],
            firstOwner: true)
        #expect(slow.milesPerYearIsDefault && slow.milesPerDay > 0)
        let backwards = WarrantyProjection(
            terms: table.terms(forMake: "Toyota"), inService: d("2025-01-15"),
            readings: [OdometerReading(date: d("2025-01-15"), miles: 5_000), OdometerReading(date: d("2026-01-15"), miles: 10)],
            firstOwner: true)
        #expect(backwards.milesPerYearIsDefault)
    }

    @Test func makesWithDifferentTermsDiffer() {
        let reading = [OdometerReading(date: d("2025-05-01"), miles: 5)]
        let bmw = WarrantyProjection(terms: table.terms(forMake: "BMW"), inService: d("2025-05-01"), readings: reading, firstOwner: true)
        let ford = WarrantyProjection(terms: table.terms(forMake: "Ford"), inService: d("2025-05-01"), readings: reading, firstOwner: true)
        #expect(bmw.basic.coverage == .init(years: 4, miles: 50_000) && ford.basic.coverage == .init(years: 3, miles: 36_000))
        #expect(bmw.basic.date > ford.basic.date)
    }
}

@Suite struct LoanToValueTextTests {
    /// The loan-to-value in a touch's reason prints as Decimal would, from integer hundredths.
    @Test func hundredthsPrintAsDecimal() {
        for h in [0, 1, 5, 9, 10, 11, 50, 99, 100, 101, 105, 110, 118, 120, 199, 200, 1_234, 10_000] {
            #expect(Planner.decimal(hundredths: h) == "\(Decimal(sign: .plus, exponent: -2, significand: Decimal(h)))", "\(h)")
        }
    }
}
