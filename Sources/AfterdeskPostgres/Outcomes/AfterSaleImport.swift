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
        var rejectsOut = RejectsFile(inputPath: file, enabled: writeRejectsFile)
        let (logger, clock) = (logger, clock)
        let held = try await lock(.importing)
        defer { held.release() }
        var summary = try await write { conn in
            guard
                let run = try await conn.one(
                    Int64.self,
                    """
                    INSERT INTO import_runs (file, profile, started_at, status, pid)
                    VALUES (\(name), \(profile), \(clock.now().wholeSecond), 'running', \(Int(getpid()))) RETURNING id
                    """, logger)
            else { throw StoreError.integrity("no import run") }
            let stores = try await AfterSaleStores(conn, logger: logger)
            var summary = AfterSaleSummary()
            func reject(_ line: Int, _ errors: [(field: String, value: String, error: String)]) async throws {
                summary.rejected += 1
                for e in errors {
                    let r = ImportReject(file: name, line: line, field: e.field, value: e.value, error: e.error, dealNumber: nil)
                    if summary.rejects.count < ImportSummary.rejectListCap { summary.rejects.append(r) }
                    rejectsOut.append(r)
                    try await conn.run(
                        """
                        INSERT INTO rejects (import_run_id, file, line, field, value, error, severity)
                        VALUES (\(run), \(name), \(line), \(e.field), \(e.value), \(e.error), 'refused')
                        """, logger)
                }
            }
            while true {
                do {
                    guard try reader.nextRow() else { break }
                } catch let e as CSVError {
                    summary.read += 1
                    try await reject(e.line, [("(row)", "", e.description)])
                    continue
                }
                summary.read += 1
                var row = AfterSaleRow(cells: AfterSaleLayout.cells(reader, position))
                switch try await apply(&row, conn, stores, run) {
                case .inserted: summary.inserted += 1
                case .updated: summary.updated += 1
                case .unchanged: summary.unchanged += 1
                case nil: try await reject(reader.rowLine, row.errors.isEmpty ? [("(row)", "", "refused")] : row.errors)
                }
            }
            try await AfterSaleStores.finish(run, summary, conn, now: clock.now().wholeSecond, logger: logger)
            return summary
        }
        var finished = ImportSummary()
        rejectsOut.finish(into: &finished)
        summary.rejectsFile = finished.rejectsFiles.first
        return summary
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
