import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A consistent copy of the database, safe while `serve` runs: SQLite's online backup API, or PostgreSQL's pg_dump.",
        discussion: """
            The copy is checked (SQLite: PRAGMA integrity_check; PostgreSQL: pg_restore --list) before it takes its name; an \
            existing file is never overwritten.
            """)
    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print the summary as JSON.") var json = false
    @Argument(help: "Where to write the copy, e.g. /backups/afterdesk-2026-12-01.sqlite.") var path: String

    func run() async throws {
        let summary = try await database.open().backup(to: path)
        if json {
            print(try jsonString(summary))
        } else {
            print(
                "Backed up to \(summary.path): \(Int(summary.bytes).grouped) bytes, \(summary.deals.grouped) deals, schema v\(summary.migrations)."
            )
        }
    }
}
