import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// v15: planning marks each touch's first item (`carries_cost`), and the margin report reads the delivered touches of a
/// run of deals through `touch_items_deal`, in order.
@Suite(.talliedByBackend) struct TouchItemsByDealTests {
    static let firstByLookUp = """
        NOT EXISTS (SELECT 1 FROM touch_items j WHERE j.touch_id = i.touch_id
            AND (j.deal_id < i.deal_id OR (j.deal_id = i.deal_id AND j.product_code < i.product_code)))
        """

    @Test(arguments: TestBackend.all)
    func planningMarksEachTouchsFirstItemAndTheReportReadsTheIndexInOrder(backend: TestBackend) async throws {
        let (w, db, m, _) = try await HorizonStoreTests().plannedStore(backend)
        defer { withExtendedLifetime(w) {} }  // its folder holds SQLite's file
        let q = StoredSQL(db)
        func count(_ sql: String, _ arguments: [(any DatabaseValueConvertible & Sendable)?] = []) async throws -> Int {
            try #require(try await q.value(sql, arguments, as: Int.self))
        }
        let isNot = q.backend == .sqlite ? "IS NOT" : "IS DISTINCT FROM"
        let items = try await count("SELECT COUNT(*) FROM touch_items")
        let unmarked = try await count("SELECT COUNT(*) FROM touch_items WHERE carries_cost IS NULL")
        let wrong = try await count("SELECT COUNT(*) FROM touch_items i WHERE i.carries_cost \(isNot) (\(Self.firstByLookUp))")
        let several = try await count(
            "SELECT COUNT(*) FROM (SELECT touch_id FROM touch_items GROUP BY 1 HAVING COUNT(*) > 1) AS several")
        let firsts = try await count("SELECT COUNT(*) FROM touch_items WHERE carries_cost = ?", [true])
        let touches = try await count("SELECT COUNT(DISTINCT touch_id) FROM touch_items")
        #expect(items > 100 && unmarked == 0 && wrong == 0 && firsts == touches, "\(items) items, \(firsts) first of \(touches)")
        #expect(several > 0, "touches about several declines: \(several)")
        // The report's read of the delivered touches (SQLite's plan; PostgreSQL's is its planner's): a range of the index,
        // in its order (no sort).
        if let sqlite = db as? AfterdeskDatabase {
            let plan = try await DatabaseQueue(path: try #require(sqlite.path)).read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Streams.touchesSQL, arguments: [1, 1_000]).map { $0["detail"] as String }
            }
            #expect(plan.contains { $0.contains("COVERING INDEX touch_items_deal") }, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }
        // Items planned before v15 (no mark) are looked up: the ledger is the same.
        try await q.execute("UPDATE touches SET sent_at = planned_at WHERE id % 2 = 0")
        let p = ReportParameters(asOf: LocalDate("2027-06-01")!, from: LocalDate("2026-01-01")!, to: LocalDate("2026-11-22")!, menu: m)
        func ledger() async throws -> [LedgerRow] {
            let lines = LockedLines()
            try await db.forEachLedgerRow(p, now: fixedNow) { lines.append($0) }
            return lines.all
        }
        let marked = try await ledger()
        #expect(marked.contains { $0.messageCostsCents > 0 })
        try await q.execute("UPDATE touch_items SET carries_cost = NULL")
        #expect(try await ledger() == marked)
    }
}
