import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

extension PostgresStorage {
    /// Imports deal files (CSV, or JSON by extension `.json`/`.jsonl`/`.ndjson`), one at a time per database (the import
    /// lock): good rows land even when others are refused; importing the same file again changes nothing. SQLite's
    /// importer, row for row; its bulk mode (dropping the key indexes) has no counterpart here.
    public func importDeals(files: [String], options: ImportOptions, progress: (@Sendable (ImportProgress) -> Void)?) async throws
        -> ImportSummary
    {
        let held = try await lock(.importing)
        defer { held.release() }
        // A group's stores' own products are read too (`Menu.importing`).
        var options = options
        options.menu = options.menu.importing
        var summary = ImportSummary()
        let importer = PostgresDealImport(storage: self, options: options)
        try await importer.prepare()
        for file in files {
            do {
                try await importer.importFile(file, summary: &summary, progress: progress)
            } catch let e as StoreError where e.kind == .refusedFile {
                summary.failedFiles.append(e.description)
            }
        }
        summary.storesTouched = importer.storesTouched
        summary.warnOfStoresNotIn(options.menu)
        if let planner = options.planner {
            // New facts recompute the plans they touch: the customers of every inserted or updated deal.
            summary.planned = try await planCustomers(
                planner: planner, now: options.planAt ?? clock.now(), customerIDs: importer.changedCustomers.sorted())
        }
        return summary
    }
}

/// One import command on PostgreSQL: the options, the import's instant and calendar date, caches of stores and staff,
/// the (store, deal number) keys read so far, and what the rows touched.
final class PostgresDealImport {
    let storage: PostgresStorage
    let options: ImportOptions
    let today: LocalDate
    /// The latest date in any of the group's stores: a row dated after it is in the future (dates written are `today`'s).
    let latestToday: LocalDate
    /// The import's instant, to the second (as SQLite's text keeps it).
    let now: Date
    let storeZone: String
    /// Whether the database held deals when this import began (if not, no deal needs looking up).
    var dealsBefore = true
    var storeIDs: [String: Int64] = [:]
    var staffIDs: [String: (id: Int64, name: String?)] = [:]
    /// (store, deal number) hashes already read in this command.
    var seen = Set<Int64>()
    /// Customers whose deals this command inserted or updated: their plans are recomputed.
    var changedCustomers = Set<Int64>()
    /// The deals PostgreSQL's statistics count, and the deals this command had inserted when they were gathered
    /// (`analyzeIfGrown`).
    var dealsKnown = 0
    var insertedWhenAnalyzed = 0
    /// The fewest new deals worth gathering the statistics again for.
    static let analyzeFrom = 10_000
    /// The stores the rows read so far named (see `ImportSummary.storesTouched`).
    var storesTouched = Set<String>()
    var logger: Logger { storage.logger }

    init(storage: PostgresStorage, options: ImportOptions) {
        self.storage = storage
        self.options = options
        let now = storage.clock.now()
        today = LocalDate(now, in: options.menu.dealership.zone)
        latestToday = options.menu.latestToday(at: now)
        self.now = now.wholeSecond
        storeZone = options.menu.dealership.timeZone
    }

    func prepare() async throws {
        (dealsBefore, dealsKnown) = try await storage.read { conn in
            let any = try await conn.one(Int64.self, "SELECT 1::int8 FROM deals LIMIT 1", logger) != nil
            // -1 until the table was first analyzed.
            let known = try await conn.one(
                Int64.self, "SELECT LEAST(GREATEST(reltuples, 0), 1e15)::int8 FROM pg_class WHERE oid = 'deals'::regclass", logger)
            return (any, Int(clamping: known ?? 0))
        }
    }

    /// Gathers the statistics of the tables a deal import writes (`ANALYZE`) each time this command has inserted as many
    /// deals as they counted (at least `analyzeFrom`): PostgreSQL plans the look-up of a batch's stored deals from them,
    /// and with the counts of an empty table (a first import, a database emptied) it scans every deal for every key, the
    /// more slowly the more deals there are, until autovacuum gathers them (up to a minute later, or never during a long
    /// import). A re-import of 50,000 deals right after their first import took 60 s instead of 0.7 s. A role that does
    /// not own the tables gets a warning from PostgreSQL, not an error, and the import goes on.
    func analyzeIfGrown(inserted: Int) async throws {
        let since = inserted - insertedWhenAnalyzed
        guard since >= max(Self.analyzeFrom, dealsKnown) else { return }
        try await storage.read { conn in try await conn.run("ANALYZE deals, customers, vehicles, deal_products", logger) }
        dealsKnown += since
        insertedWhenAnalyzed = inserted
    }

