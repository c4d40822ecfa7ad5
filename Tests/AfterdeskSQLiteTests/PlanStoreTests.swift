import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDemo
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

@Suite(.talliedByBackend) struct PlanStoreTests {
    func touchRows(_ db: any Storage) async throws -> [String] {
        try await StoredSQL(db).rows(
            """
            SELECT t.customer_id, t.due_at, t.action, t.status, i.deal_id, i.product_code, i.template, i.reason
            FROM touches t JOIN touch_items i ON i.touch_id = t.id ORDER BY t.customer_id, t.due_at, i.product_code
            """
        ).map(\.description)
    }

    /// Planning reads a chunk's facts in one transaction and writes its plans in the next: when another connection
    /// commits in between, the chunk is read again, so no plan is written from facts that changed. Both pipelines: the
    /// three-stage one (reading on a reader connection) and the two-stage one (an in-memory database's), forced here.
    /// SQLite's pipelines and its transactions between them: SQLite only.
    @Test(arguments: [false, true]) func factsChangedBetweenReadingAndWritingArePlannedAgain(threeStage: Bool) async throws {
        let m = try menu()
        let warranties = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
        let planner = Planner(menu: m, warranties: warranties)
        let now = ISO8601DateFormatter().date(from: "2026-11-21T15:00:00Z")!
        let dealership = SyntheticDealership(
            seed: 9, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 20)!, days: 30, dealsPerDay: 3)
        func plannedFirstChunk(unwindBetween: Bool) async throws -> Int {
            let w = try Workspace()
            let db = try w.database()
            _ = try await db.importDeals(files: [try w.write("deals.csv", dealership.csv())], options: ImportOptions(menu: m))
            let other = try DatabaseQueue(path: w.path("test.sqlite"))
            let lo = try await other.read { try Int64.fetchOne($0, sql: "SELECT MIN(id) FROM customers")! }
            var calls = 0
            _ = try db.planCustomers(
                planner: planner, now: now, customerIDs: nil, rangeSize: 10, transactionSize: 10, progress: nil,
                betweenTransactions: {
                    calls += 1
                    // The first chunk's facts are read; its plans are not written yet: every deal of it is unwound.
                    if unwindBetween && calls == 1 {
                        try other.write {
                            try $0.execute(
                                sql: "UPDATE deals SET status = 'unwound' WHERE customer_id BETWEEN ? AND ?", arguments: [lo, lo + 9])
                        }
                    }
                }, threeStage: threeStage)
            #expect(calls > 3)
            return try await other.read {
                try Int.fetchOne(
                    $0, sql: "SELECT COUNT(*) FROM touches WHERE status = 'planned' AND customer_id BETWEEN ? AND ?",
                    arguments: [lo, lo + 9])!
            }
        }
        #expect(try await plannedFirstChunk(unwindBetween: false) > 0)
        #expect(try await plannedFirstChunk(unwindBetween: true) == 0)
    }

    /// Each declined product's plan row says in a code why nothing is followed up: every holdout not followed up after
    /// it ends is `holdout`, a product with a planned touch has none, and every code is one of those documented.
    @Test(arguments: TestBackend.all) func planRowsCarryTheNoFollowUpCode(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let m = try menu()
        let warranties = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
        let dealership = SyntheticDealership(
            seed: 4, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 20)!, days: 400, dealsPerDay: 2)
        _ = try await db.importDeals(files: [try w.write("deals.csv", dealership.csv())], options: ImportOptions(menu: m))
        _ = try await db.planCustomers(
            planner: Planner(menu: m, warranties: warranties), now: ISO8601DateFormatter().date(from: "2026-11-21T15:00:00Z")!)
        let rows = try await StoredSQL(db).rows(
            """
            SELECT p.holdout, p.no_follow_up, EXISTS (SELECT 1 FROM touch_items i JOIN touches t ON t.id = i.touch_id
                                                      WHERE i.deal_id = p.deal_id AND i.product_code = p.product_code AND t.status = 'planned')
            FROM plans p
            """
        ).map { (holdout: $0[0] as Bool, code: $0.optional(1, as: String.self), touched: $0[2] as Bool) }
        #expect(rows.count > 500)
        // A held-out product without the code is followed up once its holdout ends (holdout_months): it has touches.
        #expect(rows.allSatisfy { $0.code == "holdout" ? $0.holdout : !$0.holdout || $0.touched })
        #expect(rows.allSatisfy { !$0.touched || $0.code == nil })
        let codes = Set(rows.compactMap(\.code))
        #expect(codes.isSubset(of: Set(NoFollowUp.allCases.map(\.rawValue))) && codes.contains("holdout") && codes.count >= 3)
    }

    @Test(arguments: TestBackend.all) func plansAreStoredAndReplanningReplacesOnlyWhatIsNotSent(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let sql = StoredSQL(db)
        let m = try menu()
        let warranties = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
        let dealership = SyntheticDealership(
            seed: 4, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 20)!, days: 60, dealsPerDay: 3)
        let file = try w.write("deals.csv", dealership.csv())
        _ = try await db.importDeals(files: [file], options: ImportOptions(menu: m))
        let planner = Planner(menu: m, warranties: warranties)
        let now = ISO8601DateFormatter().date(from: "2026-11-21T15:00:00Z")!

        let first = try await db.planCustomers(
            planner: planner, now: now, customerIDs: nil, rangeSize: 37, transactionSize: 50_000, progress: nil)
        #expect(first.customers > 100 && first.touches > 200)
        #expect(first.touches == first.sms + first.email + first.tasks)
        let rows = try await touchRows(db)
        #expect(rows.count >= first.touches)

        // The same facts and clock: the same plans, nothing duplicated.
        let again = try await db.planCustomers(planner: planner, now: now)
        #expect(again == first)
        #expect(try await touchRows(db) == rows)

        // A sent touch stays as history when the customer is planned again.
        let sent = try #require(
            try await sql.value("SELECT id FROM touches WHERE status = 'planned' ORDER BY due_at, id LIMIT 1", as: Int64.self))
        try await sql.execute("UPDATE touches SET status = 'sent' WHERE id = ?", [sent])
        let customer = try #require(try await sql.value("SELECT customer_id FROM touches WHERE id = ?", [sent], as: Int64.self))
        _ = try await db.planCustomers(planner: planner, now: now, customerIDs: [customer])
        let status = try await sql.value("SELECT status FROM touches WHERE id = ?", [sent], as: String.self)
        #expect(status == "sent")

        // Listing for one deal shows only that customer's touches, soonest first, with reasons.
        let some = try #require(try await db.plannedTouches(limit: 1).first)
        let listed = try await db.plannedTouches(dealNumber: String(some.products[0].split(separator: ":")[0]))
        #expect(!listed.isEmpty && listed.allSatisfy { $0.customer == some.customer && !$0.reasons.isEmpty })
        #expect(listed.map(\.dueAt) == listed.map(\.dueAt).sorted())

        // Plans are kept per declined product, with the rule behind their window.
        let plans = try await sql.value("SELECT COUNT(*) FROM plans", as: Int.self) ?? 0
        #expect(plans == first.declines)
        if sql.backend == .sqlite {  // (PostgreSQL checks every foreign key as it writes)
            #expect(try await sql.rows("PRAGMA foreign_key_check").isEmpty)
        }
    }
}

