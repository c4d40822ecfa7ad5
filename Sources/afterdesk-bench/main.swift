import AfterdeskCore
import AfterdeskDatabases
import AfterdeskDelivery
import AfterdeskDemo
import AfterdeskSQLite
import AfterdeskServer
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

// afterdesk-bench import --rows N [--dir bench-data] [--seed S] [--bulk auto|on|off]
//   Generates N canonical deals (seeded), imports them into a fresh database with this build (in a
//   child process, so its peak memory is measured alone), imports the same file with `sqlite3 .import`
//   (with --db postgres://…: PostgreSQL's COPY through psql \copy) into a bare table as the floor, and prints
//   both times, the ratio and the peak memory.
// afterdesk-bench import-file FILE --db DB [--plan]   (the child: one import, summary on stdout; --plan: and its planning)
// afterdesk-bench dispatch [--touches N] [--dir bench-data] [--prepare-only (PostgreSQL: import and plan, no dispatch)]
//   Prepares a database where N customers each have one touch due now (generated deals, imported and planned),
//   then dispatches them in a child process — gate, templates, outbox, recording channels — and prints the time
//   and peak memory.

let args = Array(CommandLine.arguments.dropFirst())

func option(_ name: String, _ fallback: String) -> String {
    guard let i = args.firstIndex(of: "--\(name)"), i + 1 < args.count else { return fallback }
    return args[i + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("afterdesk-bench: \(message)\n".utf8))
    exit(64)
}

func seconds(_ start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

/// Runs a program (in `environment`, or this process's), returns its wall time and peak resident memory in bytes.
/// posix_spawn and wait4 directly: Foundation's Process reaps its children itself, which loses their resource usage.
func measure(
    _ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String]? = nil
) throws -> (seconds: Double, peakBytes: Int, output: String) {
    let dir = FileManager.default.temporaryDirectory.path
    let outPath = "\(dir)/afterdesk-bench-\(getpid()).out"
    let inPath = "\(dir)/afterdesk-bench-\(getpid()).in"
    try (stdin ?? "").write(toFile: inPath, atomically: true, encoding: .utf8)
    defer {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: inPath)
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    let start = DispatchTime.now()
    let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
    defer { for p in envp ?? [] { free(p) } }
    let rc =
        envp.map { posix_spawn(&pid, executable, &actions, nil, argv, $0) } ?? posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard rc == 0 else { fail("cannot start \(executable): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    var usage = rusage()
    _ = wait4(pid, &status, 0, &usage)
    let elapsed = seconds(start)
    let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    guard (status & 0x7f) == 0, (status >> 8) & 0xff == 0 else {
        fail("\(executable) \(arguments.joined(separator: " ")) failed (status \(status)): \(output)")
    }
    return (elapsed, Int(usage.ru_maxrss) * 1024, output)
}

func which(_ program: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let path = "\(dir)/\(program)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

func removeDatabase(_ path: String) {
    for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) }
}

let menu = try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "(built-in default menu)")
let warranties = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "(built-in default warranties)")
let benchClock = Clock.fixed(Date(timeIntervalSince1970: 1_795_000_000))  // 2026-11-18: fixed, so runs compare
/// Dispatch happens two days later, at 17:00 UTC: 11:00 in Chicago, inside every mainland contact window.
let dispatchNow = ISO8601DateFormatter().date(from: "2026-11-20T17:00:00Z")!

