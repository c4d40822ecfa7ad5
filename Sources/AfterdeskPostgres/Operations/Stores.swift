import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// The stores of a group and their own settings (kept in `settings` as `store.CODE.KEY`), as on SQLite.
extension PostgresStorage {
    public func stores() async throws -> [StoreRow] {
        try await read { conn in
            var out: [StoreRow] = []
            let rows = try await conn.statement(
                """
                SELECT s.code, s.name, s.time_zone, (SELECT count(*) FROM deals d WHERE d.store_id = s.id)
                FROM stores s ORDER BY s.code COLLATE "C"
                """, logger: logger)
            for try await (code, name, zone, deals) in rows.decode((String, String, String, Int64).self) {
                out.append(StoreRow(code: code, name: name, timeZone: zone, deals: Int(deals)))
            }
            return out
        }
    }

    public func putStore(code: String, name: String, timeZone: String, now: Date) async throws {
        let at = now.wholeSecond
        try await write { conn in
            try await conn.run(
                """
                INSERT INTO stores (code, name, time_zone, created_at) VALUES (\(code), \(name), \(timeZone), \(at))
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone
                """, logger)
        }
    }

    public func storeSettings() async throws -> [String: [String: String]] {
        let rows = try await read { conn in
            var out: [(key: String, value: String)] = []
            let result = try await conn.statement("SELECT key, value FROM settings WHERE key LIKE 'store.%'", logger: logger)
            for try await (key, value) in result.decode((String, String).self) { out.append((key, value)) }
            return out
        }
        return StoreSettingKeys.byStore(rows)
    }

    public func setStoreSetting(store: String, key: String, value: String?, now: Date) async throws {
        guard StoreCode.isValid(store) else { throw StoreError("'\(store)' is not a store code (letters, digits, '-' and '_')") }
        let name = StoreSettingKeys.key(store: store, key: key)
        let at = now.wholeSecond
        try await write { conn in
            guard try await conn.one(Int32.self, "SELECT 1 FROM stores WHERE code = \(store)", logger) != nil else {
                throw StoreError.notFound("no store '\(store)' (afterdesk stores list)")
            }
            if let value {
                try await conn.run(
                    """
                    INSERT INTO settings (key, value, updated_at) VALUES (\(name), \(value), \(at))
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                    """, logger)
            } else {
                try await conn.run("DELETE FROM settings WHERE key = \(name)", logger)
            }
        }
    }

    public func storeOfCustomer(id: Int64) async throws -> String? {
        try await read { conn in
            try await conn.one(String.self, "SELECT s.code FROM customers c JOIN stores s ON s.id = c.store_id WHERE c.id = \(id)", logger)
        }
    }
}
