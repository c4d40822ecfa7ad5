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
        let fm = FileManager.default
        guard !fm.fileExists(atPath: destination) else {
            throw StoreError("\(destination) exists already: a backup never overwrites a file")
        }
        let temporary = destination + ".partial"
        try? fm.removeItem(atPath: temporary)
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
            try fm.moveItem(atPath: temporary, toPath: destination)
            let bytes = (try? fm.attributesOfItem(atPath: destination)[.size] as? NSNumber)?.int64Value ?? 0
            return BackupSummary(path: destination, bytes: bytes, deals: deals, migrations: migrations)
        } catch let e as StoreError {
            try? fm.removeItem(atPath: temporary)
            throw e
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw StoreError.io("the backup to \(destination) failed: \(error)")
        }
    }
}
