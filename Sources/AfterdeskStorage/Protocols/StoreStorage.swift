import AfterdeskCore
import Foundation

/// A group's rooftops: the `stores` rows deals belong to, and each store's own settings (`afterdesk stores set`),
/// which win over the group's settings file and environment (docs/settings.md, "A dealer group").
public protocol StoreStorage: Sendable {
    /// Every store, by code.
    func stores() async throws -> [StoreRow]
    /// Creates the store, or gives an existing one this name and time zone (the menu's `stores:` say them).
    func putStore(code: String, name: String, timeZone: String, now: Date) async throws
    /// Every store's own settings, by store code then key.
    func storeSettings() async throws -> [String: [String: String]]
    /// Sets one of a store's own settings, or with nil clears it (the group's applies again). The store must exist.
    func setStoreSetting(store: String, key: String, value: String?, now: Date) async throws
    /// The store a customer belongs to (customers are kept per store); nil for no such customer.
    func storeOfCustomer(id: Int64) async throws -> String?
}

/// One store as the database holds it.
public struct StoreRow: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var timeZone: String
    public var deals: Int
    public init(code: String, name: String, timeZone: String, deals: Int) {
        self.code = code
        self.name = name
        self.timeZone = timeZone
        self.deals = deals
    }
    enum CodingKeys: String, CodingKey {
        case code, name, deals
        case timeZone = "time_zone"
    }
}

/// How a store's own settings are kept in `settings`: `store.CODE.KEY`.
public enum StoreSettingKeys {
    /// The settings key a store's own value is kept under.
    public static func key(store: String, key: String) -> String { "store.\(store).\(key)" }

    /// `store.CODE.KEY` rows as a map by store code then key.
    public static func byStore(_ rows: [(key: String, value: String)]) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for (key, value) in rows {
            let parts = key.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "store" else { continue }
            out[String(parts[1]), default: [:]][String(parts[2])] = value
        }
        return out
    }
}

extension StoreStorage where Self: SettingsStorage {
    /// The rows of the menu's stores: each created, or renamed and moved to the zone the menu gives it.
    public func putStores(of menu: Menu, now: Date) async throws {
        for code in menu.stores.keys.sorted() {
            let d = menu.dealership(of: code)
            try await putStore(code: code, name: d.name, timeZone: d.timeZone, now: now)
        }
    }
}
