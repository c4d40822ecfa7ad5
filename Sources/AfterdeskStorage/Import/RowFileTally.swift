import AfterdeskCore
import Foundation

/// A refused field of a row: which, as written, and why.
public typealias FieldError = (field: String, value: String, error: String)

/// One row file's import as it goes (odometer readings, after-sale contracts, cancellations), the same on every
/// backend: each row counted read and then inserted, updated, unchanged or refused; each refused field listed in the
/// summary (up to `ImportSummary.rejectListCap`) and written to `<file>.rejects.csv`. The backend keeps only its SQL.
public struct RowFileTally {
    public private(set) var summary = RowFileSummary()
    /// The file's name, as rejects give it.
    public let name: String
    private var rejectsOut: RejectsFile

    public init(file: String, writeRejectsFile: Bool) {
        name = (file as NSString).lastPathComponent
        rejectsOut = RejectsFile(inputPath: file, enabled: writeRejectsFile)
    }

    /// What `nextRow` found.
    public enum Next {
        /// A row to read, from the reader.
        case ready
        /// A row that could not be read (an unclosed quote), refused alone with these rejects; reading goes on.
        case broken([ImportReject])
    }

    /// Moves `reader` to its next row and counts it read; nil at the end of the file.
    public mutating func nextRow(_ reader: CSVReader<FileByteSource>) throws -> Next? {
        do {
            guard try reader.nextRow() else { return nil }
        } catch let e as CSVError {
            summary.read += 1
            return .broken(reject(e.line, [("(row)", "", e.description)]))
        }
        summary.read += 1
        return .ready
    }

    /// Refuses the row at `line` for `errors` (none given: "refused"); its rejects, for a backend that also keeps them
    /// in its `rejects` table.
    @discardableResult
    public mutating func reject(_ line: Int, _ errors: [FieldError]) -> [ImportReject] {
        summary.rejected += 1
        let rejects = (errors.isEmpty ? [("(row)", "", "refused")] : errors).map {
            ImportReject(file: name, line: line, field: $0.field, value: $0.value, error: $0.error, dealNumber: nil)
        }
        for r in rejects {
            if summary.rejects.count < ImportSummary.rejectListCap { summary.rejects.append(r) }
            rejectsOut.append(r)
        }
        return rejects
    }

    /// Counts a row that was written, or found as it was.
    public mutating func count(_ change: AfterSaleChange) {
        switch change {
        case .inserted: summary.inserted += 1
        case .updated: summary.updated += 1
        case .unchanged: summary.unchanged += 1
        }
    }

    /// The summary of the whole file, once its rows are all read: the rejects file moved into place (or an earlier
    /// one removed, when none was refused this time).
    public mutating func finish() -> RowFileSummary {
        var finished = ImportSummary()
        rejectsOut.finish(into: &finished)
        summary.rejectsFile = finished.rejectsFiles.first
        return summary
    }
}
