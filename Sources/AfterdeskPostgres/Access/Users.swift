import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// Users and API tokens, as SQLite's `Access/Users.swift`: `users.name` compares without case (`afterdesk_nocase`), so
/// `name = $1` finds "Ada" for "ada" and the UNIQUE key refuses both, as SQLite's NOCASE does.
extension PostgresStorage {
    /// Adds a user, with its password's hash when it has one, in one transaction. A `sales` user works the tasks of its
    /// staff member (in its store, or the only store with that code), and is limited to that member's store; any other
    /// user to its stores (none: the group's). Of two servers adding the same name at once, the unique key refuses the
    /// second as a name taken.
    @discardableResult
    public func addUser(_ user: NewUser, passwordHash: String?, now: Date) async throws -> Int64 {
        let (name, role, staffCode) = (user.name, user.role, user.staffCode)
        let taken = StoreError.conflict("a user named \(name) already exists")
        do {
            return try await write { conn in
                if try await conn.one(Int64.self, "SELECT 1::bigint FROM users WHERE name = \(name)", logger) != nil { throw taken }
                var storeIDs: [Int64] = []
                for store in user.stores {
                    guard let id = try await conn.one(Int64.self, "SELECT id FROM stores WHERE code = \(store)", logger) else {
                        throw StoreError.notFound("no store '\(store)' (stores are created by the first import of their deals)")
                    }
                    storeIDs.append(id)
                }
                var staffID: Int64?
                if let staffCode {
                    let one = storeIDs.count == 1 ? storeIDs.first : nil
                    let member = try await Self.staffMember(conn, code: staffCode, storeID: one, store: user.stores.first, logger)
                    staffID = member.id
                    if storeIDs.isEmpty, role == .sales { storeIDs = [member.storeID] }
                }
                let id = try await conn.one(
                    Int64.self,
                    """
                    INSERT INTO users (name, role, staff_id, store_id, password_hash, created_at)
                    VALUES (\(name), \(role.rawValue), \(staffID), \(storeIDs.first), \(passwordHash), \(now.wholeSecond)) RETURNING id
                    """, logger)
                guard let id else { throw StoreError.integrity("the new user's id was not returned") }
                try await conn.run(
                    "INSERT INTO user_stores (user_id, store_id) SELECT \(id), unnest(\(storeIDs)::int8[])", logger)
                return id
            }
        } catch  where PostgresErrors.isUniqueViolation(error) {
            throw taken
        }
    }

    /// The one staff member with `code` (in the store `storeID`, when given): its id and its store's.
    private static func staffMember(_ conn: PostgresConnection, code: String, storeID: Int64?, store: String?, _ logger: Logger)
        async throws -> (id: Int64, storeID: Int64)
    {
        let rows = try await conn.rows(
            """
            SELECT st.id, st.store_id FROM staff st
            WHERE st.staff_code = \(code) AND (\(storeID)::bigint IS NULL OR st.store_id = \(storeID))
            """, logger)
        guard let first = rows.first else {
            throw StoreError.notFound("no staff member \(code)\(store.map { " in store \($0)" } ?? ""): add them with afterdesk staff add")
        }
        if rows.count > 1 { throw StoreError.ambiguous("staff code \(code) is used in several stores: say which with --store") }
        let (id, storeOfMember) = try first.decode((Int64, Int64).self)
        return (id, storeOfMember)
    }

    /// Every user, ordered by name without case, as SQLite's NOCASE orders them (ASCII letters folded, then bytes).
    public func users() async throws -> [UserRow] {
        try await read { conn in
            let rows = try await conn.rows(
                """
                SELECT u.id, u.name, u.role, st.staff_code,
                       (SELECT array_agg(s.code ORDER BY s.code) FROM user_stores us JOIN stores s ON s.id = us.store_id
                        WHERE us.user_id = u.id),
                       u.active, u.password_hash IS NOT NULL,
                       (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL)
                FROM users u LEFT JOIN staff st ON st.id = u.staff_id
                ORDER BY lower(u.name COLLATE "C"), u.name COLLATE "C", u.id
                """, logger)
            return try rows.map { row in
                let (id, name, role, staff, stores, active, hasPassword, tokens) = try row.decode(
                    (Int64, String, String, String?, [String]?, Bool, Bool, Int).self)
                return UserRow(
                    id: id, name: name, role: try Self.storedRole(role), staff: staff, stores: stores ?? [], active: active,
                    hasPassword: hasPassword, tokens: tokens)
            }
        }
    }

