import AfterdeskCore
import AfterdeskSQLite
import AfterdeskStorage
import Foundation
import Synchronization

/// The demo's clock: the database, the imports and the dispatcher read it, and the demo moves it forward.
public final class SimulatedClock: Sendable {
    private let instant: Mutex<Date>
    public init(_ start: Date) { instant = Mutex(start) }
    public var now: Date { instant.withLock { $0 } }
    public func set(_ date: Date) { instant.withLock { $0 = date } }
    public var clock: Clock { Clock(now: { [self] in now }) }
}

/// The simulated store's DMS: the year's deals in contract order, and the deals unwound after their first export
/// (0.4% of finalized deals, 14 to 60 days after the contract: a later export shows them again, unwound).
struct DemoExports: Sendable {
    var seed: UInt64
    var menu: Menu
    var today: LocalDate
    var directory: String
    var header: [String]
    /// The rows in contract order, the day each was closed, and the day a later export shows it unwound.
    var rows: [(day: LocalDate, row: [String], unwoundOn: LocalDate?)] = []
    /// Rows exported so far, and unwinds shown so far.
    var exported = 0
    var unwindsShown: Set<Int> = []

    init(seed: UInt64, menu: Menu, today: LocalDate, dealsPerDay: Double, directory: String) {
        self.seed = seed
        self.menu = menu
        self.today = today
        self.directory = directory
        // One store, or each rooftop of a group menu (its own deals, numbers and customers), one DMS export for all.
        let dealerships = Self.dealerships(seed: seed, menu: menu, endDate: today.adding(days: -1), dealsPerDay: dealsPerDay)
        header = dealerships[0].header
        var rng = SeededRandom(seed: seed &+ 1)
        var rows: [(day: LocalDate, row: [String], unwoundOn: LocalDate?)] = []
        for dealership in dealerships {
            var last = today.adding(days: -365)
            dealership.forEachRow { row in
                // A row spoiled on purpose (a bad date) was closed the day of the rows around it.
                if let day = LocalDate(row[3]) { last = day }
                let unwound = row[2] == "finalized" && rng.chance(0.004) ? last.adding(days: rng.int(14...60)) : nil
                rows.append((last, row, unwound))
            }
        }
        // In contract order across the stores (a store's own order kept within a day).
        self.rows = dealerships.count == 1 ? rows : Self.byDay(rows)
    }

    /// The simulated stores: `main` for a single store's menu; for a group menu each store of `stores:` in code order,
    /// its customers mostly from its own state (the state its address ends with).
    static func dealerships(seed: UInt64, menu: Menu, endDate: LocalDate, dealsPerDay: Double) -> [SyntheticDealership] {
        guard !menu.stores.isEmpty else {
            return [SyntheticDealership(seed: seed, menu: menu, endDate: endDate, dealsPerDay: dealsPerDay)]
        }
        return menu.stores.keys.sorted().enumerated().map { i, code in
            var d = SyntheticDealership(
                seed: seed &+ UInt64(i + 1) &* 7_919, menu: menu, endDate: endDate, dealsPerDay: dealsPerDay, store: code)
            d.home = state(of: menu.store(code).dealership.address)
            return d
        }
    }

    /// The two-letter state before the ZIP code that ends an address (`…, Tulsa, OK 74105`).
    static func state(of address: String) -> String? {
        let words = address.split(whereSeparator: { $0 == " " || $0 == "," })
        guard words.count >= 2, let state = words.dropLast().last, state.count == 2 else { return nil }
        return String(state)
    }

    static func byDay(_ rows: [(day: LocalDate, row: [String], unwoundOn: LocalDate?)])
        -> [(day: LocalDate, row: [String], unwoundOn: LocalDate?)]
    {
        rows.enumerated().sorted { a, b in a.element.day != b.element.day ? a.element.day < b.element.day : a.offset < b.offset }
            .map(\.element)
    }

    /// The year as one file, each deal as the DMS has it today (unwound deals unwound): `deals-last-12-months.csv`.
    func writeYear() throws -> String {
        let path = (directory as NSString).appendingPathComponent("deals-last-12-months.csv")
        try write(rows.map { r in final(r.row, unwound: r.unwoundOn.map { $0 < today } ?? false) }, to: path)
        return path
    }

