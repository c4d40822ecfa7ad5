import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskPostgres
import AfterdeskSQLite
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Recoveries from the three sources, end to end through the store: a task, a later deal import, an after-sale
/// contract, and cancellations, read back through the decline ledger.
@Suite(.serialized, .talliedByBackend) struct OutcomeFlowTests {
    let planner = Planner(menu: menu, warranties: warranties)

    func ledger(_ s: Scenario, asOf: String) async throws -> [String: LedgerRow] {
        let p = ReportParameters(
            asOf: LocalDate(asOf)!, from: LocalDate("2026-01-01")!, to: LocalDate(asOf)!, attributionDays: 120, holdoutPercent: 10)
        var rows: [String: LedgerRow] = [:]
        for row in try await s.db.ledgerRows(p, now: utc(asOf + "T23:00:00Z")) { rows["\(row.dealNumber):\(row.product)"] = row }
        return rows
    }

    /// The scenario's database, on a clock in December (the scenario's stands at its deals' day, and a sale dated after
    /// the clock's day is refused).
    func december(_ s: Scenario) async throws -> any Storage {
        let clock = Clock.fixed(utc("2026-12-01T18:00:00Z"))
        if let postgres = s.db as? PostgresStorage {
            return try await PostgresStorage.open(
                try #require(postgres.location), clock: clock, uploads: s.dir.appendingPathComponent("uploads").path,
                maximumConnections: 2)
        }
        return try AfterdeskDatabase(path: s.dir.appendingPathComponent("test.sqlite").path, clock: clock)
    }

    func importCSV(_ s: Scenario, _ name: String, _ text: String) throws -> String {
        let path = s.dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Ana's VSC is sold on her task. The next import of her deal (changed, so it is written again) still shows the VSC
    /// declined at the desk: that is no cancellation and plans nothing again. A later export showing it sold, and then
    /// an after-sale contract, report the same sale: it stays one recovery, with the contract's figures.
    @Test(arguments: TestBackend.all) func aTasksSaleSurvivesReimportAndIsCountedOnceAcrossSources(backend: TestBackend) async throws {
        // Setup: Ana's task, sold for $2,995 (cost $1,150).
        let s = try await Scenario(backend: backend)
        let ana = try #require(try await s.touches("D-3").first)
        let at = utc(ana.due)
        _ = try await s.dispatcher.run(now: at)
        let task = try #require(try await s.db.tasks(now: at).first)
        let customer = try await s.db.completeTask(
            id: task.id, outcome: .sold, price: Money(cents: 299_500), cost: Money(cents: 115_000), now: at)
        _ = try await s.db.planCustomers(planner: planner, now: at, customerIDs: [customer])

        // Action 1: the DMS export again, Ana's odometer corrected (8 → 9), the VSC declined as at the desk.
        let changed = deals.replacingOccurrences(of: "new,8,33000", with: "new,9,33000")
        let again = try await s.db.importDeals(files: [try importCSV(s, "again.csv", changed)], options: ImportOptions(menu: menu))
        _ = try await s.db.planCustomers(planner: planner, now: at, customerIDs: [customer])

        // Check: the deal was written again, and nothing was cancelled or planned.
        #expect(again.updated == 1 && again.rejected == 0)
        #expect(try await s.rows("SELECT COUNT(*) FROM events WHERE kind = 'cancelled'")[0][0] as Int == 0)
        #expect(
            try await s.rows("SELECT outcome FROM deal_products p JOIN deals d ON d.id = p.deal_id WHERE d.deal_number = 'D-3'")[0][0]
                as String
                == "declined")
        #expect(try await s.touches("D-3").isEmpty)
        var row = try #require(try await ledger(s, asOf: "2026-12-31")["D-3:vsc"])
        #expect(row.recoverySource == .task && row.priceCents == 299_500 && row.marginGrossCents == 184_500)
        #expect(row.attributedChannel == "task" && row.tasksDone == 1)

        // Action 2: a later export shows the VSC sold ($3,100 / $1,200); then after-sale contract AS-9 reports it ($3,050 /
        // $1,150, sold by F2).
        let sold = changed.replacingOccurrences(of: "Victor Osei,declined,3500", with: "Victor Osei,sold,3100")
        _ = try await s.db.importDeals(files: [try importCSV(s, "sold.csv", sold)], options: ImportOptions(menu: menu))
        row = try #require(try await ledger(s, asOf: "2026-12-31")["D-3:vsc"])
        #expect(row.recoverySource == .dealImport && row.priceCents == 310_000 && row.quotedCents == 350_000)
        let contracts = try importCSV(
            s, "contracts.csv",
            "contract_number,deal_number,product,sale_date,price,cost,sold_by\nAS-9,D-3,vsc,2026-10-02,3050.00,1150.00,F2\n")
        let c = try await december(s).importContracts(file: contracts, menu: menu, planner: planner)
        #expect(c.inserted == 1 && c.rejected == 0)

        // Check: one decline, one recovery, the contract's figures.
        let rows = try await ledger(s, asOf: "2026-12-31")
        row = try #require(rows["D-3:vsc"])
        #expect(row.recoverySource == .contract && row.contractNumber == "AS-9" && row.marginGrossCents == 190_000)
        #expect(rows.values.filter { $0.dealNumber == "D-3" }.count == 1)
        let p = ReportParameters(
            asOf: LocalDate("2026-12-31")!, from: LocalDate("2026-01-01")!, to: LocalDate("2026-12-31")!, attributionDays: 120,
            holdoutPercent: 10)
        let report = try await s.db.marginReport(p, now: at)
        #expect(report.total.treated.recovered + report.total.holdout.recovered == 1)
    }

