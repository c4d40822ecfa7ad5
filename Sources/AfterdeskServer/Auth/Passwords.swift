import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import HummingbirdBcrypt

/// Passwords for the web pages: bcrypt (cost 12), checked off the event loop. Never logged, never stored in clear.
public enum Passwords {
    /// At least 10 characters; bcrypt reads at most 72 bytes, so a longer one is refused rather than cut short. Not
    /// blank, not holding the user's name (of 3 characters or more), and not on the list of common passwords
    /// (`CommonPasswords`, Django's).
    public static func check(_ password: String, user: String) throws {
        guard !password.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw StoreError("a password cannot be only spaces")
        }
        // bcrypt stops at the first NUL byte: a password of NULs would be the empty one, and text after a NUL ignored.
        guard !password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw StoreError("a password cannot contain control characters (tabs, line breaks, NUL)")
        }
        guard password.count >= 10 else { throw StoreError("a password has at least 10 characters") }
        guard password.utf8.count <= 72 else { throw StoreError("a password has at most 72 bytes") }
        // Compared as people read them: full-width and other compatibility forms folded (ｐａｓｓｗｏｒｄ is password).
        let lower = password.precomposedStringWithCompatibilityMapping.lowercased()
        let name = user.trimmingCharacters(in: .whitespaces).lowercased()
        if name.count >= 3, lower.contains(name) { throw StoreError("a password cannot contain the user's name") }
        let folded = lower.trimmingCharacters(in: .whitespaces)
        guard !CommonPasswords.all.contains(Substring(folded)) else {
            throw StoreError("that password is on a list of common passwords: choose another")
        }
    }

    public static func hash(_ password: String, cost: UInt8 = 12) -> String { Bcrypt.hash(password, cost: cost) }

    /// Whether `password` matches `hash`; with no hash, a check against a dummy one, so an unknown user takes as long.
    static func verify(_ password: String, hash: String?) async -> Bool {
        // A NUL ends bcrypt's input, so "\0" or "" would match a password set as "\0\0…" before NULs were refused: an
        // empty password or one with a NUL never matches (still checked against the dummy, to take as long).
        let possible = !password.isEmpty && !password.utf8.contains(0)
        let stored = possible ? hash ?? dummy : dummy
        let ok = await Task.detached(priority: .userInitiated) { Bcrypt.verify(String(password.prefix(72)), hash: stored) }.value
        return ok && hash != nil && possible
    }

    /// A bcrypt hash (cost 12) of a password nobody knows, made once, for the timing of unknown users.
    private static let dummy = Bcrypt.hash(CSRF.token(), cost: 12)
}

/// The password check of the sign-in form, injected so tests can count and hold the checks (`ServerContext.passwords`).
public struct PasswordVerifier: Sendable {
    public var verify: @Sendable (_ password: String, _ hash: String?) async -> Bool
    public init(verify: @escaping @Sendable (_ password: String, _ hash: String?) async -> Bool) { self.verify = verify }
    /// bcrypt, off the event loop.
    public static let bcrypt = PasswordVerifier { await Passwords.verify($0, hash: $1) }
}
