import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import GRDBSQLite

/// Customers or vehicles: rows found by a key (match key, VIN) through its hash, unique per scope (the store
/// for customers, none for vehicles).
struct KeyedTable {
    let insert: RawStatement
    let update: RawStatement
    /// Find-or-insert at the first hash through the unique index: one B-tree search. nil in a bulk import, where
    /// the index is dropped.
    let upsert: RawStatement?
    /// Id and key of the row at (scope ?1, hash ?2), through the index.
    let at: RawStatement
    /// Scope, hash and key of row ?1 (a bulk import's in-memory candidates are checked with it).
    let row: RawStatement

    init(_ db: Database, insert: String, update: String, upsert: String?, at: String, row: String) throws {
        self.insert = try RawStatement(db, insert)
        self.update = try RawStatement(db, update)
        self.upsert = try upsert.map { try RawStatement(db, $0) }
        self.at = try RawStatement(db, at)
        self.row = try RawStatement(db, row)
    }

    /// The id of the row for `key`, inserted or refreshed. `bindInsert(statement, hash)` and
    /// `bindUpdate(statement, id, hash)` bind the row's facts; ?1 of the upsert and insert is the scope.
    ///
    /// With the index, the upsert inserts the row at the key's first hash or refreshes it there; only when it
    /// inserted nothing is the key's chain walked: found at the first hash, the upsert already did the refresh.
    /// In a bulk import, `memory` maps hashes to ids instead: each candidate is read back to compare its scope,
    /// hash and key, and a new row is added to it.
    func findOrInsert(
        key: String, scope: Int64, firstHash: Int64, db: Database, memory: KeyMap?,
        bindInsert: (RawStatement, Int64) -> Void, bindUpdate: (RawStatement, Int64, Int64) -> Void
    ) throws -> Int64 {
        if let upsert {
            bindInsert(upsert, firstHash)
            sqlite3_set_last_insert_rowid(db.sqliteConnection, 0)
            try upsert.run()
            let inserted = db.lastInsertedRowID
            if inserted != 0 { return inserted }
        }
        let (hash, existing) = try memory.map { try walk(key, scope: scope, memory: $0) } ?? KeyedTable.walk(key, scope: scope, at: at)
        if let id = existing {
            if upsert == nil || hash != firstHash {
                bindUpdate(update, id, hash)
                try update.run()
            }
            return id
        }
        bindInsert(insert, hash)
        try insert.run()
        let new = db.lastInsertedRowID
        try memory?.insert(UInt32(truncatingIfNeeded: hash), id: new)
        return new
    }

    /// Walks `key`'s chain through the index, `at` giving id and key at (scope ?1, hash ?2): the hash where the
    /// key is and its row, or the first free hash.
    static func walk(_ key: String, scope: Int64, at: RawStatement) throws -> (hash: Int64, id: Int64?) {
        var id: Int64?
        let (hash, found) = try StableHash.probe(key) { h in
            at.bind(1, scope)
            at.bind(2, h)
            defer { at.reset() }
            guard try at.step() else { return .free }
            id = at.int64(0)
            return at.text(1) == key ? .mine : .taken
        }
        return (hash, found ? id : nil)
    }

    /// The same walk in a bulk import: each in-memory candidate is read back to compare its scope, hash and key.
    private func walk(_ key: String, scope: Int64, memory: KeyMap) throws -> (hash: Int64, id: Int64?) {
        var id: Int64?
        let (hash, found) = try StableHash.probe(key) { h in
            var slot = StableHash.Slot.free
            try memory.forEach(UInt32(truncatingIfNeeded: h)) { candidate in
                row.bind(1, candidate)
                defer { row.reset() }
                guard try row.step(), row.int64(0) == scope, row.int64(1) == h else { return true }
                id = candidate
                slot = row.text(2) == key ? .mine : .taken
                return false
            }
            return slot
        }
        return (hash, found ? id : nil)
    }

    /// The vehicle of `vin` when a deal of a store outside `allowed` holds it (an import limited to some stores links
    /// to it but never rewrites it); nil otherwise.
    static func vehicleOfAnotherStore(_ vin: String, allowed: Set<String>, at: RawStatement, db: Database) throws -> Int64? {
        guard let id = try walk(vin, scope: 0, at: at).id else { return nil }
        let stores = String(decoding: try JSONEncoder().encode(allowed.sorted()), as: UTF8.self)
        let held = try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM deals d JOIN stores s ON s.id = d.store_id
                WHERE d.vehicle_id = ? AND s.code NOT IN (SELECT value FROM json_each(?)))
                """, arguments: [id, stores])
        return held == true ? id : nil
    }

    /// Vehicles by VIN hash (they are not per store: ?1 is unused).
    static let vehicleAt = "SELECT id, vin FROM vehicles WHERE vin_hash = ?2"
}
