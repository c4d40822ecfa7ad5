import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

struct ImportReadings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-readings",
        abstract: "Import odometer readings from service visits (CSV: vin, date, odometer[, source]) and re-plan those vehicles' customers."
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var planning: PlanningOptions
    @Flag(help: "Print the summary as JSON.") var json = false
    @Flag(help: "Do not write <file>.rejects.csv.") var noRejectsFile = false
    @Argument(help: "The readings file.") var file: String

    func run() async throws {
        let db = try await database.open()
        let inForce = try await loadMenu(planning.menu, db)
        let summary = try await db.importReadings(
            file: file, dealershipTimeZone: inForce.menu.dealership.timeZone,
            planner: inForce.planner,
            now: try planning.instant(), writeRejectsFile: !noRejectsFile)
        if json {
            print(try jsonString(summary))
            return
        }
        var out =
            "Read \(summary.read.grouped) readings: \(summary.inserted.grouped) new, \(summary.updated.grouped) updated, "
            + "\(summary.unchanged.grouped) unchanged, \(summary.rejected.grouped) refused."
        if let p = summary.planned { out += "\nRe-planned \(p.customers.grouped) customers: \(p.touches.grouped) touches planned." }
        for r in summary.rejects.prefix(20) { out += "\n  \(r.file):\(r.line)  \(r.field) = \"\(r.value)\": \(r.error)" }
        if let f = summary.rejectsFile { out += "\nAll refused rows: \(f)" }
        print(out)
    }
}
