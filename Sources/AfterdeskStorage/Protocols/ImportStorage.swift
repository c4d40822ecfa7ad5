import AfterdeskCore
import Foundation

/// Importing finalized deals and readings, and the record of imports started from the web pages.
public protocol ImportStorage: Sendable {
    /// Imports deal files (CSV, DMS exports, ADF): every good row lands once, a bad row is a reject naming its file,
    /// line, field and value; re-running a file changes nothing. Plans the customers it touched when `options` asks.
    func importDeals(files: [String], options: ImportOptions, progress: (@Sendable (ImportProgress) -> Void)?) async throws
        -> ImportSummary
    /// Imports odometer readings (service visits) and re-plans the customers whose timing they move.
    func importReadings(file: String, dealershipTimeZone: String, planner: Planner?, now: Date?, writeRejectsFile: Bool)
        async throws -> ReadingsSummary

    func createWebImport(userID: Int64, fileName: String, path: String, profile: String, now: Date) async throws -> Int64
    func updateWebImport(
        id: Int64, status: WebImportStatus, rowsRead: Int?, summary: String?, error: String?, stores: Set<String>?, now: Date
    ) async throws
    /// One web import, if `viewer` may see it (nil: anyone).
    func webImport(id: Int64, visibleTo viewer: Principal?) async throws -> WebImportRow?
    func webImports(id: Int64?, limit: Int, visibleTo viewer: Principal?) async throws -> [WebImportRow]
    /// Fails, as interrupted, the web imports left queued or running by a server that stopped: those whose heartbeat
    /// (or creation) is older than `RunLiveness.staleAfter`; one still beating (another server's) goes on. How many.
    /// Call it only while holding `LockName.importing` (`ImportService.failStoppedUploads`): an import holding it
    /// keeps the database's writer for minutes, and the beats of the uploads waiting behind it with it.
    @discardableResult
    func interruptWebImports(now: Date) async throws -> Int
    /// A sign of life of a queued or running web import, at least every `RunLiveness.beatInterval` while it runs. The
    /// heartbeat is `clock`'s instant when the write is made, not when it was asked for: a beat that waited for the
    /// writer must not land already old.
    /// An upload's import beats while it runs: its server is alive, and (`rowsRead`) how far it is, which the import's
    /// page on any server shows.
    func beatWebImport(id: Int64, rowsRead: Int?, clock: Clock) async throws
    func setWebImportPath(id: Int64, path: String) async throws
}

extension ImportStorage {
    public func beatWebImport(id: Int64, clock: Clock) async throws { try await beatWebImport(id: id, rowsRead: nil, clock: clock) }
    public func importDeals(files: [String], options: ImportOptions) async throws -> ImportSummary {
        try await importDeals(files: files, options: options, progress: nil)
    }
    public func importReadings(file: String, dealershipTimeZone: String, planner: Planner?, now: Date? = nil)
        async throws -> ReadingsSummary
    {
        try await importReadings(
            file: file, dealershipTimeZone: dealershipTimeZone, planner: planner, now: now, writeRejectsFile: true)
    }
    public func updateWebImport(
        id: Int64, status: WebImportStatus, rowsRead: Int? = nil, summary: String? = nil, error: String? = nil,
        stores: Set<String>? = nil, now: Date
    ) async throws {
        try await updateWebImport(
            id: id, status: status, rowsRead: rowsRead, summary: summary, error: error, stores: stores, now: now)
    }
    public func webImports(id: Int64? = nil, limit: Int = 50, visibleTo viewer: Principal?) async throws -> [WebImportRow] {
        try await webImports(id: id, limit: limit, visibleTo: viewer)
    }
}

/// Reading the deals stored: lists, one deal, the capture summary, a customer's deals as the planner takes them.
public protocol DealStorage: Sendable {
    func listDeals(_ filter: DealFilter) async throws -> [DealListItem]
    /// The deal `number` of `store` (nil: the only store holding that number; ambiguous otherwise).
    func deal(number: String, store: String?) async throws -> DealDetail?
    func captureSummary() async throws -> CaptureSummary
    /// Every deal of the customer who bought deal `number`, as the planner reads them.
    func customerDeals(ofDeal number: String, store: String?) async throws -> CustomerDeals?
    func customerIDs(ofDeals numbers: [String], store: String?) async throws -> [Int64]
}

extension DealStorage {
    public func deal(number: String) async throws -> DealDetail? { try await deal(number: number, store: nil) }
    public func customerDeals(ofDeal number: String) async throws -> CustomerDeals? {
        try await customerDeals(ofDeal: number, store: nil)
    }
}
