import AfterdeskCore
import AfterdeskDemo
import AfterdeskPostgres
import AfterdeskStorage
import Foundation
import Testing

/// The same generated dealership in SQLite and in PostgreSQL, with the same clock and menu, read through the storage
/// protocols only: every import's summary and rejects, every deal, the plan and each planned touch, the explain facts,
/// the touches due, the after-sale imports, and the margin report, scorecard and ledger, equal to the cent on both.
/// Database identities (touch, customer, deal and store ids) are each backend's own and are left out of the comparison.
@Suite struct ParityTests {
    @Test func aGeneratedDealershipReadsTheSameOnSQLiteAndPostgreSQL() async throws {
        let f = try Fixture()
        let data = try ParityDealership(f)
        let both = BothBackends(
            sqlite: try await SQLiteFileFactory().make(clock: f.clock, directory: f.directory),
            postgres: try await PostgresFactory().make(clock: f.clock, directory: f.directory))
        try await Self.imports(both, data, f)
        try await Self.deals(both)
        try await Self.plans(both, f)
        try await Self.outcomes(both, f)
    }

    /// The two stores' first exports, the update export (planning the customers it changed), and the readings.
    static func imports(_ both: BothBackends, _ data: ParityDealership, _ f: Fixture) async throws {
        let first = try await both.same("the first exports' import", inTurn: true) {
            try await $0.importDeals(files: [data.main, data.north], options: f.importOptions())
        }
        #expect(first.inserted > 200 && first.rejected > 10 && first.rejects.count > 10, "the data is too clean to compare")
        var options = f.importOptions()
        options.planner = f.planner
        options.planAt = f.now
        let replan = options
        let update = try await both.same("the update export's import", inTurn: true) {
            try await $0.importDeals(files: [data.update], options: replan)
        }
        #expect(update.updated > 20 && update.unwinds > 5 && update.recoveries > 5 && update.planned != nil)
        let readings = try await both.same("the readings' import", inTurn: true) {
            try await $0.importReadings(
                file: data.readings, dealershipTimeZone: f.menu.dealership.timeZone, planner: f.planner, now: f.now)
        }
        #expect(readings.inserted > 10 && readings.rejected >= 3)
        try await both.same("the capture summary") { try await $0.captureSummary() }
    }

    /// The deal list, and every deal's detail.
    static func deals(_ both: BothBackends) async throws {
        let deals = try await both.same("the deal list") { try await $0.listDeals(DealFilter(limit: 10_000)) }
        #expect(Set(deals.map(\.store)) == ["main", "north"])
        try await both.same("every deal's detail") { s in
            try await BothBackends.each(deals) { d in try await s.deal(number: d.dealNumber, store: d.store) }
        }
    }

    /// Planning every customer, then each planned touch, the facts `explain` shows for each declined product, and the
    /// touches due over the next year.
    static func plans(_ both: BothBackends, _ f: Fixture) async throws {
        let summary = try await both.same("the plan") { try await $0.planCustomers(planner: f.planner, now: f.now) }
        #expect(summary.touches > 100)
        try await both.same("the planned touches") {
            try await $0.plannedTouches(dealNumber: nil, store: nil, limit: 100_000).map(Self.withoutIdentity)
        }
        // Every tenth deal's own touches, and the explain facts of each of its declined products.
        let deals = try await both.sqlite.listDeals(DealFilter(limit: 10_000)).filter { $0.dealNumber.hasSuffix("3") }
        try await both.same("some deals' planned touches") { s in
            try await BothBackends.each(deals) { d in
                try await s.plannedTouches(dealNumber: d.dealNumber, store: d.store, limit: 1_000).map(Self.withoutIdentity)
            }
        }
        let declines = deals.flatMap { d in d.declined.map { (d.dealNumber, d.store, $0) } }
        #expect(declines.count > 20)
        try await both.same("the explain facts of their declined products") { s in
            try await BothBackends.each(declines) { d in
                try await s.previewFacts(dealNumber: d.0, store: d.1, product: d.2).map(ExplainFacts.init)
            }
        }
        let due = try await both.same("the touches due within a year") {
            try await $0.dueTouches(now: f.at(365 * 86_400), limit: 100_000).map(Self.withoutIdentity)
        }
        #expect(due.count > 100)
    }

