import Foundation
import Testing

@testable import AfterdeskCore

/// The price that applies on a day (issue 25, item 5): the desk's while it still applies, else the rate card's lowest
/// for the vehicle on that day, else the menu's retail price, both said as "from".
@Suite struct PriceQuoteTests {
    let menu = try! MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
    let contract = LocalDate(year: 2026, month: 6, day: 1)!
    let desk = Money(cents: 249_500)

    /// A new car in service on the contract day with 12 miles, driven to `miles` by the day asked about.
    func vehicle(inService: LocalDate? = nil, atContract: Int = 12, onDay: Int = 500) -> PriceQuote.Vehicle {
        PriceQuote.Vehicle(inService: inService ?? contract, odometerAtContract: atContract, odometerOnDay: onDay)
    }

    func quote(
        _ day: Int, quoted: Money? = Money(cents: 249_500), presumed: Bool = false, product: String = "vsc", _ v: PriceQuote.Vehicle? = nil
    )
        -> PriceQuote
    {
        PriceQuote.on(
            contract.adding(days: day), product: menu.product(product)!, quoted: quoted, presumed: presumed, contractDate: contract,
            vehicle: v ?? vehicle())
    }

    @Test func theShippedVSCCarriesAnExampleCardAndAPlan() throws {
        let card = try #require(menu.product("vsc")?.rateCard)
        #expect(card.quoteHoldsDays == 30 && card.rates.count == 4)
        #expect(
            card.rates[0]
                == .init(
                    termMonths: 36, termMiles: 36_000, maxVehicleAgeYears: 3, maxOdometer: 36_000, price: Money(cents: 189_500),
                    cost: Money(cents: 85_000)))
        #expect(menu.product("vsc")?.installments == Installments(months: 12, downPaymentPercent: 10))
        #expect(menu.product("gap")?.rateCard == nil)
    }

    @Test func theDesksPriceHoldsForItsDaysInItsClass() {
        let given = PriceQuote(amount: desk, isFrom: false, givenAtDesk: true)
        #expect(quote(0) == given)
        #expect(quote(30) == given)
        // Day 31: the card's lowest price for a new car under 36,000 miles, said as "from".
        #expect(quote(31) == PriceQuote(amount: Money(cents: 189_500), isFrom: true, givenAtDesk: false))
        #expect(quote(31).text == "from $1,895.00")
        #expect(quote(-1).givenAtDesk == false)
    }

    @Test func aPresumedDeclineIsNeverTheDesks() {
        for day in [0, 10, 30] {
            let q = quote(day, presumed: true)
            #expect(!q.givenAtDesk && q.isFrom && q.amount == Money(cents: 189_500), "\(day)")
        }
        #expect(!quote(0, quoted: nil).givenAtDesk)
        // A quote no desk meant is not believed.
        #expect(!quote(0, quoted: Money(dollars: 99_999)).givenAtDesk)
    }

    @Test func crossingTheOdometerLimitEndsTheDesksPrice() {
        // At contract 35,900 miles; 36,000 on the day is still in the class, 36,001 is not.
        #expect(quote(10, vehicle(atContract: 35_900, onDay: 36_000)).givenAtDesk)
        let crossed = quote(10, vehicle(atContract: 35_900, onDay: 36_001))
        #expect(crossed == PriceQuote(amount: Money(cents: 229_500), isFrom: true, givenAtDesk: false))
    }

    @Test func crossingTheAgeLimitEndsTheDesksPrice() {
        // In service three years before the contract, less 5 days: within 3 years up to day 5, past it on day 6.
        let inService = LocalDate(year: 2023, month: 6, day: 6)!
        #expect(quote(5, vehicle(inService: inService)).givenAtDesk)
        #expect(quote(6, vehicle(inService: inService)) == PriceQuote(amount: Money(cents: 229_500), isFrom: true, givenAtDesk: false))
        // Past every class of the card (over 10 years): no price is said (the card's $2,795 does not apply, and the
        // retail $2,495 is below it); the provider prices it after an inspection.
        let old = LocalDate(year: 2014, month: 1, day: 1)!
        let past = quote(40, vehicle(inService: old))
        #expect(past.onInspection && !past.givenAtDesk && past.text == "priced after an inspection" && past.said == past.text)
    }

    @Test func withoutACardTheRetailPriceIsAFromPrice() {
        #expect(quote(10, quoted: Money(dollars: 850), product: "gap").givenAtDesk)
        #expect(
            quote(31, quoted: Money(dollars: 850), product: "gap")
                == PriceQuote(amount: Money(dollars: 895), isFrom: true, givenAtDesk: false))
        #expect(quote(0, quoted: nil, product: "gap") == PriceQuote(amount: Money(dollars: 895), isFrom: true, givenAtDesk: false))
    }

    @Test func theOdometerIsProjectedWithoutOverflow() {
        #expect(PriceQuote.projectedOdometer(10_000, readOn: contract, milesPerYear: 12_000, on: contract.adding(days: 365)) == 22_000)
        #expect(PriceQuote.projectedOdometer(10_000, readOn: contract, milesPerYear: nil, on: contract.adding(days: 365)) == 10_000)
        #expect(PriceQuote.projectedOdometer(10_000, readOn: contract, milesPerYear: 12_000, on: contract.adding(days: -5)) == 10_000)
        #expect(PriceQuote.projectedOdometer(Int.max - 1, readOn: contract, milesPerYear: Int.max, on: contract.adding(days: 9)) == Int.max)
    }

    @Test func aRateCardIsReadAndChecked() {
        func issues(_ from: String, _ to: String) -> [String] {
            let yaml = DefaultMenus.menuYAML.replacingOccurrences(of: from, with: to)
            do {
                _ = try MenuLoader.loadMenu(yaml: yaml, file: "m.yaml")
                return []
            } catch { return error.issues.map(\.field) }
        }
        let plan = "    installments: { months: 12, down_payment_percent: 10 }\n"
        #expect(issues(plan, "").isEmpty)
        #expect(issues(plan, "    installments: { months: 0 }\n") == ["products[0].installments.months"])
        #expect(issues(plan, "    installments: 12\n") == ["products[0].installments"])
        #expect(issues("quote_holds_days: 30", "quote_holds_days: 400") == ["products[0].rate_card.quote_holds_days"])
        #expect(issues("price: 1895.00, cost: 850.00", "price: 1895.00, cost: 1900.00") == ["products[0].rate_card.rates[0].cost"])
        #expect(issues("price: 1895.00, cost: 850.00", "cost: 850.00") == ["products[0].rate_card.rates[0].price"])
    }
}
