import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDemo
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// The margin report settles its lines' reserves once the pass has read the cancellation histories (in its first half's
/// snapshot; the desk sales as the deal import keeps them, `desk_sales`, v15): its reserve is the sum of the ledger's,
/// whose lines take the table read on its own (`cancellationHistories`), over a window that leaves older deals out of
/// the lines but not out of the histories. The scorecard's deals come from the same pass.
@Suite(.talliedByBackend) struct ReserveInThePassTests {
    /// 400 days of a small store with after-sale contracts for one decline in six, a fifth of them cancelled.
    func storeWithRecoveries(_ backend: TestBackend) async throws -> (Workspace, any Storage, Menu) {
        let m = try menu()
        let dealership = SyntheticDealership(
            seed: 5, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 20)!, days: 400, dealsPerDay: 2, errorRate: 0)
        let w = try Workspace()
        let db = try await w.storage(backend)
        _ = try await db.importDeals(files: [try w.write("deals.csv", dealership.csv())], options: ImportOptions(menu: m))
        let declines = try await StoredSQL(db).rows(
            """
            SELECT d.deal_number, p.product_code, d.contract_date FROM deal_products p JOIN deals d ON d.id = p.deal_id
            WHERE p.outcome = 'declined' ORDER BY d.id, p.product_code
            """
        ).map { ($0[0] as String, $0[1] as String, LocalDate($0[2] as String) ?? .first) }
        var contracts = "contract_number,store,deal_number,product,sale_date,price,cost\n"
        var cancellations = "contract_number,cancel_date,customer_refund,chargeback,reason\n"
        let last = LocalDate("2026-11-22")!
        for (i, (deal, product, contract)) in declines.enumerated() where i % 6 == 0 {
            let sold = min(contract.adding(days: 10 + i % 50), last)
            contracts += "AS-\(i),main,\(deal),\(product),\(sold),\(1_200 + i % 700),\(400 + i % 90)\n"
            if i % 5 == 0 { cancellations += "AS-\(i),\(min(sold.adding(days: 30), last)),100.00,\(150 + i % 40).00,paid off\n" }
        }
        _ = try await db.importContracts(
            file: try w.write("contracts.csv", contracts), menu: m, planner: nil, now: fixedNow, writeRejectsFile: false,
            allowedStores: nil)
        _ = try await db.importCancellations(
            file: try w.write("cancellations.csv", cancellations), menu: m, writeRejectsFile: false, allowedStores: nil)
        return (w, db, m)
    }

    @Test(arguments: TestBackend.all) func theReportsReserveIsTheLedgersWithTheHistoriesReadOnTheirOwn(backend: TestBackend) async throws {
        let (_, db, m) = try await storeWithRecoveries(backend)
        let asOf = LocalDate("2026-11-22")!
        for store in [nil, "main"] {
            // A window of the last five months: the deals before it are in the histories, not in the lines.
            var p = ReportParameters(asOf: asOf, from: LocalDate("2026-06-01")!, to: asOf, menu: m)
            p.store = store
            p.resamples = 20
            var byProduct = p
            byProduct.by = .product
            let reports = try await db.marginReports([p, byProduct], now: fixedNow)
            let lines = LockedLines()
            try await db.forEachLedgerRow(p, now: fixedNow) { lines.append($0) }
            let rows = lines.all
            // The table the ledger's lines took, from the histories read on their own.
            let histories = try await db.cancellationHistories(stores: store.map { [$0] }, asOf: asOf)
            let table = ReserveTable(histories: histories, terms: p.netToStore.cancellation)
            #expect(reports[0].parameters.netToStore.reserve == table && !reports[0].parameters.netToStore.defersReserve)
            #expect(histories.contains { $0.contracts >= 30 }, "a product with a history of its own")
            #expect(table.curves["main"]?.values.contains { $0.source == .history } == true)
            for arm in [Arm.treated, .holdout] {
                let figures = arm == .treated ? reports[0].total.treated : reports[0].total.holdout
                let armRows = rows.filter { $0.arm == arm }
                #expect(figures.reserveCents == armRows.reduce(0) { $0 + $1.reserveCents }, "\(store ?? "all") \(arm)")
                #expect(figures.netToStoreCents == armRows.reduce(0) { $0 + $1.netToStoreCents })
            }
            #expect(reports[0].total.treated.reserveCents > 0 && rows.allSatisfy { $0.reserveDue == nil })
            for g in reports[1].groups {
                let reserve = rows.filter { $0.product == g.key }.reduce(0) { $0 + $1.reserveCents }
                #expect(g.treated.reserveCents + g.holdout.reserveCents == reserve, "\(g.key ?? "")")
            }
            // The same report given the table beforehand, as the ledger is.
            var given = p
            given.netToStore.reserve = table
            #expect(try await db.marginReport(given, now: fixedNow).total == reports[0].total)
        }
    }

    /// The scorecard's desk figures come from the ledger's own pass: every deal of the window, with a product row or not,
    /// and its products sold at the desk, as a query joining the deals to those products reads them.
    @Test(arguments: TestBackend.all) func theScorecardsDeskSalesAreTheDealsOwnInTheLedgersPass(backend: TestBackend) async throws {
        let (w, db, m) = try await storeWithRecoveries(backend)
        defer { withExtendedLifetime(w) {} }  // its folder holds SQLite's file
        let sql = StoredSQL(db)
        let (from, asOf) = (LocalDate("2026-06-01")!, LocalDate("2026-11-22")!)
        // Two deals of the window without a product row (nothing offered), and one sold at the desk later reported sold by
        // a deal import (a recovery, not a desk sale).
        try await sql.execute(
            """
            DELETE FROM deal_products WHERE deal_id IN (
                SELECT id FROM deals WHERE contract_date >= '2026-07-01' ORDER BY id LIMIT 2)
            """)
        try await sql.execute(
            """
            INSERT INTO recoveries (deal_id, product_code, source, reference, sold_on, price_cents, cost_cents, recorded_at)
                SELECT p.deal_id, p.product_code, 'deal_import', 'import:0', d.contract_date, COALESCE(p.price_cents, 0), p.cost_cents, ?
                FROM deal_products p JOIN deals d ON d.id = p.deal_id
                WHERE p.outcome = 'sold' AND d.contract_date >= '2026-08-01' ORDER BY p.deal_id LIMIT 1
            """, [Instant.iso8601(fixedNow)])
        let window: [(any DatabaseValueConvertible & Sendable)?] = [from.description, asOf.description]
        let expected = try await sql.rows(
            """
            SELECT s.product_code, COUNT(*), SUM(COALESCE(s.price_cents, 0) - COALESCE(s.cost_cents, 0))
            FROM deals d JOIN deal_products s ON s.deal_id = d.id AND s.outcome = 'sold' AND NOT EXISTS (
                SELECT 1 FROM recoveries r WHERE r.deal_id = s.deal_id AND r.product_code = s.product_code
                    AND r.source = 'deal_import')
            WHERE d.status = 'finalized' AND d.contract_date BETWEEN ? AND ? GROUP BY 1
            """, window
        ).map { ($0[0] as String, $0[1] as Int, $0[2] as Int64) }
        let deals = try #require(
            try await sql.value(
                "SELECT COUNT(*) FROM deals WHERE status = 'finalized' AND contract_date BETWEEN ? AND ?", window, as: Int.self))
        var report = ReportParameters(asOf: asOf, from: from, to: asOf, menu: m)
        report.resamples = 20
        let card = try await db.scorecard(ScorecardParameters(report: report, by: .fiManager), now: fixedNow)
        #expect(card.total.deals == deals && deals > 200, "\(card.total.deals) of \(deals)")
        #expect(expected.count >= 3)
        for (product, sold, gross) in expected {
            #expect(card.total.products[product]?.soldDesk == sold, "\(product)")
            #expect(card.total.products[product]?.deskGrossCents == gross, "\(product)")
        }
        #expect(card.total.products.values.reduce(0) { $0 + $1.soldDesk } == expected.reduce(0) { $0 + $1.1 })
    }

    /// `desk_sales` (v15) is what joining every product sold at the desk to its finalized deal counts, after every kind of
    /// deal import: new deals (a bulk load and not), a re-import, a deal unwound, a decline turned sold, a contract date
    /// corrected, the same file again.
    @Test(arguments: TestBackend.all) func theDealImportKeepsTheDeskSalesCounted(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let m = try menu()
        let options = ImportOptions(menu: m)
        func check(_ label: String) async throws {
            let sql = StoredSQL(db)
            let kept = try await sql.rows(
                "SELECT store_id, product_code, sold_on, contracts FROM desk_sales WHERE contracts <> 0 ORDER BY 1, 2, 3"
            ).map { "\($0[0] as Int64) \($0[1] as String) \($0[2] as String) \($0[3] as Int)" }
            let joined = try await sql.rows(
                """
                SELECT d.store_id, p.product_code, d.contract_date, COUNT(*) FROM deal_products p JOIN deals d ON d.id = p.deal_id
                WHERE p.outcome = 'sold' AND d.status = 'finalized' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                """
            ).map { "\($0[0] as Int64) \($0[1] as String) \($0[2] as String) \($0[3] as Int)" }
            #expect(kept == joined && !joined.isEmpty, "\(label): \(kept) against \(joined)")
        }
        _ = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: options)
        try await check("first import")
        // D-10001 bought the VSC, D-10002 (a VSC sold at the desk) unwound.
        _ = try await db.importDeals(files: [w.path("canonical-update.csv")], options: options)
        try await check("update")
        _ = try await db.importDeals(files: [w.path("canonical-update.csv")], options: options)
        try await check("the same file again")
        // D-10001's contract date corrected: its desk sales move to the new day.
        let update = try String(contentsOfFile: w.path("canonical-update.csv"), encoding: .utf8)
        let moved = update.replacingOccurrences(of: "D-10001,main,finalized,2026-06-01,", with: "D-10001,main,finalized,2026-05-28,")
        #expect(moved != update)
        _ = try await db.importDeals(files: [try w.write("moved.csv", moved)], options: options)
        try await check("a contract date corrected")
        let dealership = SyntheticDealership(
            seed: 9, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 20)!, days: 40, dealsPerDay: 3, errorRate: 0)
        _ = try await db.importDeals(files: [try w.write("deals.csv", dealership.csv())], options: options)
        try await check("a month of deals")
        // Into an empty database the import is a bulk load.
        let bulk = try Workspace()
        let fresh = try await bulk.storage(backend)
        _ = try await fresh.importDeals(files: [try bulk.write("deals.csv", dealership.csv())], options: options)
        let counted = try await StoredSQL(fresh).value("SELECT SUM(contracts) FROM desk_sales", as: Int.self)
        let sold = try await StoredSQL(fresh).value(
            "SELECT COUNT(*) FROM deal_products p JOIN deals d ON d.id = p.deal_id WHERE p.outcome = 'sold' AND d.status = 'finalized'",
            as: Int.self)
        #expect(counted == sold && (sold ?? 0) > 50)
    }
}
