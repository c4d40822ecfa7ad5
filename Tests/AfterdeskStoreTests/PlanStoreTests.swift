import AfterdeskCore
@testable import AfterdeskStore
import Foundation
import GRDB
import Testing

@Suite struct PlanStoreTests {
    func touchRows(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: """
                SELECT t.customer_id, t.due_at, t.action, t.status, i.deal_id, i.product_code, i.template, i.reason
                FROM touches t JOIN touch_items i ON i.touch_id = t.id ORDER BY t.customer_id, t.due_at, i.product_code
                """).map(\.description)
        }
    }

    @Test func plansAreStoredAndReplanningReplacesOnlyWhatIsNotSent() throws {
        let w = try Workspace()
        let db = try w.database()
        let m = try menu()
        let warranties = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
        let dealership = SyntheticDealership(seed: 4, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 20)!, days: 60, dealsPerDay: 3)
        let file = try w.write("deals.csv", dealership.csv())
        _ = try db.importDeals(files: [file], options: ImportOptions(menu: m))
        let planner = Planner(menu: m, warranties: warranties)
        let now = ISO8601DateFormatter().date(from: "2026-11-21T15:00:00Z")!

        let first = try db.planCustomers(planner: planner, now: now, rangeSize: 37)
        #expect(first.customers > 100 && first.touches > 200)
        #expect(first.touches == first.sms + first.email + first.tasks)
        let rows = try touchRows(w.path("test.sqlite"))
        #expect(rows.count >= first.touches)

        // The same facts and clock: the same plans, nothing duplicated.
        let again = try db.planCustomers(planner: planner, now: now)
        #expect(again == first)
        #expect(try touchRows(w.path("test.sqlite")) == rows)

        // A sent touch stays as history when the customer is planned again.
        let sent = try DatabaseQueue(path: w.path("test.sqlite")).write { db -> Int64 in
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM touches WHERE status = 'planned' ORDER BY due_at LIMIT 1")!
            try db.execute(sql: "UPDATE touches SET status = 'sent' WHERE id = ?", arguments: [id])
            return id
        }
        let customer = try DatabaseQueue(path: w.path("test.sqlite")).read { try Int64.fetchOne($0, sql: "SELECT customer_id FROM touches WHERE id = ?", arguments: [sent])! }
        _ = try db.planCustomers(planner: planner, now: now, customerIDs: [customer])
        let status = try DatabaseQueue(path: w.path("test.sqlite")).read { try String.fetchOne($0, sql: "SELECT status FROM touches WHERE id = ?", arguments: [sent]) }
        #expect(status == "sent")

        // Listing for one deal shows only that customer's touches, soonest first, with reasons.
        let some = try #require(try db.plannedTouches(limit: 1).first)
        let listed = try db.plannedTouches(dealNumber: String(some.products[0].split(separator: ":")[0]))
        #expect(!listed.isEmpty && listed.allSatisfy { $0.customer == some.customer && !$0.reasons.isEmpty })
        #expect(listed.map(\.dueAt) == listed.map(\.dueAt).sorted())

        // Plans are kept per declined product, with the rule behind their window.
        let plans = try DatabaseQueue(path: w.path("test.sqlite")).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM plans") ?? 0 }
        #expect(plans == first.declines)
        let fk = try DatabaseQueue(path: w.path("test.sqlite")).read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check") }
        #expect(fk.isEmpty)
    }
}
