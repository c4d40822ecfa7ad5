import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Reads an after-sale file and hands each row to `apply`, which returns whether it inserted, updated or left a
    /// record as it was, or nil with the row's errors. Every row is in `read`; refused rows go to the summary, the
    /// rejects table and `<file>.rejects.csv`. The whole file is one transaction, under the import lock (deals are
    /// found by VIN through an index a bulk deal import drops while it runs).
    func importAfterSaleFile(
        _ file: String, profile: String, columns: [String: [String]], required: [String], writeRejectsFile: Bool,
        apply: (inout AfterSaleRow, Database, _ run: Int64) throws -> AfterSaleChange?
    ) throws -> AfterSaleSummary {
        let name = (file as NSString).lastPathComponent
        let (reader, position) = try Self.openAfterSaleFile(file, columns: columns, required: required)
        var tally = RowFileTally(file: file, writeRejectsFile: writeRejectsFile)
        let nowText = Instant.iso8601(clock.now())
        try withImportLock {
            try writer.write { db in
                try Migrations.restoreKeyIndexes(db)
                try db.execute(
                    sql: "INSERT INTO import_runs (file, profile, started_at, status, pid) VALUES (?, ?, ?, 'running', ?)",
                    arguments: [name, profile, nowText, Int(getpid())])
                let run = db.lastInsertedRowID
                func record(_ rejects: [ImportReject]) throws {
                    for r in rejects {
                        try db.execute(
                            sql: """
                                INSERT INTO rejects (import_run_id, file, line, field, value, error, severity) VALUES (?, ?, ?, ?, ?, ?, 'refused')
                                """, arguments: [run, r.file, r.line, r.field, r.value, r.error])
                    }
                }
                while let next = try tally.nextRow(reader) {
                    if case .broken(let rejects) = next {
                        try record(rejects)
                        continue
                    }
                    var row = AfterSaleRow(cells: AfterSaleLayout.cells(reader, position))
                    if let change = try apply(&row, db, run) {
                        tally.count(change)
                    } else {
                        try record(tally.reject(reader.rowLine, row.errors))
                    }
                }
                try Self.finishRun(run, tally.summary, db, now: Instant.iso8601(clock.now()))
            }
        }
        return tally.finish()
    }

    private static func finishRun(_ run: Int64, _ s: AfterSaleSummary, _ db: Database, now: String) throws {
        try db.execute(
            sql: """
                UPDATE import_runs SET status = 'completed', finished_at = ?, read_count = ?, inserted = ?, updated = ?, unchanged = ?,
                    rejected = ? WHERE id = ?
                """, arguments: [now, s.read, s.inserted, s.updated, s.unchanged, s.rejected, run])
    }

    /// A reader past the file's header, and the column of each field the header names (`AfterSaleLayout.positions`).
    static func openAfterSaleFile(_ file: String, columns: [String: [String]], required: [String]) throws
        -> (CSVReader<FileByteSource>, [String: Int])
    {
        let reader = CSVReader(source: try FileByteSource(path: file))
        return (reader, try AfterSaleLayout.positions(reader, file: file, columns: columns, required: required))
    }

    /// The store a row names, or the only store when it names none. With `allowed` (an import limited to some
    /// stores, as a store-limited user's is), a row naming another store is refused, and "the only store" is the only
    /// one of those.
    static func afterSaleStore(_ row: inout AfterSaleRow, _ db: Database, allowed: Set<String>?) throws
        -> (id: Int64, code: String, zone: TimeZone)?
    {
        let all = try Row.fetchAll(db, sql: "SELECT id, code, time_zone FROM stores ORDER BY id")
        let stores = all.map { (id: $0["id"] as Int64, code: $0["code"] as String, zone: $0["time_zone"] as String) }
        let found = row.store(among: stores, allowed: allowed)
        return try found.map { ($0.id, $0.code, try AfterdeskDatabase.zone(named: $0.zone)) }
    }
}
