import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import Synchronization

/// The one way deals, contracts and cancellations are imported, by the command line, the API and the web pages alike:
/// the options, the planner that re-plans the customers whose deals changed, the run on a thread of its own with its
/// progress, and the summary. The storage runs the import's blocking work off Swift's cooperative threads.
public struct ImportService: Sendable {
    public var database: any Storage
    public var menu: Menu
    /// Re-plans the customers whose deals changed; nil: not re-planned (`afterdesk import --no-plan`).
    public var planner: Planner?

    public init(database: any Storage, menu: Menu, planner: Planner?) {
        self.database = database
        self.menu = menu
        self.planner = planner
    }

    /// What one import of deal files is asked.
    public struct Deals: Sendable {
        public var files: [String]
        public var profile: ImportProfile
        /// The store of rows without one.
        public var store: String
        /// A user limited to stores imports into them only: rows of another store are refused (nil: any store).
        public var allowedStores: Set<String>?
        /// Writes `<file>.rejects.csv` beside each file with refused rows.
        public var writeRejectsFile: Bool
        /// Rows per transaction (a crash redoes at most one batch).
        public var batchSize: Int
        public var bulk: BulkMode
        /// The instant the re-planning plans as of (nil: the database's clock).
        public var planAt: Date?

        public init(
            files: [String], profile: ImportProfile, store: String, allowedStores: Set<String>? = nil, writeRejectsFile: Bool,
            batchSize: Int = 50_000, bulk: BulkMode = .auto, planAt: Date? = nil
        ) {
            self.files = files
            self.profile = profile
            self.store = store
            self.allowedStores = allowedStores
            self.writeRejectsFile = writeRejectsFile
            self.batchSize = batchSize
            self.bulk = bulk
            self.planAt = planAt
        }
    }

    /// The store's options for `deals`.
    public func options(_ deals: Deals) -> ImportOptions {
        var options = ImportOptions(
            profile: deals.profile, menu: menu, defaultStore: deals.store, batchSize: deals.batchSize,
            writeRejectsFile: deals.writeRejectsFile)
        options.bulk = deals.bulk
        options.allowedStores = deals.allowedStores
        options.planner = planner
        options.planAt = deals.planAt
        return options
    }

    /// Imports `deals`; `progress` is called inside the import's transactions.
    public func importDeals(_ deals: Deals, progress: (@Sendable (ImportProgress) -> Void)? = nil) async throws
        -> ImportSummary
    {
        try await database.importDeals(files: deals.files, options: options(deals), progress: progress)
    }

    /// Imports a contracts file (re-planning with the planner, when there is one, as of `now`).
    public func importContracts(
        file: String, now: Date?, writeRejectsFile: Bool, allowedStores: Set<String>? = nil
    ) async throws -> AfterSaleSummary {
        try await database.importContracts(
            file: file, menu: menu, planner: planner, now: now, writeRejectsFile: writeRejectsFile, allowedStores: allowedStores)
    }

    /// Imports a cancellations file.
    public func importCancellations(
        file: String, writeRejectsFile: Bool, allowedStores: Set<String>? = nil
    ) async throws -> AfterSaleSummary {
        try await database.importCancellations(
            file: file, menu: menu, writeRejectsFile: writeRejectsFile, allowedStores: allowedStores)
    }

    /// Rows read so far by the uploads' imports running in this process, by upload.
    public static let rowsRead = Mutex<[Int64: Int]>([:])

    /// An upload's import (`WebImportRow` `id`), not awaited: its status and summary are recorded with the upload, the
    /// rows read so far kept in `rowsRead` meanwhile. `done` is told of the summary, or of the error (the upload then
    /// failed).
    public func startUpload(
        id: Int64, deals: Deals, clock: Clock, done: @escaping @Sendable (Result<ImportSummary, any Error>) -> Void
    ) {
        Task.detached { [self] in
            let db = database
            do {
                try await db.updateWebImport(id: id, status: .running, now: clock.now())
                var deals = deals
                deals.planAt = clock.now()
                // Beats while it runs, so other servers starting on the database leave it alone (`RunLiveness`).
                let beat = Self.beat(id: id, db: db, clock: clock)
                defer { beat.cancel() }
                // Progress is called inside the import's transactions: kept in memory, read by the import's page.
                let summary = try await importDeals(deals) { progress in
                    Self.rowsRead.withLock { $0[id] = progress.rows }
                }
                Self.rowsRead.withLock { $0[id] = nil }
                let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
                try await db.updateWebImport(
                    id: id, status: summary.failedFiles.isEmpty ? .done : .failed, rowsRead: summary.read, summary: json,
                    error: summary.failedFiles.first, stores: summary.storesTouched, now: clock.now())
                done(.success(summary))
            } catch {
                try? await db.updateWebImport(id: id, status: .failed, error: "\(error)", now: clock.now())
                done(.failure(error))
            }
        }
    }

    /// Fails the uploads whose import stopped (`interruptWebImports`), judged only while no import runs: holding the
    /// import lock, taken without waiting. A running import holds that lock and keeps the database's writer for
    /// minutes; the beats of its own upload and of those waiting behind it wait with it, so a heartbeat says nothing
    /// while an import runs, and a lock the kernel frees when a process dies says it all. Returns how many were failed
    /// (0 when an import is running).
    public static func failStoppedUploads(_ db: any Storage, now: Date) async throws -> Int {
        guard let lock = try await db.tryLock(.importing) else { return 0 }
        defer { lock.release() }
        return try await db.interruptWebImports(now: now)
    }

    /// Beats for upload `id` every `interval` until cancelled.
    static func beat(
        id: Int64, db: any Storage, clock: Clock, every interval: Duration = .seconds(RunLiveness.beatInterval)
    ) -> Task<Void, Never> {
        Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                // How far it is, for the import's page on every server (this one reads `rowsRead` itself).
                let rows = Self.rowsRead.withLock { $0[id] }
                do { try await db.beatWebImport(id: id, rowsRead: rows, clock: clock) } catch {
                    Logger(label: "afterdesk").warning(
                        "an upload's heartbeat was not written", metadata: ["upload": "\(id)", "error": "\(error)"])
                }
            }
        }
    }
}
