import Foundation
import Synchronization

/// A fixed-window limit per key (an address, a link), in memory: `limit` requests per `window`. The customer's routes
/// are public, so a stranger guessing tokens or pressing a button in a loop is refused with 429 (docs/offers.md).
public final class RateLimiter: Sendable {
    public let limit: Int
    public let window: TimeInterval
    private let state = Mutex<[String: (start: Date, count: Int)]>([:])

    public init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// True when the request is allowed (and counts it); else the seconds until it would be.
    public func allow(_ key: String, now: Date) -> (allowed: Bool, retryAfter: Int) {
        state.withLock { s in
            if s.count > 50_000 { s = s.filter { now.timeIntervalSince($0.value.start) < window } }
            var entry = s[key] ?? (now, 0)
            if now.timeIntervalSince(entry.start) >= window || now < entry.start { entry = (now, 0) }
            guard entry.count < limit else {
                let wait = window - now.timeIntervalSince(entry.start)
                return (false, wait.isFinite ? Int(min(max(wait, 1), 86_400).rounded(.up)) : 60)
            }
            entry.count += 1
            s[key] = entry
            return (true, 0)
        }
    }
}

/// The offer page's limits: requests per address (this server's count: nginx's `limit_req` is the edge's, shared by
/// every server behind it), and button presses per link (counted in the database, every server together: each press
/// makes a task).
public struct OfferLimits: Sendable {
    public var perAddress: RateLimiter
    public var pressesPerLink: RateLimiter
    /// 30 requests a minute from one address; 10 presses an hour on one link.
    public init(
        perAddress: RateLimiter = RateLimiter(limit: 30, window: 60), pressesPerLink: RateLimiter = RateLimiter(limit: 10, window: 3600)
    ) {
        self.perAddress = perAddress
        self.pressesPerLink = pressesPerLink
    }
}
