import Foundation
import Testing

@testable import AfterdeskCore

/// GAP as it is sold (issue 25, item 3): a dealer waiver is one re-contract task in the funding window, raised only
/// above the loan-to-value threshold; a lender's product is timed by the months of exposure; the cap.
@Suite struct GAPSoldTests {
    let menu = try! MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
    let warranties = try! MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
    let zone = TimeZone(identifier: "America/Chicago")!

    /// The good row: contract and delivery 2026-06-01, $34,500 financed on a $29,000 car (LTV 1.19), 72 months.
    func deal(value: Int64 = 29_000_00, type: DealType = .finance) throws -> DealRecord {
        var deal = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        deal.vehicleValue = Money(cents: value)
        deal.dealType = type
        deal.products = [ProductLine(code: "gap", outcome: .declined, price: Money(dollars: 895))]
        return deal
    }

    func plan(_ deal: DealRecord, menu: Menu? = nil, on day: LocalDate? = nil, minutes: Int = 9 * 60, sms: Bool = true) -> CustomerPlan {
        let at = LocalClock.instant(on: day ?? deal.deliveryDate, minutes: minutes, zone: zone)
        let declines = deal.products.map {
            DeclineFacts(store: deal.store, dealNumber: deal.dealNumber, product: $0, deal: deal, heldOut: false)
        }
        return Planner(menu: menu ?? self.menu, warranties: warranties).plan(
            declines: declines, permissions: ContactPermissions(sms: sms, email: sms, phone: true), now: at)
    }

    func day(_ d: Int) -> LocalDate { LocalDate(year: 2026, month: 6, day: d)! }

    @Test func theShippedGAPIsADealerWaiverWithItsFundingWindow() throws {
        let gap = try #require(menu.product("gap"))
        #expect(gap.gap == GAPRules(soldAs: .dealerWaiver, fundingWindowDays: 5, taskDay: 1, ltvThresholdPercent: 100, ltvCapPercent: 150))
        #expect(gap.eligibility.daysFromContract == 5)
        #expect(gap.timing.touches.map(\.action) == [.task])
        #expect(gap.timing.touches.first?.offset == .afterContract(days: 1))
        #expect(menu.gapWarnings.isEmpty)
    }

    @Test func theWaiverIsFollowedUpOnlyAboveTheThreshold() throws {
        // $34,500 on $34,900 is 0.99; on $34,500, 1.00; on $34,159, 1.01 (half up).
        for (value, raised) in [(Int64(34_900_00), false), (34_500_00, false), (34_159_00, true)] {
            let p = plan(try deal(value: value))
            let gap = try #require(p.products.first)
            #expect(gap.noFollowUp == (raised ? nil : .ltvAtOrBelowThreshold), "\(value)")
            #expect(p.touches.count == (raised ? 1 : 0), "\(value)")
        }
        let at = try #require(plan(try deal(value: 34_500_00)).products.first)
        #expect(at.note == "loan-to-value 1 at contract, at or below the 1 threshold: GAP is not raised")
    }

