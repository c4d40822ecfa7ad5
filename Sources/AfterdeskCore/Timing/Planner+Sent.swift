import Foundation

/// Touches already taken are never planned again: planning runs again whenever a customer's facts change (an import, a
/// reading, a START, a task outcome), and on the day a touch went out its step would still be due.
extension Planner {
    /// Why a step is not planned for what already happened: its touch went out, or its day has passed.
    enum Taken {
        case sent(Date)
        case past

        /// In words, for `explain` (only when drops are kept).
        func why(day: PlanningDay) -> String {
            switch self {
            case .sent(let at): Planner.alreadySent(at, day: day)
            case .past: "due before the plan was made (\(day.today))"
            }
        }
    }

    /// The step `touch` of `d` on `date`, when it was sent already or is due before `today`; nil when it is still ahead.
    static func taken(_ d: DeclineFacts, _ touch: String, on date: LocalDate, today: LocalDate) -> Taken? {
        if !d.sent.isEmpty, let at = d.sent[touch] { return .sent(at) }
        return date < today ? .past : nil
    }

    /// Why a touch already taken is not planned again: the customer's day it went out.
    static func alreadySent(_ at: Date, day: PlanningDay) -> String {
        "already sent on \(LocalDate(at, in: day.zone))"
    }
}
