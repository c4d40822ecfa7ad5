import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

/// The stores of a group and their own settings (kept in `settings` as `store.CODE.KEY`).
extension AfterdeskDatabase {
    public func stores() async throws -> [StoreRow] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.code, s.name, s.time_zone, (SELECT count(*) FROM deals d WHERE d.store_id = s.id) AS deals
                    FROM stores s ORDER BY s.code
                    """
            ).map { StoreRow(code: $0["code"], name: $0["name"], timeZone: $0["time_zone"], deals: $0["deals"]) }
        }
    }

    public func putStore(code: String, name: String, timeZone: String, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO stores (code, name, time_zone, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone
                    """, arguments: [code, name, timeZone, Instant.iso8601(now)])
        }
    }

    public func storeSettings() async throws -> [String: [String: String]] {
        let rows = try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT key, value FROM settings WHERE key LIKE 'store.%'").map {
                (key: $0["key"] as String, value: $0["value"] as String)
            }
        }
        return StoreSettingKeys.byStore(rows)
    }

    public func setStoreSetting(store: String, key: String, value: String?, now: Date) async throws {
        guard StoreCode.isValid(store) else { throw StoreError("'\(store)' is not a store code (letters, digits, '-' and '_')") }
        let name = StoreSettingKeys.key(store: store, key: key)
        try await writer.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM stores WHERE code = ?", arguments: [store]) != nil else {
                throw StoreError.notFound("no store '\(store)' (afterdesk stores list)")
            }
            if let value {
                try db.execute(
                    sql: """
                        INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                        """, arguments: [name, value, Instant.iso8601(now)])
            } else {
                try db.execute(sql: "DELETE FROM settings WHERE key = ?", arguments: [name])
            }
        }
    }

    public func storeOfCustomer(id: Int64) async throws -> String? {
        try await writer.read { db in
            try String.fetchOne(
                db, sql: "SELECT s.code FROM customers c JOIN stores s ON s.id = c.store_id WHERE c.id = ?", arguments: [id])
        }
    }
}
