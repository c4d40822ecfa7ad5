import AfterdeskCore
import AfterdeskStore
import ArgumentParser
import Foundation

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the main job end to end on generated data (simulated dealership, repeatable).")

    @Option(help: "Demo database file (recreated).") var db: String = "afterdesk-demo.sqlite"
    @Option(help: "Folder for the generated exports.") var dir: String = "afterdesk-demo"
    @Option(help: "Seed of the generated dealership.") var seed: UInt64 = 2026
    @Option(help: "Average finalized deals per day.") var dealsPerDay: Double = 5
    @Option(help: "Menu file (default: the built-in default menu).") var menu: String?

    func run() throws {
        let inForce = try loadMenu(menu, nil)
        print("Afterdesk demo — \(inForce.menu.dealership.name), \(inForce.menu.products.count) F&I products on the menu.")
        print("SIMULATED DATA: a generated dealership (seed \(seed)); names, VINs and numbers are invented.\n")
        let bar = ProgressBar()
        let report = try DemoRun(directory: dir, databasePath: db, seed: seed, dealsPerDay: dealsPerDay,
                                 menu: inForce, clock: .live).run(progress: bar.map { b in { b.update($0) } })
        bar?.finish()
        print(DemoReportText.render(report))
    }
}

enum DemoReportText {
    static func render(_ r: DemoRun.Report) -> String {
        var out = "1. Import of the last 12 months (\(r.dealsFile))\n"
        out += indent(ImportReport.text(r.first, maxRejects: 8)) + "\n\n"
        out += "2. The same file again — nothing changes:\n"
        out += indent(ImportReport.text(r.again, maxRejects: 0).components(separatedBy: "\n\n")[0]) + "\n\n"
        out += "3. A later DMS export (\(r.updateFile)): customers who came back, and unwinds:\n"
        out += indent(ImportReport.text(r.update, maxRejects: 0)) + "\n\n"

        let c = r.capture
        let stored = c.products.reduce(0) { $0 + $1.declined }
        out += "Capture summary\n"
        out += "  Deals stored: \(c.deals.grouped) (\(c.unwound) unwound), customers: \(c.customers.grouped)\n"
        let rate = r.declinesInExport > 0 ? Double(stored) / Double(r.declinesInExport) * 100 : 100
        out += "  Declined products: \(stored.grouped) stored of \(r.declinesInExport.grouped) in the export "
            + "(capture rate \(String(format: "%.1f", rate))%; the rest sit on refused rows until fixed)\n\n"
        out += indent(Table.render(header: ["product", "sold", "declined", "quoted value of declines", "recovered"],
                                   rows: c.products.map { [$0.code, $0.sold.grouped, $0.declined.grouped,
                                                            Money(cents: Money($0.declinedQuoted)?.cents ?? 0).formatted, $0.recovered.grouped] })) + "\n\n"
        out += indent(Table.render(header: ["month", "deals", "declined", "sold"],
                                   rows: c.months.map { [$0.month, $0.deals.grouped, $0.declines.grouped, $0.sold.grouped] })) + "\n"
        if !c.rejectsByField.isEmpty {
            out += "\n  Refused fields: " + c.rejectsByField.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        }
        let p = r.planned
        out += "\n4. Planning as of today: \(p.customers.grouped) customers with declines, \(p.declines.grouped) declined products "
            + "(\(p.holdout.grouped) held out to measure against). \(p.touches.grouped) touches planned — \(p.sms.grouped) SMS, "
            + "\(p.email.grouped) email, \(p.tasks.grouped) calls by a person; \(p.dropped.grouped) not planned because the window "
            + "to buy had closed, they were already past, or the 3-in-30-days limit left no room.\n"
        if !r.explained.isEmpty {
            out += "\nHow the follow-up of a few recent deals is timed (dispatch arrives with the next release):\n"
            for e in r.explained { out += "\n" + indent(ExplainText.render(e)) + "\n" }
        }
        out += "\nLook around:\n"
        out += "  swift run afterdesk deals --db \(r.databasePath)\n"
        if let d = r.sampleDeal {
            out += "  swift run afterdesk deals show \(d) --db \(r.databasePath)\n"
            out += "  swift run afterdesk explain \(d) --db \(r.databasePath)\n"
        }
        out += "  swift run afterdesk plan --db \(r.databasePath) --limit 20\n"
        out += "  sqlite3 \(r.databasePath) 'SELECT kind, COUNT(*) FROM events GROUP BY kind'\n"
        out += "Dispatch, the web pages (afterdesk serve) and the margin report arrive with the next releases."
        return out
    }

    static func indent(_ s: String) -> String { s.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") }
}