    /// Chargebacks subtract from the recovery they cancel, once they are dated on or before as_of.
    @Test(arguments: TestBackend.all) func cancellationsNetTheMarginFromTheirDate(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let contracts = try importCSV(
            s, "contracts.csv",
            "contract_number,store,deal_number,product,sale_date,price,cost\nAS-2,main,D-1,gap,2026-10-15,$895.00,300\n")
        #expect(try await december(s).importContracts(file: contracts, menu: menu, planner: planner).inserted == 1)
        let cancellations = try importCSV(
            s, "cancellations.csv",
            "contract_number,cancel_date,customer_refund,chargeback,reason\nAS-2,2026-11-10,626.50,357.00,paid off\n")
        let k = try await december(s).importCancellations(file: cancellations, menu: menu)
        #expect(k.inserted == 1 && k.rejected == 0)

        // Before the cancellation date: $595 gross, nothing charged back. From it: $595 − $357 = $238 net.
        var gap = try #require(try await ledger(s, asOf: "2026-11-09")["D-1:gap"])
        #expect(gap.marginGrossCents == 59_500 && gap.chargebacksCents == 0 && gap.marginNetCents == 59_500)
        gap = try #require(try await ledger(s, asOf: "2026-11-10")["D-1:gap"])
        #expect(gap.chargebacksCents == 35_700 && gap.marginNetCents == 23_800)
        // Importing them again changes nothing; a changed chargeback is updated.
        #expect(try await december(s).importContracts(file: contracts, menu: menu, planner: planner).unchanged == 1)
        #expect(try await december(s).importCancellations(file: cancellations, menu: menu).unchanged == 1)
        let changed = try importCSV(s, "c2.csv", "contract_number,cancel_date,chargeback\nAS-2,2026-11-10,400\n")
        #expect(try await december(s).importCancellations(file: changed, menu: menu).updated == 1)
        #expect(try #require(try await ledger(s, asOf: "2026-11-30")["D-1:gap"]).chargebacksCents == 40_000)
        // A product bought after the desk is followed up no more.
        let items = try await s.rows(
            """
            SELECT COUNT(*) FROM touch_items i JOIN touches t ON t.id = i.touch_id JOIN deals d ON d.id = i.deal_id
            WHERE d.deal_number = 'D-1' AND i.product_code = 'gap' AND t.status = 'planned'
            """)
        #expect(items[0][0] as Int == 0)
    }

    /// A product sold on the deal (here recovered by a later export) is cancelled by store, deal number and product; a
    /// product the deal never sold cannot be.
    @Test(arguments: TestBackend.all) func aDealsProductIsCancelledByDealAndProduct(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let sold = deals.replacingOccurrences(of: "not_offered,,declined,695", with: "not_offered,,sold,695")
        _ = try await s.db.importDeals(files: [try importCSV(s, "sold.csv", sold)], options: ImportOptions(menu: menu))
        let file = try importCSV(
            s, "cancellations.csv",
            "store,deal_number,product,cancel_date,chargeback\nmain,D-2,appearance,2026-11-15,200\nmain,D-2,vsc,2026-11-15,100\n")
        let k = try await december(s).importCancellations(file: file, menu: menu)
        #expect(k.inserted == 1 && k.rejected == 1)
        #expect(k.rejects.first?.line == 3 && k.rejects.first?.field == "product")
        #expect(k.rejects.first?.error == "not sold on this deal, at the desk or after")
        let row = try #require(try await ledger(s, asOf: "2026-12-31")["D-2:appearance"])
        #expect(row.recoverySource == .dealImport && row.chargebacksCents == 20_000 && row.marginNetCents == 49_500)
    }

