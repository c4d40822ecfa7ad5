import AfterdeskDatabases
import AfterdeskSQLite
import Foundation
import GRDB

/// What happened after the desk in the benchmark's database, added once by SQL (the report is measured, not the
/// import of contracts): an after-sale contract for about one decline in 25, a cancellation for one contract in ten,
/// and a third of the planned touches marked delivered when they were planned.
enum BenchOutcomes {
    /// Adds the outcomes to the database at `path` (a SQLite file made by `import`, migrated here, or PostgreSQL).
    static func prepare(_ path: String) throws {
        if DatabaseLocation.isPostgres(path) { return BenchPostgres.prepareOutcomes(path) }
        guard FileManager.default.fileExists(atPath: path) else { fail("run `afterdesk-bench import --rows N` (and `plan`) first") }
        _ = try AfterdeskDatabase(path: path, clock: benchClock)  // migrated
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contracts") == 0 else { return }
            try db.execute(
                sql: """
                    INSERT INTO import_runs (file, profile, started_at, status, pid) VALUES ('bench', 'contracts', '2026-11-18T00:00:00Z', 'completed', 0);
                    INSERT INTO contracts (store_id, contract_number, deal_id, product_code, sale_date, price_cents, cost_cents, fingerprint,
                                           import_run_id, created_at, updated_at)
                    SELECT d.store_id, 'B-' || p.deal_id || '-' || p.product_code, p.deal_id, p.product_code,
                           date(d.contract_date, '+' || (10 + (p.deal_id % 100)) || ' days'), COALESCE(p.price_cents, 89500),
                           COALESCE(p.price_cents, 89500) / 2, 0, (SELECT MAX(id) FROM import_runs), 'x', 'x'
                    FROM deal_products p JOIN deals d ON d.id = p.deal_id
                    WHERE p.outcome = 'declined' AND (p.deal_id * 7 + length(p.product_code)) % 25 = 0
                      AND date(d.contract_date, '+' || (10 + (p.deal_id % 100)) || ' days') <= '2026-11-18';
                    INSERT INTO cancellations (store_id, target, contract_id, deal_id, product_code, cancel_date, chargeback_cents, fingerprint,
                                               import_run_id, created_at, updated_at)
                    SELECT store_id, 'contract:' || contract_number, id, deal_id, product_code, date(sale_date, '+30 days'), price_cents / 5, 0,
                           import_run_id, 'x', 'x'
                    FROM contracts WHERE id % 10 = 0;
                    UPDATE touches SET sent_at = planned_at WHERE id % 3 = 0;
                    """)
        }
    }
}
