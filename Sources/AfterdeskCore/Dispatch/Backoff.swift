import Foundation

/// Retry timing for a provider that failed: exponential from `base`, capped, with at most `maxAttempts` tries
/// before the message becomes a visible dead letter.
public struct Backoff: Sendable, Equatable {
    public var base: TimeInterval = 60
    public var cap: TimeInterval = 3_600
    public var maxAttempts = 6
    public init(base: TimeInterval = 60, cap: TimeInterval = 3_600, maxAttempts: Int = 6) {
        self.base = base
        self.cap = cap
        self.maxAttempts = maxAttempts
    }

    /// The wait after `attempt` failed tries (1 = the first failure).
    public func delay(afterAttempt attempt: Int) -> TimeInterval {
        min(cap, base * pow(2, Double(max(0, attempt - 1))))
    }

    /// True when `attempts` failed tries leave none.
    public func exhausted(_ attempts: Int) -> Bool { attempts >= maxAttempts }
}
