import Foundation

/// The one text that may answer a revocation (47 CFR 64.1200(a)(12)): it confirms the opt-out, carries no marketing,
/// and goes out within five minutes of the STOP or not at all. Afterdesk sends it as the reply to the provider's
/// webhook, so it leaves at once; the rule decides whether this STOP gets it.
public enum StopConfirmation {
    /// The longest a confirmation may follow the revocation.
    public static let limit: TimeInterval = 5 * 60

    /// True when this STOP is answered: a message seen for the first time that revokes a consent still in force
    /// (a second STOP while the first stands gets no second confirmation), or the provider's retry of that message
    /// within five minutes of Afterdesk first receiving it (providers retry only when the first answer did not reach
    /// them, so it was never sent). A replay or retry later than that is not answered.
    public static func sends(fresh: Bool, alreadyStopped: Bool, firstReceived: Date?, now: Date) -> Bool {
        guard !alreadyStopped else { return false }
        if fresh { return true }
        guard let first = firstReceived else { return false }
        let elapsed = now.timeIntervalSince(first)
        return elapsed >= 0 && elapsed <= limit
    }
}
