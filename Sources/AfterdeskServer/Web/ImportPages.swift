import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation

/// The upload form and the recent imports.
struct ImportsPage: PageModel {
    static let template = "imports"
    struct Choice: Sendable, Equatable {
        var value: String
        var label: String
    }
    struct Row: Sendable, Equatable {
        var href: String
        var fileName: String
        var user: String
        var status: String
        var at: String
        var rows: String

        init(_ r: WebImportRow, zone: TimeZone) {
            href = WebPaths.importPage(r.id)
            fileName = r.fileName
            user = r.user
            status = r.status.rawValue
            at = PeopleText(zone: zone).dateTime(r.createdAt)
            rows = r.rowsRead.grouped
        }
    }
    var layout: Layout
    var profiles: [Choice]
    var imports: [Row]
    var error: String?
    var hasImports: Bool

    static func profileLabel(_ name: String) -> String {
        switch name {
        case "canonical": return "Afterdesk CSV or JSON (canonical)"
        case "cdk": return "CDK Drive export"
        case "dealervault": return "DealerVault export"
        default: return name
        }
    }
}

/// One upload: its progress while it runs, then the summary with every refused row and warning.
struct ImportPage: PageModel {
    static let template = "import"
    struct Problem: Sendable, Equatable {
        var line: Int
        var deal: String
        var field: String
        var value: String
        var message: String
    }
    var layout: Layout
    var id: Int64
    var fileName: String
    var profile: String
    var status: String
    var running: Bool
    var failed: Bool
    var error: String?
    var rowsRead: String
    var read: String = "0"
    var inserted: String = "0"
    var updated: String = "0"
    var unchanged: String = "0"
    var rejected: String = "0"
    var declines: String = "0"
    var planned: String?
    var refused: [Problem] = []
    var refusedOmitted: String?
    var warnings: [Problem] = []
    var hasRejects: Bool = false
    var hasRefused = false
    var hasWarnings = false
    var rejectsHref: String
    var done: Bool

    init(_ r: WebImportRow, layout: Layout, zone: TimeZone) {
        // No timed refresh while it runs (WCAG 2.2.1: the axe audit's meta-refresh): the page links to itself.
        self.layout = layout
        id = r.id
        fileName = r.fileName
        profile = ImportsPage.profileLabel(r.profile)
        status = r.status.rawValue
        running = r.status == .queued || r.status == .running
        failed = r.status == .failed
        done = r.status == .done
        error = r.error.map { $0.replacingOccurrences(of: r.path, with: r.fileName) }
        rowsRead = r.rowsRead.grouped
        rejectsHref = WebPaths.importPage(r.id) + "/rejects.csv"
        guard let text = r.summary, let s = try? JSONDecoder().decode(ImportSummary.self, from: Data(text.utf8)) else { return }
        read = s.read.grouped
        inserted = s.inserted.grouped
        updated = s.updated.grouped
        unchanged = s.unchanged.grouped
        rejected = s.rejected.grouped
        declines = s.declines.grouped
        planned = s.planned.map { "\($0.customers.grouped) customers re-planned: \($0.touches.grouped) touches" }
        refused = s.rejects.map { Problem(line: $0.line, deal: $0.dealNumber ?? "", field: $0.field, value: $0.value, message: $0.error) }
        refusedOmitted = s.rejectsOmitted > 0 ? s.rejectsOmitted.grouped : nil
        warnings = s.rowWarnings.map {
            Problem(line: $0.line, deal: $0.dealNumber ?? "", field: $0.field, value: $0.value, message: $0.warning)
        }
        hasRejects = s.rejected > 0 || s.warned > 0
        hasRefused = !refused.isEmpty
        hasWarnings = !warnings.isEmpty
    }
}
