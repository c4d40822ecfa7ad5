import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// Keyed values that expire (the web pages' sessions), kept in table `persist` under the hex SHA-256 of the key, as
/// SQLite keeps them; PostgreSQL computes the hash (`sha256`), so the key itself is never stored.
extension PostgresStorage {
    /// Stores a value. `keepExpiry` leaves the expiry of an existing value as it was (a new one takes `expiresAt`);
    /// `onlyNew` refuses a key that is already there and unexpired (returns false): the insert's conflict decides, so of
    /// two servers setting one new key at once exactly one succeeds.
    @discardableResult
    public func persistSet(key: String, value: Data, expiresAt: Date?, keepExpiry: Bool, onlyNew: Bool, now: Date)
        async throws -> Bool
    {
        try await write { conn in
            try await conn.run(
                """
                DELETE FROM persist WHERE key_hash = encode(sha256(convert_to(\(key), 'UTF8')), 'hex')
                  AND expires_at <= \(now.wholeSecond)
                """, logger)
            if onlyNew {
                let added = try await conn.rows(
                    """
                    INSERT INTO persist (key_hash, value, expires_at)
                    VALUES (encode(sha256(convert_to(\(key), 'UTF8')), 'hex'), \(value), \(expiresAt?.wholeSecond))
                    ON CONFLICT (key_hash) DO NOTHING RETURNING 1
                    """, logger)
                return !added.isEmpty
            }
            try await conn.run(
                """
                INSERT INTO persist (key_hash, value, expires_at)
                VALUES (encode(sha256(convert_to(\(key), 'UTF8')), 'hex'), \(value), \(expiresAt?.wholeSecond))
                ON CONFLICT (key_hash) DO UPDATE SET value = excluded.value,
                    expires_at = CASE WHEN \(keepExpiry) THEN persist.expires_at ELSE excluded.expires_at END
                """, logger)
            return true
        }
    }

    /// A value and its expiry, unless it has expired.
    public func persistGet(key: String, now: Date) async throws -> (value: Data, expiresAt: Date?)? {
        try await read { conn in
            guard
                let row = try await conn.rows(
                    """
                    SELECT value, expires_at FROM persist WHERE key_hash = encode(sha256(convert_to(\(key), 'UTF8')), 'hex')
                      AND (expires_at IS NULL OR expires_at > \(now.wholeSecond))
                    """, logger
                ).first
            else { return nil }
            let (value, expiresAt) = try row.decode((Data, Date?).self)
            return (value, expiresAt)
        }
    }

    public func persistRemove(key: String) async throws {
        try await write { conn in
            try await conn.run("DELETE FROM persist WHERE key_hash = encode(sha256(convert_to(\(key), 'UTF8')), 'hex')", logger)
        }
    }

    /// Drops what has expired; returns how many.
    @discardableResult
    public func persistTidy(now: Date) async throws -> Int {
        try await write { conn in
            try await conn.one(
                Int.self, "WITH gone AS (DELETE FROM persist WHERE expires_at <= \(now.wholeSecond) RETURNING 1) SELECT count(*) FROM gone",
                logger) ?? 0
        }
    }

    /// Sets a user's bcrypt hash (`afterdesk users passwd`, the admin page). The hash is made by the caller. The user's
    /// sessions end, but for `keepingSession` (the key of the session of the admin making the change, when it is
    /// theirs): whoever held a stolen session or the old password is signed out.
    public func setPassword(name: String, bcryptHash: String, keepingSession: String?) async throws {
        try await write { conn in
            guard let id = try await conn.one(Int64.self, "SELECT id FROM users WHERE name = \(name) FOR UPDATE", logger) else {
                throw StoreError.notFound("no user named \(name)")
            }
            try await conn.run("UPDATE users SET password_hash = \(bcryptHash) WHERE id = \(id)", logger)
            try await Self.endSessions(conn, userID: id, keeping: keepingSession, logger)
        }
    }

    /// Deletes the web sessions of a user. A session is kept in `persist` as the server's JSON (`WebSession`), whose
    /// `userID` names its user. PostgreSQL 15 cannot test text for valid JSON without failing on the first that is not
    /// (SQLite's `json_valid`), so the values that mention `"userID"` are read and parsed here: a value that is not a
    /// JSON object, or whose `userID` is another number, is kept.
    static func endSessions(_ conn: PostgresConnection, userID: Int64, keeping: String?, _ logger: Logger) async throws {
        let rows = try await conn.rows(
            """
            SELECT key_hash, value FROM persist WHERE position('"userID"'::bytea IN value) > 0
              AND (\(keeping)::text IS NULL OR key_hash <> encode(sha256(convert_to(\(keeping), 'UTF8')), 'hex'))
            FOR UPDATE
            """, logger)
        var ended: [String] = []
        for row in rows {
            let (hash, value) = try row.decode((String, Data).self)
            if sessionUserID(value) == userID { ended.append(hash) }
        }
        guard !ended.isEmpty else { return }
        try await conn.run("DELETE FROM persist WHERE key_hash = ANY(\(ended))", logger)
    }

    /// The integer `userID` of a JSON object, as SQLite's `json_extract(value, '$.userID')` compares it with an id (a
    /// string or a boolean there is not one).
    static func sessionUserID(_ value: Data) -> Int64? {
        (try? JSONDecoder().decode(SessionOwner.self, from: value))?.userID
    }
}

/// The one field of a web session this store reads.
private struct SessionOwner: Decodable {
    let userID: Int64
}
