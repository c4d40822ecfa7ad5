import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The margin report: declines, recoveries and incremental margin against the holdout, net of chargebacks.",
        discussion: "Every figure is defined in docs/reporting.md; --by decline is the ledger each one is computed from."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Menu file (default: menus/default.yaml, or the menu stored with the database).") var menu: String?
    @Option(help: "First contract date of the declines covered (default: a year before --to).") var from: String?
    @Option(help: "Last contract date of the declines covered (default: --as-of).") var to: String?
    @Option(help: "Count what is known on this date: sales, chargebacks and touches after it are left out (default: today).")
    var asOf: String?
    @Option(help: "Only this store's deals.") var store: String?
    @Option(help: "Group by product, month, staff (the F&I manager), store, sale_month (the books view), or decline (the ledger).")
    var by: ReportGrouping?
    @Option(help: "table, csv or json.") var format: Format = .table

    func run() async throws {
        let db = try await database.open()
        let inForce = try await loadMenu(menu, db)
        let p = try parameters(inForce.menu)
        if p.by == .decline {
            try await ledger(db, p)
            return
        }
        let report = try await db.marginReport(p, now: CommandClock.now())
        switch format {
        case .json: print(String(decoding: try ReportFormats.json(report), as: UTF8.self))
        case .csv where p.by == .saleMonth: print(BooksFormats.csv(report), terminator: "")
        case .csv:
            var out = CSVWriter.line(ReportFormats.summaryColumns) + CSVWriter.line(ReportFormats.summaryCells(report.total))
            for g in report.groups { out += CSVWriter.line(ReportFormats.summaryCells(g)) }
            print(out, terminator: "")
        case .table: print(ReportText.render(report, dealership: inForce.menu.dealership.name))
        }
    }

    func parameters(_ menu: Menu) throws -> ReportParameters {
        let date = CommandDates.date
        let zone = menu.dealership.zone
        let asOf = try date(asOf, "as-of") ?? LocalDate(CommandClock.now(), in: zone)
        let to = try date(to, "to") ?? asOf
        let from = try date(from, "from") ?? to.adding(years: -1)
        guard from <= to else { throw ValidationError("--from \(from) is after --to \(to)") }
        // Every rule of the menu, as the dashboard, the API and the scorecard take them; the message costs are the settings'.
        var p = ReportParameters(asOf: asOf, from: from, to: to, store: store, by: by, menu: menu)
        p.netToStore.messageCosts = try DispatchSetup.settings(path: nil).messageCosts
        return p
    }

    /// The ledger, streamed: CSV (also for `table`), or JSON lines, one object per decline.
    func ledger(_ db: any Storage, _ p: ReportParameters) async throws {
        let out = ChunkedOutput(FileHandle.standardOutput)
        let json = format == .json
        if !json { out.write(CSVWriter.line(LedgerRow.columns)) }
        try await db.forEachLedgerRow(p, now: CommandClock.now()) { row in
            if json {
                let object = zip(LedgerRow.columns, row.cells).map {
                    "\"\($0)\":"
                        + ($0 == "charged_back_on"
                            ? LedgerRow.Chargeback.json(row.chargedBack) : Self.jsonValue($1, number: Self.numeric.contains($0)))
                }
                .joined(separator: ",")
                out.write("{\(object)}\n")
            } else {
                out.write(CSVWriter.line(row.cells))
            }
        }
        out.flush()
    }

    /// Ledger columns written as JSON numbers (money stays a string with two decimals, as everywhere).
    static let numeric: Set<String> = [
        "touches_delivered", "attributed_touch", "aged", "tasks_done", "tasks_done_on_time", "tasks_open", "tasks_overdue",
    ]

    private static func jsonValue(_ cell: String, number: Bool) -> String {
        guard !cell.isEmpty else { return "null" }
        if number, Int(cell) != nil { return cell }
        let data = (try? JSONEncoder().encode(cell)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension ReportGrouping: ExpressibleByArgument {}

struct ImportContracts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-contracts",
        abstract: "Import after-sale contracts (products bought after the desk: recoveries) and re-plan their customers.",
        discussion: "Columns: contract_number, store, deal_number or vin, product, sale_date, price, cost, sold_by (docs/reporting.md)."
    )
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var planning: PlanningOptions
    @Flag(help: "Print the summary as JSON.") var json = false
    @Flag(help: "Do not write <file>.rejects.csv.") var noRejectsFile = false
    @Argument(help: "The contract files.") var files: [String]

    func run() async throws {
        let db = try await database.open()
        let inForce = try await loadMenu(planning.menu, db)
        let planner = inForce.planner
        let now = try planning.instant()
        let service = ImportService(database: db, menu: inForce.menu, planner: planner)
        try await AfterSaleOutput.print(files: files, json: json, kind: "contracts") { file in
            try await service.importContracts(file: file, now: now, writeRejectsFile: !noRejectsFile)
        }
    }
}

struct ImportCancellations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-cancellations",
        abstract: "Import cancellations and chargebacks of after-sale contracts and of products sold on deals.",
        discussion:
            "Columns: contract_number (or store, deal_number and product), cancel_date, customer_refund, chargeback, reason (docs/reporting.md)."
    )
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Menu file (default: menus/default.yaml, or the menu stored with the database).") var menu: String?
    @Flag(help: "Print the summary as JSON.") var json = false
    @Flag(help: "Do not write <file>.rejects.csv.") var noRejectsFile = false
    @Argument(help: "The cancellation files.") var files: [String]

    func run() async throws {
        let db = try await database.open()
        let inForce = try await loadMenu(menu, db)
        let service = ImportService(database: db, menu: inForce.menu, planner: nil)
        try await AfterSaleOutput.print(files: files, json: json, kind: "cancellations") { file in
            try await service.importCancellations(file: file, writeRejectsFile: !noRejectsFile)
        }
    }
}

enum AfterSaleOutput {
    /// Imports each file; prints each summary (JSON: one object, or an array for several files).
    static func print(files: [String], json: Bool, kind: String, _ body: (String) async throws -> AfterSaleSummary) async throws {
        var summaries: [AfterSaleSummary] = []
        for file in files { summaries.append(try await body(file)) }
        if json {
            Swift.print(summaries.count == 1 ? try jsonString(summaries[0]) : try jsonString(summaries))
            return
        }
        for (file, s) in zip(files, summaries) {
            var out =
                "\(file): read \(s.read.grouped) \(kind): \(s.inserted.grouped) new, \(s.updated.grouped) updated, "
                + "\(s.unchanged.grouped) unchanged, \(s.rejected.grouped) refused."
            if let p = s.planned { out += "\nRe-planned \(p.customers.grouped) customers." }
            for r in s.rejects.prefix(20) { out += "\n  \(r.file):\(r.line)  \(r.field) = \"\(r.value)\": \(r.error)" }
            if let f = s.rejectsFile { out += "\nAll refused rows: \(f)" }
            Swift.print(out)
        }
    }
}
