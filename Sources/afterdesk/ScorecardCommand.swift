import AfterdeskCore
import AfterdeskStorage
import ArgumentParser
import Foundation

struct ScorecardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scorecard",
        abstract: "The F&I scorecard: deals, PVR and penetration by product, at the desk and with recoveries.",
        discussion:
            "Every figure is defined in docs/reporting.md; recoveries are the margin report's (report --by decline), so the two agree."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Menu file (default: menus/default.yaml, or the menu stored with the database).") var menu: String?
    @Option(help: "First contract date of the deals covered (default: a year before --to).") var from: String?
    @Option(help: "Last contract date of the deals covered (default: today).") var to: String?
    @Option(help: "Count the recoveries known on this date (default: today).") var asOf: String?
    @Option(help: "Only this store's deals.") var store: String?
    @Option(help: "Group by fi_manager, product, month or store.") var by: ScorecardGrouping = .fiManager
    @Option(help: "table, csv or json.") var format: Format = .table

    func run() async throws {
        let db = try await database.open()
        let inForce = try await loadMenu(menu, db)
        let p = try parameters(inForce.menu)
        let card = try await db.scorecard(p, now: CommandClock.now())
        switch format {
        case .json: print(String(decoding: try ScorecardFormats.json(card), as: UTF8.self))
        case .csv:
            var out = CSVWriter.line(ScorecardFormats.csvColumns)
            for row in ScorecardFormats.csvRows(card) { out += CSVWriter.line(row) }
            print(out, terminator: "")
        case .table: print(ScorecardFormats.text(card, dealership: inForce.menu.dealership.name), terminator: "")
        }
    }

    /// The dates in the dealership's calendar: `--to` and `--as-of` default to today, `--from` to a year before `--to`.
    func parameters(_ menu: Menu) throws -> ScorecardParameters {
        let date = CommandDates.date
        let today = LocalDate(CommandClock.now(), in: menu.dealership.zone)
        let asOf = try date(asOf, "as-of") ?? today
        let to = try date(to, "to") ?? today
        let from = try date(from, "from") ?? to.adding(years: -1)
        guard from <= to else { throw ValidationError("--from \(from) is after --to \(to)") }
        return ScorecardParameters(asOf: asOf, from: from, to: to, store: store, by: by, menu: menu)
    }
}

extension ScorecardGrouping: ExpressibleByArgument {}
