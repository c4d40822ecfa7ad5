import AfterdeskCore
import AfterdeskDatabases
import AfterdeskPostgres
import Foundation

/// The benchmarks' database on PostgreSQL (`--db postgres://…`): emptied instead of a file removed, and the SQL the
/// SQLite benchmarks run through GRDB run through `psql` in PostgreSQL's dialect. What only a SQLite file has (its
/// size) is said to be SQLite's, not measured; the import's floor is PostgreSQL's own COPY instead of `sqlite3 .import`.
enum BenchPostgres {
    /// `--db` when it names PostgreSQL: the benchmark runs there instead of the file in `--dir`.
    static var location: String? { option("db", "").isEmpty || !DatabaseLocation.isPostgres(option("db", "")) ? nil : option("db", "") }

    /// Empties every Afterdesk table (ids from 1 again), as a new SQLite file would be: only a database whose name says
    /// it is a benchmark's (`…bench…`), never a store's by a slip of `--db`.
    static func empty(_ location: String) async throws {
        let name = URLComponents(string: location)?.path.lowercased() ?? ""
        guard name.contains("bench") else {
            fail(
                "afterdesk-bench empties the database it runs on: give it one whose name says so (postgres://…/afterdesk_bench), "
                    + "not \(DatabaseLocation.forPeople(location))")
        }
        let db = try await DatabaseLocation.open(location, clock: benchClock, maximumConnections: 1)
        try await (db as? PostgresStorage)?.resetAllTables()
        await DatabaseLocation.close(db)
    }

    /// Runs `sql` with psql (`ON_ERROR_STOP`, one transaction); the password as the command line takes it.
    static func run(_ location: String, _ sql: String) {
        _ = psql(location, sql)
    }

    /// The first column of the first row `sql` returns (nil: no row, or NULL).
    static func value(_ location: String, _ sql: String) -> String? {
        let out = psql(location, sql).split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return out.isEmpty ? nil : out
    }

    /// psql's unaligned, tuples-only output of `sql`.
    private static func psql(_ location: String, _ sql: String) -> String {
        guard let psql = which("psql") else { fail("psql is not installed: the PostgreSQL benchmarks prepare their data with it") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: psql)
        p.arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-1", "-d", location, "-c", sql]
        p.environment = psqlEnvironment
        let pipe = Pipe()
        p.standardOutput = pipe
        do { try p.run() } catch { fail("cannot start psql: \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { fail("psql failed on \(DatabaseLocation.forPeople(location))") }
        return String(decoding: data, as: UTF8.self)
    }

    /// The import's floor on PostgreSQL: PostgreSQL's own COPY of the same CSV (psql `\\copy`, in a child process
    /// timed as the import is) into a bare table of text columns named as the CSV's header, in the same database; the
    /// table is made just before and dropped after, neither timed.
    static func copyFloor(_ location: String, file: String) -> (seconds: Double, peakBytes: Int) {
        guard let psql = which("psql") else { fail("psql is not installed: the PostgreSQL COPY floor is measured with it") }
        guard let handle = FileHandle(forReadingAtPath: file), let head = try? handle.read(upToCount: 1 << 16) else {
            fail("cannot read \(file)")
        }
        try? handle.close()
        let header = String(decoding: head.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map {
            "\"" + $0.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\"", with: "\"\"") + "\" text"
        }
        guard !header.isEmpty else { fail("\(file) has no header line") }
        let table = "afterdesk_bench_copy_floor"
        run(
            location,
            "SET client_min_messages = warning; DROP TABLE IF EXISTS \(table); CREATE TABLE \(table) (\(columns.joined(separator: ", ")))")
        let quoted = "'" + file.replacingOccurrences(of: "'", with: "''") + "'"
        let copy = "\\copy \(table) FROM \(quoted) WITH (FORMAT csv, HEADER true)"
        let floor: (seconds: Double, peakBytes: Int, output: String)
        do {
            floor = try measure(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", location, "-c", copy], environment: psqlEnvironment)
        } catch {
            fail("psql \\copy failed on \(DatabaseLocation.forPeople(location)): \(error)")
        }
        run(location, "DROP TABLE \(table)")
        return (floor.seconds, floor.peakBytes)
    }

    /// This process's environment for psql: the password, when there is one, where psql takes it.
    static var psqlEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let p = environment["AFTERDESK_DB_PASSWORD"] { environment["PGPASSWORD"] = p }
        return environment
    }

    /// No plans at all, as right after an import: with what an earlier benchmark made of the touches (the `api`
    /// benchmark's tasks, a dispatch's outbox and offer links), which PostgreSQL's foreign keys would otherwise keep.
    static func clearPlans(_ location: String) {
        run(
            location,
            """
            DELETE FROM offer_events; DELETE FROM inbound_messages; DELETE FROM outbox; DELETE FROM offer_links;
            DELETE FROM tasks; DELETE FROM touch_items; DELETE FROM touches; DELETE FROM plans
            """)
    }

    /// `BenchOutcomes.prepare` in PostgreSQL's dialect: the same contracts, cancellations and delivered touches.
    static func prepareOutcomes(_ location: String) {
        run(
            location,
            """
            DO $$ BEGIN IF EXISTS (SELECT 1 FROM contracts) THEN RETURN; END IF;
            INSERT INTO import_runs (file, profile, started_at, status, pid) VALUES ('bench', 'contracts', '2026-11-18T00:00:00Z', 'completed', 0);
            INSERT INTO contracts (store_id, contract_number, deal_id, product_code, sale_date, price_cents, cost_cents, fingerprint,
                                   import_run_id, created_at, updated_at)
            SELECT d.store_id, 'B-' || p.deal_id || '-' || p.product_code, p.deal_id, p.product_code,
                   d.contract_date + (10 + (p.deal_id % 100))::int, COALESCE(p.price_cents, 89500),
                   COALESCE(p.price_cents, 89500) / 2, 0, (SELECT MAX(id) FROM import_runs), '2026-11-18T00:00:00Z', '2026-11-18T00:00:00Z'
            FROM deal_products p JOIN deals d ON d.id = p.deal_id
            WHERE p.outcome = 'declined' AND (p.deal_id * 7 + length(p.product_code)) % 25 = 0
              AND d.contract_date + (10 + (p.deal_id % 100))::int <= DATE '2026-11-18';
            INSERT INTO cancellations (store_id, target, contract_id, deal_id, product_code, cancel_date, chargeback_cents, fingerprint,
                                       import_run_id, created_at, updated_at)
            SELECT store_id, 'contract:' || contract_number, id, deal_id, product_code, sale_date + 30, price_cents / 5, 0,
                   import_run_id, '2026-11-18T00:00:00Z', '2026-11-18T00:00:00Z'
            FROM contracts WHERE id % 10 = 0;
            UPDATE touches SET sent_at = planned_at WHERE id % 3 = 0;
            END $$
            """)
    }
}
