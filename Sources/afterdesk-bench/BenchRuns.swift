import AfterdeskCore
import AfterdeskDatabases
import AfterdeskDemo
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation

/// The `import` and `dispatch` benchmarks: data generated once, then the work measured in a child process, on the
/// SQLite file in `--dir` or on the PostgreSQL database `--db postgres://…` names.
enum BenchRuns {
    /// `afterdesk-bench import`: N generated deals imported into an empty database, then again; beside the floor: the
    /// `sqlite3 .import` of the file on SQLite, PostgreSQL's own COPY of it (psql `\\copy`) on PostgreSQL.
    static func importDeals() async throws {
        let rows = Int(option("rows", "1000000")) ?? 1_000_000
        let dir = option("dir", "bench-data")
        let seed = UInt64(option("seed", "7")) ?? 7
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = try generate(rows: rows, seed: seed, dir: dir)
        let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let pg = BenchPostgres.location
        let dbPath = pg ?? "\(dir)/bench.sqlite"
        if let pg { try await BenchPostgres.empty(pg) } else { removeDatabase(dbPath) }
        let bulk = option("bulk", "auto")
        guard BulkMode(rawValue: bulk) != nil else { fail("--bulk must be auto, on or off") }
        let first = try measure(executable, ["import-file", file, "--db", dbPath, "--bulk", bulk])
        let again = try measure(executable, ["import-file", file, "--db", dbPath])
        print("rows:                 \(rows) (\(size / 1_000_000) MB CSV)")
        print("afterdesk import (bulk \(bulk)): " + first.output.trimmingCharacters(in: .whitespacesAndNewlines))
        print(String(format: "  time                %.2f s  (%.0f deals/s)", first.seconds, Double(rows) / first.seconds))
        print(String(format: "  peak memory         %.1f MB", Double(first.peakBytes) / 1_048_576))
        if pg == nil {
            let dbSize = (try FileManager.default.attributesOfItem(atPath: dbPath)[.size] as? Int) ?? 0
            print(String(format: "  database            %.0f MB", Double(dbSize) / 1_048_576))
        } else {
            print("  database            (a SQLite file's size: not measured on PostgreSQL)")
        }
        print("re-import (same file): " + again.output.trimmingCharacters(in: .whitespacesAndNewlines))
        print(String(format: "  time                %.2f s, peak memory %.1f MB", again.seconds, Double(again.peakBytes) / 1_048_576))
        if let pg {
            let floor = BenchPostgres.copyFloor(pg, file: file)
            print(
                String(format: "COPY floor (psql \\copy): %.2f s, peak memory %.1f MB", floor.seconds, Double(floor.peakBytes) / 1_048_576))
            print(
                String(format: "ratio (import/floor):  %.2fx  (target <= 3x; peak memory target < 150 MB)", first.seconds / floor.seconds))
            return
        }
        guard let sqlite = which("sqlite3") else { fail("sqlite3 is not installed (apt-get install sqlite3)") }
        let floorPath = "\(dir)/floor.sqlite"
        removeDatabase(floorPath)
        let floor = try measure(sqlite, [floorPath], stdin: ".mode csv\n.import \(file) deals\n")
        print(String(format: "sqlite3 .import floor: %.2f s, peak memory %.1f MB", floor.seconds, Double(floor.peakBytes) / 1_048_576))
        print(String(format: "ratio (import/floor):  %.2fx  (target <= 3x; peak memory target < 150 MB)", first.seconds / floor.seconds))
        removeDatabase(floorPath)
    }

