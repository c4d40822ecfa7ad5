import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

/// Leases and shared limits (`LeaseStorage`). One server runs on a SQLite file (docs/operations.md), so they are kept
/// for the same rules as PostgreSQL's: a second `serve` started by mistake on the same file waits as a standby.
extension AfterdeskDatabase {
    public func claimLease(_ name: String, holder: String, duration: TimeInterval, now: Date) async throws -> Lease {
        let (at, until) = (Instant.iso8601(now), Instant.iso8601(now.addingTimeInterval(duration)))
        return try await writer.write { db in
            // Every SET reads the row as it was: a renewal keeps acquired_at, a takeover starts it again. A lease renewed
            // more than a lease's length in this claim's future was written by a clock far ahead (or set back since):
            // taken too, or its holder's death would hold it for as long as its clock was wrong.
            try db.execute(
                sql: """
                    INSERT INTO leases (name, holder, acquired_at, renewed_at, expires_at) VALUES (?1, ?2, ?3, ?3, ?4)
                    ON CONFLICT(name) DO UPDATE SET
                        acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END,
                        holder = excluded.holder, renewed_at = excluded.renewed_at, expires_at = excluded.expires_at
                    WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.renewed_at OR leases.renewed_at > ?4
                    """, arguments: [name, holder, at, until])
            guard let lease = try Self.lease(db, name) else { throw StoreError.integrity("the lease \(name) was not written") }
            return lease
        }
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM leases WHERE name = ? AND holder = ?", arguments: [name, holder])
        }
    }

    public func lease(_ name: String) async throws -> Lease? {
        try await writer.read { db in try Self.lease(db, name) }
    }

    static func lease(_ db: Database, _ name: String) throws -> Lease? {
        try Row.fetchOne(db, sql: "SELECT * FROM leases WHERE name = ?", arguments: [name]).map {
            Lease(
                name: $0["name"], holder: $0["holder"], acquiredAt: try $0.instant("acquired_at", of: "leases"),
                expiresAt: try $0.instant("expires_at", of: "leases"))
        }
    }

    public func countHit(_ key: String, limit: Int, window: TimeInterval, now: Date) async throws -> (allowed: Bool, retryAfter: Int) {
        let (at, ended) = (Instant.iso8601(now), Instant.iso8601(now.addingTimeInterval(-window)))
        let ahead = Instant.iso8601(now.addingTimeInterval(RateWindow.clockTolerance))
        let row = try await writer.write { db in
            // A window that ended (or starts more than a minute after now: a clock set back) starts again with this hit;
            // one a server's clock a little ahead started goes on.
            try Row.fetchOne(
                db,
                sql: """
                    INSERT INTO rate_windows (key, started_at, hits) VALUES (?1, ?2, 1)
                    ON CONFLICT(key) DO UPDATE SET
                        started_at = CASE WHEN rate_windows.started_at <= ?3 OR rate_windows.started_at > ?4 THEN ?2
                                          ELSE rate_windows.started_at END,
                        hits = CASE WHEN rate_windows.started_at <= ?3 OR rate_windows.started_at > ?4 THEN 1
                                    ELSE rate_windows.hits + 1 END
                    RETURNING started_at, hits
                    """, arguments: [key, at, ended, ahead])
        }
        guard let row else { throw StoreError.integrity("the hit on \(key) was not counted") }
        let hits: Int64 = row["hits"]
        if hits <= Int64(limit) { return (true, 0) }
        return (false, RateWindow.secondsLeft(of: try row.instant("started_at", of: "rate_windows"), window: window, now: now))
    }

    @discardableResult
    public func tidyHits(before: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM rate_windows WHERE started_at < ?", arguments: [Instant.iso8601(before)])
            return db.changesCount
        }
    }
}
