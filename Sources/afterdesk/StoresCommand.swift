import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

struct StoresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stores", abstract: "The rooftops of a group and their own settings.",
        discussion: """
            A store's name, address, time zone, hours and products come from the menu (`stores:` in the menu file, \
            docs/menus.md); its own sending number, sender, CRM and HELP text from `stores set`, over the group's settings \
            file and environment (docs/settings.md).
            """,
        subcommands: [List.self, Show.self, Add.self, Set.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the stores.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Menu file (default: menus/default.yaml, or the menu stored with the database).") var menu: String?
        @Flag(help: "JSON.") var json = false

        func run() async throws {
            let profiles = try await StoresCommand.profiles(database, menu)
            if json { return print(try jsonString(profiles)) }
            if profiles.isEmpty { return print("No stores yet: a store is created with its first deal, or by `afterdesk stores add`.") }
            for p in profiles {
                let own = p.settings.filter { $0.source == "store" }.count
                print(
                    "\(p.code)  \(p.name)  \(p.timeZone)  \(p.deals) deal\(p.deals == 1 ? "" : "s")  "
                        + "\(p.ownMenu ? "own menu" : "group menu"), \(p.products.count) products  \(own) own setting\(own == 1 ? "" : "s")"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one store as it runs: its dealership, products and settings.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Menu file (default: menus/default.yaml, or the menu stored with the database).") var menu: String?
        @Argument(help: "Store code.") var code: String
        @Flag(help: "JSON.") var json = false

        func run() async throws {
            guard let p = try await StoresCommand.profiles(database, menu).first(where: { $0.code == code }) else {
                printError("no store '\(code)' (afterdesk stores list)")
                throw Exit.failure
            }
            if json { return print(try jsonString(p)) }
            print("\(p.code): \(p.name)")
            print("  time zone  \(p.timeZone)")
            print("  address    \(p.address)")
            if let phone = p.phone { print("  phone      \(phone)") }
            print("  hours      \(p.hours)")
            print("  menu       \(p.ownMenu ? "its own (stores: in the menu)" : "the group's"), holdout \(p.holdoutPercent)%")
            print("  products   \(p.products.joined(separator: ", "))")
            print("  deals      \(p.deals)")
            for s in p.settings { print("  \(s.key): \(s.value)  (\(s.source == "store" ? "the store's own" : "the group's"))") }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a store (or rename one) so its own settings can be set before its first deal.",
            discussion: "Its time zone, address, hours and products are the menu's: its own under `stores:` in the menu, else the group's.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Menu file (default: menus/default.yaml, or the menu stored with the database).") var menu: String?
        @Argument(help: "Store code, as deal files give it in their `store` column.") var code: String
        @Option(help: "Its name (default: the menu's for the store, else the code).") var name: String?

        func validate() throws {
            guard StoreCode.isValid(code) else {
                throw ValidationError("'\(code)' is not a store code (letters, digits, '-' and '_', at most 32)")
            }
        }

        func run() async throws {
            let db = try await database.open()
            let inForce = try await loadMenu(menu, db)
            let d = inForce.menu.dealership(of: code)
            let kept = try await db.stores().first { $0.code == code }?.name
            let named = name ?? (inForce.menu.stores[code] != nil ? d.name : kept ?? code)
            try await db.putStore(code: code, name: named, timeZone: d.timeZone, now: CommandClock.now())
            print("Store \(code) (\(named), \(d.timeZone)) is ready. Its own settings: `afterdesk stores set \(code) KEY VALUE`.")
            if inForce.menu.stores[code] == nil && !inForce.menu.stores.isEmpty {
                print("It reads the group's menu: give it its own time zone, address, hours or products under `stores:` in the menu.")
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set one of a store's own settings, or clear it so the group's applies.",
            discussion: "Keys: \(Settings.storeKeys.joined(separator: ", ")). Dispatch reads them at its next run.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Store code.") var code: String
        @Argument(help: "Setting key.") var key: String
        @Argument(help: "Its value (omit with --clear).") var value: String?
        @Flag(help: "Clear the store's own value: the group's applies again.") var clear = false

        func validate() throws {
            guard clear != (value != nil) else { throw ValidationError("give a VALUE, or --clear") }
            guard Settings.storeKeys.contains(key) else {
                throw ValidationError("'\(key)' is not a store's own setting (one of \(Settings.storeKeys.joined(separator: ", ")))")
            }
            if let value {
                do { try Settings.checkStoreSetting(key, value) } catch { throw ValidationError(error.description) }
            }
        }

        func run() async throws {
            let db = try await database.open()
            try await db.setStoreSetting(store: code, key: key, value: clear ? nil : value, now: CommandClock.now())
            print(clear ? "Store \(code): \(key) cleared (the group's applies)." : "Store \(code): \(key) set.")
        }
    }

    static func profiles(_ database: DatabaseOptions, _ menu: String?) async throws -> [StoreProfile] {
        let db = try await database.open()
        let inForce = try await loadMenu(menu, db)
        return StoreProfiles.make(
            menu: inForce.menu, settings: try database.settings(), rows: try await db.stores(), own: try await db.storeSettings())
    }
}
