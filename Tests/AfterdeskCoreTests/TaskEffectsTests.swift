import AfterdeskCore
import Foundation
import Testing

/// What a task's outcome does, decided in Core with plain values: the store applies the effects.
@Suite struct TaskEffectsTests {
    let day = LocalDate(year: 2026, month: 11, day: 18) ?? LocalDate(daysSinceEpoch: 0)
    let vsc = TaskItem(deal: 7, product: "vsc")
    let gap = TaskItem(deal: 7, product: "gap")

    func effects(
        _ outcome: TaskOutcome, items: [TaskItem], price: Money? = nil, cost: Money? = nil, note: String? = nil
    ) throws(TaskOutcomeProblem) -> [TaskEffect] {
        try outcome.effects(task: 42, items: items, price: price, cost: cost, note: note, today: day)
    }

    @Test func aSaleOfTheTasksOneProductIsARecoveryOnTheStoresDay() throws {
        let price = Money(cents: 89_500)
        let cost = Money(cents: 30_000)
        #expect(
            try effects(.sold, items: [vsc], price: price, cost: cost, note: "paid")
                == [.recordSale(vsc, soldOn: day, price: price, cost: cost, note: "paid")])
    }

    @Test func aSaleNeedsAPriceAndOneProduct() {
        #expect(throws: TaskOutcomeProblem.saleNeedsPrice) { try effects(.sold, items: [vsc]) }
        #expect(throws: TaskOutcomeProblem.saleNeedsProduct(task: 42)) {
            try effects(.sold, items: [vsc, gap], price: Money(cents: 100))
        }
        #expect(throws: TaskOutcomeProblem.saleNeedsProduct(task: 42)) { try effects(.sold, items: [], price: Money(cents: 100)) }
    }

    @Test func notInterestedStopsEveryProductOfTheTask() throws {
        #expect(
            try effects(.notInterested, items: [gap, vsc]) == [.stopFollowUp(gap, .notInterested), .stopFollowUp(vsc, .notInterested)])
    }

    @Test func stopContactingWithdrawsEveryChannelAndCancelsEverything() throws {
        let all = ContactChannel.allCases
        #expect(
            try effects(.stopContacting, items: [vsc]) == [
                .stopAllContact, .withdrawConsent(all, sourceDetail: nil),
                .cancelPending(channels: nil, reason: "the customer asked staff to stop all contact"),
                .recordStaffStop(detail: "stop contacting", channels: all, wholeCustomer: true),
            ])
    }

    @Test func aWrongNumberWithdrawsTheTextsAndCallsOnly() throws {
        #expect(
            try effects(.wrongNumber, items: [vsc]) == [
                .withdrawConsent([.sms, .phone], sourceDetail: "wrong number"),
                .cancelPending(channels: [.sms], reason: "the phone number on file is wrong"),
                .recordStaffStop(detail: "wrong number", channels: [.sms, .phone], wholeCustomer: false),
            ])
    }

    @Test func wontDoNeedsANoteAndOtherwiseChangesOnlyTheTask() throws {
        #expect(throws: TaskOutcomeProblem.wontDoNeedsNote) { try effects(.wontDo, items: [vsc]) }
        #expect(throws: TaskOutcomeProblem.wontDoNeedsNote) { try effects(.wontDo, items: [vsc], note: "  ") }
        #expect(try effects(.wontDo, items: [vsc], note: "answered by phone").isEmpty)
        #expect(try effects(.booked, items: [vsc]).isEmpty)
        #expect(try effects(.noAnswer, items: [vsc], price: Money(cents: 5)).isEmpty)
    }

    @Test func aProductNarrowsTheItemsAndMustBeOneOfTheTasks() throws {
        #expect(try TaskOutcome.items([gap, vsc], task: 42, product: "vsc") == [vsc])
        #expect(try TaskOutcome.items([gap, vsc], task: 42, product: nil) == [gap, vsc])
        #expect(throws: TaskOutcomeProblem.notAboutProduct(task: 42, product: "tire")) {
            try TaskOutcome.items([gap, vsc], task: 42, product: "tire")
        }
    }

    @Test func amountsAreHeldToSaleAmountsPriceFirst() throws {
        try TaskOutcome.checkAmounts(price: Money(cents: 0), cost: SaleAmounts.maximumPerProduct)
        try TaskOutcome.checkAmounts(price: nil, cost: nil)
        #expect(throws: TaskOutcomeProblem.amount(.price, problem: "the price -$0.01 is negative: a price is from $0.00 up")) {
            try TaskOutcome.checkAmounts(price: Money(cents: -1), cost: Money(cents: -1))
        }
        #expect(throws: TaskOutcomeProblem.self) { try TaskOutcome.checkAmounts(price: nil, cost: Money(cents: 10_000_001)) }
    }

    /// The command line keeps its words (its flags); the API and the task page name the field their own way.
    @Test func eachDoorNamesTheFieldItsOwnWay() {
        #expect(TaskOutcomeProblem.saleNeedsPrice.cliMessage == "outcome sold needs --price")
        #expect(
            TaskOutcomeProblem.saleNeedsProduct(task: 9).cliMessage == "task 9 covers several products: say which was sold with --product")
        #expect(TaskOutcomeProblem.saleNeedsPrice.message(naming: \.label) == "outcome sold needs Price")
        #expect(TaskOutcomeProblem.saleNeedsProduct(task: 9).message(naming: \.rawValue).hasSuffix("sold with product"))
        #expect(TaskOutcomeProblem.saleNeedsProduct(task: 9).field == .product)
        #expect(TaskOutcomeProblem.saleNeedsProduct(task: 9).isAmbiguous)
        #expect(TaskOutcomeProblem.wontDoNeedsNote.field == .note)
        #expect(!TaskOutcomeProblem.wontDoNeedsNote.isAmbiguous)
        #expect(TaskOutcomeProblem.notAboutProduct(task: 3, product: "gap").cliMessage == "task 3 is not about product 'gap'")
        #expect(TaskOutcomeField.allCases.map(\.label) == ["Product", "Price", "Cost", "Note"])
    }
}
