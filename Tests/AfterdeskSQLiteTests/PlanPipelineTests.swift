import AfterdeskCore
import AfterdeskDemo
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// The three-stage planning pipeline (a reading thread on a reader connection, a planning thread, the writer).
@Suite struct PlanPipelineTests {
    let now = ISO8601DateFormatter().date(from: "2026-11-21T15:00:00Z")!

    func planner() throws -> Planner {
        Planner(menu: try menu(), warranties: try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml"))
    }

    /// A fresh database on a file with a synthetic dealership's deals imported, and a second connection to it.
    func imported(seed: UInt64 = 9, days: Int = 30) async throws -> (Workspace, AfterdeskDatabase, DatabaseQueue) {
        let m = try menu()
        let dealership = SyntheticDealership(
            seed: seed, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 20)!, days: days, dealsPerDay: 3)
        let w = try Workspace()
        let db = try w.database()
        _ = try await db.importDeals(files: [try w.write("deals.csv", dealership.csv())], options: ImportOptions(menu: m))
        return (w, db, try DatabaseQueue(path: w.path("test.sqlite")))
    }

    func stored(_ other: DatabaseQueue) throws -> [String] {
        try other.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.customer_id, t.due_at, t.due_on, t.action, t.status, i.deal_id, i.product_code, i.touch_name,
                           i.template, i.reason
                    FROM touches t JOIN touch_items i ON i.touch_id = t.id ORDER BY t.customer_id, t.due_at, i.deal_id, i.product_code
                    """
            ).map(\.description)
                + Row.fetchAll(db, sql: "SELECT * FROM plans ORDER BY deal_id, product_code").map(\.description)
                + Row.fetchAll(db, sql: "SELECT deal_id, held_out, bucket, percent FROM deal_arms ORDER BY deal_id").map(\.description)
        }
    }

    /// A batch of several chunks is read in one snapshot and written in the next transaction: a commit from another
    /// connection between the two transactions (here: unwinding the deals of the batch's second chunk) makes every
    /// chunk of the batch read again, so none of its plans come from the facts before the commit.
    @Test func aCommitBetweenTransactionsMakesTheNextBatchReadAgain() async throws {
        /// Touches planned for the first batch's first and second chunks.
        func planned(unwindBetween: Bool) async throws -> (first: Int, second: Int) {
            let (_, db, other) = try await imported()
            let lo = try await other.read { try Int64.fetchOne($0, sql: "SELECT MIN(id) FROM customers")! }
            var calls = 0
            _ = try db.planCustomers(
                planner: try planner(), now: now, customerIDs: nil, rangeSize: 10, transactionSize: 30, progress: nil,
                betweenTransactions: {
                    calls += 1
                    if unwindBetween && calls == 1 {
                        try other.write {
                            try $0.execute(
                                sql: "UPDATE deals SET status = 'unwound' WHERE customer_id BETWEEN ? AND ?", arguments: [lo + 10, lo + 19])
                        }
                    }
                }, threeStage: true)
            #expect(calls > 2)
            let sql = "SELECT COUNT(*) FROM touches WHERE status = 'planned' AND customer_id BETWEEN ? AND ?"
            return try await other.read {
                (try Int.fetchOne($0, sql: sql, arguments: [lo, lo + 9])!, try Int.fetchOne($0, sql: sql, arguments: [lo + 10, lo + 19])!)
            }
        }
        let untouched = try await planned(unwindBetween: false)
        #expect(untouched.first > 0 && untouched.second > 0)
        let unwound = try await planned(unwindBetween: true)
        #expect(unwound.second == 0)
        // The batch's other chunks are planned as before, from facts read again.
        #expect(unwound.first == untouched.first)
    }

    /// Both pipelines store the same plans, touches, items and arms; planning again with the same facts and clock
    /// stores them again.
    @Test func threeStagesStoreWhatTwoStagesStore() async throws {
        var results: [[String]] = []
        for threeStage in [false, true] {
            let (_, db, other) = try await imported(seed: 4, days: 120)
            for _ in 0..<2 {
                _ = try db.planCustomers(
                    planner: try planner(), now: now, customerIDs: nil, rangeSize: 7, transactionSize: 20, progress: nil,
                    betweenTransactions: nil, threeStage: threeStage)
                results.append(try stored(other))
            }
        }
        #expect(results[0].count > 500)
        #expect(results.allSatisfy { $0 == results[0] })
    }

    /// The customers asked for by id go through the reading thread too.
    @Test func givenCustomersArePlannedByTheReadingThread() async throws {
        let (_, db, other) = try await imported()
        let ids = try await other.read { try Int64.fetchAll($0, sql: "SELECT id FROM customers ORDER BY id") }
        let some = stride(from: 0, to: ids.count, by: 3).map { ids[$0] }
        let summary = try await db.planCustomers(planner: try planner(), now: now, customerIDs: some, rangeSize: 4)
        let planned = try await other.read {
            try Int64.fetchAll($0, sql: "SELECT DISTINCT customer_id FROM touches WHERE status = 'planned' ORDER BY customer_id")
        }
        #expect(summary.touches > 0)
        #expect(!planned.isEmpty && Set(planned).isSubset(of: Set(some)))
    }
}
