import Foundation

/// Outcomes a person records on a task.
public enum TaskOutcome: String, Sendable, Equatable, CaseIterable, Codable {
    case sold, booked
    case notInterested = "not_interested"
    case noAnswer = "no_answer"
    case wrongNumber = "wrong_number"
    case stopContacting = "stop_contacting"
    /// The salesperson will not do this task (the note says why): the task closes, the customer's plan runs on.
    case wontDo = "wont_do"

    /// Closes the task for good; `no_answer` and `booked` leave the follow-up plan running.
    public var endsFollowUp: Bool {
        switch self {
        case .sold, .notInterested, .stopContacting: return true
        case .booked, .noAnswer, .wrongNumber, .wontDo: return false
        }
    }
}

/// The amounts a person records with a sale on a task (price and dealer cost of one product). Every door that completes
/// a task (the command line, the API, the task page) is held to this one rule, in `TaskOutcome.checkAmounts`.
public enum SaleAmounts {
    /// The most one product sells for: far above any F&I product's price, low enough that a typo (or a forged request)
    /// cannot swamp the dashboard's figures.
    public static let maximumPerProduct = Money(cents: 10_000_000)

    /// Why `amount`, the `field` of a sale ("price" or "cost"), cannot be recorded; nil when it can.
    public static func problem(_ amount: Money, field: String) -> String? {
        if amount.cents < 0 { return "the \(field) \(amount.formatted) is negative: a \(field) is from $0.00 up" }
        if amount > maximumPerProduct {
            return "the \(field) \(amount.formatted) is more than \(maximumPerProduct.formatted), the most one product is recorded at"
        }
        return nil
    }
}
