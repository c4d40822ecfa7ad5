import AfterdeskCore
import AfterdeskSQLite
import AfterdeskStorage
import Foundation

/// The main job end to end on the embedded default: a generated year of a dealership's deals,
/// imported into a fresh database, imported again (nothing changes), then a later DMS export in
/// which some customers came back for a declined product and a few deals were unwound.
public struct DemoRun: Sendable {
    public var directory: String
    public var databasePath: String
    public var seed: UInt64
    public var dealsPerDay: Double
    public var inForce: MenuInForce
    public var clock: Clock
    var menu: Menu { inForce.menu }

    public init(directory: String, databasePath: String, seed: UInt64 = 2026, dealsPerDay: Double = 5, menu: MenuInForce, clock: Clock) {
        self.directory = directory
        self.databasePath = databasePath
        self.seed = seed
        self.dealsPerDay = dealsPerDay
        self.inForce = menu
        self.clock = clock
    }

    public struct Report: Sendable {
        public var dealsFile: String
        public var updateFile: String
        public var databasePath: String
        public var first: ImportSummary
        public var again: ImportSummary
        public var update: ImportSummary
        /// Declined products in the generated export, refused rows included: the capture-rate denominator.
        public var declinesInExport: Int
        public var capture: CaptureSummary
        public var sampleDeal: String?
        /// Every customer planned as of now.
        public var planned: PlanSummary
        /// A few recent deals with declines, explained as of now.
        public var explained: [DealExplanation]
    }

    public func run(progress: (@Sendable (ImportProgress) -> Void)? = nil) async throws -> Report {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: databasePath + suffix) }
        let zone = menu.dealership.zone
        let today = LocalDate(clock.now(), in: zone)
        let dealership = SyntheticDealership(seed: seed, menu: menu, endDate: today.adding(days: -1), dealsPerDay: dealsPerDay)

        // The year's export, written as the F&I manager would receive it.
        let dealsFile = (directory as NSString).appendingPathComponent("deals-last-12-months.csv")
        var declinesInExport = 0
        let header = dealership.header
        let outcomeColumns = header.indices.filter { header[$0].hasSuffix("_outcome") }
        var rows: [[String]] = []
        dealership.forEachRow { row in
            declinesInExport += outcomeColumns.filter { row[$0] == "declined" }.count
            rows.append(row)
        }
        try write(header: header, rows: rows, to: dealsFile)

        let db = try AfterdeskDatabase(path: databasePath, clock: clock)
        // The menu in force is stored with the demo database, so later commands on it agree.
        try await db.storeMenu(inForce)
        let options = ImportOptions(menu: menu)
        let first = try await db.importDeals(files: [dealsFile], options: options, progress: progress)
        let again = try await db.importDeals(files: [dealsFile], options: options)

        let changed = laterExport(of: rows, header: header)
        let updateFile = (directory as NSString).appendingPathComponent("deals-update.csv")
        try write(header: header, rows: changed, to: updateFile)
        let update = try await db.importDeals(files: [updateFile], options: options)
        let recent = try await db.listDeals(DealFilter(limit: 500)).filter { !$0.declined.isEmpty && $0.status == .finalized }
        let sample = recent.first?.dealNumber
        let planner = Planner.make(menu: menu, warranties: inForce.warranties)
        let planned = try await db.planCustomers(planner: planner, now: clock.now())
        let explained = try await explainSamples(recent, db: db, planner: planner)
        return Report(
            dealsFile: dealsFile, updateFile: updateFile, databasePath: databasePath, first: first, again: again,
            update: update, declinesInExport: declinesInExport, capture: try await db.captureSummary(), sampleDeal: sample,
            planned: planned, explained: explained)
    }

    /// A month later the DMS export shows some declined service contracts and GAP sold after all (the customer came
    /// back), and a few deals unwound: 5% of declined VSCs, 3% of declined GAP and tire & wheel sold at the menu's
    /// price, 0.4% of deals unwound. The rows that changed.
    func laterExport(of rows: [[String]], header: [String]) -> [[String]] {
        var rng = SeededRandom(seed: seed &+ 1)
        let col = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        var changed: [[String]] = []
        for var row in rows {
            var touched = false
            for code in ["vsc", "gap", "tire_wheel"] {
                guard let o = col["\(code)_outcome"], row[o] == "declined", rng.chance(code == "vsc" ? 0.05 : 0.03),
                    let product = menu.product(code), let price = col["\(code)_price"], let cost = col["\(code)_cost"],
                    let reason = col["\(code)_reason"]
                else { continue }
                row[o] = "sold"
                row[price] = product.retailPrice.description
                row[cost] = product.dealerCost.description
                row[reason] = ""
                touched = true
            }
            if rng.chance(0.004), let s = col["status"] {
                row[s] = "unwound"
                touched = true
            }
            if touched { changed.append(row) }
        }
        return changed
    }

    /// One new and one used vehicle, financed, so the warranty and loan projections both show; the used one, when the
    /// recent deals have it, is a car whose declined service contract is followed up as a used-vehicle plan.
    func explainSamples(_ recent: [DealListItem], db: any Storage, planner: Planner) async throws -> [DealExplanation] {
        var explained: [DealExplanation] = []
        var anyUsed: DealExplanation?
        for condition in ["new", "used"] {
            for item in recent.prefix(condition == "new" ? 60 : 400) where explained.count < (condition == "new" ? 1 : 2) {
                guard let found = try await db.customerDeals(ofDeal: item.dealNumber),
                    let deal = found.records.first(where: { $0.dealNumber == item.dealNumber }),
                    deal.vehicleCondition.rawValue == condition, deal.dealType == .finance,
                    let e = Explain.explain(found, planner: planner, now: clock.now())
                else { continue }
                if condition == "used"
                    && !e.products.contains(where: { $0.touches.contains { $0.planClass == PlanClass.Kind.used.rawValue } })
                {
                    anyUsed = anyUsed ?? e
                    continue
                }
                explained.append(e)
            }
        }
        if explained.count < 2, let anyUsed { explained.append(anyUsed) }
        return explained
    }

    private func write(header: [String], rows: [[String]], to path: String) throws {
        var text = header.joined(separator: ",") + "\n"
        for r in rows { text += r.map(SyntheticDealership.quote).joined(separator: ",") + "\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
