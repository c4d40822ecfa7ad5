import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Imports deal files (CSV, or JSON by extension `.json`/`.jsonl`/`.ndjson`). Good rows land even
    /// when others are refused; importing the same file again changes nothing.
    public func importDeals(
        files: [String], options: ImportOptions, progress: (@Sendable (ImportProgress) -> Void)? = nil
    ) async throws -> ImportSummary {
        try await onOwnThread { try self.importDealsOnThisThread(files: files, options: options, progress: progress) }
    }

    /// `importDeals` on the calling thread, which it blocks until the import ends.
    func importDealsOnThisThread(
        files: [String], options: ImportOptions, progress: (@Sendable (ImportProgress) -> Void)?
    ) throws -> ImportSummary {
        // A group's stores' own products are read too (`Menu.importing`).
        var options = options
        options.menu = options.menu.importing
        return try withImportLock {
            var summary = ImportSummary()
            let importer = try DealImporter(database: self, options: options)
            // A bulk import killed before its end left the key indexes dropped.
            try writer.write { db in try Migrations.restoreKeyIndexes(db) }
            try importer.prepare(files: files)
            // (store, deal number) hashes already read in this command; sized once, not grown by doubling.
            var seen = Set<Int64>(minimumCapacity: min(importer.expectedRows, 4_000_000))
            do {
                for file in files {
                    do {
                        try importer.importFile(file, summary: &summary, seen: &seen, progress: progress)
                    } catch let e as StoreError where e.kind == .refusedFile {
                        summary.failedFiles.append(e.description)
                    }
                }
            } catch let crash as SimulatedCrash {
                throw crash  // as after kill -9: nothing more runs
            } catch {
                try? importer.endBulk()
                throw error
            }
            try importer.endBulk()
            summary.storesTouched = importer.storesTouched
            summary.warnOfStoresNotIn(options.menu)
            if let planner = options.planner {
                // New facts recompute the plans they touch: the customers of every inserted or updated deal.
                summary.planned = try planCustomersOnThisThread(
                    planner: planner, now: options.planAt ?? clock.now(),
                    customerIDs: importer.changedCustomers.sorted())
            }
            return summary
        }
    }
}