    /// The deals file of `rows` rows (seeded), written once.
    static func generate(rows: Int, seed: UInt64, dir: String) throws -> String {
        let file = "\(dir)/deals-\(rows)-seed\(seed).csv"
        if FileManager.default.fileExists(atPath: file) { return file }
        let start = DispatchTime.now()
        let end = LocalDate(benchClock.now(), in: menu.dealership.zone).adding(days: -1)
        let gen = SyntheticDealership(
            seed: seed, menu: menu, endDate: end, days: 365, dealsPerDay: max(1, Double(rows) / 365), errorRate: 0.001)
        guard FileManager.default.createFile(atPath: file + ".tmp", contents: nil), let h = FileHandle(forWritingAtPath: file + ".tmp")
        else { fail("cannot write \(file).tmp") }
        var buffer = gen.header.joined(separator: ",") + "\n"
        gen.forEachRow(limit: rows) { row in
            buffer += row.map(SyntheticDealership.quote).joined(separator: ",")
            buffer += "\n"
            if buffer.utf8.count > 1 << 20 {
                h.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        h.write(Data(buffer.utf8))
        try h.close()
        try FileManager.default.moveItem(atPath: file + ".tmp", toPath: file)
        print(String(format: "generated %@ in %.1f s", file, seconds(start)))
        return file
    }

    /// `afterdesk-bench dispatch`: N customers with a touch due now, dispatched in a child process. On SQLite the
    /// prepared database is kept and copied for each run; on PostgreSQL it is prepared again in the database each run.
    static func dispatch() async throws {
        let n = Int(option("touches", "100000")) ?? 100_000
        let dir = option("dir", "bench-data")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let work: String
        if let pg = BenchPostgres.location {
            try await BenchPostgres.empty(pg)
            try await prepareDispatch(n, dir: dir, location: pg)
            // `--prepare-only`: a database to clone (`CREATE DATABASE … TEMPLATE`) for runs of `dispatch-file` alone.
            if CommandLine.arguments.contains("--prepare-only") { return }
            work = pg
        } else {
            let prepared = "\(dir)/dispatch-\(n)-prepared.sqlite"
            if !FileManager.default.fileExists(atPath: prepared) {
                removeDatabase(prepared + ".tmp")
                try await prepareDispatch(n, dir: dir, location: prepared + ".tmp")
                try FileManager.default.moveItem(atPath: prepared + ".tmp", toPath: prepared)
            }
            work = "\(dir)/dispatch.sqlite"
            removeDatabase(work)
            try FileManager.default.copyItem(atPath: prepared, toPath: work)
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let run = try measure(executable, ["dispatch-file", "--db", work])
        print("afterdesk dispatch:   " + run.output.trimmingCharacters(in: .whitespacesAndNewlines))
        print(
            String(
                format: "  time                %.2f s (%.0f touches/s), peak memory %.1f MB  (target: 100,000 touches under 10 s)",
                run.seconds, Double(n) / run.seconds, Double(run.peakBytes) / 1_048_576))
    }

    /// Imports and plans the dispatch benchmark's deals into `location`; each customer's first touch is then due at the
    /// dispatch instant.
    static func prepareDispatch(_ n: Int, dir: String, location: String) async throws {
        let start = DispatchTime.now()
        let end = LocalDate(benchClock.now(), in: menu.dealership.zone).adding(days: -1)
        // A few more deals than touches wanted: some customers buy twice, some declines are held out.
        let deals = n + n / 4
        let gen = SyntheticDealership(seed: 3, menu: menu, endDate: end, days: 120, dealsPerDay: Double(deals) / 120)
        let file = "\(dir)/dispatch-deals.csv"
        var text = gen.header.joined(separator: ",") + "\n"
        gen.forEachRow(limit: deals) { row in text += row.map(SyntheticDealership.quote).joined(separator: ",") + "\n" }
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let db = try await DatabaseLocation.open(location, clock: benchClock)
        _ = try await db.importDeals(files: [file], options: ImportOptions(menu: menu, writeRejectsFile: false))
        _ = try await db.planCustomers(planner: Planner.make(menu: menu, warranties: warranties), now: benchClock.now())
        try await db.advanceFirstTouches(customers: n, to: dispatchNow)
        await DatabaseLocation.close(db)
        let shown = DatabaseLocation.forPeople(location.hasSuffix(".tmp") ? String(location.dropLast(4)) : location)
        print(String(format: "prepared %@ in %.1f s", shown, seconds(start)))
    }
}
