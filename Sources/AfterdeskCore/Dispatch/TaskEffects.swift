import Foundation

/// One product of one deal that a task is about (a touch item, or the product of the offer link that raised it).
public struct TaskItem: Sendable, Equatable, Hashable {
    public var deal: Int64
    public var product: String

    public init(deal: Int64, product: String) {
        self.deal = deal
        self.product = product
    }
}

/// A field of a task's outcome, as each door names it: the command line by its flag, the API by its field, the task
/// page by its label.
public enum TaskOutcomeField: String, Sendable, Equatable, CaseIterable {
    case product, price, cost, note

    /// The command line's flag: `--price`.
    public var flag: String { "--" + rawValue }

    /// The task page's label: `Price`.
    public var label: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
}

/// Why an outcome cannot be recorded as given, naming the field to fix. Each door renders it with its own name for the
/// field (`message(naming:)`); the command line's text is `cliMessage`.
public enum TaskOutcomeProblem: Error, Sendable, Equatable {
    /// The price or cost is outside what one product is recorded at (`SaleAmounts`).
    case amount(TaskOutcomeField, problem: String)
    /// The product given is not one the task is about.
    case notAboutProduct(task: Int64, product: String)
    /// A sale with no price.
    case saleNeedsPrice
    /// A sale on a task about several products, without saying which.
    case saleNeedsProduct(task: Int64)
    /// "Won't do" with no note saying why.
    case wontDoNeedsNote

    /// The field to fix.
    public var field: TaskOutcomeField {
        switch self {
        case .amount(let field, _): field
        case .notAboutProduct, .saleNeedsProduct: .product
        case .saleNeedsPrice: .price
        case .wontDoNeedsNote: .note
        }
    }

    /// A task about several products is ambiguous (the request must say which); every other problem is invalid.
    public var isAmbiguous: Bool {
        if case .saleNeedsProduct = self { return true }
        return false
    }

    /// The sentence, with the field called `name(field)`.
    public func message(naming name: (TaskOutcomeField) -> String) -> String {
        switch self {
        case .amount(_, let problem): problem
        case .notAboutProduct(let task, let product): "task \(task) is not about product '\(product)'"
        case .saleNeedsPrice: "outcome sold needs \(name(.price))"
        case .saleNeedsProduct(let task): "task \(task) covers several products: say which was sold with \(name(.product))"
        case .wontDoNeedsNote: "outcome wont_do needs a note saying why"
        }
    }

    /// As the command line says it: `outcome sold needs --price`.
    public var cliMessage: String { message(naming: \.flag) }
}

/// What recording a task's outcome does, for the store to apply in one transaction (in this order).
public enum TaskEffect: Sendable, Equatable {
    /// The sale is a recovery of its own beside the imported deal (whose product row stays as the desk left it, so the
    /// next import cannot turn it back), follow-up of the product stops as purchased, and a `recovered` event is kept.
    case recordSale(TaskItem, soldOn: LocalDate, price: Money, cost: Money?, note: String?)
    /// Follow-up of the product stops for good.
    case stopFollowUp(TaskItem, StopKind)
    /// The customer is marked as not to be contacted at all.
    case stopAllContact
    /// Consent on `channels` is withdrawn, its source the task followed by `sourceDetail` when there is one.
    case withdrawConsent([ContactChannel], sourceDetail: String?)
    /// Planned touches and queued messages are cancelled: on `channels`, or all of them when nil.
    case cancelPending(channels: [ContactChannel]?, reason: String)
    /// Staff's stop kept in the opt-out ledger under the customer's addresses on `channels` (and under the customer
    /// itself when `wholeCustomer`), so no import turns them back on.
    case recordStaffStop(detail: String, channels: [ContactChannel], wholeCustomer: Bool)
}

extension TaskOutcome {
    /// The amounts given with an outcome, checked before anything is read: one rule for every door.
    public static func checkAmounts(price: Money?, cost: Money?) throws(TaskOutcomeProblem) {
        for (amount, field) in [(price, TaskOutcomeField.price), (cost, .cost)] {
            if let amount, let problem = SaleAmounts.problem(amount, field: field.rawValue) { throw .amount(field, problem: problem) }
        }
    }

    /// The items the outcome is about: those of `product` when one is given (which must be one of the task's).
    public static func items(_ items: [TaskItem], task: Int64, product: String?) throws(TaskOutcomeProblem) -> [TaskItem] {
        guard let product else { return items }
        let chosen = items.filter { $0.product == product }
        if chosen.isEmpty { throw .notAboutProduct(task: task, product: product) }
        return chosen
    }

    /// What this outcome of task `task`, about `items` (already narrowed by `items(_:task:product:)`), does: a sale is
    /// recorded as a recovery; "not interested" stops follow-up of the task's products; "stop contacting" and "wrong
    /// number" withdraw consent and cancel what is pending; "won't do" needs a note; the others change nothing but the
    /// task. `today` is the store's calendar day, the day of a sale.
    public func effects(
        task: Int64, items: [TaskItem], price: Money?, cost: Money?, note: String?, today: LocalDate
    ) throws(TaskOutcomeProblem) -> [TaskEffect] {
        switch self {
        case .sold:
            guard let price else { throw .saleNeedsPrice }
            guard items.count == 1, let item = items.first else { throw .saleNeedsProduct(task: task) }
            return [.recordSale(item, soldOn: today, price: price, cost: cost, note: note)]
        case .notInterested:
            return items.map { .stopFollowUp($0, .notInterested) }
        case .stopContacting:
            return [
                .stopAllContact, .withdrawConsent(ContactChannel.allCases, sourceDetail: nil),
                .cancelPending(channels: nil, reason: "the customer asked staff to stop all contact"),
                .recordStaffStop(detail: "stop contacting", channels: ContactChannel.allCases, wholeCustomer: true),
            ]
        case .wrongNumber:
            return [
                .withdrawConsent([.sms, .phone], sourceDetail: "wrong number"),
                .cancelPending(channels: [.sms], reason: "the phone number on file is wrong"),
                .recordStaffStop(detail: "wrong number", channels: [.sms, .phone], wholeCustomer: false),
            ]
        case .wontDo:
            guard let note, !note.trimmingCharacters(in: .whitespaces).isEmpty else { throw .wontDoNeedsNote }
            return []
        case .booked, .noAnswer:
            return []
        }
    }
}
