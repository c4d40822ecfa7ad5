import AfterdeskCore
import AfterdeskDemo
import Foundation
import Testing

@Suite struct PlannerTests {
    let menu = try! MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
    let warranties = try! MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")

    func deals(_ count: Int, seed: UInt64) throws -> [DealRecord] {
        let gen = SyntheticDealership(
            seed: seed, menu: menu, endDate: LocalDate(year: 2026, month: 10, day: 31)!, days: 365,
            dealsPerDay: Double(count) / 365, errorRate: 0)
        return try decodeCSV(gen.csv(limit: count)).compactMap(\.record)
    }

    func plan(_ deal: DealRecord, now: Date? = nil) -> CustomerPlan {
        let declines = deal.products.filter { $0.outcome == .declined }.map {
            DeclineFacts(store: deal.store, dealNumber: deal.dealNumber, product: $0, deal: deal)
        }
        let at =
            now ?? ContactWindow.strict.instant(on: deal.deliveryDate, atMinutes: 9 * 60, zone: TimeZone(identifier: "America/Chicago")!)
        return Planner(menu: menu, warranties: warranties).plan(
            declines: declines,
            permissions: ContactPermissions(sms: deal.consent.sms, email: deal.consent.email, phone: deal.consent.phone), now: at)
    }

    /// The good row as a car of `condition` and `year`, in service since `inService` with `odometer` miles at the sale,
    /// whose service contract was declined (deal D-OLD-VSC, outside the holdout).
    func vscDeclined(_ condition: VehicleCondition, year: Int, inService: LocalDate, odometer: Int) throws -> DealRecord {
        var deal = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        deal.vehicleCondition = condition
        deal.vehicleYear = year
        deal.inServiceDate = inService
        deal.odometer = odometer
        deal.dealNumber = "D-OLD-VSC"
        deal.products = [ProductLine(code: "vsc", outcome: .declined, price: Money(dollars: 2_495))]
        return deal
    }

