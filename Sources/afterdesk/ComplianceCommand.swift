import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

struct ComplianceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compliance", abstract: "The state calendar: the contact rules in force and their sources.",
        subcommands: [Rules.self, Emergency.self])

    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the contact rules in force (shipped, with the menu's tightening) and their sources.")
        @Argument(help: "A state or territory code (TX); default: every one.") var state: String?
        @Option(help: "Menu file (default: menus/default.yaml, or the menu stored with the database).") var menu: String?
        @Option(help: "A store of a group: the rules with its own tightening (`stores:` in the menu).") var store: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try await database.open()
            let inForce = try await loadMenu(menu, db)
            if let store, inForce.menu.stores[store] == nil {
                printError("note: the menu names no store '\(store)': it keeps the group's rules")
            }
            let m = store.map(inForce.menu.store) ?? inForce.menu
            let book = await m.contactRules.with(emergencies: try db.emergencyStates())
            let now = try parseNow(nil)
            let zone = m.dealership.zone
            guard let text = ContactRulesText.render(book, state: state, year: LocalDate(now, in: zone).year) else {
                printError("error: no state \(state ?? "") in the contact rules (two-letter codes: TX, FL, PR…)")
                throw Exit.usage
            }
            print(text, terminator: "")
        }
    }

    struct Emergency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Switch a state's declared-emergency blackout on or off (Louisiana: no solicitation during one).")
        @Argument(help: "The state (LA).") var state: String
        @Flag(name: .customLong("on"), help: "The emergency is declared: no messages to the state's customers.") var on = false
        @Flag(name: .customLong("off"), help: "The emergency is over.") var off = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard on != off else {
                printError("error: say --on or --off")
                throw Exit.usage
            }
            let code = state.uppercased()
            guard let rules = ContactRulebook.shipped.states[code], rules.emergencyBlackout else {
                printError("error: \(code) has no emergency blackout in the contact rules")
                throw Exit.usage
            }
            let now = try await database.open().setEmergency(code, on: on)
            print(
                "\(rules.name): emergency blackout \(on ? "ON" : "off"); switched on: \(now.sorted().joined(separator: ", ").ifEmpty("none"))"
            )
        }
    }
}

extension String {
    fileprivate func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
