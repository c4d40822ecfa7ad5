import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// Leases and shared limits (`LeaseStorage`), as SQLite's `Operations/Leases.swift`. Each is one statement that
/// commits on its own: of servers claiming at once, `ON CONFLICT DO UPDATE` locks the row and checks its `WHERE`
/// against the latest version, so one takes the lease. Not a `write`: a claim every ten seconds must not end the task
/// queue's kept answers.
extension PostgresStorage {
    public func claimLease(_ name: String, holder: String, duration: TimeInterval, now: Date) async throws -> Lease {
        let (at, until) = (now.wholeSecond, now.addingTimeInterval(duration).wholeSecond)
        return try await read { conn in
            try await conn.run(
                """
                INSERT INTO leases (name, holder, acquired_at, renewed_at, expires_at) VALUES (\(name), \(holder), \(at), \(at), \(until))
                ON CONFLICT (name) DO UPDATE SET
                    acquired_at = CASE WHEN leases.holder = EXCLUDED.holder THEN leases.acquired_at ELSE EXCLUDED.acquired_at END,
                    holder = EXCLUDED.holder, renewed_at = EXCLUDED.renewed_at, expires_at = EXCLUDED.expires_at
                WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= EXCLUDED.renewed_at OR leases.renewed_at > \(until)
                """, logger)
            guard let lease = try await Self.lease(conn, name, logger) else {
                throw StoreError.integrity("the lease \(name) was not written")
            }
            return lease
        }
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try await read { conn in try await conn.run("DELETE FROM leases WHERE name = \(name) AND holder = \(holder)", logger) }
    }

    public func lease(_ name: String) async throws -> Lease? {
        try await read { conn in try await Self.lease(conn, name, logger) }
    }

    static func lease(_ conn: PostgresConnection, _ name: String, _ logger: Logger) async throws -> Lease? {
        for row in try await conn.rows("SELECT holder, acquired_at, expires_at FROM leases WHERE name = \(name)", logger) {
            let (holder, acquired, expires) = try row.decode((String, Date, Date).self)
            return Lease(name: name, holder: holder, acquiredAt: acquired, expiresAt: expires)
        }
        return nil
    }

    public func countHit(_ key: String, limit: Int, window: TimeInterval, now: Date) async throws -> (allowed: Bool, retryAfter: Int) {
        let (at, ended) = (now.wholeSecond, now.addingTimeInterval(-window).wholeSecond)
        let ahead = now.addingTimeInterval(RateWindow.clockTolerance).wholeSecond
        let counted = try await read { conn in
            try await conn.rows(
                """
                INSERT INTO rate_windows (key, started_at, hits) VALUES (\(key), \(at), 1)
                ON CONFLICT (key) DO UPDATE SET
                    started_at = CASE WHEN rate_windows.started_at <= \(ended) OR rate_windows.started_at > \(ahead) THEN \(at)
                                      ELSE rate_windows.started_at END,
                    hits = CASE WHEN rate_windows.started_at <= \(ended) OR rate_windows.started_at > \(ahead) THEN 1
                                ELSE rate_windows.hits + 1 END
                RETURNING started_at, hits
                """, logger
            ).first
        }
        guard let counted else { throw StoreError.integrity("the hit on \(key) was not counted") }
        let (started, hits) = try counted.decode((Date, Int64).self)
        if hits <= Int64(limit) { return (true, 0) }
        return (false, RateWindow.secondsLeft(of: started, window: window, now: now))
    }

    @discardableResult
    public func tidyHits(before: Date) async throws -> Int {
        try await read { conn in
            let gone = try await conn.one(
                Int64.self,
                "WITH gone AS (DELETE FROM rate_windows WHERE started_at < \(before.wholeSecond) RETURNING 1) SELECT count(*) FROM gone",
                logger)
            return Int(clamping: gone ?? 0)
        }
    }
}
