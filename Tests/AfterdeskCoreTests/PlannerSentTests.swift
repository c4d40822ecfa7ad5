import AfterdeskCore
import Foundation
import Testing

/// A touch already taken (a message sent, a task made) is never planned again, whatever day planning runs.
@Suite struct PlannerSentTests {
    let menu = try! MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
    let warranties = try! MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")

    func vscDeclined() throws -> DealRecord {
        var deal = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        deal.dealNumber = "D-OLD-VSC"
        deal.products = [ProductLine(code: "vsc", outcome: .declined, price: Money(dollars: 2_495))]
        return deal
    }

    func plan(_ deal: DealRecord, sent: [String: Date], now: Date) -> CustomerPlan {
        let facts = DeclineFacts(store: deal.store, dealNumber: deal.dealNumber, product: deal.products[0], deal: deal, sent: sent)
        return Planner(menu: menu, warranties: warranties).plan(
            declines: [facts], permissions: ContactPermissions(sms: true, email: true, phone: true), now: now)
    }

    @Test func aStepSentTodayIsNotPlannedAgainTheSameDay() throws {
        let deal = try vscDeclined()
        let before = ContactWindow.strict.instant(on: deal.deliveryDate, atMinutes: 9 * 60, zone: TimeZone(identifier: "America/Chicago")!)
        let first = try #require(plan(deal, sent: [:], now: before).touches.first)
        let step = try #require(first.items.first)
        // An hour after it was due (and sent), on the same day: without the history it is planned again, due now.
        let later = first.dueAt.addingTimeInterval(3_600)
        let unaware = plan(deal, sent: [:], now: later)
        #expect(unaware.touches.contains { $0.items.contains { $0.touch == step.touch } }, "the defect this guards against")
        let aware = plan(deal, sent: [step.touch: first.dueAt], now: later)
        #expect(!aware.touches.contains { $0.items.contains { $0.touch == step.touch } })
        let dropped = try #require(aware.dropped.first { $0.item.touch == step.touch })
        #expect(dropped.why == "already sent on \(first.dueOn)")
        // Only that step: the product's later touches stay planned as they were.
        let others = Set(unaware.touches.flatMap(\.items).map(\.touch)).subtracting([step.touch])
        #expect(!others.isEmpty && Set(aware.touches.flatMap(\.items).map(\.touch)) == others)
    }

    /// The dealer waiver's one re-contract task (shipped GAP, day 2 of the funding window): once made, planning that
    /// day or the next, still inside the window, does not make it again.
    @Test func aWaiverTaskMadeIsNotPlannedAgain() throws {
        var deal = try vscDeclined()
        deal.products = [ProductLine(code: "gap", outcome: .declined, price: Money(dollars: 895))]
        let before = ContactWindow.strict.instant(
            on: deal.deliveryDate, atMinutes: 9 * 60, zone: TimeZone(identifier: "America/Chicago")!)
        let task = try #require(plan(deal, sent: [:], now: before).touches.first)
        #expect(task.action == .task && task.items.map(\.touch) == [GAPRules.recontractTouch])
        for hours in [1.0, 24] {
            let later = task.dueAt.addingTimeInterval(hours * 3_600)
            #expect(plan(deal, sent: [:], now: later).touches.count == 1, "the defect this guards against")
            let aware = plan(deal, sent: [GAPRules.recontractTouch: task.dueAt], now: later)
            #expect(aware.touches.isEmpty)
            #expect(aware.dropped.map(\.why) == ["already sent on \(task.dueOn)"])
        }
    }

    @Test func anotherStepsHistoryChangesNothing() throws {
        let deal = try vscDeclined()
        let now = ContactWindow.strict.instant(on: deal.deliveryDate, atMinutes: 9 * 60, zone: TimeZone(identifier: "America/Chicago")!)
        #expect(plan(deal, sent: ["no-such-touch": now], now: now) == plan(deal, sent: [:], now: now))
    }
}
