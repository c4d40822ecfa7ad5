import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#endif

extension PostgresStorage {
    /// Reads an after-sale file and hands each row to `apply`, which returns whether it inserted, updated or left a
    /// record as it was, or nil with the row's errors. Every row is in `read`; refused rows go to the summary, the
    /// rejects table and `<file>.rejects.csv`. The whole file is one transaction, under the import lock (one import at a
    /// time, as on SQLite).
    func importAfterSaleFile(
        _ file: String, profile: String, columns: [String: [String]], required: [String], writeRejectsFile: Bool,
        apply: (inout AfterSaleRow, PostgresConnection, _ stores: AfterSaleStores, _ run: Int64) async throws -> AfterSaleChange?
    ) async throws -> AfterSaleSummary {
        let name = (file as NSString).lastPathComponent
        let reader = CSVReader(source: try FileByteSource(path: file))
        let position = try AfterSaleLayout.positions(reader, file: file, columns: columns, required: required)
        var tally = RowFileTally(file: file, writeRejectsFile: writeRejectsFile)
        let (logger, clock) = (logger, clock)
        let held = try await lock(.importing)
        defer { held.release() }
        try await write { conn in
            guard
                let run = try await conn.one(
                    Int64.self,
                    """
                    INSERT INTO import_runs (file, profile, started_at, status, pid)
                    VALUES (\(name), \(profile), \(clock.now().wholeSecond), 'running', \(Int(getpid()))) RETURNING id
                    """, logger)
            else { throw StoreError.integrity("no import run") }
            let stores = try await AfterSaleStores(conn, logger: logger)
            func record(_ rejects: [ImportReject]) async throws {
                for r in rejects {
                    try await conn.run(
                        """
                        INSERT INTO rejects (import_run_id, file, line, field, value, error, severity)
                        VALUES (\(run), \(r.file), \(r.line), \(r.field), \(r.value), \(r.error), 'refused')
                        """, logger)
                }
            }
            while let next = try tally.nextRow(reader) {
                if case .broken(let rejects) = next {
                    try await record(rejects)
                    continue
                }
                var row = AfterSaleRow(cells: AfterSaleLayout.cells(reader, position))
                if let change = try await apply(&row, conn, stores, run) {
                    tally.count(change)
                } else {
                    try await record(tally.reject(reader.rowLine, row.errors))
                }
            }
            try await AfterSaleStores.finish(run, tally.summary, conn, now: clock.now().wholeSecond, logger: logger)
        }
        return tally.finish()
    }
}

/// The stores an after-sale row may name, read once per file.
struct AfterSaleStores {
    /// Marks the import run completed with its counts.
    static func finish(_ run: Int64, _ s: AfterSaleSummary, _ conn: PostgresConnection, now: Date, logger: Logger) async throws {
        try await conn.run(
            """
            UPDATE import_runs SET status = 'completed', finished_at = \(now), read_count = \(s.read), inserted = \(s.inserted),
                updated = \(s.updated), unchanged = \(s.unchanged), rejected = \(s.rejected) WHERE id = \(run)
            """, logger)
    }

    var all: [AfterSaleRow.Store] = []

    init(_ conn: PostgresConnection, logger: Logger) async throws {
        for row in try await conn.rows("SELECT id, code, time_zone FROM stores ORDER BY id", logger) {
            let (id, code, zone) = try row.decode((Int64, String, String).self)
            all.append((id, code, zone))
        }
    }

    /// The store a row names, or the only store when it names none. With `allowed` (an import limited to some stores,
    /// as a store-limited user's is), a row naming another store is refused, and "the only store" is the only one of
    /// those.
    func of(_ row: inout AfterSaleRow, allowed: Set<String>?) throws -> (id: Int64, code: String, zone: TimeZone)? {
        let found = row.store(among: all, allowed: allowed)
        return try found.map { ($0.id, $0.code, try PostgresLedger.zone(named: $0.zone)) }
    }
}
