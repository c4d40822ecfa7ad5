import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// Carries the state of one import command: caches of stores and staff, the clock, the options.
final class DealImporter {
    /// SQLite page cache while importing, in KiB: room for the hot pages of the customer and VIN indexes.
    static let cacheKiB = 40 * 1024
    /// A bulk import, which has dropped those indexes, needs less; the sort that rebuilds them at its end gets
    /// the same (SQLite sorts within the page cache's size).
    static let bulkCacheKiB = 8 * 1024
    var pageCacheKiB: Int { bulk == nil ? DealImporter.cacheKiB : DealImporter.bulkCacheKiB }
    /// Set while a bulk import runs.
    var bulk: BulkKeys?
    /// Whether the database held deals when this import began (if not, no deal needs looking up).
    var dealsBefore = true
    /// Deals in the files, estimated from their sizes.
    var expectedRows = 0
    let database: AfterdeskDatabase
    let options: ImportOptions
    let today: LocalDate
    /// The latest date in any of the group's stores: a row dated after it is in the future (dates written are `today`'s).
    let latestToday: LocalDate
    let nowText: String
    let storeZone: String
    private var storeIDs: [String: Int64] = [:]
    /// Customers whose deals this command inserted or updated: their plans are recomputed.
    var changedCustomers = Set<Int64>()
    /// The stores the rows read so far named (see `ImportSummary.storesTouched`).
    var storesTouched = Set<String>()
    private var staffIDs: [String: (id: Int64, name: String?)] = [:]

    init(database: AfterdeskDatabase, options: ImportOptions) throws {
        self.database = database
        self.options = options
        let now = database.clock.now()
        self.today = LocalDate(now, in: options.menu.dealership.zone)
        self.latestToday = options.menu.latestToday(at: now)
        self.nowText = Instant.iso8601(now)
        self.storeZone = options.menu.dealership.timeZone
    }

    /// Imports one file: a producer thread reads and validates its rows, this thread writes them in batches of
    /// `options.batchSize`, each batch one transaction; then the file's run is closed and its rejects file written.
    func importFile(
        _ file: String, summary: inout ImportSummary, seen: inout Set<Int64>,
        progress: (@Sendable (ImportProgress) -> Void)?
    ) throws {
        let opened = try open(file, summary: &summary)
        let items = ItemStream(capacity: 16)
        opened.producer.start(into: items.queue)
        defer {
            items.queue.close()
            opened.producer.join()
        }
        let name = opened.name
        var tally = DealFileTally(
            file: file, name: name, bytesTotal: opened.source.size, writeRejectsFile: options.writeRejectsFile, progress: progress)
        try database.writer.writeWithoutTransaction { db in
            try withImportSettings(db) {
                var writer = try BatchWriter(db: db, importer: self, runID: opened.runID, file: name)
                var batches = 0
                var endOfFile = false
                while !endOfFile {
                    if let limit = options.simulateCrashAfterBatches, batches == limit { throw SimulatedCrash() }
                    let batch = try writeBatch(db, &writer, items: items, seen: &seen, runID: opened.runID, file: name) { n in
                        tally.reporter.report(rows: tally.read + n, bytesRead: items.bytesRead, every: true)
                    }
                    endOfFile = batch.endOfFile
                    batches += 1
                    tally.absorb(batch, into: &summary, bytesRead: items.bytesRead)
                }
            }
        }
        try finish(opened, read: tally.read, failure: items.failure, summary: &summary)
        tally.finish(into: &summary, warnings: items.warnings)
    }

    /// A file opened for import: its bytes, the producer that will read it, and its run.
    struct OpenedFile {
        let source: FileByteSource
        let producer: RowProducer
        let runID: Int64
        /// The file's name, as rejects and messages give it.
        let name: String
    }

    /// Opens the file, resolves its header and starts its run. A file refused as a whole (empty, binary, a header
    /// that cannot be read) leaves nothing but its failed run.
    private func open(_ file: String, summary: inout ImportSummary) throws -> OpenedFile {
        let opened = try DealFile.open(file, options: options, today: latestToday)
        let runID = try startRun(file: file, profile: opened.profile)
        let rows: (reader: RowReader, warning: String?)
        do { rows = try opened.rows() } catch {
            try finishRun(runID, read: 0, status: "failed", error: "\(error)")
            throw error
        }
        if let warning = rows.warning { summary.warnings.append(warning) }
        return OpenedFile(source: opened.source, producer: RowProducer(rows.reader), runID: runID, name: opened.name)
    }

    /// The import's connection settings while `body` runs, put back after.
    private func withImportSettings(_ db: Database, _ body: () throws -> Void) throws {
        // A larger page cache while importing: the customer and VIN indexes take keys in random order.
        // Foreign keys are not enforced on this connection while it imports: the importer writes every
        // parent (store, staff, customer, vehicle) in the same transaction before the rows that point to
        // it, and enforcement would cost a lookup per reference plus a statement journal per insert.
        // Tests and scripts/crash-test.sh run PRAGMA foreign_key_check on imported databases.
        try db.execute(sql: "PRAGMA cache_size = -\(pageCacheKiB); PRAGMA foreign_keys = OFF")
        defer { try? db.execute(sql: "PRAGMA cache_size = -2000; PRAGMA foreign_keys = ON") }
        // Checkpoint less often while importing: each checkpoint copies every page changed since the last
        // one, and the random-key index pages change in every transaction. (A checkpointing thread beside
        // the writer was tried and measured slower: it competes with the reader thread for the second core.)
        try db.execute(sql: "PRAGMA wal_autocheckpoint = 20000")
        defer { try? db.execute(sql: "PRAGMA wal_autocheckpoint = 1000") }
        try body()
    }

