import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// Signing in, as SQLite's `Access/SignIn.swift`: the person behind a name or a session, and the limits of
/// `SignInLimits`, counted over `sign_in_attempts`.
extension PostgresStorage {
    /// An active user by name, for the sign-in form; nil for an unknown or disabled one.
    public func signInUser(name: String) async throws -> SignInUser? {
        try await read { conn in
            guard
                let row = try await conn.rows(
                    """
                    SELECT u.id, u.name, u.role, u.staff_id,
                           (SELECT array_agg(s.code ORDER BY s.code) FROM user_stores us JOIN stores s ON s.id = us.store_id
                            WHERE us.user_id = u.id),
                           u.password_hash
                    FROM users u WHERE u.name = \(name) AND u.active
                    """, logger
                ).first
            else { return nil }
            let (id, name, role, staffID, stores, hash) = try row.decode((Int64, String, String, Int64?, [String]?, String?).self)
            guard let role = Role(rawValue: role) else { return nil }
            return SignInUser(
                principal: Principal(userID: id, name: name, role: role, staffID: staffID, stores: stores), passwordHash: hash)
        }
    }

    /// The person a session belongs to, while their user is active: a disabled user's sessions end at once.
    public func principal(userID: Int64) async throws -> Principal? {
        try await prepared(SessionPrincipal(userID: userID))
    }

    /// The user a token's hash belongs to, when the token is neither revoked nor expired and its user is active.
    public func principal(tokenHash: String, now: Date) async throws -> Principal? {
        try await prepared(TokenPrincipal(tokenHash: tokenHash, now: now.wholeSecond))
    }

    /// The principal `statement` finds. A connection on which it failed is closed (the pool makes another): postgres-nio
    /// remembers a statement whose preparation failed (a timeout, a cancel) for the connection's life, and would fail
    /// every later lookup on it with the same error.
    private func prepared<S: PostgresPreparedStatement>(_ statement: S) async throws -> Principal? where S.Row == PrincipalRow {
        try await read { conn in
            do {
                let rows = try await conn.watched(what: "a prepared sign-in statement") {
                    try await conn.execute(statement, logger: logger)
                }
                return try await Self.first(rows)
            } catch {
                try? await conn.close()
                throw error
            }
        }
    }

    /// The first principal of `rows`; nil for none, or for a role the code does not know (as SQLite's reads do).
    private static func first(_ rows: AsyncThrowingMapSequence<PostgresRowSequence, PrincipalRow>) async throws -> Principal? {
        for try await (id, name, role, staffID, stores) in rows {
            guard let role = Role(rawValue: role) else { return nil }
            return Principal(userID: id, name: name, role: role, staffID: staffID, stores: stores)
        }
        return nil
    }

    /// Decides whether a password may be checked for `user` from `address` and, when it may, records the attempt as a
    /// failure in the same transaction (never the password), so parallel requests see each other: the caller checks
    /// the password, then settles the attempt. An attempt never settled (the process died) stays a failure.
    ///
    /// Several servers may take attempts at once: the transaction first takes two advisory locks, the name's and then
    /// the address's, always in that order, so attempts that share a name or an address are counted one after the
    /// other, each seeing the ones before it; the locks end with the transaction. The name's lock is its user's, found
    /// as `user_name` compares (`afterdesk_nocase`, which takes "ＡＤＡ" in full width for "ada" as it takes "ADA"), so
    /// every way of writing one user's name waits for the others; a name of no user locks its lower case of its NFKC
    /// form.
    public func reserveSignIn(user: String, address: String, limits: SignInLimits, now: Date) async throws -> SignInGate {
        let name = String(user.prefix(64))
        let from = String(address.prefix(64))
        // Refused by a read first: a flood of refused guesses never waits for (or holds) the locks.
        if let until = try await read({ conn in
            try await Self.signInRefusedUntil(conn, user: name, address: from, limits: limits, now: now, logger)
        }) {
            return .refused(until: until)
        }
        return try await write { conn in
            try await conn.run(
                """
                SELECT pg_advisory_xact_lock(hashtextextended('afterdesk:sign-in:name:' || COALESCE(
                    (SELECT 'user:' || id FROM users WHERE name = \(name)), 'name:' || lower(normalize(\(name), NFKC))), 0))
                """, logger)
            try await conn.run("SELECT pg_advisory_xact_lock(hashtextextended('afterdesk:sign-in:address:' || \(from), 0))", logger)
            if let until = try await Self.signInRefusedUntil(conn, user: name, address: from, limits: limits, now: now, logger) {
                return .refused(until: until)
            }
            let id = try await conn.one(
                Int64.self,
                """
                INSERT INTO sign_in_attempts (user_name, address, succeeded, at) VALUES (\(name), \(from), false, \(now.wholeSecond))
                RETURNING id
                """, logger)
            guard let id else { throw StoreError.integrity("the sign-in attempt's id was not returned") }
            return .check(attempt: id)
        }
    }

