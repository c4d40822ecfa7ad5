import AfterdeskCore
import Foundation

/// What one batch of a deal import wrote (each batch is one transaction), counted the same on every backend: the
/// rows it read, what they did, and the refused fields and warnings to list.
public struct ImportBatch: Sendable {
    public var counts = ImportCounts()
    public var rejects: [ImportReject] = []
    public var rows = 0
    public var endOfFile = false

    public init() {}

    /// Refuses a row the reader refused as a whole (`ImportItem.reject`): each of its errors is a reject carrying the
    /// row's declined products (for the capture rate).
    public mutating func refuse(line: Int, dealNumber: String?, errors: [RowError], declines: Int, file: String) {
        counts.rejected += 1
        for e in errors {
            var r = ImportReject(
                file: file, line: line, field: e.field, value: e.value, error: e.message,
                dealNumber: dealNumber.flatMap { $0.isEmpty ? nil : $0 })
            r.declines = declines
            rejects.append(r)
        }
    }

    /// Whether `deal` is the first of its store and number in this import (`seen` holds the keys read so far); a
    /// later one is refused, and only the first is kept.
    public mutating func isFirst(_ deal: PreparedDeal, seen: inout Set<Int64>, file: String) -> Bool {
        if seen.insert(deal.dealKey).inserted { return true }
        let record = deal.record
        counts.rejected += 1
        rejects.append(
            ImportReject(
                file: file, line: deal.line, field: "deal_number", value: record.dealNumber,
                error: "deal \(record.dealNumber) of store \(record.store) appears earlier in this import; only the first is kept",
                dealNumber: record.dealNumber))
        return false
    }

    /// Lists the warnings of a deal that was written (counted once per deal).
    public mutating func warn(_ deal: PreparedDeal, file: String) {
        guard !deal.warnings.isEmpty else { return }
        counts.warned += 1
        for w in deal.warnings {
            rejects.append(
                ImportReject(
                    file: file, line: deal.line, field: w.field, value: w.value, error: w.message, dealNumber: deal.record.dealNumber,
                    isWarning: true))
        }
    }
}

/// Reports a deal file's progress: after each batch, and every 5,000 rows within one.
public struct ImportProgressReporter: Sendable {
    public let file: String
    public let bytesTotal: Int64
    let progress: (@Sendable (ImportProgress) -> Void)?

    public init(file: String, bytesTotal: Int64, progress: (@Sendable (ImportProgress) -> Void)?) {
        self.file = file
        self.bytesTotal = bytesTotal
        self.progress = progress
    }

    /// `rows` read so far, `bytesRead` of the file's bytes: reported when `every` says so (a multiple of 5,000).
    public func report(rows: Int, bytesRead: Int64, every: Bool = false) {
        guard let progress, !every || rows % 5_000 == 0 else { return }
        progress(ImportProgress(file: file, bytesRead: bytesRead, bytesTotal: bytesTotal, rows: rows))
    }
}

/// One deal file's import as it goes, batch by batch, the same on every backend: each batch's counts added into the
/// command's summary, its rejects and warnings listed (up to the cap) and written to `<file>.rejects.csv`, and the
/// progress reported.
public struct DealFileTally {
    public let reporter: ImportProgressReporter
    /// The rows read so far.
    public private(set) var read = 0
    private var rejectsOut: RejectsFile

    public init(file: String, name: String, bytesTotal: Int64, writeRejectsFile: Bool, progress: (@Sendable (ImportProgress) -> Void)?) {
        reporter = ImportProgressReporter(file: name, bytesTotal: bytesTotal, progress: progress)
        rejectsOut = RejectsFile(inputPath: file, enabled: writeRejectsFile)
    }

    /// Adds a written batch into `summary`, `bytesRead` of the file read by its end.
    public mutating func absorb(_ batch: ImportBatch, into summary: inout ImportSummary, bytesRead: Int64) {
        read += batch.rows
        summary.add(batch.counts)
        for r in batch.rejects {
            summary.list(r)
            rejectsOut.append(r)
        }
        reporter.report(rows: read, bytesRead: bytesRead)
    }

    /// The end of the file: its rows and the reader's `warnings` added into `summary`, its rejects file moved into place.
    public mutating func finish(into summary: inout ImportSummary, warnings: [String]) {
        summary.read += read
        summary.warnings += warnings
        rejectsOut.finish(into: &summary)
    }
}
