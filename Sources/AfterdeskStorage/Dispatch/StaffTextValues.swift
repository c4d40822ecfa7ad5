import AfterdeskCore
import Foundation

extension NewOutboxMessage {
    /// The idempotency key of a text written on a task page: the form's one-time value, so a form sent twice queues
    /// one text.
    public static func staffTextKey(task: Int64, nonce: String) -> String { "staff-text-\(task)-\(nonce)" }
}

/// What the gate said about a text a person wrote on a task page.
public enum StaffTextVerdict: Sendable, Equatable {
    case send(NewOutboxMessage)
    case refuse(String)
}

/// What became of a text a person wrote on a task page.
public enum StaffTextOutcome: Sendable, Equatable {
    /// Queued in the outbox under this id (the same id for a form sent twice).
    case queued(Int64)
    case refused(String)
}