@Suite(.talliedByBackend) struct ReplanTests {
    @Test(arguments: TestBackend.all) func newFactsReplanAndCancelledTouchesKeepTheirReason(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let m = try menu()
        let warranties = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
        var options = ImportOptions(menu: m)
        options.planner = Planner(menu: m, warranties: warranties)
        options.planAt = ISO8601DateFormatter().date(from: "2026-06-02T14:00:00Z")!
        let first = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: options)
        let planned = try #require(first.planned)
        #expect(planned.customers == 3)  // D-10001, D-10002, D-10004 have declines; D-10008 is unwound
        let q = StoredSQL(db)
        func touches(_ deal: String) async throws -> [(status: String, reason: String?, product: String)] {
            try await q.rows(
                """
                SELECT DISTINCT t.id, t.status, t.status_reason, i.product_code FROM touches t JOIN touch_items i ON i.touch_id = t.id
                JOIN deals d ON d.id = i.deal_id WHERE d.deal_number = ? ORDER BY t.id
                """, [deal]
            ).map { ($0["status"], $0.optional(2, as: String.self), $0["product_code"]) }
        }
        let vscBefore = try await touches("D-10001").filter { $0.product == "vsc" }
        let smithBefore = try await touches("D-10002")
        // The update: D-10001 bought the service contract, D-10002 unwound.
        let update = try await db.importDeals(files: [w.path("canonical-update.csv")], options: options)
        #expect(update.planned != nil)
        // Both deals have touches to cancel (neither is in the holdout): both halves of the test run.
        #expect(!vscBefore.isEmpty && !smithBefore.isEmpty, "the fixture should plan something to cancel for each deal")
        let after = try await touches("D-10001").filter { $0.product == "vsc" }
        #expect(after.count == vscBefore.count)
        #expect(after.allSatisfy { $0.status == "cancelled" && $0.reason == "vsc was bought later" })
        let smithAfter = try await touches("D-10002")
        #expect(smithAfter.count == smithBefore.count)
        #expect(smithAfter.allSatisfy { $0.status == "cancelled" && $0.reason == "the deal was unwound" })
        // Importing the update again changes nothing and cancels nothing more.
        let counts = try await q.value("SELECT COUNT(*) FROM touches", as: Int.self)
        let again = try await db.importDeals(files: [w.path("canonical-update.csv")], options: options)
        #expect(again.planned?.customers == 0)
        #expect(try await q.value("SELECT COUNT(*) FROM touches", as: Int.self) == counts)
    }
}

