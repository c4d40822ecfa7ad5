import AfterdeskCore
import AfterdeskDelivery
import AfterdeskSQLite
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation

/// A year of Afterdesk at a simulated store. The store goes live `days` days before today (at most 365): the deals
/// closed before then are its history, imported at go-live; after that the F&I manager imports the DMS export every
/// Monday morning (the week's deals, and the unwinds the DMS shows), the customers are planned as each import lands,
/// and dispatch runs day by day through recording channels, with simulated customers and staff
/// (`DemoDispatch`, `DemoOutcomes`), the clock moved forward instant by instant. The after-sale contracts and
/// cancellations are imported each Monday too. Today, the last export is imported, the year as one file is
/// imported again (nothing changes), and every customer is planned as of now.
public struct DemoRun: Sendable {
    public var directory: String
    public var databasePath: String
    public var seed: UInt64
    public var dealsPerDay: Double
    public var inForce: MenuInForce
    /// Today's clock: the simulation ends at its now.
    public var clock: Clock
    /// Days of follow-up before today (the store's go-live); 0 imports and plans only.
    public var days: Int
    /// The message templates; nil: no dispatch (the data only).
    public var templates: MessageTemplates?
    public var settings: Settings
    /// Opens the demo's database with the simulation's clock: by default a fresh SQLite file at `databasePath` (any
    /// earlier one removed); the command line gives PostgreSQL's opener (a database found empty, or emptied).
    public var open: @Sendable (Clock) async throws -> any Storage
    var menu: Menu { inForce.menu }

    public init(
        directory: String, databasePath: String, seed: UInt64 = 2026, dealsPerDay: Double = 5, menu: MenuInForce, clock: Clock,
        days: Int = 0, templates: MessageTemplates? = nil, settings: Settings = Settings()
    ) {
        self.directory = directory
        self.databasePath = databasePath
        self.seed = seed
        self.dealsPerDay = dealsPerDay
        self.inForce = menu
        self.clock = clock
        self.days = min(365, max(0, days))
        self.templates = templates
        self.settings = settings
        self.open = { clock in try DemoRun.freshSQLite(databasePath, clock: clock) }
    }

    /// A new SQLite database at `path`: any earlier file there (and its -wal and -shm) removed first.
    public static func freshSQLite(_ path: String, clock: Clock) throws -> any Storage {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        return try AfterdeskDatabase(path: path, clock: clock)
    }

    /// One calendar month of the simulation.
    public struct Month: Sendable, Equatable {
        public var month: String
        public var exports = 0
        public var newDeals = 0
        public var refused = 0
        public var unwinds = 0
        public var declines = 0
        public var touchesPlanned = 0
        public var contracts = 0
        public var cancellations = 0
    }

    public struct Report: Sendable {
        /// The year in one file, final statuses (as the DMS has them today).
        public var dealsFile: String
        public var databasePath: String
        public var goLive: LocalDate
        public var today: LocalDate
        public var months: [Month]
        public var exports: Int
        /// The deal imports added up (refused rows: the first few, with where they are).
        public var imported: ImportSummary
        /// The last export with no refused row, imported again (nothing changes); nil when every export had one. Not the
        /// year's file: a refused row imported twice counts twice in the report's `declines_in_exports`.
        public var againFile: String?
        public var again: ImportSummary?
        public var contracts: Int
        public var cancellations: Int
        public var capture: CaptureSummary
        public var sampleDeal: String?
        /// Every customer planned as of now.
        public var planned: PlanSummary
        /// A few recent deals with declines, explained as of now.
        public var explained: [DealExplanation]
        public var dispatch: DemoDispatch.Result?
        public var recording: RecordingChannels?
        public var offersOpened: Int
    }

