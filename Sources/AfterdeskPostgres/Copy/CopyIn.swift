import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import NIOCore
import PostgresNIO

extension PostgresStorage {
    /// The advisory lock a copy holds for its transaction: two copies into one database run one after the other.
    static let copyLockKey: Int64 = 0x4166_7472_6473_6B02

    /// Copies every table of `source` into this database (`afterdesk copy-database`), row for row, ids kept, in one
    /// transaction: the database ends as a full copy, or as it was.
    ///
    /// The database must be empty (no row in any of Afterdesk's tables), or hold a copy of the same source (the same
    /// stores) that nothing has written to since it was made (its rows still match the fingerprint recorded with it in
    /// `afterdesk_copies`): that copy is then replaced, emptied first (`TRUNCATE`, which the append-only tables'
    /// row triggers do not see: the rows go only to come back with the source's). Anything else is refused as a
    /// conflict, and nothing changes. Tables are filled in the order of their foreign keys, with `COPY`; rows that a
    /// trigger made meanwhile (`opt_out_state`, from each opt-out entry) give way to the source's own. Each table's
    /// rows are then counted against the source's (a difference rolls the whole copy back), each identity's sequence
    /// is moved past the ids copied, and the copy is recorded with its fingerprint.
    public func copy(from source: any TableSource, pageSize: Int = 5_000, progress: CopyProgress? = nil) async throws
        -> CopySummary
    {
        let sourceTables = Set(try await source.tables())
        let stores = try await Self.storeCodes(source)
        let now = clock.now().wholeSecond
        return try await write { conn in
            try await conn.run("SELECT pg_advisory_xact_lock(\(Self.copyLockKey))", logger)
            let catalog = try await CopyCatalog.read(conn, logger)
            try Self.checkSameTables(catalog, sourceTables, source: source.name)
            // No one writes to the target while it is checked, emptied and filled (a server still running on it waits,
            // or its write fails, but none is lost between the check and the TRUNCATE); reads go on.
            try await Self.lockAgainstWriters(conn, catalog.tables.map(\.name) + ["afterdesk_copies"], logger)
            let replaced = try await self.previousCopy(conn, catalog, stores: stores)
            if replaced != nil {
                let all = catalog.tables.map { CopyCatalog.quoted($0.name) }.joined(separator: ", ")
                try await conn.run(PostgresQuery(unsafeSQL: "TRUNCATE \(all) RESTART IDENTITY"), logger)
            }
            var counts: [CopySummary.TableCount] = []
            for table in catalog.tables {
                counts.append(try await self.copyTable(conn, table, from: source, pageSize: pageSize, progress: progress))
            }
            let summary = CopySummary(target: replaced == nil ? .empty : .replacedCopy, replacedCopyOf: replaced, tables: counts)
            guard summary.countDifferences.isEmpty else {
                throw StoreError.integrity("the copy was rolled back: " + summary.countDifferences.joined(separator: "; "))
            }
            try await self.moveIdentities(conn, catalog)
            let fingerprint = try await self.fingerprint(conn, catalog)
            let rows = Int64(counts.reduce(0) { $0 + $1.target })
            try await conn.run(
                """
                INSERT INTO afterdesk_copies (source, stores, tables, row_count, fingerprint, copied_at)
                VALUES (\(source.name), \(stores), \(counts.count), \(rows), \(fingerprint), \(now))
                """, logger)
            return summary
        }
    }

    /// Locks `tables` in EXCLUSIVE mode until the transaction ends: other sessions may read them, not write them.
    static func lockAgainstWriters(_ conn: PostgresConnection, _ tables: [String], _ logger: Logger) async throws {
        let names = tables.map(CopyCatalog.quoted).joined(separator: ", ")
        try await conn.run(PostgresQuery(unsafeSQL: "LOCK TABLE \(names) IN EXCLUSIVE MODE"), logger)
    }

    /// The source's store codes, sorted, comma-separated: which dealership a copy is of.
    static func storeCodes(_ source: any TableSource) async throws -> String {
        var codes: [String] = []
        try await source.forEachPage(of: "stores", columns: ["code"], pageSize: 1_000) { rows in
            for row in rows { if case .text(let code) = row.first { codes.append(code) } }
        }
        return codes.sorted().joined(separator: ",")
    }

    /// Refuses a source and target whose tables differ: a table on one side only would not be copied.
    static func checkSameTables(_ catalog: CopyCatalog, _ sourceTables: Set<String>, source: String) throws {
        let target = Set(catalog.tables.map(\.name))
        let onlySource = sourceTables.subtracting(target).sorted()
        let onlyTarget = target.subtracting(sourceTables).sorted()
        guard onlySource.isEmpty, onlyTarget.isEmpty else {
            var parts: [String] = []
            if !onlySource.isEmpty { parts.append("only in \(source): \(onlySource.joined(separator: ", "))") }
            if !onlyTarget.isEmpty { parts.append("only in the target: \(onlyTarget.joined(separator: ", "))") }
            throw StoreError.conflict(
                "the two databases do not have the same tables (\(parts.joined(separator: "; "))): "
                    + "copy-database needs both at this release's schema")
        }
    }

    /// nil when every table is empty; the time of the copy it holds when it holds one of the same stores, unchanged
    /// since; anything else refused (nothing has been changed yet).
    func previousCopy(_ conn: PostgresConnection, _ catalog: CopyCatalog, stores: String) async throws -> Date? {
        var holding: [String] = []
        for table in catalog.tables {
            let q = CopyCatalog.quoted(table.name)
            if try await conn.one(Bool.self, PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(q))"), logger) == true {
                holding.append(table.name)
            }
        }
        if holding.isEmpty { return nil }
        let shown = holding.prefix(5).joined(separator: ", ") + (holding.count > 5 ? " and \(holding.count - 5) more" : "")
        let last = try await conn.rows("SELECT stores, fingerprint, copied_at FROM afterdesk_copies ORDER BY id DESC LIMIT 1", logger)
        guard let row = last.first else {
            throw StoreError.conflict(
                "the target already holds data (in \(shown)) that copy-database did not put there: refused, nothing changed "
                    + "(copy into an empty database)")
        }
        let (theirStores, recorded, copiedAt) = try row.decode((String, String, Date).self)
        guard theirStores == stores else {
            throw StoreError.conflict(
                "the target holds a copy of another database (stores \(theirStores.isEmpty ? "none" : theirStores)), "
                    + "not of this one (stores \(stores.isEmpty ? "none" : stores)): refused, nothing changed")
        }
        let current = try await fingerprint(conn, catalog)
        guard current == recorded else {
            let changed = Self.changedTables(recorded, current)
            throw StoreError.conflict(
                "the target has changed since the copy of \(Instant.iso8601(copiedAt)) (in \(changed.joined(separator: ", "))): "
                    + "it is in use, so it is not replaced; nothing changed")
        }
        return copiedAt
    }

    /// The tables whose lines differ between two fingerprints.
    static func changedTables(_ a: String, _ b: String) -> [String] {
        let (la, lb) = (Set(a.split(separator: "\n")), Set(b.split(separator: "\n")))
        let names = la.symmetricDifference(lb).compactMap { $0.split(separator: " ").first.map(String.init) }
        return Array(Set(names)).sorted()
    }
}