    @Test func aWorkedExample() throws {
        let rows = try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")
        var deal = try #require(rows[0].record)
        deal.products = ["vsc", "gap", "tire_wheel", "appearance", "maintenance"].map {
            ProductLine(code: $0, outcome: .declined, price: menu.product($0)!.retailPrice)
        }
        let p = plan(deal)
        let vsc = try #require(p.products.first { $0.product == "vsc" })
        // A new 2026 Toyota delivered 2026-06-01 with 12 miles: 35,988 more miles at 12,000 a year (1,095 days) come a
        // day before 3 years.
        #expect(vsc.warranty?.basic.date == LocalDate(year: 2029, month: 5, day: 31) && vsc.warranty?.basic.limit == .miles)
        // The maker's new-vehicle plan closes the day before the basic warranty ends; an after-warranty plan opens that day.
        #expect(
            vsc.eligibility.classes.first?.until == vsc.warranty?.basic.date.adding(days: -1)
                && vsc.eligibility.classes.first?.reason == .basicWarranty)
        #expect(vsc.eligibility.classes.map(\.planClass.kind) == [.manufacturerNew, .used, .afterWarranty])
        #expect(vsc.eligibility.classes[1].opensAtAll == false, "a used-vehicle plan is not for a car sold new")
        #expect(vsc.eligibility.classes[2].opens == vsc.warranty?.basic.date)
        let gap = try #require(p.products.first { $0.product == "gap" })
        #expect(gap.holdout || gap.gap?.exposureEndsOn != nil)
        // Every touch respects the caps; the first lands days after delivery, not weeks.
        let first = try #require(p.touches.first)
        #expect(first.dueOn < deal.deliveryDate.adding(days: 8))
        #expect(
            !p.touches.isEmpty
                && p.touches.allSatisfy { $0.action == .sms || $0.items.contains { $0.touch == "expiry-7" } || $0.action == .task })
        // Reasons are written for people.
        let expiry = try #require(p.touches.flatMap(\.items).first { $0.touch == "expiry-90" }, "the VSC has its 90-day touch")
        // The one-year milestone is for a car no warranty times: a new car's maker's plan is open on its day, so none.
        #expect(!p.touches.flatMap(\.items).contains { $0.touch == "one-year" })
        let skipped = try #require(p.dropped.first { $0.item.touch == "one-year" }, "explain says why there is no one-year touch")
        #expect(skipped.why == "a touch for after_warranty, used only, and a manufacturer's new-vehicle plan is the one open then")
        #expect(expiry.reason.hasPrefix("factory basic warranty projected to end 2029-05-31 at 36,000 miles; 90 days before"))
        #expect(
            expiry.reason.hasSuffix("; the maker's new-vehicle plan"))
    }

    /// The row that crashed `import`, `plan`, `explain` and `serve`: a used car with an odometer of 1 at sale.
    @Test func aPlaceholderOdometerPlansLikeAnyOtherDeal() throws {
        var deal = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        deal.vehicleCondition = .used
        deal.vehicleYear = 2023
        deal.inServiceDate = LocalDate(year: 2023, month: 7, day: 1)!
        deal.odometer = 1
        deal.products = ["vsc", "maintenance"].map { ProductLine(code: $0, outcome: .declined, price: menu.product($0)!.retailPrice) }
        let p = plan(deal)
        let vsc = try #require(p.products.first { $0.product == "vsc" })
        #expect(vsc.warranty?.ignoredReadings.count == 1 && vsc.warranty?.milesPerYearIsDefault == true)
        #expect(p.products.count == 2)
    }

    /// A quote no desk meant is not believed: $99,999 does not turn the service contract into a call.
    @Test func anImplausibleQuoteDoesNotMakeATask() throws {
        var deal = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        deal.dealNumber = "D-QUOTE-3"
        deal.products = [ProductLine(code: "vsc", outcome: .declined, price: Money(dollars: 99_999))]
        let p = plan(deal)
        #expect(!p.products[0].holdout, "pick a deal number outside the holdout")
        #expect(!p.touches.isEmpty)
        #expect(p.touches.contains { $0.action == .sms })
        #expect(!p.touches.flatMap(\.items).contains { $0.reason.contains("threshold") || $0.reason.contains("99,999") })
    }

    @Test func cashDealsGetNoGAPAndDeclinesAboveTheThresholdGoToAPerson() throws {
        var deal = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        deal.dealType = .cash
        deal.products = [
            ProductLine(code: "gap", outcome: .declined, price: Money(dollars: 895)),
            ProductLine(code: "vsc", outcome: .declined, price: Money(dollars: 3_495)),
        ]
        deal.dealNumber = "D-CASH-1"
        let p = plan(deal)
        let gap = try #require(p.products.first { $0.product == "gap" })
        #expect(gap.note == "cash deal: no loan for GAP to cover" || gap.holdout)
        #expect(!p.touches.flatMap(\.items).contains { $0.product == "gap" })
        for t in p.touches where t.items.contains(where: { $0.product == "vsc" }) { #expect(t.action == .task) }
    }

    /// A used car sold out of basic warranty, a core market for service contracts: its declined VSC is followed up as a
    /// used-vehicle plan, timed to its ownership milestones (its powertrain warranty ended too).
    @Test func aUsedCarOutOfBasicWarrantyIsFollowedUpByItsUsedClass() throws {
        let deal = try vscDeclined(.used, year: 2019, inService: LocalDate(year: 2019, month: 3, day: 1)!, odometer: 88_000)
        let p = plan(deal)
        let vsc = try #require(p.products.first)
        #expect(!vsc.holdout, "pick a deal number outside the holdout")
        #expect(vsc.note == nil)
        let used = try #require(vsc.eligibility.classes.first { $0.planClass.kind == .used })
        // 10 years from 2019-03-01 come before 125,000 miles (37,000 more at its own 12,100 or so a year).
        #expect(used.until == LocalDate(year: 2029, month: 3, day: 1) && used.reason == .vehicleAge)
        let items = p.touches.flatMap(\.items)
        #expect(items.map(\.touch).sorted() == ["one-year", "second-chance"])
        #expect(
            items.allSatisfy { $0.reason.contains("; a used-vehicle plan until about 2029-03-01") }
        )
    }

    /// A certified car keeps the maker's certified coverage after the factory's basic warranty, but a maker's
    /// new-vehicle plan is sold only before the factory's ends.
    @Test func aCertifiedCarsNewVehiclePlanClosesWithTheFactoryWarranty() throws {
        let deal = try vscDeclined(.certified, year: 2023, inService: LocalDate(year: 2023, month: 3, day: 1)!, odometer: 40_000)
        let vsc = try #require(plan(deal).products.first)
        let w = try #require(vsc.warranty)
        // The factory's 36,000 miles were passed before the sale; ToyotaCertified's year from the sale runs on.
        #expect(w.factoryBasic.date < deal.contractDate && w.basic.date > deal.contractDate && w.basic.program == .certifiedFromSale)
        #expect(vsc.eligibility.classes[0].opensAtAll == false && vsc.eligibility.classes[0].reason == .basicWarranty)
        #expect(vsc.eligibility.bestClass(on: deal.contractDate)?.planClass.kind == .used)
    }

    /// Planning many customers counts the touches not kept without writing why: the same touches, the same count.
    @Test func countingDropsChangesNothingElse() throws {
        var counting = Planner(menu: menu, warranties: warranties)
        counting.keepsDropped = false
        let keeping = Planner(menu: menu, warranties: warranties)
        var compared = 0
        for deal in try deals(300, seed: 25) {
            let declines = deal.products.filter { $0.outcome == .declined }.map {
                DeclineFacts(store: deal.store, dealNumber: deal.dealNumber, product: $0, deal: deal)
            }
            let permissions = ContactPermissions(sms: deal.consent.sms, email: deal.consent.email, phone: deal.consent.phone)
            let now = Date(timeIntervalSince1970: 1_793_000_000)
            let a = keeping.plan(declines: declines, permissions: permissions, now: now)
            let b = counting.plan(declines: declines, permissions: permissions, now: now)
            #expect(a.touches == b.touches && a.products == b.products)
            #expect(b.dropped.isEmpty && b.droppedCount == a.dropped.count && a.droppedCount == a.dropped.count)
            compared += a.dropped.count
        }
        #expect(compared > 100, "the deals dropped touches to count")
    }

    /// Past every class's limits at the sale: nothing to offer, and the plan says why.
    @Test func aCarPastEveryClassSaysSo() throws {
        let deal = try vscDeclined(.used, year: 2009, inService: LocalDate(year: 2009, month: 3, day: 1)!, odometer: 188_000)
        let p = plan(deal)
        let vsc = try #require(p.products.first)
        #expect(vsc.note?.hasPrefix("cannot be bought any more: ") == true && vsc.note?.hasSuffix(", before the sale") == true)
        #expect(p.touches.isEmpty && p.dropped.isEmpty)
    }

    @Test func withoutConsentEveryTouchIsATask() throws {
        var deal = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        deal.consent = Consent()
        deal.dealNumber = "D-QUOTE-3"  // not held out: something is planned
        let touches = plan(deal).touches
        #expect(!touches.isEmpty)
        #expect(touches.allSatisfy { $0.action == .task })
    }

    /// Property: over thousands of generated deals, no plan breaks the caps, the contact window, the
    /// eligibility windows or the holdout.
    @Test func noPlanBreaksTheRules() throws {
        let all = try deals(2_000, seed: 17)
        #expect(all.count > 1_950)
        var touches = 0
        var held = 0
        var products = 0
        for deal in all {
            let p = plan(deal)
            let zone = TimeZone(
                identifier: CustomerTimeZone.zone(state: deal.buyerState, zip: deal.buyerZip, dealershipZone: menu.dealership.timeZone))!
            let window = ContactWindow.forState(deal.buyerState)
            let days = p.touches.map(\.dueOn)
            #expect(Set(days).count == days.count, "one touch a day: \(deal.dealNumber)")
            for d in days {
                for start in 0..<30 {
                    let from = d.adding(days: -start)
                    let to = from.adding(days: 29)
                    #expect(days.filter { $0 >= from && $0 <= to }.count <= 3, "3 in 30 days: \(deal.dealNumber)")
                }
            }
            for t in p.touches {
                #expect(window.contains(t.dueAt, zone: zone), "inside contact hours: \(deal.dealNumber) \(t.dueAt)")
                #expect(LocalDate(t.dueAt, in: zone) == t.dueOn)
                for item in t.items {
                    let product = try #require(p.products.first { $0.product == item.product })
                    // A held-out deal is followed up only once its holdout ends (holdout_months after the contract).
                    #expect(
                        !product.holdout || t.dueOn >= product.heldOutUntil ?? .last, "holdout touched: \(deal.dealNumber) \(item.product)")
                    #expect(product.eligibility.isOpen(on: t.dueOn), "after the window: \(deal.dealNumber) \(item.product)")
                    #expect(!item.reason.isEmpty)
                }
                touches += 1
            }
            held += p.products.filter(\.holdout).count
            products += p.products.count
        }
        #expect(touches > 3_000)
        let share = Double(held) / Double(products)
        #expect(share > 0.07 && share < 0.13, "holdout share \(share)")
    }
}
