import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// Settings (table `settings`), and what is kept as settings, as on SQLite: the menu in force (the YAML texts it was
/// read from, so every later command plans with the same menu) and the states under an emergency order.
extension PostgresStorage {
    static let menuKey = "menu.yaml"
    static let warrantiesKey = "warranties.yaml"
    /// The states whose declared emergency an admin has switched on (Louisiana forbids solicitation during one): their
    /// codes, comma-separated (SQLite's `AfterdeskDatabase.emergencyStatesKey`).
    static let emergencyStatesKey = "emergency_states"

    public func setting(_ key: String) async throws -> String? {
        try await read { conn in try await conn.one(String.self, "SELECT value FROM settings WHERE key = \(key)", logger) }
    }

    /// Stores `value` under `key`; `updated_at` moves only when the value changes.
    public func setSetting(_ key: String, _ value: String) async throws {
        let now = clock.now().wholeSecond
        try await write { conn in
            try await conn.run(
                """
                INSERT INTO settings (key, value, updated_at) VALUES (\(key), \(value), \(now))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                    updated_at = CASE WHEN settings.value = excluded.value THEN settings.updated_at ELSE excluded.updated_at END
                """, logger)
        }
    }

    /// Inserts unless present, then reads: the insert of a racing transaction waits for the other's commit and then
    /// does nothing, and the read (a statement of its own, READ COMMITTED) sees the value that won.
    public func settingIfAbsent(_ key: String, _ value: String) async throws -> String {
        let now = clock.now().wholeSecond
        return try await write { conn in
            try await conn.run(
                "INSERT INTO settings (key, value, updated_at) VALUES (\(key), \(value), \(now)) ON CONFLICT (key) DO NOTHING", logger)
            return try await conn.one(String.self, "SELECT value FROM settings WHERE key = \(key)", logger) ?? value
        }
    }

    /// The menu and warranty texts stored with the database, when there are any.
    public func storedMenu() async throws -> (menu: String?, warranties: String?) {
        (try await setting(Self.menuKey), try await setting(Self.warrantiesKey))
    }

    /// Stores the texts of the menu in force.
    public func storeMenu(_ inForce: MenuInForce) async throws {
        try await setSetting(Self.menuKey, inForce.menuText)
        try await setSetting(Self.warrantiesKey, inForce.warrantiesText)
        try await putStores(of: inForce.menu, now: clock.now())
    }

    /// The states whose declared emergency is switched on.
    public func emergencyStates() async throws -> Set<String> {
        Self.states(try await setting(Self.emergencyStatesKey) ?? "")
    }

    /// The two-letter codes of a comma-separated list, upper case.
    private static func states(_ text: String) -> Set<String> {
        Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { $0.count == 2 })
    }

    /// Switches a state's emergency blackout on or off; returns the states switched on afterwards. Read and written in
    /// one transaction with the setting's row locked, so two admins switching states at once both count.
    @discardableResult
    public func setEmergency(_ state: String, on: Bool) async throws -> Set<String> {
        let now = clock.now().wholeSecond
        let key = Self.emergencyStatesKey
        return try await write { conn in
            try await conn.run(
                "INSERT INTO settings (key, value, updated_at) VALUES (\(key), '', \(now)) ON CONFLICT (key) DO NOTHING", logger)
            var states = Self.states(
                try await conn.one(String.self, "SELECT value FROM settings WHERE key = \(key) FOR UPDATE", logger) ?? "")
            if on { states.insert(state.uppercased()) } else { states.remove(state.uppercased()) }
            let text = states.sorted().joined(separator: ",")
            try await conn.run(
                """
                UPDATE settings SET value = \(text), updated_at = CASE WHEN value = \(text) THEN updated_at ELSE \(now) END
                WHERE key = \(key)
                """, logger)
            return states
        }
    }
}
