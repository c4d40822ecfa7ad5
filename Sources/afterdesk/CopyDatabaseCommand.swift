import AfterdeskCore
import AfterdeskDatabases
import AfterdeskPostgres
import AfterdeskSQLite
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

/// `afterdesk copy-database --from FILE --to postgres://…`: a store's SQLite database moved into PostgreSQL, whole,
/// verified, safe to run again (docs/postgresql.md, "Moving a store across").
struct CopyDatabase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy-database",
        abstract: "Copy a whole SQLite database into PostgreSQL, verified on both sides; safe to run again.",
        discussion: """
            Every table is copied row for row, ids kept, in one transaction on the target (its tables locked against \
            writers meanwhile), from one snapshot of the source. The target must be empty, or hold an earlier copy of the \
            same source that nothing has written to since: it is then replaced. Anything else is refused and left as it \
            was (exit 1). Then the count of each table's rows, the report, its ledger, the scorecard and explain of a \
            sample of deals are compared on both sides: any difference fails the command (exit 1). The check reads the \
            source as it is then: stop the servers writing to it first, or a change made during the copy is reported \
            (exit 1) instead of checked. The password comes from AFTERDESK_DB_PASSWORD, AFTERDESK_DB_PASSWORD_FILE, \
            PGPASSWORD or a password file (~/.pgpass), never the location.
            """
    )

    @Option(help: "The database to copy: a SQLite file.") var from: String
    @Option(help: "Where to: a PostgreSQL database, postgres://user@host:5432/database (no password in it).") var to: String
    @Option(help: "Menu file the check reads with (default: menus/default.yaml, or the menu stored with the database).")
    var menu: String?
    @Option(help: "How many deals to explain on both sides.") var explain = 25
    @Flag(help: "No progress on standard error.") var quiet = false

    func run() async throws {
        guard !PostgresLocation.isPostgres(from) else {
            throw StoreError(
                "--from \(PostgresLocation.forPeople(from) ?? "") is PostgreSQL: copy-database copies a SQLite file into PostgreSQL")
        }
        guard PostgresLocation.isPostgres(to) else {
            throw StoreError(
                "--to \(to.contains("://") ? PostgresLocation.forPeople(to) ?? "" : to) is not a PostgreSQL location (postgres://user@host:5432/database): copy-database copies into PostgreSQL"
            )
        }
        guard FileManager.default.fileExists(atPath: from) else { throw StoreError.notFound("no database file \(from)") }
        let source = try AfterdeskDatabase(path: from, clock: CommandClock.clock)
        // The menu in force, as `report` reads it, before the snapshot: a menu it stores with the database is copied too.
        let inForce = try await loadMenu(menu, source)
        // Opened as every command opens PostgreSQL: one line if it cannot be reached, the pool closed before exit.
        guard let target = try await DatabaseLocation.open(to, clock: CommandClock.clock) as? PostgresStorage else {
            throw StoreError("--to is not a PostgreSQL location")
        }
        let shown = target.location ?? "PostgreSQL"
        let summary = try await target.copy(from: try source.tableSource(), progress: quiet ? nil : Self.progress)
        print(Self.render(summary, from: from, to: shown))
        if !quiet { printError("Comparing the report, its ledger, the scorecard and explain on both sides…") }
        let p = try Self.reportParameters(inForce.menu)
        let now = CommandClock.now()
        let deals = try await CopyCheck.sample(source, limit: max(0, explain))
        let mine = try await CopyCheck.figures(source, report: p, planner: inForce.planner, explaining: deals, now: now)
        let theirs = try await CopyCheck.figures(target, report: p, planner: inForce.planner, explaining: deals, now: now)
        let differ = CopyCheck.differences(mine, theirs)
        let moved = try await Self.changedSince(summary, source)
        guard moved.isEmpty else {
            printError(
                "\(from) changed during the copy (in \(moved.joined(separator: ", "))): the copy holds it as of its snapshot, "
                    + "but cannot be checked against it now. Stop the servers writing to it and run copy-database again.")
            throw Exit.failure
        }
        guard differ.isEmpty else {
            printError("The copy differs from \(from) in: \(differ.joined(separator: "; ")).")
            throw Exit.failure
        }
        print(
            "Checked on both sides, the same: \(mine.map(\.name).filter { !$0.hasPrefix("explain ") }.joined(separator: ", "))"
                + (deals.isEmpty ? "." : ", and explain of \(deals.count) deals."))
    }

    /// The tables whose rows in `source` are no longer as many as the copy read from its snapshot.
    static func changedSince(_ summary: CopySummary, _ source: AfterdeskDatabase) async throws -> [String] {
        let now = try source.tableSource()
        var changed: [String] = []
        for t in summary.tables where try await now.count(t.table) != t.source { changed.append(t.table) }
        return changed
    }

    /// The report's parameters for the check: every rule of the menu, the settings' message costs, and twenty years to
    /// today (the dealership's), so every decline is compared, not only the last year's.
    static func reportParameters(_ menu: Menu) throws -> ReportParameters {
        let today = LocalDate(CommandClock.now(), in: menu.dealership.zone)
        var p = ReportParameters(asOf: today, from: today.adding(years: -20), to: today, menu: menu)
        p.netToStore.messageCosts = try DispatchSetup.settings(path: nil).messageCosts
        return p
    }

    /// Rows written, on standard error: a line per table once done, and every 100,000 rows of a large one.
    static let progress: CopyProgress = { table, rows, total in
        if rows == total || rows % 100_000 < 5_000 {
            printError("  \(table): \(rows.grouped) of \(total.grouped) rows")
        }
    }

    static func render(_ s: CopySummary, from: String, to: String) -> String {
        let how =
            switch s.target {
            case .empty: "the target was empty"
            case .replacedCopy: "replaced the copy made \(s.replacedCopyOf.map { Instant.iso8601($0) } ?? "before")"
            }
        var out = "Copied \(from) to \(to) (\(how)):\n"
        out += "  " + "table".padding(toLength: 24, withPad: " ", startingAt: 0) + "source".leftPadded(12) + "target".leftPadded(12) + "\n"
        for t in s.tables {
            out += "  " + t.table.padding(toLength: 24, withPad: " ", startingAt: 0) + t.source.grouped.leftPadded(12)
            out += t.target.grouped.leftPadded(12) + "\n"
        }
        let rows = s.tables.reduce(0) { $0 + $1.target }
        out += "\(s.tables.count) tables, \(rows.grouped) rows, the same count on both sides."
        return out
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
