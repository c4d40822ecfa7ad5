import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

/// Offer links: made with a dispatched message, opened, pressed.
extension Scenarios {
    static let offersArea: [(name: String, run: Scenario)] = [
        ("offers: a link made with a dispatched message is found by its hash, opened and pressed once", offerLinks)
    ]

    @Sendable static func offerLinks(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await plannedDealership(s, f)
        let touch = try #require(try await s.dueTouches(now: farAhead(f), limit: 1, after: nil).first)
        let item = try #require(touch.items.first)
        let link = NewOfferLink(
            tokenHash: "hash-1", dealID: item.dealID, product: item.product, reason: item.reason, quotedCents: 89_500,
            eligibleUntil: nil, expiresAt: f.at(30 * 86_400))
        let record = DispatchRecord.dispatched(
            touchID: touch.id, customerID: touch.customer.id, messages: [email("offer-\(touch.id)")], task: nil, dropped: []
        ).carrying(link)
        _ = try await s.record([record], now: f.now)
        #expect(try await s.offerLink(tokenHash: "no-such-hash") == nil)
        let stored = try #require(try await s.offerLink(tokenHash: "hash-1"))
        #expect(stored.dealID == item.dealID && stored.product == item.product && stored.customerID == touch.customer.id)
        #expect(stored.quoted.cents == 89_500 && stored.channel == .email && stored.openTaskID == nil)
        #expect(sameInstant(stored.expiresAt, f.at(30 * 86_400)))
        let times = try await s.offerLinkTimes()
        #expect(times.map(\.id) == [stored.id])
        try await s.recordOfferOpened(linkID: stored.id, now: f.at(60))
        let task = NewTask(
            storeID: stored.storeID, customerID: stored.customerID, kind: .followUp, title: "Call: interested", detail: "d",
            assigneeID: nil, dueAt: f.at(120), slaAt: f.at(3_720))
        let first = try await s.pressOffer(OfferPress(linkID: stored.id, kind: .interested, task: task), now: f.at(120))
        #expect(first.taskCreated && first.taskID != nil)
        let again = try await s.pressOffer(OfferPress(linkID: stored.id, kind: .callMe, task: task), now: f.at(130))
        #expect(!again.taskCreated && again.taskID == first.taskID)
        #expect(try await s.offerLink(tokenHash: "hash-1")?.openTaskID == first.taskID)
        let funnel = try await s.offerFunnel(from: LocalDate("2026-01-01")!, to: LocalDate("2026-11-23")!, stores: nil)
        #expect(funnel.linksSent == 1 && funnel.opened == 1 && funnel.interested == 1 && funnel.callMe == 1)
        #expect(try await s.offerFunnel(from: LocalDate("2026-01-01")!, to: LocalDate("2026-11-23")!, stores: ["north"]).linksSent == 0)
    }
}
