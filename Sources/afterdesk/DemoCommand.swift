import AfterdeskCore
import AfterdeskDelivery
import AfterdeskDemo
import AfterdeskSQLite
import AfterdeskServer
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the main job end to end on generated data (simulated dealership, repeatable).")

    @Option(help: "Demo database file (recreated).") var db: String = "afterdesk-demo.sqlite"
    @Option(help: "Folder for the generated exports.") var dir: String = "afterdesk-demo"
    @Option(help: "Seed of the generated dealership.") var seed: UInt64 = 2026
    @Option(help: "Average finalized deals per day.") var dealsPerDay: Double = 5
    @Option(help: "Menu file (default: the built-in default menu).") var menu: String?
    @Option(help: "Message templates directory.") var templates: String = "templates"
    @Option(help: "Days of dispatch to simulate after planning.") var days: Int = 21

    func run() async throws {
        let inForce = try await loadMenu(menu, nil)
        print("Afterdesk demo — \(inForce.menu.dealership.name), \(inForce.menu.products.count) F&I products on the menu.")
        print("SIMULATED DATA: a generated dealership (seed \(seed)); names, VINs and numbers are invented.\n")
        let bar = ProgressBar()
        let progress: (@Sendable (ImportProgress) -> Void)? = if let bar { { bar.update($0) } } else { nil }
        let report = try await DemoRun(
            directory: dir, databasePath: db, seed: seed, dealsPerDay: dealsPerDay,
            menu: inForce, clock: CommandClock.clock
        ).run(progress: progress)
        bar?.finish()
        print(DemoReportText.render(report))
        var recording: RecordingChannels?
        if days > 0 {
            guard let sent = try await dispatch(inForce) else { return }
            recording = sent
        }
        // The report is as of the last day simulated, with the database's clock there (sales up to that day are known).
        let zone = inForce.menu.dealership.zone
        let asOf = LocalDate(CommandClock.now(), in: zone).adding(days: max(0, days - 1))
        let end = ContactWindow.allDay.instant(on: asOf, atMinutes: 20 * 60 + 30, zone: zone)
        let outcomes = try await DemoOutcomes(directory: dir, seed: seed, menu: inForce, asOf: asOf)
            .run(database: try AfterdeskDatabase(path: db, clock: .fixed(end)), now: end)
        print(DemoReportText.render(outcomes, dealership: inForce.menu.dealership.name))
        print(
            "\nMore: swift run afterdesk report --db \(db) --as-of \(asOf) --by month · swift run afterdesk report --db \(db) --by decline --format csv"
        )
        print("      swift run afterdesk tasks --db \(db) · swift run afterdesk outbox --db \(db)")
        try await webPages(recording: recording)
    }

    /// The web pages: the demo's users, and how to open them.
    func webPages(recording: RecordingChannels?) async throws {
        let database = try AfterdeskDatabase(path: db, clock: CommandClock.clock)
        let users = try await DemoUsers.add(to: database, now: CommandClock.now()) { Passwords.hash($0) }
        print("\n7. The web pages. Start the server, then open http://127.0.0.1:8080 in a browser:")
        print("      swift run afterdesk serve --db \(db)")
        print("   Demo users (user name / password):")
        for u in users {
            print("      \(u.name) / \(u.password)  (\(u.role.rawValue)\(u.staff.map { ", the tasks of staff member \($0)" } ?? ""))")
        }
        if let recording, let sales = users.first(where: { $0.role == .sales }),
            let example = try await DemoUsers.offerExample(
                database: database, recording: recording, staff: sales.staff, now: CommandClock.now())
        {
            print("   A customer's offer page, from the \(example.channel) sent to \(example.firstName) (simulated) — press \"Call me\",")
            print("   then sign in as \(sales.name) and the urgent task is at the top of the queue:")
            print("      \(example.url)")
        }
    }

    /// The simulated days of dispatch, and what they sent; nil when the templates did not load.
    func dispatch(_ inForce: MenuInForce) async throws -> RecordingChannels? {
        let database = try AfterdeskDatabase(path: db, clock: CommandClock.clock)
        let loaded: MessageTemplates
        do { loaded = try DispatchSetup.templates(directory: templates, menu: inForce.menu) } catch {
            print("\n5. Dispatch skipped: the templates in '\(templates)' did not load:\n\(error)")
            return nil
        }
        let recording = RecordingChannels()
        var settings = Settings()
        settings.emailFrom = "\(inForce.menu.dealership.name) <service@dealership.example>"
        settings.publicURL = "http://127.0.0.1:8080"
        settings.crmLeadEmail = "leads@crm.example"
        let dispatcher = try await Dispatcher.recording(
            database: database, menu: inForce.menu, warranties: inForce.warranties, templates: loaded,
            settings: settings, into: recording)
        let simulated = try await DemoDispatch(dispatcher: dispatcher, recording: recording, seed: seed, days: days)
            .run(start: CommandClock.now())
        await print(try DemoReportText.render(simulated, days: days, recording: recording, database: database))
        return recording
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
        out +=
            "  Declined products: \(stored.grouped) stored of \(r.declinesInExport.grouped) in the export "
            + "(capture rate \(String(format: "%.1f", rate))%; the rest sit on refused rows until fixed)\n\n"
        out +=
            indent(
                Table.render(
                    header: ["product", "sold", "declined", "quoted value of declines", "recovered"],
                    rows: c.products.map {
                        [
                            $0.code, $0.sold.grouped, $0.declined.grouped,
                            $0.declinedQuoted.formatted, $0.recovered.grouped,
                        ]
                    })) + "\n\n"
        out +=
            indent(
                Table.render(
                    header: ["month", "deals", "declined", "sold"],
                    rows: c.months.map { [$0.month, $0.deals.grouped, $0.declines.grouped, $0.sold.grouped] })) + "\n"
        if !c.rejectsByField.isEmpty {
            out +=
                "\n  Refused fields: "
                + c.rejectsByField.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(
                    separator: ", ") + "\n"
        }
        let p = r.planned
        out +=
            "\n4. Planning as of today: \(p.customers.grouped) customers with declines, \(p.declines.grouped) declined products "
            + "(\(p.holdout.grouped) held out to measure against). \(p.touches.grouped) touches planned — \(p.sms.grouped) SMS, "
            + "\(p.email.grouped) email, \(p.tasks.grouped) calls by a person; \(p.dropped.grouped) not planned because the window "
            + "to buy had closed, they were already past, or the 3-in-30-days limit left no room.\n"
        if !r.explained.isEmpty {
            out += "\nHow the follow-up of a few recent deals is timed:\n"
            for e in r.explained { out += "\n" + indent(ExplainText.render(e)) + "\n" }
        }
        out += "\nLook around:\n"
        out += "  swift run afterdesk deals --db \(r.databasePath)\n"
        if let d = r.sampleDeal {
            out += "  swift run afterdesk deals show \(d) --db \(r.databasePath)\n"
            out += "  swift run afterdesk explain \(d) --db \(r.databasePath)\n"
        }
        out += "  swift run afterdesk plan --db \(r.databasePath) --limit 20\n"
        out += "  sqlite3 \(r.databasePath) 'SELECT kind, COUNT(*) FROM events GROUP BY kind'"
        return out
    }

    /// The simulated days of dispatch.
    static func render(_ r: DemoDispatch.Result, days: Int, recording: RecordingChannels, database db: any Storage) async throws -> String {
        var out =
            "\n5. Dispatch, \(days) days from today, every hour 8:00–20:00 (Chicago) — through RECORDING channels, "
            + "nothing leaves this machine. Customers' replies and staff outcomes are SIMULATED.\n"
        let rows = r.days.map { d in
            ["\(d.date)", "\(d.summary.sms)", "\(d.summary.email)", "\(d.summary.tasks)", "\(d.summary.moved)", "\(d.summary.skipped)"]
        }
        out += "\n" + indent(Table.render(header: ["day", "SMS", "email", "tasks", "moved", "skipped"], rows: rows)) + "\n"
        let total = r.total
        out +=
            "\n  Sent: \(total.sms.grouped) SMS, \(total.email.grouped) emails (+ ADF leads to the CRM), \(total.tasks.grouped) tasks for staff; "
            + "\(total.moved.grouped) moved by the compliance gate (contact hours, caps), \(total.skipped.grouped) skipped (consent, window closed, bought).\n"
        out +=
            "  State calendar: no text goes out of a state's hours (Texas: 9:00 Monday to Saturday, 12:00 on Sunday; "
            + "`afterdesk compliance rules TX`): the plan places touches inside them, and \(total.movedByStateRules.grouped) "
            + "more were moved at sending time by a state's rule.\n"
        let optOuts = try await db.optOutSummary()
        out +=
            "  Opt-outs honoured: \(optOuts.stopped["sms", default: 0]) numbers stopped for texts, \(optOuts.stopped["email", default: 0]) "
            + "addresses for email, \(optOuts.stopped["phone", default: 0]) for calls in the opt-out ledger; \(optOuts.sentAfterStop) "
            + "messages sent to any of them after the stop (`afterdesk opt-outs list`).\n"
        out +=
            "  Simulated customers: \(r.stops) texted STOP (every pending SMS to them cancelled at once), \(r.replies) replied (each a task for a person).\n"
        out +=
            "  Simulated staff: \(r.sold) sold (at a simulated \(DemoDispatch.soldPrice.formatted) each: \(r.soldValue.formatted) recorded as recoveries), "
            + "\(r.notInterested) not interested, \(r.noAnswer) no answer.\n"
        if let sms = recording.sms.first {
            out += "\n  An SMS as sent (to \(String(sms.to.prefix(5)))•••••••):\n    \(sms.body)\n"
        }
        if let email = recording.emails.first(where: { !$0.recipients.contains("leads@crm.example") }),
            let subject = email.data.split(separator: "\r\n").first(where: { $0.hasPrefix("Subject: ") })
        {
            out += "\n  An email as sent: \(subject) (multipart text and HTML, List-Unsubscribe, the store's address)\n"
        }
        let counts = try await db.outboxCounts().sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        out += "\n  Outbox: \(counts).\n"
        return out
    }

    /// The simulated outcomes and the report.
    static func render(_ o: DemoOutcomes.Result, dealership: String) -> String {
        var out =
            "\n6. What customers bought after the desk — SIMULATED (the model is written in DemoOutcomes.swift): some come back "
            + "on their own in both arms, a touch persuades a few more in the treated arm, a tenth cancel.\n"
        out +=
            "  \(o.contractsFile): \(o.contracts.inserted.grouped) after-sale contracts imported; \(o.cancellationsFile): "
            + "\(o.cancellations.inserted.grouped) cancellations.\n\n"
        out += indent(ReportText.render(o.report, dealership: dealership))
        return out
    }

    static func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}