    /// The ledger reads the deals and their declines as two streams merged in Swift, and the products sold since the desk
    /// as a third: its lines are those of the join it replaced, in the same order, with the desk's quotes. Here D-1's GAP
    /// (between its declined products in code order) and D-2's appearance are sold on a later export.
    @Test(arguments: TestBackend.all) func theLedgersDeclinesAreTheJoinsInItsOrder(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let sold = deals.replacingOccurrences(of: "declined,2495,declined,895", with: "declined,2495,sold,895")
            .replacingOccurrences(of: "not_offered,,declined,695", with: "not_offered,,sold,695")
        _ = try await s.db.importDeals(files: [try importCSV(s, "sold.csv", sold)], options: ImportOptions(menu: menu))
        let joined = try await s.rows(
            """
            SELECT d.deal_number, p.product_code, CASE WHEN p.outcome = 'declined' THEN p.price_cents ELSE r.quoted_cents END
            FROM deal_products p JOIN deals d ON d.id = p.deal_id
            LEFT JOIN recoveries r ON r.deal_id = p.deal_id AND r.product_code = p.product_code AND r.source = 'deal_import'
            WHERE (p.outcome = 'declined' OR r.deal_id IS NOT NULL) AND d.status = 'finalized'
            ORDER BY p.deal_id, p.product_code
            """
        ).map { "\($0[0] as String):\($0[1] as String):\(($0[2] as Int64?).map(String.init) ?? "-")" }
        #expect(joined.contains("D-1:gap:89500") && joined.contains("D-2:appearance:69500") && joined.count == 5)
        for store in [nil, "main"] {
            let p = ReportParameters(
                asOf: LocalDate("2026-12-31")!, from: LocalDate("2026-01-01")!, to: LocalDate("2026-12-31")!, store: store,
                attributionDays: 120, holdoutPercent: 10)
            let lines = try await s.db.ledgerRows(p, now: utc("2026-12-31T23:00:00Z")).map {
                "\($0.dealNumber):\($0.product):\($0.quotedCents.map(String.init) ?? "-")"
            }
            #expect(lines == joined)
        }
        // A deal outside the dates has no lines, and neither do its sales.
        let p = ReportParameters(
            asOf: LocalDate("2026-12-31")!, from: LocalDate("2026-10-02")!, to: LocalDate("2026-12-31")!, attributionDays: 120,
            holdoutPercent: 10)
        let none = try await s.db.ledgerRows(p, now: utc("2026-12-31T23:00:00Z")).count
        #expect(none == 0)
    }

    /// The capture rate's denominator counts the declines on refused rows of deal imports, until the row is fixed and
    /// its deal stored (in any store): then its declines are among the stored ones.
    @Test(arguments: TestBackend.all) func refusedRowsCountInTheExportsUntilTheirDealIsStored(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        // D-9 is D-1 again with a VIN whose check digit is wrong: refused, with its three declines.
        let d1 = try #require(deals.split(separator: "\n").first { $0.hasPrefix("D-1,") })
        let bad = d1.replacingOccurrences(of: "D-1,", with: "D-9,").replacingOccurrences(of: "4T1B11HK7RU000001", with: "4T1B11HK0RU000001")
        let refused = try await s.db.importDeals(
            files: [try importCSV(s, "bad.csv", "\(header)\n\(bad)\n")], options: ImportOptions(menu: menu))
        #expect(refused.rejected == 1)
        let p = ReportParameters(
            asOf: LocalDate("2026-12-01")!, from: LocalDate("2026-01-01")!, to: LocalDate("2026-12-01")!, attributionDays: 120,
            holdoutPercent: 10)
        var total = try await s.db.marginReport(p, now: utc("2026-12-01T18:00:00Z")).total
        #expect(total.declines == 5 && total.declinesInExports == 8)
        // Fixed and imported again: stored, and counted once.
        let good = d1.replacingOccurrences(of: "D-1,", with: "D-9,").replacingOccurrences(
            of: "4T1B11HK7RU000001", with: "4T1B11HK1RU000009")
        let fixed = try await s.db.importDeals(
            files: [try importCSV(s, "good.csv", "\(header)\n\(good)\n")], options: ImportOptions(menu: menu))
        #expect(fixed.inserted == 1 && fixed.rejected == 0)
        total = try await s.db.marginReport(p, now: utc("2026-12-01T18:00:00Z")).total
        #expect(total.declines == 8 && total.declinesInExports == 8)
    }