    /// Settles a reserved attempt: a success ends the name's run of failures.
    public func settleSignIn(attempt: Int64, succeeded: Bool) async throws {
        guard succeeded else { return }
        try await write { conn in try await conn.run("UPDATE sign_in_attempts SET succeeded = true WHERE id = \(attempt)", logger) }
    }

    /// Until when signing in as `user` from `address` is refused; nil when a password may be checked now.
    public func signInRefusedUntil(user: String, address: String, limits: SignInLimits, now: Date) async throws -> Date? {
        try await read { conn in
            try await Self.signInRefusedUntil(
                conn, user: String(user.prefix(64)), address: String(address.prefix(64)), limits: limits, now: now, logger)
        }
    }

    /// Drops failures older than a day (the limits look back an hour at most) and successes older than the known
    /// addresses' days.
    @discardableResult
    public func tidySignIns(now: Date, limits: SignInLimits) async throws -> Int {
        let day = now.addingTimeInterval(-max(86_400, limits.nameWindow, limits.window)).wholeSecond
        let known = now.addingTimeInterval(-Double(max(1, limits.knownAddressDays)) * 86_400).wholeSecond
        return try await write { conn in
            try await conn.one(
                Int.self,
                """
                WITH gone AS (DELETE FROM sign_in_attempts WHERE (NOT succeeded AND at < \(day)) OR (succeeded AND at < \(known))
                RETURNING 1) SELECT count(*) FROM gone
                """, logger) ?? 0
        }
    }
}

/// A principal's row: user id, name, role, staff id, the codes of their stores (NULL: the group's).
typealias PrincipalRow = (Int64, String, String, Int64?, [String]?)

/// The codes of a user's stores, as a column of a query over `users u` (NULL for a user of the whole group).
let userStoreCodes = """
    (SELECT array_agg(s.code ORDER BY s.code) FROM user_stores us JOIN stores s ON s.id = us.store_id WHERE us.user_id = u.id)
    """

/// The user behind an API token (every API request asks): a statement each connection prepares once, not parsed and
/// planned again per request.
struct TokenPrincipal: PostgresPreparedStatement {
    static let name = "afterdesk_token_principal"
    static let sql = """
        SELECT u.id, u.name, u.role, u.staff_id, \(userStoreCodes) FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.active
        """
    var tokenHash: String
    var now: Date

    func makeBindings() throws -> PostgresBindings {
        var b = PostgresBindings(capacity: 2)
        b.append(tokenHash)
        b.append(now)
        return b
    }

    func decodeRow(_ row: PostgresRow) throws -> PrincipalRow { try row.decode(PrincipalRow.self) }
}

/// The user behind a web session (every page asks), prepared like `TokenPrincipal`.
struct SessionPrincipal: PostgresPreparedStatement {
    static let name = "afterdesk_session_principal"
    static let sql = """
        SELECT u.id, u.name, u.role, u.staff_id, \(userStoreCodes) FROM users u WHERE u.id = $1 AND u.active
        """
    var userID: Int64

    func makeBindings() throws -> PostgresBindings {
        var b = PostgresBindings(capacity: 1)
        b.append(userID)
        return b
    }

    func decodeRow(_ row: PostgresRow) throws -> PrincipalRow { try row.decode(PrincipalRow.self) }
}
