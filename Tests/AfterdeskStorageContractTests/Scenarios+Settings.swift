import AfterdeskCore
import AfterdeskPostgres
import AfterdeskStorage
import Foundation
import Testing

/// Settings, the menu in force, emergency states, and operations.
extension Scenarios {
    static let settingsArea: [(name: String, run: Scenario)] = [
        ("settings: a setting, the menu in force and emergency states are kept", settingsKept),
        ("stores: a group menu's stores, a store added, its own settings set and cleared", storesKept),
        ("operations: migrations, counts, monitoring counts and location", operationsCounts),
        ("operations: a backup is a consistent copy and never overwrites", operationsBackup),
    ]

    @Sendable static func settingsKept(_ s: any Storage, _ f: Fixture) async throws {
        #expect(try await s.setting("dealer.name") == nil)
        try await s.setSetting("dealer.name", "Hill Country Toyota")
        try await s.setSetting("dealer.name", "Hill Country Motors")
        #expect(try await s.setting("dealer.name") == "Hill Country Motors")
        // Insert if absent: the first value written stands, for callers racing each other too.
        #expect(try await s.settingIfAbsent("dealer.name", "Other Motors") == "Hill Country Motors")
        let raced = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<8 { group.addTask { try await s.settingIfAbsent("secret", "value-\(i)") } }
            var seen: Set<String> = []
            for try await v in group { seen.insert(v) }
            return seen
        }
        #expect(raced.count == 1)
        #expect(try await s.setting("secret") == raced.first)
        let none = try await s.storedMenu()
        #expect(none.menu == nil && none.warranties == nil)
        try await s.storeMenu(
            MenuInForce(
                menu: f.menu, warranties: f.warranties, source: "defaults", menuText: DefaultMenus.menuYAML,
                warrantiesText: DefaultMenus.warrantiesYAML))
        let stored = try await s.storedMenu()
        #expect(stored.menu == DefaultMenus.menuYAML && stored.warranties == DefaultMenus.warrantiesYAML)
        #expect(try await s.emergencyStates().isEmpty)
        #expect(try await s.setEmergency("FL", on: true) == ["FL"])
        #expect(try await s.setEmergency("TX", on: true) == ["FL", "TX"])
        #expect(try await s.setEmergency("FL", on: false) == ["TX"])
        #expect(try await s.emergencyStates() == ["TX"])
    }

    @Sendable static func storesKept(_ s: any Storage, _ f: Fixture) async throws {
        let before = try await s.stores()
        let ownBefore = try await s.storeSettings()
        #expect(before.isEmpty && ownBefore.isEmpty)
        let group = try MenuLoader.loadMenu(
            yaml: DefaultMenus.menuYAML + """

                stores:
                  - { code: tampa, dealership: { name: Bayshore Kia, time_zone: America/New_York } }
                  - { code: tulsa, dealership: { name: Riverside Toyota } }
                """, file: "group.yaml")
        try await s.storeMenu(MenuInForce(menu: group, warranties: f.warranties, source: "group", menuText: "", warrantiesText: ""))
        #expect(
            try await s.stores() == [
                StoreRow(code: "tampa", name: "Bayshore Kia", timeZone: "America/New_York", deals: 0),
                StoreRow(code: "tulsa", name: "Riverside Toyota", timeZone: "America/Chicago", deals: 0),
            ])
        // Added again, a store is renamed, not doubled; the menu's zone is what a store keeps.
        try await s.putStore(code: "tulsa", name: "Riverside Toyota of Tulsa", timeZone: "America/Chicago", now: f.now)
        try await s.putStore(code: "main", name: "Lakeside Motors", timeZone: "America/Chicago", now: f.now)
        #expect(try await s.stores().map(\.code) == ["main", "tampa", "tulsa"])
        let tulsa = try await s.stores().first { $0.code == "tulsa" }
        #expect(tulsa?.name == "Riverside Toyota of Tulsa")
        // Deals count against their store.
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        let main = try await s.stores().first { $0.code == "main" }
        #expect((main?.deals ?? 0) > 0)
        let customer = try #require(try await s.customerIDs(ofDeals: ["D-10001"], store: "main").first)
        #expect(try await s.storeOfCustomer(id: customer) == "main")
        #expect(try await s.storeOfCustomer(id: 987_654) == nil)
        try await s.setStoreSetting(store: "tampa", key: "sms_from", value: "+18135550100", now: f.now)
        try await s.setStoreSetting(store: "tampa", key: "help_text", value: "Bayshore Kia: reply STOP to opt out.", now: f.now)
        try await s.setStoreSetting(store: "tulsa", key: "sms_from", value: "+19185550100", now: f.now)
        try await s.setStoreSetting(store: "tampa", key: "sms_from", value: "+18135550101", now: f.now)
        #expect(
            try await s.storeSettings() == [
                "tampa": ["sms_from": "+18135550101", "help_text": "Bayshore Kia: reply STOP to opt out."],
                "tulsa": ["sms_from": "+19185550100"],
            ])
        try await s.setStoreSetting(store: "tampa", key: "help_text", value: nil, now: f.now)
        #expect(try await s.storeSettings()["tampa"] == ["sms_from": "+18135550101"])
        // A store that does not exist is refused, and nothing is kept for it.
        await #expect(throws: StoreError.self) {
            try await s.setStoreSetting(store: "orlando", key: "sms_from", value: "+14075550100", now: f.now)
        }
        #expect(try await s.storeSettings()["orlando"] == nil)
        // Nor is a code that could not be a store's (a dot would split the key it is kept under).
        await #expect(throws: StoreError.self) {
            try await s.setStoreSetting(store: "tampa.sms_from", key: "sms_from", value: "+18135550100", now: f.now)
        }
        // A store's settings are not the group's.
        #expect(try await s.setting("sms_from") == nil)
    }

    @Sendable static func operationsCounts(_ s: any Storage, _ f: Fixture) async throws {
        let migrations = try await s.appliedMigrations()
        #expect(!migrations.isEmpty && Set(migrations).count == migrations.count)
        #expect(try await s.counts()["deals"] == 0)
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        let counts = try await s.counts()
        #expect(counts["deals"] == 4 && counts["customers"] == 4 && (counts["declines"] ?? 0) > 0)
        try await s.enqueue([email("k1"), email("k2")], customerID: nil, taskID: nil, now: f.now)
        let monitoring = try await s.monitoringCounts()
        #expect(monitoring.outbox.contains { $0.channel == "email" && $0.status == "queued" && $0.count == 2 })
        // Where the data lives: a file that exists, a server's database (its URL, which never holds a password), or nil
        // for a private in-memory database.
        if let location = s.location {
            if PostgresLocation.isPostgres(location) {
                #expect(URLComponents(string: location)?.password == nil && URLComponents(string: location)?.host != nil)
            } else {
                #expect(FileManager.default.fileExists(atPath: location))
            }
        }
    }

    @Sendable static func operationsBackup(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        let target = f.path("backup.sqlite")
        let summary = try await s.backup(to: target)
        let migrations = try await s.appliedMigrations()
        #expect(summary.deals == 4 && summary.migrations == migrations.count && summary.bytes > 0)
        #expect(FileManager.default.fileExists(atPath: target))
        // Every customer's contact details: readable by the backup's owner alone, whatever the umask.
        let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        await #expect(throws: (any Error).self) { _ = try await s.backup(to: target) }
    }
}
