import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// Migrations and counts for people and monitoring, as SQLite gives them (the same keys), each read in one snapshot.
extension PostgresStorage {
    /// Names of the migrations applied (table `afterdesk_migrations`), oldest first. Migrations applied together share
    /// their transaction's time, so those are in the order they are shipped in (`PostgresMigrations.shipped`), which
    /// is the order they ran in; a name this release does not ship (a newer release's) comes after, by name.
    public func appliedMigrations() async throws -> [String] {
        let rows = try await read { conn in
            try await conn.rows("SELECT name, applied_at FROM afterdesk_migrations", logger).map { try $0.decode((String, Date).self) }
        }
        let position = Dictionary(PostgresMigrations.shipped.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        return rows.sorted { a, b in
            if a.1 != b.1 { return a.1 < b.1 }
            let (pa, pb) = (position[a.0] ?? Int.max, position[b.0] ?? Int.max)
            return pa != pb ? pa < pb : a.0 < b.0
        }.map(\.0)
    }

    /// Counts rows of the main tables, for summaries and tests.
    public func counts() async throws -> [String: Int] {
        try await snapshot { conn in
            var out: [String: Int] = [:]
            for table in [
                "stores", "staff", "customers", "vehicles", "deals", "deal_products", "events", "import_runs", "rejects",
                "odometer_readings",
            ] {
                out[table] = try await conn.one(Int.self, "SELECT count(*) FROM \(unescaped: table)", logger) ?? 0
            }
            out["declines"] = try await conn.one(Int.self, "SELECT count(*) FROM deal_products WHERE outcome = 'declined'", logger) ?? 0
            return out
        }
    }

    /// Messages by channel and status, touches by status, and the 20 most frequent reasons of skipped touches (the
    /// words before any colon, cut to 80 characters).
    public func monitoringCounts() async throws -> MonitoringCounts {
        try await snapshot { conn in
            let outbox = try await conn.rows(
                "SELECT channel, status, count(*) FROM outbox GROUP BY channel, status ORDER BY 1, 2", logger
            ).map { try $0.decode((String, String, Int).self) }
            let touches = try await conn.rows("SELECT status, count(*) FROM touches GROUP BY status ORDER BY 1", logger).map {
                try $0.decode((String, Int).self)
            }
            let skipped = try await conn.rows(
                """
                SELECT reason, count(*) AS n FROM (
                  SELECT split_part(COALESCE(status_reason, ''), ':', 1) AS reason FROM touches WHERE status = 'skipped') AS s
                GROUP BY reason ORDER BY n DESC, reason LIMIT 20
                """, logger
            ).map { try $0.decode((String, Int).self) }
            return MonitoringCounts(
                outbox: outbox.map { (channel: $0.0, status: $0.1, count: $0.2) },
                touches: touches.map { (status: $0.0, count: $0.1) },
                skipped: skipped.map { (reason: String($0.0.prefix(80)), count: $0.1) })
        }
    }
}
