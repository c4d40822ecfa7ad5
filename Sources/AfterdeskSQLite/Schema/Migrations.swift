import AfterdeskStorage
import GRDB

/// The schema's history. Each migration is named, written in SQL, and never edited once shipped:
/// a mistake is fixed by a new migration.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-capture") { db in
            try db.execute(sql: v1Capture)
        }
        m.registerMigration("v2-plans") { db in
            try db.execute(sql: v2Plans)
        }
        m.registerMigration("v3-dispatch") { db in
            try db.execute(sql: v3Dispatch)
        }
        m.registerMigration("v4-compact-plans") { db in
            // A plan row per declined product is the largest thing planning writes: the sentence explaining why
            // nothing is planned becomes a code (`afterdesk explain` still gives the sentence), and the planning
            // time stays on the touches, where it was already written.
            try db.execute(sql: v4CompactPlans)
        }
        m.registerMigration("v5-unique-hashes") { db in
            // The customer and VIN hash indexes become unique, so the importer finds-or-inserts a customer or a
            // vehicle with one statement and one B-tree search (see StableHash). Rows that share a hash (two keys
            // colliding on 64 bits) are given the next free hash of their own probe chain first.
            // Shipped with code (rechaining through StableHash's probe chain, which is the data format the importer
            // reads and so cannot change either); the last migration that does: from v6 on, migrations are SQL only.
            try db.execute(sql: v5UniqueHashes)
            try v5UniqueIndexes(db)
        }
        for (name, sql) in sqlOnly {
            m.registerMigration(name) { db in try db.execute(sql: sql) }
        }
        return m
    }

    /// Migrations after v5, in order: SQL only, never edited once shipped (MigrationTests pins each by hash).
    static let sqlOnly: [(name: String, sql: String)] = [
        ("v6-hardening", v6Hardening),
        ("v7-outcomes", v7Outcomes),
        ("v8-web", v8Web),
        ("v9-offers", v9Offers),
        ("v10-import-scope", v10ImportScope),
        ("v11-opt-outs", v11OptOuts),
        ("v12-trade-facts", v12TradeFacts),
        ("v13-run-heartbeats", v13RunHeartbeats),
        ("v14-decline-horizons", v14DeclineHorizons),
        ("v15-report-reads", v15ReportReads),
        ("v16-user-stores", v16UserStores),
        ("v17-leases", v17Leases),
        ("v18-outbox-claims", v18OutboxClaims),
    ]

    /// The unique hash indexes of customers and vehicles, created where missing, after a bulk import (which drops
    /// them while it runs) was killed before rebuilding them. The importer keeps hashes unique (see StableHash).
    static func restoreKeyIndexes(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE UNIQUE INDEX IF NOT EXISTS customers_match ON customers(store_id, match_hash);
                CREATE UNIQUE INDEX IF NOT EXISTS vehicles_vin ON vehicles(vin_hash);
                """)
    }

    /// Migration v5's second step, as shipped: creates the unique indexes, first rechaining rows of a database from
    /// before v5 that share a hash.
    private static func v5UniqueIndexes(_ db: Database) throws {
        let keyIndexes = [
            (index: "customers_match", table: "customers", key: "match_key", hash: "match_hash", scope: "store_id" as String?),
            (index: "vehicles_vin", table: "vehicles", key: "vin", hash: "vin_hash", scope: nil),
        ]
        for k in keyIndexes {
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?", arguments: [k.index]) == nil
            else { continue }
            let create = "CREATE UNIQUE INDEX \(k.index) ON \(k.table)(\(k.scope.map { "\($0), " } ?? "")\(k.hash))"
            do {
                try db.execute(sql: create)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                // Rows sharing a hash (only a database from before v5 can have them): rechain them, then index.
                try rechain(db, table: k.table, key: k.key, hash: k.hash, scope: k.scope)
                try db.execute(sql: create)
            }
        }
    }

    /// Moves every row but the first of each group sharing (scope, hash) to the first free hash of its key's chain.
    private static func rechain(_ db: Database, table: String, key: String, hash: String, scope: String?) throws {
        let scopeColumn = scope ?? "0"
        let group = scope.map { "\($0), \(hash)" } ?? hash
        let shared = try Row.fetchAll(
            db,
            sql: """
                SELECT id, \(scopeColumn) AS scope, \(key) AS key FROM \(table)
                WHERE (\(group)) IN (SELECT \(group) FROM \(table) GROUP BY \(group) HAVING count(*) > 1)
                AND id NOT IN (SELECT min(id) FROM \(table) GROUP BY \(group) HAVING count(*) > 1)
                ORDER BY id
                """)
        for row in shared {
            let id: Int64 = row["id"]
            let scopeValue: Int64 = row["scope"]
            let keyValue: String = row["key"]
            let (free, _) = try StableHash.probe(keyValue, from: 1) { h in
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM \(table) WHERE \(scopeColumn) = ? AND \(hash) = ?",
                    arguments: [scopeValue, h]) == nil ? .free : .taken
            }
            try db.execute(sql: "UPDATE \(table) SET \(hash) = ? WHERE id = ?", arguments: [free, id])
        }
    }

}