    @Test func theWaiverIsOneTaskOnDayOneThatSaysWhy() throws {
        for sms in [true, false] {
            let p = plan(try deal(), sms: sms)
            let touch = try #require(p.touches.first)
            #expect(p.touches.count == 1 && touch.action == .task && touch.dueOn == day(2))
            #expect(touch.items.map(\.touch) == ["recontract"])
            #expect(
                touch.items[0].reason
                    == "re-contract with GAP before the lender funds: LTV 1.19 at contract, funding window closes 2026-06-06")
        }
    }

    @Test func theTaskStaysInsideTheFundingWindowAndNothingAfterIt() throws {
        let d = try deal()
        // Planned late, on day 4 after the contract: the task is due that day.
        #expect(plan(d, on: day(5)).touches.map(\.dueOn) == [day(5)])
        // The last day of the window, before contact hours are over: still raised.
        #expect(plan(d, on: day(6)).touches.map(\.dueOn) == [day(6)])
        // The last day, after contact hours: nothing (it would fall after the window).
        let late = plan(d, on: day(6), minutes: 22 * 60)
        #expect(late.touches.isEmpty && late.dropped.count == 1)
        // The day after the window closes: nothing, and the plan says why.
        let after = plan(d, on: day(7))
        #expect(after.touches.isEmpty && after.products.first?.noFollowUp == .windowClosed)
    }

    @Test func cashAndLeaseDealsGetNoGAP() throws {
        #expect(plan(try deal(type: .cash)).products.first?.noFollowUp == .cashDeal)
        #expect(plan(try deal(type: .lease)).products.first?.noFollowUp == .leaseIncludesGAP)
        var d = try deal()
        d.amountFinanced = nil
        #expect(plan(d).products.first?.noFollowUp == .noFinancing)
        d = try deal(value: 0)
        #expect(plan(d).products.first?.noFollowUp == .noFinancing)
    }

    /// The menu with its GAP sold as a lender's product: a 60-day window, touches at 5, 35 and 85% of the exposure.
    func lenderMenu() -> Menu {
        var m = menu
        let i = m.products.firstIndex { $0.code == "gap" }!
        m.products[i].gap = GAPRules(soldAs: .lenderProduct)
        m.products[i].eligibility = Eligibility(daysFromContract: 60)
        m.products[i].timing = Timing(
            anchor: .loanToValue,
            touches: [("first", 5), ("reminder", 35), ("last-call", 85)].map {
                TouchRule(name: $0.0, offset: .percentOfExposure($0.1), template: "gap-\($0.0)")
            })
        return m
    }

    @Test func aLenderProductIsTimedByTheExposureCappedToItsWindow() throws {
        // A long exposure (years): the touches spread over the 60-day window: days 3, 21 and 51.
        let long = plan(try deal(), menu: lenderMenu())
        #expect(long.products.first?.gap?.exposureEndsOn ?? .first > day(1).adding(days: 60))
        #expect(long.touches.map(\.dueOn) == [day(1).adding(days: 3), day(1).adding(days: 21), day(1).adding(days: 51)])
        #expect(long.touches.allSatisfy { $0.action == .sms })
        #expect(long.touches[1].items[0].reason.hasPrefix("35% of the way from the contract to 2026-07-31 (loan balance projected"))
        // A short exposure: a 12-month loan at 1.05 of a new car's value is above it only for weeks; the touches
        // come before it ends, not on fixed days.
        var d = try deal(value: 32_857_00)
        d.termMonths = 12
        let short = plan(d, menu: lenderMenu())
        let end = try #require(short.products.first?.gap?.exposureEndsOn)
        #expect(end < day(1).adding(days: 60))
        let span = day(1).days(until: end)
        #expect(short.touches.map(\.dueOn) == [5, 35, 85].map { day(1).adding(days: span * $0 / 100) })
        #expect(short.touches.allSatisfy { $0.dueOn < end })
    }

    @Test func aLenderProductAtTheThresholdIsNotFollowedUp() throws {
        let p = plan(try deal(value: 34_500_00), menu: lenderMenu())
        #expect(p.products.first?.noFollowUp == .ltvAtOrBelowThreshold && p.touches.isEmpty)
    }

    @Test func coversTheDifferenceOnlyUpToTheCap() {
        // Exactly, never by the rounded ratio: 1.50 of value is covered, a cent above it is not.
        #expect(GAPRules.coversDifference(amountFinancedCents: 43_499_99, vehicleValueCents: 29_000_00, cap: 150))
        #expect(GAPRules.coversDifference(amountFinancedCents: 43_500_00, vehicleValueCents: 29_000_00, cap: 150))
        #expect(!GAPRules.coversDifference(amountFinancedCents: 43_500_01, vehicleValueCents: 29_000_00, cap: 150))
        #expect(
            !GAPRules.coversDifference(amountFinancedCents: 43_644_00, vehicleValueCents: 29_000_00, cap: 150), "1.50496 rounds to 1.50")
        #expect(!GAPRules.coversDifference(amountFinancedCents: 1, vehicleValueCents: 0, cap: 150))
        // The threshold likewise: 1.004 is above 1.00, though it rounds to it.
        let waiver = GAPRules(soldAs: .dealerWaiver)
        #expect(waiver.followsUp(amountFinancedCents: 29_116_00, vehicleValueCents: 29_000_00))
        #expect(!waiver.followsUp(amountFinancedCents: 29_000_00, vehicleValueCents: 29_000_00))
        #expect(!waiver.followsUp(amountFinancedCents: 29_000_00, vehicleValueCents: 0))
        #expect(GAPRules.loanToValuePercent(amountFinancedCents: 34_500_00, vehicleValueCents: 29_000_00) == 119)
        #expect(GAPRules.loanToValuePercent(amountFinancedCents: 1, vehicleValueCents: 0) == nil)
        #expect(GAPRules.loanToValuePercent(amountFinancedCents: -1, vehicleValueCents: 100) == nil)
    }
}