// An error at any step is said on one line, exit status 1 (a benchmark is not to crash with a backtrace).
do {
    switch args.first {
    case "import-file":
        guard args.count >= 2 else { fail("import-file FILE --db DB") }
        let db = try await DatabaseLocation.open(option("db", "bench.sqlite"), clock: benchClock)
        var importOptions = ImportOptions(menu: menu, writeRejectsFile: false)
        importOptions.bulk = BulkMode(rawValue: option("bulk", "auto")) ?? .auto
        // `--plan`: as `afterdesk import` does, the customers the import changed are planned once their rows are in.
        if args.contains("--plan") {
            importOptions.planner = Planner.make(menu: menu, warranties: warranties)
        }
        let s = try await db.importDeals(files: [args[1]], options: importOptions)
        print(
            "read=\(s.read) inserted=\(s.inserted) updated=\(s.updated) unchanged=\(s.unchanged) rejected=\(s.rejected) declines=\(s.declines)"
                + (s.planned.map { " planned: customers=\($0.customers) touches=\($0.touches)" } ?? "")
        )

    case "decode":
        // Parse and validate only, no database: separates parsing cost from storage cost.
        guard args.count >= 2 else { fail("decode FILE") }
        let start = DispatchTime.now()
        let reader = CSVReader(source: try FileByteSource(path: args[1]))
        _ = try reader.nextRow()
        let header = (0..<reader.fieldCount).map { reader.string($0) }
        let layout = try ImportLayout(header: header, profile: .canonical, menu: menu)
        let decoder = DealRowDecoder(layout: layout, menu: menu, today: LocalDate(year: 2026, month: 11, day: 18)!)
        var good = 0
        var bad = 0
        let parseOnly = args.contains("--parse-only")
        var checksum: Int64 = 0
        while try reader.nextRow() {
            if parseOnly {
                good += reader.fieldCount
                continue
            }
            var errors: [RowError] = []
            if let r = decoder.decode(reader, errors: &errors) {
                good += 1
                if !args.contains("--no-fingerprint") { checksum ^= r.fingerprint }
            } else {
                bad += 1
            }
        }
        print(String(format: "good=%d bad=%d checksum=%lld in %.2f s", good, bad, checksum, seconds(start)))

    case "planner":
        // The planner alone, in memory: every deal of FILE as its own customer (no database).
        guard args.count >= 2 else { fail("planner FILE") }
        let reader = CSVReader(source: try FileByteSource(path: args[1]))
        _ = try reader.nextRow()
        let header = (0..<reader.fieldCount).map { reader.string($0) }
        let layout = try ImportLayout(header: header, profile: .canonical, menu: menu)
        let decoder = DealRowDecoder(layout: layout, menu: menu, today: LocalDate(year: 2026, month: 11, day: 18)!)
        var records: [DealRecord] = []
        let limit = Int(option("rows", "300000")) ?? 300_000
        while records.count < limit, try reader.nextRow() {
            var errors: [RowError] = []
            if let r = decoder.decode(reader, errors: &errors) { records.append(r) }
        }
        let planner = Planner.make(menu: menu, warranties: warranties)
        var touches = 0
        var planning = 0.0
        // Every touch's instant, action and items, every product plan and every dropped touch: equal output, equal sum.
        var checksum = PlanChecksum()
        for r in records {
            let declines = r.products.filter { $0.outcome == .declined }.map {
                DeclineFacts(store: r.store, dealNumber: r.dealNumber, product: $0, deal: r)
            }
            let start = DispatchTime.now()
            let p = planner.plan(
                declines: declines, permissions: ContactPermissions(sms: r.consent.sms, email: r.consent.email, phone: r.consent.phone),
                now: benchClock.now())
            planning += seconds(start)
            touches += p.touches.count
            checksum.add(p)
        }
        print(
            String(
                format: "customers=%d touches=%d checksum=%016llx in %.2f s", records.count, touches, checksum.value, planning))

    case "plan-file":
        // The child of `plan`: plans every customer of an imported database.
        let db = try await DatabaseLocation.open(option("db", "bench.sqlite"), clock: benchClock)
        let planner = Planner.make(menu: menu, warranties: warranties)
        // `--ids FILE`: the customers of those ids alone (one a line), as an import plans the customers it changed.
        let given: [Int64]? = try args.firstIndex(of: "--ids").map { i in
            guard i + 1 < args.count else { fail("--ids FILE") }
            let lines = try String(contentsOfFile: args[i + 1], encoding: .utf8).split(whereSeparator: \.isNewline)
            return try lines.enumerated().compactMap { n, line in
                let text = line.trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else { return nil }
                guard let id = Int64(text) else { fail("\(args[i + 1]):\(n + 1): not a customer id: \(text)") }
                return id
            }
        }
        // `--tx` (customers a transaction) is SQLite's; PostgreSQL plans in its own pages.
        let s =
            if let given {
                try await db.planCustomers(planner: planner, now: benchClock.now(), customerIDs: given)
            } else if let sqlite = db as? AfterdeskDatabase {
                try await sqlite.planCustomers(
                    planner: planner, now: benchClock.now(), transactionSize: Int(option("tx", "50000")) ?? 50_000)
            } else {
                try await db.planCustomers(planner: planner, now: benchClock.now())
            }
        print("customers=\(s.customers) declines=\(s.declines) holdout=\(s.holdout) touches=\(s.touches) dropped=\(s.dropped)")

    case "plan":
        // Plans the declines of an imported database (made by `import --rows N` first), in a child process.
        let dir = option("dir", "bench-data")
        let dbPath = BenchPostgres.location ?? "\(dir)/bench.sqlite"
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        // Start from no plans at all (as right after the import), whatever earlier runs left.
        if let pg = BenchPostgres.location {
            BenchPostgres.clearPlans(pg)
        } else {
            guard FileManager.default.fileExists(atPath: dbPath) else { fail("run `afterdesk-bench import --rows N` first") }
            let queue = try DatabaseQueue(path: dbPath)
            try queue.write { try $0.execute(sql: "DELETE FROM touch_items; DELETE FROM touches; DELETE FROM plans") }
            _ = try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        let run = try measure(executable, ["plan-file", "--db", dbPath])
        print("afterdesk plan:       " + run.output.trimmingCharacters(in: .whitespacesAndNewlines))
        print(
            String(
                format: "  time                %.2f s, peak memory %.1f MB  (target: under 20 s for 1,000,000 deals)", run.seconds,
                Double(run.peakBytes) / 1_048_576))
        let again = try measure(executable, ["plan-file", "--db", dbPath])
        print(
            String(
                format: "plan again (same facts and clock: every touch replaced) %.2f s, peak memory %.1f MB", again.seconds,
                Double(again.peakBytes) / 1_048_576))

    case "import":
        try await BenchRuns.importDeals()

    case "dispatch-file":
        // The child of `dispatch`: one dispatch run with recording channels.
        let db = try await DatabaseLocation.open(option("db", "dispatch.sqlite"), clock: benchClock)
        let templates = try DispatchSetup.templates(directory: option("templates", "templates"), menu: menu)
        var settings = Settings()
        settings.emailFrom = "Lakeside Motors <service@lakeside.example>"
        let recording = RecordingChannels()
        let dispatcher = Dispatcher(
            database: db, menu: menu, warranties: warranties, templates: templates, settings: settings,
            channels: .recording(recording), signingSecret: "bench")
        let s = try await dispatcher.run(now: dispatchNow)
        print(
            "due=\(s.due) sms=\(s.sms) email=\(s.email) tasks=\(s.tasks) moved=\(s.moved) skipped=\(s.skipped) delivered=\(s.delivered) "
                + "recorded=\(recording.sms.count + recording.emails.count)")

    case "dispatch":
        try await BenchRuns.dispatch()

    case "report-file":
        // The child of `report`: the summary with --by product and --by month (one pass over the ledger), or the whole ledger
        // as CSV to /dev/null.
        let db = try await DatabaseLocation.open(option("db", "bench.sqlite"), clock: benchClock)
        let asOf = LocalDate(benchClock.now(), in: menu.dealership.zone)
        let p = ReportParameters(asOf: asOf, from: asOf.adding(years: -1), to: asOf, menu: menu)
        if args.contains("--ledger") {
            let out = ChunkedOutput(FileHandle(forWritingAtPath: "/dev/null")!)
            out.write(CSVWriter.line(LedgerRow.columns))
            try await db.forEachLedgerRow(p, now: benchClock.now()) { row in out.write(CSVWriter.line(row.cells)) }
            out.flush()
            print("ledger lines=\(out.lines - 1)")
        } else {
            var byProduct = p
            byProduct.by = .product
            var byMonth = p
            byMonth.by = .month
            let reports = try await db.marginReports([p, byProduct, byMonth], now: benchClock.now())
            let t = reports[0].total
            print(
                "declines=\(t.declines) deals=\(t.deals) recovered=\(t.treated.recovered + t.holdout.recovered) verdict=\(t.verdict.rawValue) "
                    + "incremental=\(ReportFormats.money(t.incrementalMargin?.value) ?? "-") interval=\(ReportFormats.money(t.incrementalMargin?.low) ?? "-")..\(ReportFormats.money(t.incrementalMargin?.high) ?? "-") products=\(reports[1].groups.count) "
                    + "months=\(reports[2].groups.count)")
        }

    case "report":
        // The margin report over an imported database (made by `import --rows N` first), with after-sale outcomes added once:
        // contracts for about 4% of declines, a tenth of them cancelled, and a third of the planned touches marked delivered.
        let dbPath = BenchPostgres.location ?? "\(option("dir", "bench-data"))/bench.sqlite"
        try BenchOutcomes.prepare(dbPath)
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let run = try measure(executable, ["report-file", "--db", dbPath])
        print("afterdesk report (summary, --by product, --by month): " + run.output.trimmingCharacters(in: .whitespacesAndNewlines))
        print(
            String(
                format: "  time                %.2f s, peak memory %.1f MB  (target: under 3 s for 1,000,000 deals)", run.seconds,
                Double(run.peakBytes) / 1_048_576))
        let ledger = try measure(executable, ["report-file", "--db", dbPath, "--ledger"])
        print("afterdesk report --by decline --format csv: " + ledger.output.trimmingCharacters(in: .whitespacesAndNewlines))
        print(
            String(
                format: "  time                %.2f s, peak memory %.1f MB (streamed)", ledger.seconds, Double(ledger.peakBytes) / 1_048_576
            )
        )

    case "scorecard-file":
        // The child of `scorecard`.
        print(try await BenchScorecard.summary(db: option("db", "bench.sqlite"), menu: menu, clock: benchClock))

    case "scorecard":
        // The F&I scorecard over the same database as `report`, with the same after-sale outcomes.
        // `--db FILE` measures a copy elsewhere (a database another run is using is never written).
        let dbPath = option("db", "\(option("dir", "bench-data"))/bench.sqlite")
        try BenchOutcomes.prepare(dbPath)
        let run = try measure(URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path, ["scorecard-file", "--db", dbPath])
        print("afterdesk scorecard (by F&I manager): " + run.output.trimmingCharacters(in: .whitespacesAndNewlines))
        print(
            String(
                format: "  time                %.2f s, peak memory %.1f MB  (target: under 3 s)", run.seconds,
                Double(run.peakBytes) / 1_048_576
            ))

    case "sms":
        // Texts through the SMS channel to the local Twilio-compatible server: time, peak threads, connections.
        try await BenchSMS.run(messages: Int(option("messages", "10000")) ?? 10_000, concurrency: Int(option("concurrency", "1")) ?? 1)

    case "api":
        // The task queue through the server, beside the health route, with wrk (after `import`, and `plan`).
        try await BenchAPI.run(
            dir: option("dir", "bench-data"), seconds: Int(option("seconds", "10")) ?? 10, port: Int(option("port", "18733")) ?? 18733)

    case "daily-looks":
        // Simulated stores reading their report every day: how often the fixed and the anytime verdicts say "recovered".
        BenchDailyLooks.run(
            stores: Int(option("stores", "1000")) ?? 1_000, seed: UInt64(option("seed", "7")) ?? 7,
            declinesPerDay: Double(option("declines-per-day", "10")) ?? 10, lifts: [0.02, 0.04, 0.08])

    default:
        print(
            """
            usage: afterdesk-bench import [--rows N] [--dir bench-data] [--seed S] [--bulk auto|on|off]
                   afterdesk-bench plan [--dir bench-data]        (after import)
                   afterdesk-bench dispatch [--touches N] [--dir bench-data] [--prepare-only]
                   afterdesk-bench report [--dir bench-data]      (after import, and plan)
                   afterdesk-bench scorecard [--dir bench-data | --db FILE]   (after import, and plan)
                   afterdesk-bench sms [--messages 10000] [--concurrency 1]   (needs python3; from the repository's root)
                   afterdesk-bench api [--dir bench-data] [--db postgres://…] [--seconds 10]   (after import, and plan; needs wrk)
                   afterdesk-bench decode FILE [--parse-only]
                   afterdesk-bench daily-looks [--stores 1000] [--seed 7] [--declines-per-day 10]
            """)
        exit(args.isEmpty ? 0 : 64)
    }
} catch {
    FileHandle.standardError.write(Data("afterdesk-bench: \(error)\n".utf8))
    exit(1)
}

// The PostgreSQL pools a child opened close before it exits.
await DatabaseLocation.closeAll()
