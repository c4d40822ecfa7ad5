import AfterdeskStore
import Foundation
import HummingbirdBcrypt

/// Passwords for the web pages: bcrypt (cost 12), checked off the event loop. Never logged, never stored in clear.
public enum Passwords {
    /// At least 10 characters; bcrypt reads at most 72 bytes, so a longer one is refused rather than cut short.
    public static func check(_ password: String) throws {
        guard password.count >= 10 else { throw StoreError("a password has at least 10 characters") }
        guard password.utf8.count <= 72 else { throw StoreError("a password has at most 72 bytes") }
    }

    public static func hash(_ password: String, cost: UInt8 = 12) -> String { Bcrypt.hash(password, cost: cost) }

    /// Whether `password` matches `hash`; with no hash, a check against a dummy one, so an unknown user takes as long.
    static func verify(_ password: String, hash: String?) async -> Bool {
        let stored = hash ?? dummy
        let ok = await Task.detached(priority: .userInitiated) { Bcrypt.verify(String(password.prefix(72)), hash: stored) }.value
        return ok && hash != nil
    }

    /// A bcrypt hash (cost 12) of a password nobody knows, made once, for the timing of unknown users.
    private static let dummy = Bcrypt.hash(CSRF.token(), cost: 12)
}
