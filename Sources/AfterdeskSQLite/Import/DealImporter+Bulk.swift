import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension DealImporter {
    // MARK: Bulk

    /// Estimates the deals in the files, looks at what the database holds, and begins a bulk import if worth it.
    func prepare(files: [String]) throws {
        expectedRows = files.reduce(0) { $0 + DealImporter.estimatedRows($1) }
        let expected = Int64(expectedRows)
        let (existing, existingVehicles): (Int64, Int64) = try database.writer.read { db in
            dealsBefore = try Bool.fetchOne(db, sql: "SELECT 1 FROM deals LIMIT 1") != nil
            return (
                try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM customers") ?? 0,
                try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM vehicles") ?? 0
            )
        }
        // Ids are kept in 32 bits in memory.
        let limit: Int64 = KeyMap.maxID / 2
        let roomy = existing + expected < limit && existingVehicles + expected < limit
        switch options.bulk {
        case .off: return
        case .on: guard roomy else { return }
        case .auto: guard roomy, expected >= Int64(BulkMode.minimumRows), expected >= 2 * existing else { return }
        }
        try database.writer.write { db in
            let keys = BulkKeys(expectedRows: Int(expected + existing))
            for (map, sql) in [
                (keys.customers, "SELECT id, match_hash FROM customers"), (keys.vehicles, "SELECT id, vin_hash FROM vehicles"),
            ] {
                let s = try RawStatement(db, sql)
                while try s.step() { try map.insert(UInt32(truncatingIfNeeded: s.int64(1)), id: s.int64(0)) }
                s.reset()
            }
            try db.execute(sql: "DROP INDEX customers_match; DROP INDEX vehicles_vin")
            bulk = keys
        }
    }

    /// Rebuilds the key indexes a bulk import dropped.
    func endBulk() throws {
        guard bulk != nil else { return }
        bulk = nil  // its memory goes to the sort that builds the indexes
        try database.writer.write { db in
            try db.execute(sql: "PRAGMA cache_size = -\(DealImporter.bulkCacheKiB)")
            defer { try? db.execute(sql: "PRAGMA cache_size = -2000") }
            try Migrations.restoreKeyIndexes(db)
        }
    }

    /// Deals in a file, estimated from its size and its first 64 KB.
    static func estimatedRows(_ file: String) -> Int {
        guard let source = try? FileByteSource(path: file), source.size > 0 else { return 0 }
        let head = source.prefix(65_536)
        let lower = file.lowercased()
        let perDeal: Int
        if lower.hasSuffix(".json") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") {
            let marker = Array("\"deal_number\"".utf8)
            var found = 0
            for i in 0..<max(0, head.count - marker.count) where head[i] == marker[0] && head[i..<i + marker.count].elementsEqual(marker) {
                found += 1
            }
            perDeal = found > 0 ? head.count / found : head.count
        } else {
            let lines = head.filter { $0 == 0x0A }.count
            perDeal = lines > 0 ? head.count / lines : head.count
        }
        return Int(source.size) / max(1, perDeal)
    }
}
