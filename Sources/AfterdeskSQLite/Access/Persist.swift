import AfterdeskCore
import AfterdeskStorage
import Crypto
import Foundation
import GRDB

/// Keyed values that expire (the web pages' sessions), kept in table `persist` under a SHA-256 of the key.
extension AfterdeskDatabase {
    static func persistKey(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Stores a value. `keepExpiry` leaves the expiry of an existing value as it was (a new one takes `expiresAt`); `onlyNew` refuses a key that is
    /// already there and unexpired (returns false).
    @discardableResult
    public func persistSet(key: String, value: Data, expiresAt: Date?, keepExpiry: Bool, onlyNew: Bool, now: Date) async throws -> Bool {
        let hash = Self.persistKey(key)
        return try await writer.write { db in
            try db.execute(sql: "DELETE FROM persist WHERE key_hash = ? AND expires_at <= ?", arguments: [hash, Instant.iso8601(now)])
            if onlyNew, try Bool.fetchOne(db, sql: "SELECT 1 FROM persist WHERE key_hash = ?", arguments: [hash]) != nil { return false }
            let expiry = expiresAt.map(Instant.iso8601)
            try db.execute(
                sql: """
                    INSERT INTO persist (key_hash, value, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (key_hash) DO UPDATE SET value = excluded.value,
                        expires_at = CASE WHEN ? THEN persist.expires_at ELSE excluded.expires_at END
                    """, arguments: [hash, value, expiry, keepExpiry])
            return true
        }
    }

    /// A value and its expiry, unless it has expired.
    public func persistGet(key: String, now: Date) async throws -> (value: Data, expiresAt: Date?)? {
        try await writer.read { db in
            guard
                let r = try Row.fetchOne(
                    db, sql: "SELECT value, expires_at FROM persist WHERE key_hash = ? AND (expires_at IS NULL OR expires_at > ?)",
                    arguments: [Self.persistKey(key), Instant.iso8601(now)])
            else { return nil }
            return (r["value"], (r["expires_at"] as String?).flatMap(Instant.parse))
        }
    }

    public func persistRemove(key: String) async throws {
        try await writer.write { db in try db.execute(sql: "DELETE FROM persist WHERE key_hash = ?", arguments: [Self.persistKey(key)]) }
    }

    /// Drops what has expired; returns how many.
    @discardableResult
    public func persistTidy(now: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM persist WHERE expires_at <= ?", arguments: [Instant.iso8601(now)])
            return db.changesCount
        }
    }
}
