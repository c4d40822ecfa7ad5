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