    /// Imports one file: its rows read and validated here, written in batches of `options.batchSize`, each batch one
    /// transaction; then the file's run is closed and its rejects file written.
    func importFile(_ file: String, summary: inout ImportSummary, progress: (@Sendable (ImportProgress) -> Void)?) async throws {
        let opened = try DealFile.open(file, options: options, today: latestToday)
        let runID = try await startRun(file: file, profile: opened.profile)
        let rows: (reader: RowReader, warning: String?)
        do { rows = try opened.rows() } catch {
            try await finishRun(runID, read: 0, status: "failed", error: "\(error)")
            throw error
        }
        if let warning = rows.warning { summary.warnings.append(warning) }
        let stream = RowStream(rows.reader)
        let name = opened.name
        var tally = DealFileTally(
            file: file, name: name, bytesTotal: opened.source.size, writeRejectsFile: options.writeRejectsFile, progress: progress)
        var batches = 0
        var endOfFile = false
        while !endOfFile {
            if let limit = options.simulateCrashAfterBatches, batches == limit { throw SimulatedCrash() }
            let (before, reporter) = (tally.read, tally.reporter)
            let batch = try await writeBatch(stream, runID: runID, file: name) { n in
                reporter.report(rows: before + n, bytesRead: stream.bytesRead, every: true)
            }
            endOfFile = batch.endOfFile
            batches += 1
            tally.absorb(batch, into: &summary, bytesRead: stream.bytesRead)
            try await analyzeIfGrown(inserted: summary.inserted)
        }
        if let failure = stream.failure {
            let message = DealFile.failureMessage(name, failure)
            summary.failedFiles.append(message)
            try await finishRun(runID, read: tally.read, status: "failed", error: message)
        } else {
            try await finishRun(runID, read: tally.read, status: "completed", error: nil)
        }
        tally.finish(into: &summary, warnings: stream.warnings)
    }

    /// Writes up to `options.batchSize` rows in one transaction, with their rejects, the desk sales they change and the
    /// run's counts. `row(n)` is called after the batch's n-th row.
    private func writeBatch(_ stream: RowStream, runID: Int64, file name: String, row: (Int) -> Void) async throws -> ImportBatch {
        try await storage.write { conn in
            try await conn.run(PostgresStorage.keyedWork, storage.logger)
            var batch = ImportBatch()
            var writer = DealWriter(conn: conn, importer: self, runID: runID, file: name)
            while batch.rows < options.batchSize, !batch.endOfFile {
                // A few hundred rows at a time, their stored deals read in one query.
                let items = stream.next(upTo: min(PostgresDealImport.lookUpRows, options.batchSize - batch.rows))
                if items.isEmpty { batch.endOfFile = true }
                try await writer.lookUp(items)
                for item in items {
                    batch.rows += 1
                    row(batch.rows)
                    try await write(item, with: &writer, file: name, into: &batch)
                }
            }
            var written = DealWriter.Written()
            try await writer.flush(into: &written)
            absorb(written, into: &batch)
            try await writer.insertRejects(batch.rejects)
            try await writer.writeDeskSales()
            let c = batch.counts
            try await conn.run(
                """
                UPDATE import_runs SET read_count = read_count + \(batch.rows), inserted = inserted + \(c.inserted),
                    updated = updated + \(c.updated), unchanged = unchanged + \(c.unchanged), rejected = rejected + \(c.rejected),
                    declines = declines + \(c.declines), heartbeat_at = \(storage.clock.now().wholeSecond) WHERE id = \(runID)
                """, logger)
            return batch
        }
    }

    /// Rows whose stored deals are read in one query.
    static let lookUpRows = 500

    /// Writes one row: a refused one's fields as rejects, a valid deal (below).
    private func write(_ item: ImportItem, with writer: inout DealWriter, file name: String, into batch: inout ImportBatch) async throws {
        switch item {
        case .deal(let deal):
            try await write(deal, with: &writer, file: name, into: &batch)
        case .reject(let line, let dealNumber, let store, let errors, let declines):
            storesTouched.insert(store ?? options.defaultStore)
            batch.refuse(line: line, dealNumber: dealNumber, errors: errors, declines: declines, file: name)
        }
    }

    /// Writes one valid deal, unless an earlier row of this import had the same store and number; its warnings are
    /// listed with the rejects.
    private func write(_ deal: PreparedDeal, with writer: inout DealWriter, file name: String, into batch: inout ImportBatch)
        async throws
    {
        storesTouched.insert(deal.record.store)
        guard batch.isFirst(deal, seen: &seen, file: name) else { return }
        // Listed now, in row order: the writer may hold the deal back in a chunk, but never touches the rejects.
        batch.warn(deal, file: name)
        var written = DealWriter.Written()
        try await writer.write(deal, into: &written)
        absorb(written, into: &batch)
    }

    /// Counts what the writer wrote, and remembers the customers whose plans are to be recomputed.
    private func absorb(_ written: DealWriter.Written, into batch: inout ImportBatch) {
        batch.counts.add(written.counts)
        if options.planner != nil { changedCustomers.formUnion(written.customers) }
    }
}

/// A file's rows pulled one at a time, and how the file ended: its reader's warnings, or the error that stopped it.
final class RowStream {
    private let reader: RowReader
    private var finished = false
    private(set) var failure: (any Error)?
    private(set) var warnings: [String] = []

    init(_ reader: RowReader) { self.reader = reader }

    var bytesRead: Int64 { reader.bytes() }

    /// The next rows, up to `count`; fewer only at the end.
    func next(upTo count: Int) -> [ImportItem] {
        var items: [ImportItem] = []
        while items.count < count, let item = next() { items.append(item) }
        return items
    }

    /// The next row; nil at the end, or once the rest of the file cannot be read.
    func next() -> ImportItem? {
        guard !finished else { return nil }
        do {
            if let item = try reader.next() { return item }
            warnings += reader.warnings()
        } catch {
            failure = error
        }
        finished = true
        return nil
    }
}
