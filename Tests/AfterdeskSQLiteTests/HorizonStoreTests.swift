import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDemo
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// The horizons planning stores (`decline_horizons`, v14) and the report that reads them (docs/reporting.md, "The
/// measurement horizon").
@Suite(.talliedByBackend) struct HorizonStoreTests {
    /// A year of a small store, imported and planned with the shipped menu (horizon mode, 10% held out).
    func plannedStore(_ backend: TestBackend) async throws -> (Workspace, any Storage, Menu, Planner) {
        let m = try menu()
        let warranties = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
        let planner = Planner.make(menu: m, warranties: warranties)
        let dealership = SyntheticDealership(
            seed: 11, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 20)!, days: 200, dealsPerDay: 2, errorRate: 0)
        let w = try Workspace()
        let db = try await w.storage(backend)
        _ = try await db.importDeals(files: [try w.write("deals.csv", dealership.csv())], options: ImportOptions(menu: m))
        _ = try await db.planCustomers(planner: planner, now: fixedNow)
        return (w, db, m, planner)
    }

    @Test(arguments: TestBackend.all)
    func everyPlannedDeclineOfAProductVehicleFactsCloseHasAHorizonInBothArms(backend: TestBackend) async throws {
        let (w, db, m, _) = try await plannedStore(backend)
        defer { withExtendedLifetime(w) {} }  // its folder holds SQLite's file
        #expect(m.measureBy == .horizon && m.holdoutMonths == 48)
        // The shipped menu's products closed by the contract date alone: the report computes theirs, none is stored.
        let computed = ContractHorizons(menu: m)
        #expect(Set(computed.codes) == ["tire_wheel", "appearance", "maintenance", "gap"])
        let list = computed.codes.map { "'\($0)'" }.joined(separator: ", ")
        let q = StoredSQL(db)
        func count(_ sql: String, _ arguments: [(any DatabaseValueConvertible & Sendable)?] = []) async throws -> Int {
            try #require(try await q.value(sql, arguments, as: Int.self))
        }
        let plans = try await count("SELECT COUNT(*) FROM plans WHERE product_code NOT IN (\(list))")
        let horizons = try await count("SELECT COUNT(*) FROM decline_horizons")
        let missing = try await count(
            """
            SELECT COUNT(*) FROM plans p WHERE p.product_code NOT IN (\(list)) AND NOT EXISTS (
                SELECT 1 FROM decline_horizons h WHERE h.deal_id = p.deal_id AND h.product_code = p.product_code)
            """)
        let heldOut = try await count(
            "SELECT COUNT(*) FROM decline_horizons h JOIN deal_arms a ON a.deal_id = h.deal_id WHERE a.held_out = ?", [true])
        // Without readings after the sale the horizon is the plan's own window.
        let differ = try await count(
            """
            SELECT COUNT(*) FROM plans p JOIN decline_horizons h ON h.deal_id = p.deal_id AND h.product_code = p.product_code
            WHERE h.horizon_until \(q.backend == .sqlite ? "IS NOT" : "IS DISTINCT FROM") p.eligible_until
            """)
        let computedRows = try await count("SELECT COUNT(*) FROM decline_horizons WHERE product_code IN (\(list))")
        #expect(plans > 80 && horizons == plans && missing == 0 && computedRows == 0, "\(plans) plans, \(horizons) horizons")
        #expect(heldOut > 3, "held-out declines with a horizon: \(heldOut)")
        #expect(differ == 0)
        // Every line of the report measures to the first of its horizon (stored, or computed from the contract date) and
        // the holdout's end (the reader skips the horizons too late to matter: a service contract's, 15 years on).
        let stored = try await q.rows(
            "SELECT d.deal_number, h.product_code, h.horizon_until FROM decline_horizons h JOIN deals d ON d.id = h.deal_id"
        ).reduce(into: [String: LocalDate]()) {
            $0["\($1[0] as String) \($1[1] as String)"] = $1.optional(2, as: String.self).flatMap(LocalDate.init)
        }
        var p = ReportParameters(asOf: LocalDate("2026-11-22")!, from: LocalDate("2026-01-01")!, to: LocalDate("2026-11-22")!, menu: m)
        p.resamples = 20
        let lines = LockedLines()
        try await db.forEachLedgerRow(p, now: fixedNow) { lines.append($0) }
        #expect(lines.all.count > 300 && lines.all.contains { $0.product == "vsc" } && lines.all.contains { $0.product == "gap" })
        for line in lines.all {
            let holdoutEnd = line.contractDate.adding(months: 48).adding(days: -1)
            let horizon = computed.horizon(
                of: line.product, contract: line.contractDate, stored: stored["\(line.dealNumber) \(line.product)"] ?? nil)
            #expect(line.measuredUntil == min(horizon ?? .last, holdoutEnd), "\(line.dealNumber) \(line.product)")
        }
    }

    /// A declined service contract (its horizon stored: vehicle facts close it) and a declined tire & wheel (90 days
    /// from the contract: computed as the ledger reads), of deals contracted in June or July.
    func decline(_ q: StoredSQL, _ product: String) async throws -> (id: Int64, deal: String, contract: LocalDate) {
        let row = try #require(
            try await q.rows(
                """
                SELECT d.id, d.deal_number, d.contract_date FROM plans h JOIN deals d ON d.id = h.deal_id
                WHERE h.product_code = ? AND d.contract_date BETWEEN '2026-06-01' AND '2026-07-31' ORDER BY d.id LIMIT 1
                """, [product]
            ).first)
        return (row[0], row[1], try #require(LocalDate(row[2] as String)))
    }

    func stored(_ q: StoredSQL, _ id: Int64, _ product: String) async throws -> String? {
        try await q.value(
            "SELECT horizon_until FROM decline_horizons WHERE deal_id = ? AND product_code = ?", [id, product], as: String.self)
    }

    func setHorizon(_ q: StoredSQL, _ id: Int64, _ product: String, _ until: LocalDate?) async throws {
        try await q.execute(
            "UPDATE decline_horizons SET horizon_until = ? WHERE deal_id = ? AND product_code = ?", [until?.description, id, product])
    }

    @Test(arguments: TestBackend.all)
    func theReportCountsASaleUpToTheHorizonAndKeepsItOnceFollowUpStops(backend: TestBackend) async throws {
        let (w, db, m, planner) = try await plannedStore(backend)
        let q = StoredSQL(db)
        // A declined service contract (its horizon stored) and tire & wheel (computed) of deals contracted in June or July.
        let (vsc, tire) = (try await decline(q, "vsc"), try await decline(q, "tire_wheel"))
        let planned = try await stored(q, vsc.id, "vsc")
        let end = vsc.contract.adding(days: 30)
        let file = try w.write(
            "contracts.csv",
            "contract_number,store,deal_number,product,sale_date,price,cost\n"
                + "AS-V,main,\(vsc.deal),vsc,\(end.adding(days: 1)),2495,1150\n"
                + "AS-T,main,\(tire.deal),tire_wheel,\(tire.contract.adding(days: 91)),799,260\n")
        let imported = try await db.importContracts(
            file: file, menu: m, planner: planner, now: fixedNow, writeRejectsFile: false, allowedStores: nil)
        #expect(imported.inserted == 2)
        // The contracts stopped the follow-up and the customers were planned again: the stored horizon stays.
        #expect(try await stored(q, vsc.id, "vsc") == planned && planned != nil)
        var p = ReportParameters(asOf: LocalDate("2026-11-22")!, from: LocalDate("2026-01-01")!, to: LocalDate("2026-11-22")!, menu: m)
        p.resamples = 20
        func line(_ d: (id: Int64, deal: String, contract: LocalDate), _ product: String) async throws -> LedgerRow {
            let rows = LockedLines()
            try await db.forEachLedgerRow(p, now: fixedNow) { if $0.dealNumber == d.deal && $0.product == product { rows.append($0) } }
            return try #require(rows.all.first)
        }
        // Sold the day after the stored horizon: not a recovery. The ledger says until when it measured.
        try await setHorizon(q, vsc.id, "vsc", end)
        var row = try await line(vsc, "vsc")
        #expect(!row.recovered && row.measuredUntil == end)
        // The same sale on the horizon's last day counts.
        try await setHorizon(q, vsc.id, "vsc", end.adding(days: 1))
        row = try await line(vsc, "vsc")
        #expect(row.recovered && row.recoverySource == .contract && row.measuredUntil == end.adding(days: 1))
        // The dashboard's list of sales reads the same horizon.
        let recent = try await db.recentRecoveries(stores: nil, asOf: LocalDate("2026-11-22")!, limit: 15)
        #expect(recent.first { $0.dealNumber == vsc.deal && $0.product == "vsc" }?.horizon == end.adding(days: 1))
        // The tire & wheel's horizon is its 90 days, computed as the ledger reads (planning stores none): sold on day 91,
        // not a recovery. A row left by an older planning changes nothing.
        #expect(try await stored(q, tire.id, "tire_wheel") == nil)
        row = try await line(tire, "tire_wheel")
        #expect(!row.recovered && row.measuredUntil == tire.contract.adding(days: 90))
        try await q.execute(
            "INSERT INTO decline_horizons (deal_id, product_code, horizon_until) VALUES (?, 'tire_wheel', '2040-01-01')", [tire.id])
        row = try await line(tire, "tire_wheel")
        #expect(!row.recovered && row.measuredUntil == tire.contract.adding(days: 90))
        // In window mode (a menu that sets the old window) no horizon counts: 365 days do.
        p.measureBy = .window
        p.attributionDays = 365
        #expect(try await line(vsc, "vsc").measuredUntil == vsc.contract.adding(days: 365))
        #expect(try await line(tire, "tire_wheel").recovered)
    }
}

final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [LedgerRow] = []
    func append(_ r: LedgerRow) { lock.withLock { rows.append(r) } }
    var all: [LedgerRow] { lock.withLock { rows } }
}
