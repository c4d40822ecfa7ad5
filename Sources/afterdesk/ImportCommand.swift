import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import finalized deals: canonical CSV, JSON, or a DMS export (--profile cdk|dealervault).",
        discussion: """
            Refused rows are listed with file, line, field, value and reason, and written to <file>.rejects.csv
            beside the input; the good rows of the same file still land. Importing the same file again changes
            nothing. Exit code 0 even with refused rows; 65 when a file as a whole cannot be read.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Menu file (default: menus/default.yaml, or the menu stored with the database).") var menu: String?
    @Option(help: "Column layout: canonical (default), cdk or dealervault.") var profile: String = "canonical"
    @Option(help: "Store code for rows without a store column.") var store: String = "main"
    @Flag(help: "Print the summary as JSON.") var json = false
    @Flag(help: "Do not write <file>.rejects.csv files.") var noRejectsFile = false
    @Option(help: "Rows per transaction (a crash redoes at most one batch).") var batchSize: Int = 50_000
    @Option(
        help: ArgumentHelp(
            "Bulk load: auto, on or off.",
            discussion: """
                A bulk load finds customers and vehicles in memory and rebuilds their indexes once at the end; auto uses it \
                for files of at least 50,000 deals that bring at least twice as many deals as the database has customers \
                (a first load).
                """)) var bulk: String = "auto"
    @Flag(help: "Do not re-plan the customers whose deals changed (run `afterdesk plan` later).") var noPlan = false
    @Argument(help: "Files to import.") var files: [String]

    func validate() throws {
        guard ImportProfile.named(profile) != nil else {
            throw ValidationError("unknown profile '\(profile)' (known: \(ImportProfile.all.map(\.name).joined(separator: ", ")))")
        }
        if files.isEmpty { throw ValidationError("name at least one file to import") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if BulkMode(rawValue: bulk) == nil { throw ValidationError("--bulk must be auto, on or off") }
    }

    func run() async throws {
        let db = try await database.open()
        let inForce = try await loadMenu(menu, db)
        let service = ImportService(database: db, menu: inForce.menu, planner: noPlan ? nil : inForce.planner)
        let deals = ImportService.Deals(
            files: files, profile: ImportProfile.named(profile)!, store: store, writeRejectsFile: !noRejectsFile,
            batchSize: batchSize, bulk: BulkMode(rawValue: bulk)!)
        let bar = ProgressBar()
        let progress: (@Sendable (ImportProgress) -> Void)? = if let bar { { bar.update($0) } } else { nil }
        let summary = try await service.importDeals(deals, progress: progress)
        bar?.finish()
        if json {
            print(try jsonString(summary))
        } else {
            print(ImportReport.text(summary))
        }
        for w in summary.warnings { printError("warning: \(w)") }
        for f in summary.failedFiles { printError("error: \(f)") }
        if !summary.failedFiles.isEmpty { throw Exit.unusableInput }
    }
}

enum ImportReport {
    static func text(_ s: ImportSummary, maxRejects: Int = 20) -> String {
        var out =
            "Read \(s.read.grouped) deal\(s.read == 1 ? "" : "s"): \(s.inserted.grouped) new, \(s.updated.grouped) updated, "
            + "\(s.unchanged.grouped) unchanged, \(s.rejected.grouped) refused.\n"
        out += "Declined products stored: \(s.declines.grouped)."
        if s.recoveries > 0 { out += " Recoveries (declined, now sold): \(s.recoveries.grouped)." }
        if s.unwinds > 0 { out += " Unwound deals: \(s.unwinds.grouped)." }
        if let p = s.planned {
            out +=
                "\nRe-planned \(p.customers.grouped) customers: \(p.touches.grouped) touches planned (\(p.sms.grouped) SMS, "
                + "\(p.email.grouped) email, \(p.tasks.grouped) tasks)."
        }
        if !s.rejects.isEmpty {
            out += "\n\nRefused rows (fix them and import the file again; the good rows are already in):\n"
            for r in s.rejects.prefix(maxRejects) {
                out += "  \(r.file):\(r.line)  \(r.field) = \"\(r.value)\": \(r.error)\n"
            }
            let more = s.rejects.count - min(maxRejects, s.rejects.count) + s.rejectsOmitted
            if more > 0 { out += "  … and \(more.grouped) more\n" }
            for f in s.rejectsFiles { out += "All refused rows: \(f)\n" }
        }
        if !s.rowWarnings.isEmpty {
            out +=
                "\nKept with a warning (\(s.warned.grouped) row\(s.warned == 1 ? "" : "s"): valid, but unlikely; left out of the projections they would distort):\n"
            for w in s.rowWarnings.prefix(maxRejects) {
                out += "  \(w.file):\(w.line)  \(w.field) = \"\(w.value)\": \(w.warning)\n"
            }
            let more = s.rowWarnings.count - min(maxRejects, s.rowWarnings.count) + s.rowWarningsOmitted
            if more > 0 { out += "  … and \(more.grouped) more\n" }
            if s.rejects.isEmpty { for f in s.rejectsFiles { out += "All warnings: \(f)\n" } }
        }
        return out.hasSuffix("\n") ? String(out.dropLast()) : out
    }
}

/// A progress bar on standard error, only when it is a terminal.
final class ProgressBar: Sendable {
    /// When the bar was last drawn: the import calls `update` from its own thread, one call at a time.
    private let lastDraw = Mutex(Date.distantPast)

    init?() {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
    }

    func update(_ p: ImportProgress) {
        let now = Date()
        let due = lastDraw.withLock { last in
            guard now.timeIntervalSince(last) > 0.1 || p.bytesRead >= p.bytesTotal else { return false }
            last = now
            return true
        }
        guard due else { return }
        let fraction = p.bytesTotal > 0 ? min(1, Double(p.bytesRead) / Double(p.bytesTotal)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(p.file) \(bar) \(Int(fraction * 100))%  \(p.rows.grouped) rows ".utf8))
    }

    func finish() { FileHandle.standardError.write(Data("\n".utf8)) }
}