@Suite(.talliedByBackend) struct ReadingsTests {
    @Test(arguments: TestBackend.all) func aServiceVisitRefinesTheWarrantyAndReplans(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let m = try menu()
        let warranties = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
        let planner = Planner(menu: m, warranties: warranties)
        _ = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: ImportOptions(menu: m))
        let file = try w.write(
            "readings.csv",
            """
            vin,date,odometer,source
            4T1B11HK7RU000001,2026-09-01,3012,service
            4T1B11HK7RU000001,2026-10-01,3512,service
            4T1B11HK7RU00000Z,2026-09-01,100,service
            1FTFW1E5XPFA00002,2026-09-01,1000,service
            4T1B11HK7RU000001,2026-13-01,4000,service
            9BWZZZ377VT004251,2026-09-01,1000,service

            """)
        let now = ISO8601DateFormatter().date(from: "2026-11-01T15:00:00Z")!
        let s = try await db.importReadings(file: file, dealershipTimeZone: m.dealership.timeZone, planner: planner, now: now)
        #expect(s.read == 6 && s.inserted == 2 && s.rejected == 4)
        #expect(s.rejects.contains { $0.line == 4 && $0.field == "vin" && $0.error.hasPrefix("VIN check digit") })
        #expect(
            s.rejects.contains { $0.line == 5 && $0.field == "odometer" && $0.error == "lower than the 31250 miles at sale on 2026-06-04" })
        #expect(s.rejects.contains { $0.line == 6 && $0.field == "date" })
        #expect(s.rejects.contains { $0.line == 7 && $0.field == "vin" })
        #expect(s.planned?.customers == 1)
        #expect(s.rejectsFile == w.path("readings.rejects.csv"))
        // The readings (about 3,500 miles in four months) now drive the projection instead of the average.
        let found = try #require(try await db.customerDeals(ofDeal: "D-10001"))
        let e = try #require(Explain.explain(found, planner: planner, now: now))
        let vsc = try #require(e.products.first { $0.code == "vsc" })
        #expect(vsc.warranty?.milesPerYearIsDefault == false)
        #expect((vsc.warranty?.milesPerYear ?? 0) > 9_000)
        // The same file again changes nothing.
        let again = try await db.importReadings(file: file, dealershipTimeZone: m.dealership.timeZone, planner: planner, now: now)
        #expect(again.unchanged == 2 && again.inserted == 0 && again.planned == nil)
    }
}
