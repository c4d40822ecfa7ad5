import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

/// A seeded dealership imported and planned at the fixture's `now`.
func plannedDealership(_ s: any Storage, _ f: Fixture, days: Int = 25) async throws -> PlanSummary {
    let file = try f.write("deals.csv", f.dealershipCSV(days: days))
    let imported = try await s.importDeals(files: [file], options: f.importOptions())
    #expect(imported.inserted > 0 && imported.rejected == 0)
    return try await s.planCustomers(
        planner: f.planner, now: f.now, customerIDs: nil, rangeSize: 2_000, transactionSize: 50_000, progress: nil)
}

/// Far enough ahead that every touch planned is due.
func farAhead(_ f: Fixture) -> Date { f.at(800 * 86_400) }

/// Planning writes and what planning explains.
extension Scenarios {
    static let planArea: [(name: String, run: Scenario)] = [
        ("plan: planning writes touches; planning again replaces the pending ones, the same", planWrites),
        ("plan: a sent touch stays when its customer is planned again", planKeepsSent),
        ("plan: a stop ends a product's follow-up after re-planning", planStops),
        ("plan: preview of a deal's touches and facts", planPreview),
    ]

    @Sendable static func planWrites(_ s: any Storage, _ f: Fixture) async throws {
        let first = try await plannedDealership(s, f)
        #expect(first.customers > 20 && first.touches > 20 && first.touches == first.sms + first.email + first.tasks)
        let listed = try await s.plannedTouches(dealNumber: nil, store: nil, limit: 10_000)
        #expect(listed.count == first.touches)
        #expect(listed.allSatisfy { $0.status == .planned && !$0.reasons.isEmpty })
        #expect(listed.map { "\($0.dueAt)" } == listed.map { "\($0.dueAt)" }.sorted())
        let calls = Counter()
        let again = try await s.planCustomers(
            planner: f.planner, now: f.now, customerIDs: nil, rangeSize: 7, transactionSize: 7,
            progress: { _, _ in calls.add(1) })
        // Planning in small ranges gives the same plans, and tells its progress range by range.
        #expect(again == first)
        #expect(calls.value >= 3)
        #expect(try await s.plannedTouches(dealNumber: nil, store: nil, limit: 10_000).count == first.touches)
        let limited = try await s.plannedTouches(dealNumber: nil, store: nil, limit: 3)
        #expect(limited.count == 3)
        // One deal's touches: only its customer's.
        let deal = try #require(listed.first?.products.first.map { String($0.split(separator: ":")[0]) })
        let ofDeal = try await s.plannedTouches(dealNumber: deal, store: "main", limit: 100)
        #expect(!ofDeal.isEmpty && ofDeal.allSatisfy { $0.customer == ofDeal[0].customer })
        #expect(ofDeal.count < listed.count)
    }

    @Sendable static func planKeepsSent(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await plannedDealership(s, f)
        let touch = try #require(try await s.dueTouches(now: farAhead(f), limit: 1, after: nil).first)
        let message = NewOutboxMessage(channel: .email, idempotencyKey: "t\(touch.id)", recipient: "a@example.com", body: "b")
        _ = try await s.record(
            [.dispatched(touchID: touch.id, customerID: touch.customer.id, messages: [message], task: nil, dropped: [])],
            now: touch.dueAt)
        // Planned again an hour after it went (a new import, a reading, a START).
        _ = try await s.planCustomers(
            planner: f.planner, now: touch.dueAt.addingTimeInterval(3_600), customerIDs: [touch.customer.id], rangeSize: 2_000,
            transactionSize: 50_000, progress: nil)
        // The sent touch is history: still counted as sent, no longer due.
        #expect(try await s.monitoringCounts().touches.first { $0.status == "sent" }?.count == 1)
        let due = try await s.dueTouches(now: farAhead(f), limit: 10_000, after: nil)
        #expect(due.allSatisfy { $0.id != touch.id })
        // Nor is its step (deal, product, touch name) planned again: on the day it went out it is still due.
        let sent = Set(touch.items.map { "\($0.dealNumber):\($0.product):\($0.touchName)" })
        let again = due.flatMap(\.items).filter { sent.contains("\($0.dealNumber):\($0.product):\($0.touchName)") }
        #expect(again.isEmpty, "planned again: \(again.map(\.touchName))")
    }

    @Sendable static func planStops(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await plannedDealership(s, f)
        let touch = try #require(try await s.dueTouches(now: farAhead(f), limit: 1, after: nil).first)
        let item = try #require(touch.items.first)
        let before = try await s.plannedTouches(dealNumber: item.dealNumber, store: nil, limit: 100)
        #expect(before.contains { $0.products.contains { $0.hasSuffix(":\(item.product)") } })
        let stop = try await s.addStop(
            dealNumber: item.dealNumber, store: nil, product: nil, kind: .vehicleSold, source: "contract", now: f.now)
        #expect(stop > 0)
        _ = try await s.planCustomers(
            planner: f.planner, now: f.now, customerIDs: [touch.customer.id], rangeSize: 2_000, transactionSize: 50_000,
            progress: nil)
        let after = try await s.plannedTouches(dealNumber: item.dealNumber, store: nil, limit: 100)
        #expect(!after.contains { $0.products.contains { $0.hasPrefix("\(item.dealNumber):") } })
    }

    @Sendable static func planPreview(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await plannedDealership(s, f)
        let touch = try #require(try await s.dueTouches(now: farAhead(f), limit: 1, after: nil).first)
        let item = try #require(touch.items.first)
        let preview = try await s.previewTouches(dealID: item.dealID, product: item.product)
        #expect(preview.values.contains { $0.status == .planned })
        let facts = try #require(try await s.previewFacts(dealNumber: item.dealNumber, store: nil, product: item.product))
        #expect(facts.customer.id == touch.customer.id && facts.item.product == item.product && !facts.planned.isEmpty)
        #expect(try await s.previewFacts(dealNumber: "NO-SUCH-DEAL", store: nil, product: item.product) == nil)
        #expect(try await s.previewTouches(dealID: -1, product: item.product).isEmpty)
    }
}