    /// Writes up to `options.batchSize` items in one transaction, with their rejects and the run's counts.
    /// `row(n)` is called after the batch's n-th item.
    private func writeBatch(
        _ db: Database, _ writer: inout BatchWriter, items: ItemStream, seen: inout Set<Int64>, runID: Int64,
        file name: String, row: (Int) -> Void
    ) throws -> ImportBatch {
        var batch = ImportBatch()
        try db.inTransaction(.immediate) {
            writer.deskSales.removeAll()
            while batch.rows < options.batchSize {
                guard let item = items.next() else {
                    batch.endOfFile = true
                    break
                }
                batch.rows += 1
                row(batch.rows)
                switch item {
                case .deal(let deal):
                    try write(deal, with: &writer, seen: &seen, file: name, into: &batch)
                case .reject(let line, let dealNumber, let store, let errors, let declines):
                    storesTouched.insert(store ?? options.defaultStore)
                    batch.refuse(line: line, dealNumber: dealNumber, errors: errors, declines: declines, file: name)
                }
            }
            for r in batch.rejects { try writer.insertReject(r) }
            try writer.writeDeskSales()
            let c = batch.counts
            try db.execute(
                sql: """
                    UPDATE import_runs SET read_count = read_count + ?, inserted = inserted + ?, updated = updated + ?,
                        unchanged = unchanged + ?, rejected = rejected + ?, declines = declines + ?, heartbeat_at = ? WHERE id = ?
                    """,
                arguments: [
                    batch.rows, c.inserted, c.updated, c.unchanged, c.rejected, c.declines, Instant.iso8601(database.clock.now()), runID,
                ])
            return .commit
        }
        return batch
    }

    /// Writes one valid deal, unless an earlier row of this import had the same store and number; its warnings are
    /// listed with the rejects.
    private func write(
        _ deal: PreparedDeal, with writer: inout BatchWriter, seen: inout Set<Int64>, file name: String,
        into batch: inout ImportBatch
    ) throws {
        storesTouched.insert(deal.record.store)
        guard batch.isFirst(deal, seen: &seen, file: name) else { return }
        let change = try writer.apply(deal)
        batch.counts.add(change.counts)
        if options.planner != nil {
            if let c = change.customer { changedCustomers.insert(c) }
            if let c = change.previousCustomer { changedCustomers.insert(c) }
        }
        batch.warn(deal, file: name)
    }

    /// The end of a file: its run closed as completed, or as failed where the rest could not be read (what came
    /// before landed; the message says where it stopped).
    private func finish(_ opened: OpenedFile, read: Int, failure: (any Error)?, summary: inout ImportSummary) throws {
        guard let failure else {
            try finishRun(opened.runID, read: read, status: "completed", error: nil)
            return
        }
        let message = DealFile.failureMessage(opened.name, failure)
        summary.failedFiles.append(message)
        try finishRun(opened.runID, read: read, status: "failed", error: message)
    }

    // MARK: Runs

    private func startRun(file: String, profile: String) throws -> Int64 {
        let now = database.clock.now()
        return try database.writer.write { db in
            try Self.interruptStaleRuns(db, now: now)
            try db.execute(
                sql: """
                    INSERT INTO import_runs (file, profile, started_at, status, pid, host, heartbeat_at) VALUES (?, ?, ?, 'running', ?, ?, ?)
                    """, arguments: [file, profile, nowText, Int(getpid()), RunLiveness.host, Instant.iso8601(now)])
            return db.lastInsertedRowID
        }
    }

    private func finishRun(_ id: Int64, read: Int, status: String, error: String?) throws {
        try database.writer.write { db in
            try db.execute(
                sql: """
                    UPDATE import_runs SET status = ?, finished_at = ?, read_count = ?, error = ? WHERE id = ?
                    """, arguments: [status, Instant.iso8601(database.clock.now()), read, error, id])
        }
    }

    typealias RunCounts = ImportCounts

    /// A new store's name: the menu's for a store it names, the dealership's for `main`, else its code.
    static func storeName(_ code: String, _ menu: Menu) -> String {
        menu.stores[code]?.dealership.name ?? (code == "main" ? menu.dealership.name : code)
    }

    func storeID(_ db: Database, _ code: String) throws -> Int64 {
        if let id = storeIDs[code] { return id }
        try db.execute(
            sql: """
                INSERT INTO stores (code, name, time_zone, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(code) DO NOTHING
                """,
            arguments: [code, Self.storeName(code, options.menu), options.menu.stores[code]?.dealership.timeZone ?? storeZone, nowText])
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM stores WHERE code = ?", arguments: [code]) else {
            throw StoreError("store \(code) could not be created")
        }
        storeIDs[code] = id
        return id
    }

    func staffID(_ db: Database, store: Int64, _ ref: StaffRef?, role: String) throws -> Int64? {
        guard let ref else { return nil }
        let key = "\(store)|\(ref.id)"
        if let s = staffIDs[key], s.name == ref.name || ref.name == nil { return s.id }
        let id =
            try Int64.fetchOne(
                db,
                sql: """
                    INSERT INTO staff (store_id, staff_code, name, role, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(store_id, staff_code) DO UPDATE SET name = COALESCE(excluded.name, name)
                    RETURNING id
                    """, arguments: [store, ref.id, ref.name, role, nowText]) ?? 0
        staffIDs[key] = (id, ref.name)
        return id
    }
}
