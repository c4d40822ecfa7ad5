import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskSQLite
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskServer

/// The ledger's message costs through the store (docs/reporting.md, "Net to the store"): each delivered touch is charged
/// once, to its first item by deal and product, however many declines it is about.
@Suite(.serialized, .talliedByBackend) struct MessageCostLedgerTests {
    @Test(arguments: TestBackend.all) func aTouchAboutSeveralDeclinesIsChargedToItsFirstOnly(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        // Everything due in the first 45 days after the deals, dispatched at its time.
        let planned = try await s.rows("SELECT DISTINCT due_at FROM touches WHERE status = 'planned' ORDER BY due_at").map {
            $0[0] as String
        }
        for due in planned where due < "2026-11-15" { _ = try await s.dispatcher.run(now: utc(due)) }
        // Whole cents a touch, so the ledger's rounding cannot hide a double count: SMS 5¢, email 3¢, task $2.
        var p = ReportParameters(
            asOf: LocalDate("2026-12-31")!, from: LocalDate("2026-01-01")!, to: LocalDate("2026-12-31")!, attributionDays: 120,
            holdoutPercent: 10)
        p.netToStore.messageCosts = MessageCosts(smsUnits: 500, emailUnits: 300, taskUnits: 20_000)
        let cents = ["sms": Int64(5), "email": 3, "task": 200]
        // Expected: each sent touch's cost on the smallest (deal id, product) of its items.
        let items = try await s.rows(
            """
            SELECT t.id, t.action, i.deal_id, d.deal_number, i.product_code FROM touches t JOIN touch_items i ON i.touch_id = t.id
            JOIN deals d ON d.id = i.deal_id WHERE t.sent_at IS NOT NULL ORDER BY t.id, i.deal_id, i.product_code
            """)
        var expected: [String: Int64] = [:]
        var seen = Set<Int64>()
        for r in items where seen.insert(r[0] as Int64).inserted {
            expected["\(r[3] as String):\(r[4] as String)", default: 0] += cents[r[1] as String] ?? 0
        }
        let sharedTouches = Dictionary(grouping: items, by: { $0[0] as Int64 }).values.filter { $0.count > 1 }.count
        #expect(sharedTouches > 0, "the fixture should send a touch about several declines")
        #expect(seen.count >= 3)
        let rows = try await s.db.ledgerRows(p, now: utc("2026-12-31T23:00:00Z"))
        let charged = Dictionary(
            rows.filter { $0.messageCostsCents != 0 }.map { ("\($0.dealNumber):\($0.product)", $0.messageCostsCents) },
            uniquingKeysWith: +)
        #expect(charged == expected)
        // The report's message costs are the ledger's sum.
        let report = try await s.db.marginReport(p, now: utc("2026-12-31T23:00:00Z"))
        #expect(report.total.treated.messageCostsCents + report.total.holdout.messageCostsCents == expected.values.reduce(0, +))
    }
}