    /// Bad rows are refused with their line, field and value; the good ones land.
    @Test(arguments: TestBackend.all) func badAfterSaleRowsAreRefusedByName(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let file = try importCSV(
            s, "contracts.csv",
            """
            contract_number,deal_number,vin,product,sale_date,price,cost
            AS-1,D-1,,vsc,2026-10-20,2495.00,1150.00
            AS-2,D-404,,vsc,2026-10-20,2495.00,1150.00
            AS-3,D-1,,bogus,2026-10-20,2495.00,1150.00
            AS-4,D-1,,gap,2026-13-45,895.00,300.00
            AS-5,D-1,,gap,2026-10-20,,300.00
            ,D-2,,appearance,2026-10-20,695,180
            AS-7,,1HGCV1F36RA000003,Vehicle Service Contract,2026-10-21,3500,1200
            AS-8,D-2,,appearance,2026-09-01,695,180
            AS-9,D-2,,appearance,2027-01-01,695,180

            """)
        let c = try await december(s).importContracts(file: file, menu: menu, planner: planner)
        #expect(c.read == 9 && c.inserted == 2 && c.rejected == 7)
        func refused(_ line: Int, _ field: String) -> ImportReject? { c.rejects.first { $0.line == line && $0.field == field } }
        #expect(refused(3, "deal_number")?.value == "D-404")
        #expect(refused(4, "product")?.error.hasPrefix("not a product of the menu") == true)
        #expect(refused(5, "sale_date")?.value == "2026-13-45")
        #expect(refused(6, "price")?.error == "required")
        #expect(refused(7, "contract_number")?.error == "required")
        #expect(refused(9, "sale_date")?.error.hasPrefix("before the deal's contract date") == true)
        #expect(refused(10, "sale_date")?.error.hasPrefix("after today") == true)
        // The VIN's deal and the product's name found AS-7.
        #expect(
            try await s.rows(
                "SELECT d.deal_number, k.product_code FROM contracts k JOIN deals d ON d.id = k.deal_id WHERE contract_number = 'AS-7'")[0][
                    0] as String == "D-3")
        // A file without a column every row needs is refused as a whole.
        let headless = try importCSV(
            s, "no-cost.csv", "contract_number,deal_number,product,sale_date,price\nAS-1,D-1,vsc,2026-10-20,2495\n")
        await #expect(throws: StoreError.self) { try await december(s).importContracts(file: headless, menu: menu, planner: planner) }
        let rejects = try String(contentsOfFile: s.dir.appendingPathComponent("contracts.rejects.csv").path, encoding: .utf8)
        #expect(rejects.contains("contracts.csv,3,,deal_number,D-404,no deal with this number in the store,refused"))
        #expect(
            try await s.rows("SELECT COUNT(*) FROM rejects r JOIN import_runs i ON i.id = r.import_run_id WHERE i.profile = 'contracts'")[
                0][0]
                as Int == 7)
    }

    /// Each deal's arm is drawn once, by the published rule, and kept: it cannot be changed or removed.
    @Test(arguments: TestBackend.all) func armsAreRecordedOnceAndNeverChange(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let arms = try await s.rows(
            "SELECT d.deal_number, a.held_out, a.bucket, a.percent FROM deal_arms a JOIN deals d ON d.id = a.deal_id ORDER BY 1")
        #expect(arms.map { $0[0] as String } == ["D-1", "D-2", "D-3"])
        for a in arms {
            #expect((a[2] as Int64) == Int64(Holdout.bucket(store: "main", dealNumber: a[0])))
            #expect((a[1] as Bool) == Holdout.isHeldOut(store: "main", dealNumber: a[0], percent: 10) && (a[3] as Int) == 10)
        }
        for change in ["UPDATE deal_arms SET held_out = NOT held_out", "DELETE FROM deal_arms"] {
            await #expect(performing: { try await s.execute(change) }, throws: { "\(String(reflecting: $0))".contains("append-only") })
        }
        // A menu with another percentage draws new deals against it, and keeps the arms already drawn.
        var other = menu
        other.holdoutPercent = 50
        _ = try await s.db.planCustomers(planner: Planner(menu: other, warranties: warranties), now: utc("2026-10-02T20:00:00Z"))
        #expect(try await s.rows("SELECT percent FROM deal_arms").allSatisfy { ($0[0] as Int) == 10 })
        // The ledger takes each deal's recorded arm, not the rule at today's percentage.
        let p = ReportParameters(
            asOf: LocalDate("2026-12-31")!, from: LocalDate("2026-01-01")!, to: LocalDate("2026-12-31")!, attributionDays: 120,
            holdoutPercent: 100)
        let treated = try await s.db.ledgerRows(p, now: utc("2026-12-31T00:00:00Z")).filter { $0.arm == .treated }.count
        let recordedTreated = try await s.rows(
            "SELECT COUNT(*) FROM deal_products p JOIN deal_arms a ON a.deal_id = p.deal_id WHERE p.outcome = 'declined' AND a.held_out = ?",
            [false]
        )
        #expect(treated == recordedTreated[0][0] as Int && treated > 0)
    }
}
