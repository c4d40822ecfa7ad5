import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Adds a user, with its password's hash when it has one, in one transaction. A `sales` user works the tasks of its
    /// staff member (in its store, or the only store with that code), and is limited to that member's store; any other
    /// user to its stores (none: the group's).
    @discardableResult
    public func addUser(_ user: NewUser, passwordHash: String?, now: Date) async throws -> Int64 {
        let trimmed = user.name
        let (role, staffCode, stores) = (user.role, user.staffCode, user.stores)
        return try await writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE name = ?", arguments: [trimmed]) != nil {
                throw StoreError.conflict("a user named \(trimmed) already exists")
            }
            var storeIDs: [Int64] = []
            for store in stores {
                guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM stores WHERE code = ?", arguments: [store]) else {
                    throw StoreError.notFound("no store '\(store)' (stores are created by the first import of their deals)")
                }
                storeIDs.append(id)
            }
            var staffID: Int64?
            if let staffCode {
                let one = storeIDs.count == 1 ? storeIDs.first : nil
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT st.id, st.store_id FROM staff st
                        WHERE st.staff_code = ? AND (? IS NULL OR st.store_id = ?)
                        """, arguments: [staffCode, one, one])
                guard let first = rows.first else {
                    throw StoreError.notFound(
                        "no staff member \(staffCode)\(one == nil ? "" : " in store \(stores[0])"): add them with afterdesk staff add")
                }
                if rows.count > 1 {
                    throw StoreError.ambiguous("staff code \(staffCode) is used in several stores: say which with --store")
                }
                staffID = first["id"]
                if storeIDs.isEmpty, role == .sales { storeIDs = [first["store_id"]] }
            }
            try db.execute(
                sql: """
                    INSERT INTO users (name, role, staff_id, store_id, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [trimmed, role.rawValue, staffID, storeIDs.first, passwordHash, Instant.iso8601(now)])
            let id = db.lastInsertedRowID
            for storeID in storeIDs {
                try db.execute(sql: "INSERT INTO user_stores (user_id, store_id) VALUES (?, ?)", arguments: [id, storeID])
            }
            return id
        }
    }

    public func users() async throws -> [UserRow] {
        try await writer.read { db in
            let stores = try Self.storesOfUsers(db)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT u.id, u.name, u.role, st.staff_code, u.active, u.password_hash IS NOT NULL AS has_password,
                           (SELECT COUNT(*) FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) AS tokens
                    FROM users u LEFT JOIN staff st ON st.id = u.staff_id ORDER BY u.name
                    """
            ).map {
                try UserRow(
                    id: $0["id"], name: $0["name"], role: $0.stored("role", of: "users"), staff: $0["staff_code"],
                    stores: stores[$0["id"] as Int64] ?? [], active: $0["active"], hasPassword: $0["has_password"], tokens: $0["tokens"])
            }
        }
    }

    public func user(named name: String) async throws -> UserRow? {
        // `users.name` is NOCASE: the comparison every action on a name makes.
        guard
            let id = try await writer.read({ db in try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE name = ?", arguments: [name]) })
        else { return nil }
        return try await users().first { $0.id == id }
    }

    /// The codes of the stores of each user, sorted; a user of the whole group has none.
    static func storesOfUsers(_ db: Database) throws -> [Int64: [String]] {
        var out: [Int64: [String]] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT us.user_id, s.code FROM user_stores us JOIN stores s ON s.id = us.store_id ORDER BY us.user_id, s.code
                """)
        while let row = try rows.next() { out[row[0] as Int64, default: []].append(row[1]) }
        return out
    }

    /// Disables a user: their tokens stop working at once (they are checked against the user on every request).
    public func disableUser(name: String, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE users SET active = 0, disabled_at = ? WHERE name = ? AND active = 1",
                arguments: [Instant.iso8601(now), name])
            if db.changesCount == 0, try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE name = ?", arguments: [name]) == nil {
                throw StoreError.notFound("no user named \(name)")
            }
        }
    }

    /// Stores a new token's hash for a user. `label` is the token's first characters, to tell tokens apart in lists.
    public func addToken(user: String, tokenHash: String, label: String, expiresAt: Date?, now: Date) async throws -> Int64 {
        try await writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, active FROM users WHERE name = ?", arguments: [user]) else {
                throw StoreError.notFound("no user named \(user) (add one with afterdesk users add)")
            }
            guard row["active"] as Bool else { throw StoreError("user \(user) is disabled") }
            try db.execute(
                sql: """
                    INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [row["id"] as Int64, tokenHash, label, Instant.iso8601(now), expiresAt.map(Instant.iso8601)])
            return db.lastInsertedRowID
        }
    }

    public func tokens() async throws -> [TokenRow] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.id, u.name AS user_name, t.label, t.created_at, t.expires_at, t.revoked_at
                    FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id
                    """
            ).map {
                try TokenRow(
                    id: $0["id"], user: $0["user_name"], label: $0["label"], createdAt: $0.instant("created_at", of: "api_tokens"),
                    expiresAt: $0.optionalInstant("expires_at", of: "api_tokens"),
                    revokedAt: $0.optionalInstant("revoked_at", of: "api_tokens"))
            }
        }
    }

    public func revokeToken(id: Int64, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", arguments: [Instant.iso8601(now), id])
            if db.changesCount == 0 { throw StoreError.notFound("no token \(id)") }
        }
    }

    /// The user a token's hash belongs to, when the token is neither revoked nor expired and its user is active.
    public func principal(tokenHash: String, now: Date) async throws -> Principal? {
        try await writer.read { db in
            guard
                let r = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT u.id, u.name, u.role, u.staff_id, \(Self.storeCodes) FROM api_tokens t JOIN users u ON u.id = t.user_id
                            WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.active = 1
                            """), arguments: [tokenHash, Instant.iso8601(now)]),
                let role = Role(rawValue: r["role"])
            else { return nil }
            return try Self.principal(db, r, role)
        }
    }

    /// The principal of a user row (`id`, `name`, `staff_id`, and `store_codes`: `storeCodes`'s column) with its stores:
    /// those of `user_stores`, or nil for the group's.
    static func principal(_ db: Database, _ r: Row, _ role: Role) throws -> Principal {
        let codes = (r["store_codes"] as String?).map { $0.split(separator: "\u{1F}").map(String.init) }
        return Principal(userID: r["id"], name: r["name"], role: role, staffID: r["staff_id"], stores: codes)
    }

    /// A user's store codes as one column of a query over `users u`, separated by U+001F (NULL: the group's), read
    /// with the user in one statement: every request of a token or a session reads it.
    static let storeCodes = """
        (SELECT group_concat(s.code, char(31)) FROM user_stores us JOIN stores s ON s.id = us.store_id WHERE us.user_id = u.id) AS store_codes
        """
}
