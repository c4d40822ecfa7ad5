import AfterdeskCore
import Foundation

/// The limits of signing in (docs/security.md). Each is counted over failures, and an attempt whose password is still
/// being checked counts as a failure until it is settled, so a burst of parallel guesses is held to the limit:
/// - `pairFailures` failures of one name from one address within `window` refuse that name from that address until the
///   oldest of them is `window` old (the right password too);
/// - `addressFailures` failures from one address within `window` refuse the address the same way;
/// - after `nameFailures` failures of one name within `nameWindow`, from any addresses, the name is slowed, not locked:
///   at most one password check every `nameInterval`, so a stranger's guesses cannot lock a person out for everyone;
///   and an address the name signed in from within `knownAddressDays` is not slowed at all, so the person's own
///   devices are not held behind a stranger's burst (only the limit of the name and that address applies to them).
/// A name's failures count since its last success.
public struct SignInLimits: Sendable, Equatable {
    public var pairFailures = 5
    public var addressFailures = 20
    public var window: TimeInterval = 15 * 60
    public var nameFailures = 20
    public var nameWindow: TimeInterval = 60 * 60
    public var nameInterval: TimeInterval = 30
    public var knownAddressDays = 30
    public init() {}
}

/// What the sign-in gate says before a password is checked.
public enum SignInGate: Sendable, Equatable {
    /// The attempt is reserved (counted as a failure until `settleSignIn`): check the password.
    case check(attempt: Int64)
    /// Refused without a password check until then.
    case refused(until: Date)
}

/// A user as the sign-in form sees them: who they are and the bcrypt hash to check the password against.
public struct SignInUser: Sendable, Equatable {
    public var principal: Principal
    public var passwordHash: String?

    public init(
        principal: Principal, passwordHash: String? = nil
    ) {
        self.principal = principal
        self.passwordHash = passwordHash
    }
}
