import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

/// One row of an after-sale file, read by column name (INTERFACES.md, "After-sale contracts and cancellations"), with
/// what is wrong in it collected as (field, value, error).
struct AfterSaleRow {
    let cells: [String: String]
    var errors: [(field: String, value: String, error: String)] = []

    func text(_ name: String) -> String? {
        guard let v = cells[name]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        return v
    }
    mutating func fail(_ field: String, _ error: String) { errors.append((field, text(field) ?? "", error)) }

    mutating func required(_ name: String) -> String? {
        guard let v = text(name) else {
            fail(name, "required")
            return nil
        }
        guard v.utf8.count <= 64 else {
            fail(name, "longer than 64 characters")
            return nil
        }
        return v
    }

    mutating func date(_ name: String, today: LocalDate) -> LocalDate? {
        guard let v = required(name) else { return nil }
        guard let d = LocalDate(v) else {
            fail(name, "not a date (expected YYYY-MM-DD or MM/DD/YYYY)")
            return nil
        }
        if d > today {
            fail(name, "after today (\(today))")
            return nil
        }
        return d
    }

    /// An amount of at least zero and under $1,000,000; nil (and no error) when absent and not required.
    mutating func money(_ name: String, required isRequired: Bool) -> Money?? {
        guard let v = text(name) else {
            if isRequired { fail(name, "required") }
            return isRequired ? nil : .some(nil)
        }
        guard let m = Money(v), m.cents >= 0, m.cents < 100_000_000 else {
            fail(name, "not an amount from 0 to 999,999.99")
            return nil
        }
        return .some(m)
    }
}

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
        var summary = AfterSaleSummary()
        var rejectsOut = RejectsFile(inputPath: file, enabled: writeRejectsFile)
        let nowText = Instant.iso8601(clock.now())
        try withImportLock {
            try writer.write { db in
                try Migrations.restoreKeyIndexes(db)
                try db.execute(
                    sql: "INSERT INTO import_runs (file, profile, started_at, status, pid) VALUES (?, ?, ?, 'running', ?)",
                    arguments: [name, profile, nowText, Int(getpid())])
                let run = db.lastInsertedRowID
                func reject(_ line: Int, _ errors: [(field: String, value: String, error: String)]) throws {
                    summary.rejected += 1
                    for e in errors {
                        let r = ImportReject(file: name, line: line, field: e.field, value: e.value, error: e.error, dealNumber: nil)
                        if summary.rejects.count < ImportSummary.rejectListCap { summary.rejects.append(r) }
                        rejectsOut.append(r)
                        try db.execute(
                            sql: """
                                INSERT INTO rejects (import_run_id, file, line, field, value, error, severity) VALUES (?, ?, ?, ?, ?, ?, 'refused')
                                """, arguments: [run, name, line, e.field, e.value, e.error])
                    }
                }
                while true {
                    do {
                        guard try reader.nextRow() else { break }
                    } catch let e as CSVError {
                        summary.read += 1
                        try reject(e.line, [("(row)", "", e.description)])
                        continue
                    }
                    summary.read += 1
                    var cells: [String: String] = [:]
                    for (field, i) in position where i < reader.fieldCount { cells[field] = reader.string(i) }
                    var row = AfterSaleRow(cells: cells)
                    switch try apply(&row, db, run) {
                    case .inserted: summary.inserted += 1
                    case .updated: summary.updated += 1
                    case .unchanged: summary.unchanged += 1
                    case nil: try reject(reader.rowLine, row.errors.isEmpty ? [("(row)", "", "refused")] : row.errors)
                    }
                }
                try Self.finishRun(run, summary, db, now: Instant.iso8601(clock.now()))
            }
        }
        var finished = ImportSummary()
        rejectsOut.finish(into: &finished)
        summary.rejectsFile = finished.rejectsFiles.first
        return summary
    }

    private static func finishRun(_ run: Int64, _ s: AfterSaleSummary, _ db: Database, now: String) throws {
        try db.execute(
            sql: """
                UPDATE import_runs SET status = 'completed', finished_at = ?, read_count = ?, inserted = ?, updated = ?, unchanged = ?,
                    rejected = ? WHERE id = ?
                """, arguments: [now, s.read, s.inserted, s.updated, s.unchanged, s.rejected, run])
    }

    /// A reader past the file's header, and the column of each field the header names (by any of its spellings). The
    /// file is refused when its header lacks a `required` field (`a|b`: either).
    static func openAfterSaleFile(_ file: String, columns: [String: [String]], required: [String]) throws
        -> (CSVReader<FileByteSource>, [String: Int])
    {
        let reader = CSVReader(source: try FileByteSource(path: file))
        let hasHeader: Bool
        do { hasHeader = try reader.nextRow() } catch let e as CSVError { throw StoreError(.unreadableHeader(file, e)) }
        guard hasHeader else { throw StoreError(.empty(file)) }
        let header = (0..<reader.fieldCount).map { reader.string($0).trimmingCharacters(in: .whitespaces).lowercased() }
        var position: [String: Int] = [:]
        for (field, names) in columns {
            if let i = names.lazy.compactMap({ header.firstIndex(of: $0) }).first { position[field] = i }
        }
        let missing = required.filter { r in !r.split(separator: "|").contains { position[String($0)] != nil } }
        if !missing.isEmpty {
            throw StoreError(.header(file, .missingColumns(missing.map { $0.replacingOccurrences(of: "|", with: " or ") })))
        }
        return (reader, position)
    }

    /// The store a row names, or the only store when it names none. With `allowed` (an import limited to some
    /// stores, as a store-limited user's is), a row naming another store is refused, and "the only store" is the only
    /// one of those.
    static func afterSaleStore(_ row: inout AfterSaleRow, _ db: Database, allowed: Set<String>?) throws
        -> (id: Int64, code: String, zone: TimeZone)?
    {
        let all = try Row.fetchAll(db, sql: "SELECT id, code, time_zone FROM stores ORDER BY id")
        let stores = allowed.map { allowed in all.filter { allowed.contains($0["code"] as String) } } ?? all
        let found: Row?
        if let code = row.text("store") {
            found = stores.first { ($0["code"] as String).caseInsensitiveCompare(code) == .orderedSame }
            if found == nil {
                // Said the same whether the store exists or not: its existence is not the limited user's to learn.
                row.fail("store", allowed.map { DealRowDecoder.outsideStores(code, $0) } ?? "no such store")
            }
        } else if stores.count == 1 {
            found = stores.first
        } else {
            row.fail("store", stores.isEmpty ? "no deals imported yet" : "required: \(stores.count) stores hold deals")
            found = nil
        }
        return try found.map { ($0["id"], $0["code"], try AfterdeskDatabase.zone(named: $0["time_zone"])) }
    }
}

enum AfterSaleChange { case inserted, updated, unchanged }
