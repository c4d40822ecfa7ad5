import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskWorkflows

/// A touch sent at its due time, then the customer planned again an hour later (an import, a reading, a START or a
/// task outcome plans them again): the step just taken must not be planned, and dispatched, a second time.
@Suite(.serialized, .talliedByBackend) struct ResendTests {
    let planner = Planner(menu: menu, warranties: warranties)

    /// The steps (deal, product, touch name) of a customer's sent touches, with how many sent touches name each.
    func sentSteps(_ s: Scenario, _ deal: String) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for r in try await s.rows(
            """
            SELECT i.deal_id, i.product_code, i.touch_name, COUNT(DISTINCT t.id) FROM touches t JOIN touch_items i ON i.touch_id = t.id
            WHERE t.customer_id = ? AND t.status = 'sent' GROUP BY 1, 2, 3
            """, [try await s.customer(deal)])
        {
            out["\(r[0] as Int64):\(r[1] as String):\(r[2] as String)"] = r[3]
        }
        return out
    }

    /// The steps of a customer's touches planned now.
    func plannedSteps(_ s: Scenario, _ deal: String) async throws -> Set<String> {
        Set(
            try await s.rows(
                """
                SELECT i.deal_id, i.product_code, i.touch_name FROM touches t JOIN touch_items i ON i.touch_id = t.id
                WHERE t.customer_id = ? AND t.status = 'planned'
                """, [try await s.customer(deal)]
            ).map { "\($0[0] as Int64):\($0[1] as String):\($0[2] as String)" })
    }

    /// Maria (a text), James (an email) and Ana (a task): each one's first touch goes out at its due time, the customer
    /// is planned again an hour later, and dispatch runs on through the next days. Each step goes out once.
    @Test(arguments: TestBackend.all, ["D-1", "D-2", "D-3"])
    func aStepSentIsNotPlannedAgainByAReplanThatDay(backend: TestBackend, deal: String) async throws {
        let s = try await Scenario(backend: backend)
        let first = try #require(try await s.touches(deal).first)
        let at = utc(first.due)
        _ = try await s.dispatcher.run(now: at)
        let sent = try await sentSteps(s, deal)
        #expect(!sent.isEmpty, "the first touch went out")
        let outboxBefore = try await s.rows("SELECT COUNT(*) FROM outbox")[0][0] as Int
        let tasksBefore = try await s.rows("SELECT COUNT(*) FROM tasks")[0][0] as Int
        #expect(outboxBefore + tasksBefore > 0)

        _ = try await s.db.planCustomers(planner: planner, now: at.addingTimeInterval(3_600), customerIDs: [try await s.customer(deal)])
        let again = try await plannedSteps(s, deal).intersection(sent.keys)
        #expect(again.isEmpty, "planned again after the replan: \(again)")

        // Dispatch later that day and on the next days, the customer planned again after each run (a merged touch
        // covers steps due up to 3 days later: they are not planned again either).
        for hours in [2.0, 24, 48, 72, 96] {
            _ = try await s.dispatcher.run(now: at.addingTimeInterval(hours * 3_600))
            _ = try await s.db.planCustomers(
                planner: planner, now: at.addingTimeInterval((hours + 1) * 3_600), customerIDs: [try await s.customer(deal)])
        }
        let twice = try await sentSteps(s, deal).filter { $0.value > 1 }
        #expect(twice.isEmpty, "sent more than once: \(twice)")
        // What reached the customer or the staff: messages queued and tasks made, by step.
        let delivered = try await s.rows(
            """
            SELECT i.deal_id, i.product_code, i.touch_name, COUNT(*) FROM (
              SELECT touch_id FROM outbox WHERE customer_id = ? AND touch_id IS NOT NULL
              UNION ALL SELECT touch_id FROM tasks WHERE customer_id = ? AND touch_id IS NOT NULL
            ) x JOIN touch_items i ON i.touch_id = x.touch_id GROUP BY 1, 2, 3 HAVING COUNT(*) > 1
            """, [try await s.customer(deal), try await s.customer(deal)]
        ).map { "\($0[0] as Int64):\($0[1] as String):\($0[2] as String)" }
        #expect(delivered.isEmpty, "delivered more than once: \(delivered)")
    }

    /// Explain says why the step is not planned again.
    @Test(arguments: TestBackend.all) func explainSaysTheStepWasAlreadySent(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let first = try #require(try await s.touches("D-1").first)
        let at = utc(first.due)
        _ = try await s.dispatcher.run(now: at)
        let name = try #require(
            try await s.rows("SELECT i.product_code, i.template FROM touch_items i WHERE i.touch_id = ?", [first.id]).first)
        let customer = try #require(try await s.db.customerDeals(ofDeal: "D-1"))
        let explained = try #require(Explain.explain(customer, planner: planner, now: at.addingTimeInterval(3_600)))
        let product = try #require(explained.products.first { $0.code == name[0] as String })
        let day = LocalDate(at, in: TimeZone(identifier: "America/Chicago")!)
        #expect(product.dropped.contains { $0.status == "skipped: already sent on \(day)" }, "\(product.dropped.map(\.status))")
        #expect(!product.touches.contains { $0.template == name[1] as String })
    }
}