/// The `gap:` block in a menu file, and a menu of the previous release.
@Suite struct GAPMenuTests {
    func gapBlock(_ replacement: String) -> String {
        let text = DefaultMenus.menuYAML
        let start = text.range(of: "    gap:\n      sold_as: dealer_waiver\n")!.lowerBound
        let end = text.range(of: "    # A lender's, credit union's")!.lowerBound
        return text.replacingCharacters(in: start..<end, with: replacement)
    }

    func issues(_ yaml: String) -> [String] {
        do {
            _ = try MenuLoader.loadMenu(yaml: yaml, file: "m.yaml")
            return []
        } catch { return error.issues.map { "\($0.field): \($0.message)" } }
    }

    @Test func aMenuOfThePreviousReleaseLoadsAsALenderProductAndWarns() throws {
        let old = gapBlock(
            """
                eligibility:
                  days_from_contract: 60
                timing:
                  anchor: loan_to_value
                  touches:
                    - { name: first, days_after_delivery: 3 }
                    - { name: reminder, days_after_delivery: 21 }
                    - { name: last-call, days_after_delivery: 50 }

            """)
        let menu = try MenuLoader.loadMenu(yaml: old, file: "m.yaml")
        let gap = try #require(menu.product("gap"))
        // It fails safe: a dealer waiver, never messaged after the contract; its old window and texts are not used.
        #expect(gap.gap == GAPRules(soldAs: .dealerWaiver, declared: false))
        #expect(gap.eligibility.daysFromContract == 5 && gap.timing.touches.map(\.name) == [GAPRules.recontractTouch])
        #expect(gap.timing.touches.allSatisfy { $0.action == .task })
        #expect(menu.gapWarnings.count == 1)
        #expect(menu.gapWarnings.first?.contains("read as a dealer's GAP waiver, which cannot be sold after the contract") == true)
        #expect(menu.gapWarnings.first?.contains("sold_as: dealer_waiver, funding_window_days: 5") == true)
    }

    @Test func aLenderProductIsWrittenWithItsWindowAndExposureTouches() throws {
        let lender = gapBlock(
            """
                gap: { sold_as: lender_product, ltv_threshold: 1.10, ltv_cap: 1.25 }
                eligibility: { days_from_contract: 60 }
                timing:
                  anchor: loan_to_value
                  touches:
                    - { name: first, percent_of_exposure: 5 }
                    - { name: last-call, percent_of_exposure: 100 }

            """)
        let gap = try #require(try MenuLoader.loadMenu(yaml: lender, file: "m.yaml").product("gap"))
        #expect(gap.gap == GAPRules(soldAs: .lenderProduct, ltvThresholdPercent: 110, ltvCapPercent: 125))
        #expect(gap.timing.touches.map(\.offset) == [.percentOfExposure(5), .percentOfExposure(100)])
    }

    @Test func aWaiverTakesNoEligibilityOrTimingAndItsFiguresAreChecked() {
        let waiver = "    gap: { sold_as: dealer_waiver }\n"
        #expect(issues(gapBlock(waiver)).isEmpty)
        #expect(
            issues(gapBlock(waiver + "    eligibility: { days_from_contract: 60 }\n")).first?.hasPrefix("products[1].eligibility") == true)
        #expect(
            issues(gapBlock(waiver + "    timing: { anchor: loan_to_value, touches: [{ name: a, days_after_delivery: 3 }] }\n")).first?
                .hasPrefix("products[1].timing: a dealer waiver sends no message") == true)
        #expect(
            issues(gapBlock("    gap: { sold_as: dealer_waiver, ltv_threshold: 1.2, ltv_cap: 1.1 }\n")) == [
                "products[1].gap.ltv_cap: the cap must not be below ltv_threshold"
            ])
        #expect(issues(gapBlock("    gap: { sold_as: dealer_waiver, funding_window_days: 3, task_day: 4 }\n")).count == 1)
        #expect(issues(gapBlock("    gap: { sold_as: dealers }\n")).count == 1)
        #expect(issues(gapBlock("    gap: { sold_as: dealer_waiver, ltv_threshold: 12 }\n")).count == 1)
        #expect(
            issues(gapBlock("    gap: { sold_as: lender_product, funding_window_days: 5 }\n    eligibility: { days_from_contract: 60 }\n"))
                .contains { $0.hasPrefix("products[1].gap.funding_window_days: is for a dealer_waiver") })
        let onVSC = DefaultMenus.menuYAML.replacingOccurrences(
            of: "    task_threshold: 3000.00", with: "    gap: { sold_as: dealer_waiver }\n    task_threshold: 3000.00")
        #expect(issues(onVSC) == ["products[0].gap: gap: is for a product of kind gap"])
    }
}
