import AfterdeskCore
import Foundation
import GRDB

/// The limits of signing in (docs/security.md): 5 failures of one user within 15 minutes lock that user out for 15
/// minutes from the fifth; 20 failures from one address within 15 minutes refuse that address the same way.
public struct SignInLimits: Sendable, Equatable {
    public var userFailures = 5
    public var addressFailures = 20
    public var window: TimeInterval = 15 * 60
    public init() {}
}

/// A user as the sign-in form sees them: who they are and the bcrypt hash to check the password against.
public struct SignInUser: Sendable, Equatable {
    public var principal: Principal
    public var passwordHash: String?
}

extension AfterdeskDatabase {
    /// Sets a user's bcrypt hash (`afterdesk users passwd`, the admin page). The hash is made by the caller.
    public func setPassword(name: String, bcryptHash: String) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE users SET password_hash = ? WHERE name = ?", arguments: [bcryptHash, name])
            if db.changesCount == 0 { throw StoreError.notFound("no user named \(name)") }
        }
    }

    /// An active user by name, for the sign-in form; nil for an unknown or disabled one.
    public func signInUser(name: String) throws -> SignInUser? {
        try writer.read { db in
            guard
                let r = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT u.id, u.name, u.role, u.staff_id, u.password_hash, s.code AS store_code FROM users u
                        LEFT JOIN stores s ON s.id = u.store_id WHERE u.name = ? AND u.active = 1
                        """, arguments: [name]),
                let role = Role(rawValue: r["role"])
            else { return nil }
            return SignInUser(
                principal: Principal(userID: r["id"], name: r["name"], role: role, staffID: r["staff_id"], store: r["store_code"]),
                passwordHash: r["password_hash"])
        }
    }

    /// The person a session belongs to, while their user is active: a disabled user's sessions end at once.
    public func principal(userID: Int64) throws -> Principal? {
        try writer.read { db in
            guard
                let r = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT u.id, u.name, u.role, u.staff_id, s.code AS store_code FROM users u
                        LEFT JOIN stores s ON s.id = u.store_id WHERE u.id = ? AND u.active = 1
                        """, arguments: [userID]),
                let role = Role(rawValue: r["role"])
            else { return nil }
            return Principal(userID: r["id"], name: r["name"], role: role, staffID: r["staff_id"], store: r["store_code"])
        }
    }

    /// Records one attempt (never the password).
    public func recordSignIn(user: String, address: String, succeeded: Bool, now: Date) throws {
        try writer.write { db in
            try db.execute(
                sql: "INSERT INTO sign_in_attempts (user_name, address, succeeded, at) VALUES (?, ?, ?, ?)",
                arguments: [String(user.prefix(64)), String(address.prefix(64)), succeeded, Instant.iso8601(now)])
        }
    }

    /// Until when signing in as `user` or from `address` is refused; nil when it is allowed. A user's failures count
    /// since their last success; an address's all count.
    public func signInRefusedUntil(user: String, address: String, limits: SignInLimits = .init(), now: Date) throws -> Date? {
        let since = Instant.iso8601(now.addingTimeInterval(-limits.window))
        return try writer.read { db in
            let userFailures = try String.fetchAll(
                db,
                sql: """
                    SELECT at FROM sign_in_attempts WHERE user_name = ? AND succeeded = 0 AND at > ?
                      AND at > COALESCE((SELECT MAX(at) FROM sign_in_attempts WHERE user_name = ? AND succeeded = 1), '')
                    ORDER BY at DESC LIMIT ?
                    """, arguments: [user, since, user, limits.userFailures])
            let addressFailures = try String.fetchAll(
                db,
                sql: "SELECT at FROM sign_in_attempts WHERE address = ? AND succeeded = 0 AND at > ? ORDER BY at DESC LIMIT ?",
                arguments: [address, since, limits.addressFailures])
            var until: Date?
            for (failures, limit) in [(userFailures, limits.userFailures), (addressFailures, limits.addressFailures)]
            where failures.count >= limit {
                guard let oldest = failures.last.flatMap(Instant.parse) else { continue }
                let end = oldest.addingTimeInterval(limits.window)
                until = max(until ?? end, end)
            }
            return until
        }
    }
}

extension AfterdeskDatabase {
    /// Changes a user's role. A sales user needs its staff member (`users add --staff`): a user without one cannot
    /// become sales here.
    public func setRole(name: String, role: Role) throws {
        try writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT staff_id FROM users WHERE name = ?", arguments: [name]) else {
                throw StoreError.notFound("no user named \(name)")
            }
            if role == .sales, (row["staff_id"] as Int64?) == nil {
                throw StoreError("a sales user needs a staff member: add a new user with its staff code instead")
            }
            try db.execute(sql: "UPDATE users SET role = ? WHERE name = ?", arguments: [role.rawValue, name])
        }
    }
}