    /// After-sale contracts (those AfterdeskDemo's simulation sells on the ledger's declines, one on every fifth other
    /// decline, and a refused one) and cancellations (about half of them, and a refused one), then the margin report by
    /// none, product, month and sale month and for one store, the scorecard by each grouping, the ledger, the
    /// cancellation histories and the recent recoveries.
    static func outcomes(_ both: BothBackends, _ f: Fixture) async throws {
        let today = LocalDate(year: 2026, month: 11, day: 23)!
        let simulation = DemoOutcomes(
            seed: 29,
            menu: MenuInForce(menu: f.menu, warranties: f.warranties, source: "default", menuText: "", warrantiesText: ""))
        let simulated = try await simulation.contracts(before: today, database: both.sqlite, now: f.now)
        let declines = try await ledger(both.sqlite, Self.report(today, f), now: f.now)
        let sales = ParitySale.all(simulated, simulation, declines: declines, before: today)
        #expect(sales.count > 20, "too few contracts to compare: \(sales.count)")
        let (contractsFile, cancellationsFile) = try ParitySale.files(sales, f)
        let sold = try await both.same("the contracts' import", inTurn: true) {
            try await $0.importContracts(file: contractsFile, menu: f.menu, planner: f.planner, now: f.now)
        }
        #expect(sold.inserted == sales.count && sold.rejected == 1)
        let cancelled = try await both.same("the cancellations' import", inTurn: true) {
            try await $0.importCancellations(file: cancellationsFile, menu: f.menu)
        }
        #expect(cancelled.inserted > 5 && cancelled.rejected == 1)
        let report = Self.report(today, f)
        let groupings: [ReportGrouping?] = [nil, .product, .month, .saleMonth]
        var byHorizon = Self.report(today, f)
        byHorizon.measureBy = .horizon
        let reports = groupings.map { by in Self.report(today, f, by: by) } + [Self.report(today, f, store: "north"), byHorizon]
        let expected = try await both.same("the margin reports") { try await $0.marginReports(reports, now: f.now) }
        try await Self.reportsOnOneConnection(both, reports, expected, f)
        for by in ScorecardGrouping.allCases {
            try await both.same("the scorecard by \(by)") {
                try await $0.scorecard(ScorecardParameters(report: report, by: by), now: f.now)
            }
        }
        let rows = try await both.same("the ledger") { try await ledger($0, report, now: f.now).map(Self.withoutIdentity) }
        #expect(rows.contains { $0.recovered } && rows.contains { !$0.chargedBack.isEmpty })
        try await both.same("the cancellation histories") { try await $0.cancellationHistories(stores: nil, asOf: today) }
        try await both.same("the recent recoveries") { try await $0.recentRecoveries(stores: nil, asOf: today, limit: 1_000) }
    }

    /// PostgreSQL reads a report's ledger in two halves at once, on two connections in one snapshot; a pool with no
    /// second connection to give reads the second half after the first, on one. Both ways must give SQLite's reports.
    static func reportsOnOneConnection(_ both: BothBackends, _ reports: [ReportParameters], _ expected: [MarginReport], _ f: Fixture)
        async throws
    {
        let postgres = try #require(both.postgres as? PostgresStorage)
        #expect(expected.first?.total.deals ?? 0 > 100, "too few deals to read in halves")
        let alone = try await PostgresStorage.open(try #require(postgres.location), clock: f.clock, maximumConnections: 1)
        defer { alone.close() }
        let read = try await alone.marginReports(reports, now: f.now)
        #expect(read == expected, "the reports read on one connection differ from SQLite's")
    }

    /// The report over the year to `today`, with the menu's costs and rules (few resamples, to be quick).
    static func report(_ today: LocalDate, _ f: Fixture, by: ReportGrouping? = nil, store: String? = nil) -> ReportParameters {
        var p = ReportParameters(asOf: today, from: LocalDate(year: 2026, month: 1, day: 1)!, to: today, store: store, by: by, menu: f.menu)
        p.resamples = 50
        return p
    }
}
