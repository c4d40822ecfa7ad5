import AfterdeskCore
import Foundation
import Testing

/// The dashboard's list of sales and its totals, computed in Core (Outcomes) with plain values.
@Suite struct SaleAttributionTests {
    static func day(_ text: String) -> LocalDate? { LocalDate(text) }
    let from = LocalDate(year: 2026, month: 1, day: 1) ?? LocalDate(daysSinceEpoch: 0)
    let to = LocalDate(year: 2026, month: 12, day: 31) ?? LocalDate(daysSinceEpoch: 0)

    func sale(contract: String?, sold: String?, cost: Int64? = 30_000, menuCost: Int64? = 25_000) -> SaleAttribution {
        SaleAttribution(
            contractDate: contract.flatMap(Self.day), soldOn: sold.flatMap(Self.day), priceCents: 89_500, costCents: cost,
            menuCostCents: menuCost, attributionDays: 120, from: from, to: to)
    }

    @Test func aSaleWithinTheWindowAndTheDatesCounts() {
        let s = sale(contract: "2026-03-01", sold: "2026-06-29")
        #expect(s.counted == .counted)
        #expect(s.costCents == 30_000 && !s.costFromMenu && s.marginCents == 59_500)
    }

    @Test func aSaleTooLongAfterTheContractOrOfADealOutsideTheDatesIsNotCounted() {
        #expect(sale(contract: "2026-03-01", sold: "2026-06-30").counted == .tooLate(days: 121, limit: 120))
        #expect(sale(contract: "2025-12-31", sold: "2026-01-05").counted == .outsideDates)
        // Over the window wins over outside the dates; a date the store could not read decides nothing.
        #expect(sale(contract: "2025-01-01", sold: "2026-01-05").counted == .tooLate(days: 369, limit: 120))
        #expect(sale(contract: "2025-12-31", sold: nil).counted == .outsideDates)
        #expect(sale(contract: nil, sold: "2026-01-05").counted == .counted)
    }

    @Test func withoutItsOwnCostASaleTakesTheMenusElseHasNoMargin() {
        let menu = sale(contract: "2026-03-01", sold: "2026-03-02", cost: nil)
        #expect(menu.costCents == 25_000 && menu.costFromMenu && menu.marginCents == 64_500)
        let none = sale(contract: "2026-03-01", sold: "2026-03-02", cost: nil, menuCost: nil)
        #expect(none.costCents == nil && !none.costFromMenu && none.marginCents == nil)
    }

    @Test func theTotalsAddBothArmsAndTheRateCarriesItsInterval() throws {
        var f = ReportFigures()
        f.treated.netCents = 100
        f.holdout.netCents = 20
        f.treated.grossCents = 150
        f.holdout.grossCents = 30
        f.treated.chargebacksCents = 50
        f.holdout.chargebacksCents = 10
        f.treated.recovered = 3
        f.holdout.recovered = 1
        #expect(f.netCents == 120 && f.grossCents == 180 && f.chargebacksCents == 60 && f.recovered == 4)
        #expect(f.holdout.recoveryEstimate == nil)
        f.treated.declines = 30
        let e = try #require(f.treated.recoveryEstimate)
        let w = Intervals.wilson(successes: 3, trials: 30)
        #expect(e == Estimate(value: 0.1, low: w.low, high: w.high))
        #expect(e.low < 0.1 && e.high > 0.1)
    }
}
