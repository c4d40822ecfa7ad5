import AfterdeskCore
import AfterdeskDatabases
import AfterdeskDelivery
import AfterdeskDemo
import AfterdeskPostgres
import AfterdeskServer
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the main job end to end on generated data (simulated dealership, repeatable).")

    @Option(
        help: """
            Demo database: a SQLite file (recreated), or postgres://user@host:port/database (an empty database, or \
            --reset).
            """)
    var db: String = "afterdesk-demo.sqlite"
    @Flag(help: "On PostgreSQL, empty every Afterdesk table of a database that is not empty first (everything in it is lost).")
    var reset = false
    @Option(help: "Folder for the generated exports.") var dir: String = "afterdesk-demo"
    @Option(help: "Seed of the generated dealership.") var seed: UInt64 = 2026
    @Option(help: "Average finalized deals per day.") var dealsPerDay: Double = 5
    @Option(help: "Menu file (default: the built-in default menu).") var menu: String?
    @Flag(
        help: """
            A dealer group instead of one store: three rooftops in three states (Lakeside Ford in Austin, Riverside Toyota \
            in Tulsa, Bayshore Kia in Tampa), each with its own prices, hours and rules (the built-in menus/group.yaml); \
            the report pools them, stratified by store, and shows each.
            """)
    var group = false
    @Option(help: "Message templates directory.") var templates: String = "templates"
    @Option(help: "Days of follow-up simulated before today (the store goes live then; at most 365; 0: the data only).")
    var days: Int = 365

    func validate() throws {
        if group, menu != nil { throw ValidationError("--group runs the built-in group menu: give --menu or --group, not both") }
    }

    func run() async throws {
        let inForce = group ? try MenuFiles.builtInGroup() : try await loadMenu(menu, nil)
        let name = inForce.menu.dealership.name
        if inForce.menu.stores.isEmpty {
            print("Afterdesk demo — \(name), \(inForce.menu.products.count) F&I products on the menu.")
        } else {
            let stores = inForce.menu.stores.sorted { $0.key < $1.key }.map {
                "\($0.key) (\($0.value.dealership.name), \($0.value.dealership.address))"
            }
            print(
                "Afterdesk demo — a dealer group of \(stores.count) rooftops, each with its own menu, hours and rules: \(stores.joined(separator: "; "))."
            )
        }
        let generated = inForce.menu.stores.isEmpty ? "a generated dealership" : "a generated dealer group"
        print("SIMULATED DATA: \(generated) (seed \(seed)); names, VINs and numbers are invented.")
        let bar = ProgressBar()
        let progress: (@Sendable (ImportProgress) -> Void)? = if let bar { { bar.update($0) } } else { nil }
        var loaded: MessageTemplates?
        do { loaded = try DispatchSetup.templates(directory: templates, menu: inForce.menu) } catch {
            print("\nDispatch skipped: the templates in '\(templates)' did not load:\n\(error)")
        }
        if DatabaseLocation.isPostgres(db) { try await emptyPostgres() }
        var run = DemoRun(
            directory: dir, databasePath: db, seed: seed, dealsPerDay: dealsPerDay, menu: inForce, clock: CommandClock.clock,
            days: days, templates: loaded, settings: Self.settings(name))
        if DatabaseLocation.isPostgres(db) { run.open = { [db] clock in try await DatabaseLocation.open(db, clock: clock) } }
        let report = try await run.run(progress: progress)
        bar?.finish()
        let now = CommandClock.now()
        let database = try await DatabaseLocation.open(db, clock: CommandClock.clock)
        print(DemoReportText.render(report))
        if let dispatched = report.dispatch, let recording = report.recording {
            print(try await DemoReportText.render(dispatched, report: report, recording: recording, database: database))
        }
        let closing = try await DemoClosing.make(report: report, database: database, menu: inForce.menu, now: now)
        print(closing.text(dealership: name))
        print(
            "\nMore: swift run afterdesk report --db \(db) --as-of \(report.today) --by month · swift run afterdesk report --db \(db) --by decline --format csv"
        )
        print(
            "      swift run afterdesk scorecard --db \(db) --by product · swift run afterdesk tasks --db \(db) · swift run afterdesk outbox --db \(db)"
        )
        try await webPages(recording: report.recording)
    }

    static func settings(_ name: String) -> Settings {
        var settings = Settings()
        settings.emailFrom = "\(name) <service@dealership.example>"
        settings.publicURL = "http://127.0.0.1:8080"
        settings.crmLeadEmail = "leads@crm.example"
        return settings
    }

    /// On PostgreSQL the demo needs an empty database: one holding deals, users or touches is refused unless `--reset`,
    /// which empties every Afterdesk table first.
    func emptyPostgres() async throws {
        // Left open on a refusal: Afterdesk.main closes every pool as the command ends.
        let database = try await DatabaseLocation.open(db, clock: CommandClock.clock, maximumConnections: 1)
        guard let pg = database as? PostgresStorage else { return }
        let contents = try await pg.contents()
        if contents.isEmpty { return await DatabaseLocation.close(pg) }
        guard reset else {
            throw StoreError(
                "the demo runs on an empty database, and \(DatabaseLocation.forPeople(db)) holds \(contents.deals) deals, "
                    + "\(contents.users) users and \(contents.touches) touches: run it again with --reset to empty every Afterdesk "
                    + "table first (everything in it is lost), or give it a new database",
                kind: .conflict)
        }
        try await pg.resetAllTables()
        await DatabaseLocation.close(pg)
        print("Emptied every Afterdesk table of \(DatabaseLocation.forPeople(db)) (--reset).")
    }

    /// The web pages: the demo's users, and how to open them.
    func webPages(recording: RecordingChannels?) async throws {
        let database = try await DatabaseLocation.open(db, clock: CommandClock.clock)
        let users = try await DemoUsers.add(to: database, now: CommandClock.now()) { Passwords.hash($0) }
        print("\nThe web pages. Start the server, then open http://127.0.0.1:8080 in a browser:")
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
}
