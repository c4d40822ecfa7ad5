import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// A consistent copy of the database at `path` through SQLite's online backup API, safe while `serve` or an import
    /// runs: it copies a page run at a time from one read transaction (a snapshot, so writers go on; WAL readers never
    /// block them), into a temporary file beside `path` that is checked (`PRAGMA integrity_check`) and then renamed into
    /// place. An existing `path` is refused: a backup never overwrites one.
    public func backup(to destination: String) async throws -> BackupSummary {
        try await onOwnThread { try self.backupOnThisThread(to: destination) }
    }

    func backupOnThisThread(to destination: String) throws -> BackupSummary {
        let temporary = try BackupFile.start(destination)
        do {
            let copy = try DatabaseQueue(path: temporary)
            try writer.backup(to: copy, pagesPerStep: 4096)
            let (check, deals, migrations) = try copy.read { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "",
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deals") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations") ?? 0
                )
            }
            try copy.close()
            guard check == "ok" else { throw StoreError.integrity("the copy failed its integrity check: \(check)") }
            return try BackupFile.finish(temporary: temporary, destination: destination, deals: deals, migrations: migrations)
        } catch {
            throw BackupFile.abandon(temporary, destination: destination, after: error)
        }
    }
}