    /// The export made on the morning of `day`: the deals closed since the last export, and the earlier deals unwound
    /// since; nil when there are none.
    mutating func export(on day: LocalDate) throws -> (file: String, rows: Int)? {
        var out: [[String]] = []
        for i in rows.indices where i < exported {
            if let u = rows[i].unwoundOn, u < day, !unwindsShown.contains(i) {
                unwindsShown.insert(i)
                out.append(final(rows[i].row, unwound: true))
            }
        }
        while exported < rows.count, rows[exported].day < day {
            let r = rows[exported]
            let unwound = r.unwoundOn.map { $0 < day } ?? false
            if unwound { unwindsShown.insert(exported) }
            out.append(final(r.row, unwound: unwound))
            exported += 1
        }
        guard !out.isEmpty else { return nil }
        let path = (directory as NSString).appendingPathComponent("deals-\(day).csv")
        try write(out, to: path)
        return (path, out.count)
    }

    private func final(_ row: [String], unwound: Bool) -> [String] {
        guard unwound else { return row }
        var r = row
        r[2] = "unwound"
        return r
    }

    private func write(_ rows: [[String]], to path: String) throws {
        var text = header.joined(separator: ",") + "\n"
        for r in rows { text += r.map(SyntheticDealership.quote).joined(separator: ",") + "\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// What the year's imports did, as they happen.
struct YearState: Sendable {
    var exports: DemoExports
    var outcomes: DemoOutcomes
    var months: [DemoRun.Month] = []
    var imported = ImportSummary()
    var exportCount = 0
    /// The last export with no refused row.
    var lastExport: String?
    var contractCount = 0
    var cancellationCount = 0
    /// The after-sale contracts imported, kept to cancel some later; and those cancelled.
    var written: [DemoOutcomes.Contract] = []
    var cancelled: Set<String> = []

    /// The Monday morning's imports on `day`: the DMS export (its customers planned at once), then the after-sale
    /// contracts sold and the cancellations made before `day`.
    mutating func importExports(
        on day: LocalDate, at now: Date, database db: any Storage, progress: (@Sendable (ImportProgress) -> Void)?
    ) async throws {
        let key = String(day.description.prefix(7))
        if months.last?.month != key { months.append(DemoRun.Month(month: key)) }
        let menu = outcomes.inForce.menu
        if let (file, _) = try exports.export(on: day) {
            var options = ImportOptions(menu: menu, writeRejectsFile: false)
            options.planner = Planner.make(menu: menu, warranties: outcomes.inForce.warranties)
            options.planAt = now
            let s = try await db.importDeals(files: [file], options: options, progress: progress)
            add(s)
            exportCount += 1
            if s.rejected == 0 { lastExport = file }
            months[months.count - 1].exports += 1
            months[months.count - 1].newDeals += s.inserted
            months[months.count - 1].refused += s.rejected
            months[months.count - 1].unwinds += s.unwinds
            months[months.count - 1].declines += s.declines
            months[months.count - 1].touchesPlanned += s.planned?.touches ?? 0
        }
        let sold = try await outcomes.contracts(before: day, database: db, now: now)
        let cancellations = written.compactMap { c -> (DemoOutcomes.Contract, LocalDate)? in
            guard !cancelled.contains("\(c.store)|\(c.number)"), let d = outcomes.cancelDay(c), d < day else { return nil }
            return (c, d)
        }
        guard !sold.isEmpty || !cancellations.isEmpty else { return }
        let (c, k) = try await outcomes.importAfterSale(
            contracts: sold, cancellations: cancellations, stamp: day.description, directory: exports.directory, database: db,
            now: now)
        written += sold
        for (c, _) in cancellations { cancelled.insert("\(c.store)|\(c.number)") }
        contractCount += c.inserted
        cancellationCount += k.inserted
        months[months.count - 1].contracts += c.inserted
        months[months.count - 1].cancellations += k.inserted
    }

    private mutating func add(_ s: ImportSummary) {
        imported.read += s.read
        imported.inserted += s.inserted
        imported.updated += s.updated
        imported.unchanged += s.unchanged
        imported.rejected += s.rejected
        imported.declines += s.declines
        imported.recoveries += s.recoveries
        imported.unwinds += s.unwinds
        imported.warned += s.warned
        imported.rejects += s.rejects.prefix(max(0, 1_000 - imported.rejects.count))
        imported.rowWarnings += s.rowWarnings.prefix(max(0, 1_000 - imported.rowWarnings.count))
    }
}
