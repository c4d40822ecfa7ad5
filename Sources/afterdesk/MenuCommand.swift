import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

struct MenuCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "menu", abstract: "Work with F&I menu files.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a menu (and the warranties.yaml beside it), or a warranties file; errors name the line and field.")
        @Argument(help: "Menu or warranties file.") var path: String

        func run() throws {
            let text: String
            do { text = try MenuFiles.readText(path) } catch let e as MenuErrors {
                printError(e.description)
                throw Exit.unusableInput
            }
            do {
                if MenuCheck.isWarrantiesFile(text) {
                    let t = try MenuLoader.loadWarranties(yaml: text, file: path)
                    let ranges = t.entries.values.reduce(0) { $0 + $1.count }
                    print(
                        "\(path): OK — warranties for \(t.entries.count) makes (\(ranges) model-year ranges), default \(t.defaultTerms.basic.years) years/\(t.defaultTerms.basic.miles.grouped) miles basic"
                    )
                    for w in t.warnings { print("\(w.file):\(w.line): warning: \(w.field): \(w.message)") }
                    return
                }
                let menu = try MenuLoader.loadMenu(yaml: text, file: path)
                print("\(path): OK — \(menu.products.count) products: \(menu.products.map(\.code).joined(separator: ", "))")
                for w in menu.warnings { print("\(w.file):\(w.line): warning: \(w.field): \(w.message)") }
                for code in menu.stores.keys.sorted() {
                    let m = menu.store(code)
                    let d = m.dealership
                    print(
                        "  store \(code): \(d.name), \(d.timeZone), holdout \(m.holdoutPercent)% — \(m.products.count) products: "
                            + m.products.map(\.code).joined(separator: ", "))
                    for w in m.warnings { print("\(w.file):\(w.line): warning: \(w.field): \(w.message)") }
                    for l in m.contactRules.loosened where !menu.contactRules.loosened.contains(l) {
                        print("\(path): warning: stores.\(code).contact_rules loosens a shipped state rule (loosen: true): \(l)")
                    }
                }
                for l in menu.contactRules.loosened {
                    print("\(path): warning: contact_rules loosens a shipped state rule (loosen: true): \(l)")
                }
                for w in menu.gapWarnings { print("\(path): warning: \(w)") }
                let beside = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("warranties.yaml")
                if FileManager.default.fileExists(atPath: beside) {
                    let t = try MenuLoader.loadWarranties(yaml: try MenuFiles.readText(beside), file: beside)
                    print("\(beside): OK — warranties for \(t.entries.count) makes")
                    for w in t.warnings { print("\(w.file):\(w.line): warning: \(w.field): \(w.message)") }
                }
            } catch let e as MenuErrors {
                printError(e.description)
                throw Exit.unusableInput
            }
        }
    }
}

enum MenuCheck {
    /// A warranties file has `makes:` at the top level and no `products:`.
    static func isWarrantiesFile(_ text: String) -> Bool {
        let lines = text.split(separator: "\n")
        return lines.contains { $0.hasPrefix("makes:") } && !lines.contains { $0.hasPrefix("products:") }
    }
}
