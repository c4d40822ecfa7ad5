import AfterdeskCore
import Foundation

/// A touch of a deal's product as the plan holds it, for a preview.
public struct PreviewTouch: Sendable, Equatable {
    /// planned | sent | cancelled | skipped
    public var status: TouchStatus
    public var reason: String?
    public var dueAt: Date?
    /// The customer's calendar date of the touch.
    public var dueOn: LocalDate?
    /// How the plan makes it: sms | email | task (a message touch becomes a task above the quote threshold, or without
    /// consent for SMS or email).
    public var action: TouchAction? = nil

    public init(
        status: TouchStatus, reason: String? = nil, dueAt: Date? = nil, dueOn: LocalDate? = nil, action: TouchAction? = nil
    ) {
        self.status = status
        self.reason = reason
        self.dueAt = dueAt
        self.dueOn = dueOn
        self.action = action
    }
}