    public func user(named name: String) async throws -> UserRow? {
        // `users.name` compares as `afterdesk_nocase`: the comparison every action on a name makes.
        guard let id = try await read({ conn in try await conn.one(Int64.self, "SELECT id FROM users WHERE name = \(name)", logger) })
        else { return nil }
        return try await users().first { $0.id == id }
    }

    /// A role read from `users.role`: one the code does not know is an integrity error, never guessed.
    static func storedRole(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw StoreError.integrity("users.role holds \"\(text)\", which is not a known \(Role.self)")
        }
        return role
    }

    /// Disables a user: their tokens stop working at once (they are checked against the user on every request).
    public func disableUser(name: String, now: Date) async throws {
        try await write { conn in
            let changed = try await conn.rows(
                "UPDATE users SET active = false, disabled_at = \(now.wholeSecond) WHERE name = \(name) AND active RETURNING id", logger)
            if changed.isEmpty, try await conn.one(Int64.self, "SELECT id FROM users WHERE name = \(name)", logger) == nil {
                throw StoreError.notFound("no user named \(name)")
            }
        }
    }

    /// Changes a user's role. A sales user needs its staff member (`users add --staff`): a user without one cannot
    /// become sales here.
    public func setRole(name: String, role: Role) async throws {
        try await write { conn in
            let found = try await conn.rows(
                """
                SELECT u.staff_id, (SELECT count(*) FROM user_stores s WHERE s.user_id = u.id) FROM users u WHERE u.name = \(name)
                FOR UPDATE OF u
                """, logger
            ).first
            guard let found else { throw StoreError.notFound("no user named \(name)") }
            let (staff, stores) = try found.decode((Int64?, Int64).self)
            if role == .sales, staff == nil {
                throw StoreError("a sales user needs a staff member: add a new user with its staff code instead")
            }
            if role == .sales, stores > 1 { throw StoreError(NewUserProblem.salesInSeveralStores.description) }
            try await conn.run("UPDATE users SET role = \(role.rawValue) WHERE name = \(name)", logger)
        }
    }

    /// Stores a new token's hash for a user. `label` is the token's first characters, to tell tokens apart in lists.
    /// The user's row is held (FOR SHARE) until the token is in, so a user disabled meanwhile is disabled after it.
    public func addToken(user: String, tokenHash: String, label: String, expiresAt: Date?, now: Date) async throws -> Int64 {
        try await write { conn in
            guard let row = try await conn.rows("SELECT id, active FROM users WHERE name = \(user) FOR SHARE", logger).first else {
                throw StoreError.notFound("no user named \(user) (add one with afterdesk users add)")
            }
            let (userID, active) = try row.decode((Int64, Bool).self)
            guard active else { throw StoreError("user \(user) is disabled") }
            let id = try await conn.one(
                Int64.self,
                """
                INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at)
                VALUES (\(userID), \(tokenHash), \(label), \(now.wholeSecond), \(expiresAt?.wholeSecond)) RETURNING id
                """, logger)
            guard let id else { throw StoreError.integrity("the new token's id was not returned") }
            return id
        }
    }

    public func tokens() async throws -> [TokenRow] {
        try await read { conn in
            try await conn.rows(
                """
                SELECT t.id, u.name, t.label, t.created_at, t.expires_at, t.revoked_at
                FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id
                """, logger
            ).map { row in
                let (id, user, label, created, expires, revoked) = try row.decode((Int64, String, String, Date, Date?, Date?).self)
                return TokenRow(id: id, user: user, label: label, createdAt: created, expiresAt: expires, revokedAt: revoked)
            }
        }
    }

    public func revokeToken(id: Int64, now: Date) async throws {
        try await write { conn in
            let changed = try await conn.rows(
                "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, \(now.wholeSecond)) WHERE id = \(id) RETURNING id", logger)
            if changed.isEmpty { throw StoreError.notFound("no token \(id)") }
        }
    }
}
