import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Sets a user's bcrypt hash (`afterdesk users passwd`, the admin page). The hash is made by the caller. The user's
    /// sessions end, but for `keepingSession` (the key of the session of the admin making the change, when it is
    /// theirs): whoever held a stolen session or the old password is signed out.
    public func setPassword(name: String, bcryptHash: String, keepingSession: String? = nil) async throws {
        try await writer.write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE name = ?", arguments: [name]) else {
                throw StoreError.notFound("no user named \(name)")
            }
            try db.execute(sql: "UPDATE users SET password_hash = ? WHERE id = ?", arguments: [bcryptHash, id])
            try Self.endSessions(db, userID: id, keeping: keepingSession)
        }
    }

    /// Deletes the web sessions of a user. A session is kept in `persist` as the server's JSON (`WebSession`), whose
    /// `userID` names its user.
    static func endSessions(_ db: Database, userID: Int64, keeping: String?) throws {
        try db.execute(
            sql: """
                DELETE FROM persist WHERE json_valid(CAST(value AS TEXT)) AND json_extract(CAST(value AS TEXT), '$.userID') = ?
                  AND key_hash IS NOT ?
                """, arguments: [userID, keeping.map(persistKey)])
    }

    /// An active user by name, for the sign-in form; nil for an unknown or disabled one.
    public func signInUser(name: String) async throws -> SignInUser? {
        try await writer.read { db in
            guard
                let r = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT u.id, u.name, u.role, u.staff_id, u.password_hash, \(Self.storeCodes) FROM users u WHERE u.name = ? AND u.active = 1
                        """, arguments: [name]),
                let role = Role(rawValue: r["role"])
            else { return nil }
            return SignInUser(principal: try Self.principal(db, r, role), passwordHash: r["password_hash"])
        }
    }

    /// The person a session belongs to, while their user is active: a disabled user's sessions end at once.
    public func principal(userID: Int64) async throws -> Principal? {
        try await writer.read { db in
            guard
                let r = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT u.id, u.name, u.role, u.staff_id, \(Self.storeCodes) FROM users u WHERE u.id = ? AND u.active = 1
                        """, arguments: [userID]),
                let role = Role(rawValue: r["role"])
            else { return nil }
            return try Self.principal(db, r, role)
        }
    }

    /// Decides whether a password may be checked for `user` from `address` and, when it may, records the attempt as a
    /// failure in the same transaction (never the password), so parallel requests see each other: the caller checks
    /// the password, then settles the attempt. An attempt never settled (the process died) stays a failure.
    public func reserveSignIn(user: String, address: String, limits: SignInLimits = .init(), now: Date) async throws -> SignInGate {
        let name = String(user.prefix(64))
        let from = String(address.prefix(64))
        // Refused by a read first: a flood of refused guesses never waits for (or holds) the write lock.
        if let until = try await writer.read({ db in try Self.signInRefusedUntil(db, user: name, address: from, limits: limits, now: now) })
        {
            return .refused(until: until)
        }
        return try await writer.writeWithoutTransaction { db in
            // IMMEDIATE: the write lock is taken before the counts are read, so another server on the file waits too.
            var gate = SignInGate.refused(until: now)
            try db.inTransaction(.immediate) {
                if let until = try Self.signInRefusedUntil(db, user: name, address: from, limits: limits, now: now) {
                    gate = .refused(until: until)
                    return .commit
                }
                try db.execute(
                    sql: "INSERT INTO sign_in_attempts (user_name, address, succeeded, at) VALUES (?, ?, 0, ?)",
                    arguments: [name, from, Instant.iso8601(now)])
                gate = .check(attempt: db.lastInsertedRowID)
                return .commit
            }
            return gate
        }
    }

    /// Settles a reserved attempt: a success ends the name's run of failures.
    public func settleSignIn(attempt: Int64, succeeded: Bool) async throws {
        guard succeeded else { return }
        try await writer.write { db in
            try db.execute(sql: "UPDATE sign_in_attempts SET succeeded = 1 WHERE id = ?", arguments: [attempt])
        }
    }

    /// Until when signing in as `user` from `address` is refused; nil when a password may be checked now.
    public func signInRefusedUntil(user: String, address: String, limits: SignInLimits = .init(), now: Date) async throws -> Date? {
        try await writer.read { db in
            try Self.signInRefusedUntil(db, user: String(user.prefix(64)), address: String(address.prefix(64)), limits: limits, now: now)
        }
    }

    /// The limits of `SignInLimits`, read in `db`. Failures are ordered by id, the order they were recorded in, so a
    /// success and failures of the same second are told apart.
    private static func signInRefusedUntil(_ db: Database, user: String, address: String, limits: SignInLimits, now: Date) throws
        -> Date?
    {
        let since = Instant.iso8601(now.addingTimeInterval(-limits.window))
        let lastSuccess =
            try Int64.fetchOne(
                db, sql: "SELECT MAX(id) FROM sign_in_attempts WHERE user_name = ? AND succeeded = 1", arguments: [user]) ?? 0
        let pair = try String.fetchAll(
            db,
            sql: """
                SELECT at FROM sign_in_attempts WHERE user_name = ? AND address = ? AND succeeded = 0 AND at > ? AND id > ?
                ORDER BY id DESC LIMIT ?
                """, arguments: [user, address, since, lastSuccess, limits.pairFailures])
        let fromAddress = try String.fetchAll(
            db, sql: "SELECT at FROM sign_in_attempts WHERE address = ? AND succeeded = 0 AND at > ? ORDER BY id DESC LIMIT ?",
            arguments: [address, since, limits.addressFailures])
        var until: Date?
        for (failures, limit) in [(pair, limits.pairFailures), (fromAddress, limits.addressFailures)] where failures.count >= limit {
            guard let oldest = failures.last.flatMap(Instant.parse) else { continue }
            let end = oldest.addingTimeInterval(limits.window)
            if end > now { until = max(until ?? end, end) }
        }
        if until != nil { return until }
        // The slow-down of a name guessed at from many addresses: one check per interval once it has failed often; not
        // from an address the name signed in from lately.
        let known = Instant.iso8601(now.addingTimeInterval(-Double(limits.knownAddressDays) * 86_400))
        if try Bool.fetchOne(
            db,
            sql: "SELECT EXISTS (SELECT 1 FROM sign_in_attempts WHERE user_name = ? AND address = ? AND succeeded = 1 AND at > ?)",
            arguments: [user, address, known]) == true
        {
            return nil
        }
        let hourAgo = Instant.iso8601(now.addingTimeInterval(-limits.nameWindow))
        let nameFailures =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM (SELECT 1 FROM sign_in_attempts WHERE user_name = ? AND succeeded = 0 AND at > ? AND id > ?
                    LIMIT ?)
                    """, arguments: [user, hourAgo, lastSuccess, limits.nameFailures]) ?? 0
        guard nameFailures >= limits.nameFailures,
            let last = try String.fetchOne(
                db, sql: "SELECT at FROM sign_in_attempts WHERE user_name = ? ORDER BY id DESC LIMIT 1", arguments: [user]
            ).flatMap(Instant.parse)
        else { return nil }
        let next = last.addingTimeInterval(limits.nameInterval)
        return next > now ? next : nil
    }

    /// Drops failures older than a day (the limits look back an hour at most) and successes older than the known
    /// addresses' days.
    @discardableResult
    public func tidySignIns(now: Date, limits: SignInLimits = .init()) async throws -> Int {
        let day = Instant.iso8601(now.addingTimeInterval(-max(86_400, limits.nameWindow, limits.window)))
        let known = Instant.iso8601(now.addingTimeInterval(-Double(max(1, limits.knownAddressDays)) * 86_400))
        return try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM sign_in_attempts WHERE (succeeded = 0 AND at < ?) OR (succeeded = 1 AND at < ?)", arguments: [day, known])
            return db.changesCount
        }
    }
}

extension AfterdeskDatabase {
    /// Changes a user's role. A sales user needs its staff member (`users add --staff`): a user without one cannot
    /// become sales here.
    public func setRole(name: String, role: Role) async throws {
        try await writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT staff_id, (SELECT COUNT(*) FROM user_stores s WHERE s.user_id = u.id) AS stores FROM users u WHERE name = ?",
                    arguments: [name])
            else {
                throw StoreError.notFound("no user named \(name)")
            }
            if role == .sales, (row["staff_id"] as Int64?) == nil {
                throw StoreError("a sales user needs a staff member: add a new user with its staff code instead")
            }
            if role == .sales, (row["stores"] as Int) > 1 { throw StoreError(NewUserProblem.salesInSeveralStores.description) }
            try db.execute(sql: "UPDATE users SET role = ? WHERE name = ?", arguments: [role.rawValue, name])
        }
    }
}
