import Foundation

/// What several servers on one database share besides locks: leases, which one server holds at a time for as long as
/// it renews them (the scheduler's: `Scheduler`, docs/operations.md), and counted limits every server counts against
/// together (a link's button presses). Instants are the caller's clock: servers keep time by NTP, and a lease's
/// length absorbs their drift.
public protocol LeaseStorage: Sendable {
    /// Takes or renews the lease `name` for `holder` until `now + duration`: when no one holds it, when its holder's
    /// time ran out by `now`, or when `holder` holds it already. Of servers trying at once, one gets it. The lease as
    /// it stands afterwards: held by `holder`, or by the other server still within its time.
    func claimLease(_ name: String, holder: String, duration: TimeInterval, now: Date) async throws -> Lease
    /// Lets the lease go when `holder` holds it (a graceful stop: another server takes it at its next try).
    func releaseLease(_ name: String, holder: String) async throws
    /// The lease `name` as it stands (nil: never taken, or let go).
    func lease(_ name: String) async throws -> Lease?

    /// Counts a hit on `key` against `limit` hits a fixed `window` (seconds) counted from its first hit, on every server
    /// alike: whether this one is within the limit, and if not, the whole seconds until the window ends.
    func countHit(_ key: String, limit: Int, window: TimeInterval, now: Date) async throws -> (allowed: Bool, retryAfter: Int)
    /// Removes the windows that ended before `before`; how many.
    @discardableResult
    func tidyHits(before: Date) async throws -> Int
}

/// A lease as the database holds it.
public struct Lease: Sendable, Equatable {
    public var name: String
    public var holder: String
    /// When its holder took it (renewals keep it).
    public var acquiredAt: Date
    public var expiresAt: Date

    public init(name: String, holder: String, acquiredAt: Date, expiresAt: Date) {
        self.name = name
        self.holder = holder
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }

    public func isHeld(by someone: String) -> Bool { holder == someone }
}

/// The names of the leases.
public enum LeaseName {
    /// The scheduler's: the one server that runs each tick.
    public static let scheduler = "scheduler"
    /// A server's own, renewed while it lives: the messages it claims are in doubt only once it has run out.
    public static func server(_ holder: String) -> String { "server:\(holder)" }
}

/// A fixed window of `countHit`.
public enum RateWindow {
    /// A window started by a server whose clock is ahead by up to this is the same window; one further ahead is a
    /// clock set back, and starts again.
    public static let clockTolerance: TimeInterval = 60

    /// The seconds until a window that started at `start` ends, at least 1 (a retry before it is refused again).
    public static func secondsLeft(of start: Date, window: TimeInterval, now: Date) -> Int {
        let left = start.addingTimeInterval(window).timeIntervalSince(now)
        return left.isFinite ? Int(min(max(left, 1), 86_400).rounded(.up)) : 60
    }
}