    public func run(progress: (@Sendable (ImportProgress) -> Void)? = nil) async throws -> Report {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let zone = menu.dealership.zone
        let now = clock.now()
        let today = LocalDate(now, in: zone)
        let goLive = today.adding(days: -days)
        let year = DemoExports(seed: seed, menu: menu, today: today, dealsPerDay: dealsPerDay, directory: directory)
        let dealsFile = try year.writeYear()

        let simulated = SimulatedClock(min(now, ContactWindow.allDay.instant(on: goLive, atMinutes: 8 * 60, zone: zone)))
        let db = try await open(simulated.clock)
        try await db.storeMenu(inForce)
        let outcomes = DemoOutcomes(seed: seed, menu: inForce)
        var state = YearState(exports: year, outcomes: outcomes)
        let (recording, dispatched) = try await simulateDays(
            from: goLive, state: &state, database: db, clock: simulated, progress: progress)
        // Today: the last export, at the clock's now.
        simulated.set(now)
        try await state.importExports(on: today, at: now, database: db, progress: days == 0 ? progress : nil)
        let opened = try await outcomes.simulateOfferPages(db, now: now)
        let againFile = state.lastExport
        var again: ImportSummary?
        if let againFile {
            again = try await db.importDeals(files: [againFile], options: ImportOptions(menu: menu, writeRejectsFile: false))
        }
        let planner = Planner.make(menu: menu, warranties: inForce.warranties)
        let planned = try await db.planCustomers(planner: planner, now: now)
        let recent = try await db.listDeals(DealFilter(limit: 500)).filter { !$0.declined.isEmpty && $0.status == .finalized }
        let explained = try await explainSamples(recent, db: db, planner: planner, now: now)
        return Report(
            dealsFile: dealsFile, databasePath: databasePath, goLive: goLive, today: today, months: state.months,
            exports: state.exportCount, imported: state.imported, againFile: againFile, again: again, contracts: state.contractCount,
            cancellations: state.cancellationCount, capture: try await db.captureSummary(),
            sampleDeal: recent.first.map { menu.stores.isEmpty ? $0.dealNumber : "\($0.dealNumber) --store \($0.store)" },
            planned: planned, explained: explained, dispatch: dispatched, recording: recording, offersOpened: opened)
    }

    /// The days from `goLive` to yesterday: each Monday's (and go-live's) imports at 7:00, then the day's dispatch with
    /// the simulated customers and staff when the templates loaded; what was sent, and what the days did.
    func simulateDays(
        from goLive: LocalDate, state: inout YearState, database db: any Storage, clock: SimulatedClock,
        progress: (@Sendable (ImportProgress) -> Void)?
    ) async throws -> (RecordingChannels?, DemoDispatch.Result?) {
        guard days > 0 else { return (nil, nil) }
        let zone = menu.dealership.zone
        var simulation: DemoDispatch?
        if let templates {
            let sent = RecordingChannels()
            let dispatcher = try await Dispatcher.recording(
                database: db, menu: menu, warranties: inForce.warranties, templates: templates, settings: settings, into: sent)
            simulation = DemoDispatch(dispatcher: dispatcher, recording: sent, seed: seed, days: days, outcomes: state.outcomes)
        }
        var result = DemoDispatch.Result()
        for d in 0..<days {
            let day = goLive.adding(days: d)
            if d == 0 || StoreHours.weekday(day) == 1 {
                let at = ContactWindow.allDay.instant(on: day, atMinutes: 7 * 60, zone: zone)
                clock.set(at)
                try await state.importExports(on: day, at: at, database: db, progress: d == 0 ? progress : nil)
            }
            try await simulation?.day(day, setClock: clock.set, into: &result)
        }
        return (simulation?.recording, simulation == nil ? nil : result)
    }

    /// One new and one used vehicle, financed, so the warranty and loan projections both show; the used one, when the
    /// recent deals have it, is a car whose declined service contract is followed up as a used-vehicle plan.
    func explainSamples(_ recent: [DealListItem], db: any Storage, planner: Planner, now: Date) async throws -> [DealExplanation] {
        var explained: [DealExplanation] = []
        var anyUsed: DealExplanation?
        for condition in ["new", "used"] {
            for item in recent.prefix(condition == "new" ? 60 : 400) where explained.count < (condition == "new" ? 1 : 2) {
                guard let found = try await db.customerDeals(ofDeal: item.dealNumber, store: item.store),
                    let deal = found.records.first(where: { $0.dealNumber == item.dealNumber }),
                    deal.vehicleCondition.rawValue == condition, deal.dealType == .finance,
                    let e = Explain.explain(found, planner: planner, now: now)
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
}
