import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

func email(_ key: String, to recipient: String = "buyer@example.com") -> NewOutboxMessage {
    NewOutboxMessage(channel: .email, idempotencyKey: key, recipient: recipient, subject: "s", body: "b")
}

/// The touches due, what dispatch decided for them, and texts coming in.
extension Scenarios {
    static let dispatchArea: [(name: String, run: Scenario)] = [
        ("dispatch: due touches come oldest first, a page at a time", duePaging),
        ("dispatch: first touches are moved forward", advanceFirst),
        ("dispatch: a record sends, skips or moves a touch, once", dispatchRecords),
        ("dispatch: a staff text is decided and queued with its task, once the task is open", staffTexts),
        ("inbound: STOP revokes SMS consent once, START restores it, HELP changes nothing", inboundKeywords),
    ]

    @Sendable static func duePaging(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await plannedDealership(s, f)
        let ahead = farAhead(f)
        let all = try await s.dueTouches(now: ahead, limit: 10_000, after: nil)
        #expect(all.count > 20)
        let order = all.map { (Instant.iso8601($0.dueAt), $0.id) }
        #expect(zip(order, order.dropFirst()).allSatisfy { $0 < $1 })
        var paged: [DueTouch] = []
        var after: (dueAt: Date, id: Int64)?
        while true {
            let page = try await s.dueTouches(now: ahead, limit: 7, after: after)
            guard let last = page.last else { break }
            #expect(page.count <= 7)
            paged += page
            after = (last.dueAt, last.id)
        }
        #expect(paged.map(\.id) == all.map(\.id))
        // Nothing is due before the first due instant.
        let first = try #require(all.first)
        #expect(try await s.dueTouches(now: first.dueAt.addingTimeInterval(-1), limit: 100, after: nil).isEmpty)
        #expect(try await s.dueTouches(now: first.dueAt, limit: 100, after: nil).map(\.id).contains(first.id))
        #expect(all.allSatisfy { !$0.items.isEmpty && $0.storeCode == "main" })
    }

    @Sendable static func advanceFirst(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await plannedDealership(s, f)
        let before = try await s.dueTouches(now: f.at(60), limit: 10_000, after: nil)
        try await s.advanceFirstTouches(customers: 3, to: f.at(30))
        let after = try await s.dueTouches(now: f.at(60), limit: 10_000, after: nil)
        #expect(Set(after.map(\.customer.id)).subtracting(before.map(\.customer.id)).count == 3)
    }

    @Sendable static func dispatchRecords(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await plannedDealership(s, f)
        let due = try await s.dueTouches(now: farAhead(f), limit: 3, after: nil)
        try #require(due.count == 3)
        let (sent, skipped, moved) = (due[0], due[1], due[2])
        let task = NewTask(
            storeID: sent.storeID, customerID: sent.customer.id, kind: .followUp, title: "Call", detail: "d",
            assigneeID: nil, dueAt: f.now, slaAt: f.at(3_600))
        let records: [DispatchRecord] = [
            .dispatched(touchID: sent.id, customerID: sent.customer.id, messages: [email("touch-\(sent.id)")], task: task, dropped: []),
            .skipped(touchID: skipped.id, reason: "no consent"),
            .moved(touchID: moved.id, to: farAhead(f).addingTimeInterval(86_400), reason: "quiet hours"),
        ]
        let tasks = try await s.record(records, now: f.now)
        let taskID = try #require(tasks[sent.id])
        #expect(tasks.count == 1)
        let queued = try await s.outbox(status: .queued, limit: 100)
        #expect(queued.map(\.idempotencyKey) == ["touch-\(sent.id)"] && queued.first?.taskID == taskID)
        #expect(queued.first?.customerID == sent.customer.id)
        let stillDue = try await s.dueTouches(now: farAhead(f), limit: 10_000, after: nil).map(\.id)
        #expect(!stillDue.contains(sent.id) && !stillDue.contains(skipped.id) && !stillDue.contains(moved.id))
        let later = try await s.dueTouches(now: farAhead(f).addingTimeInterval(86_400), limit: 10_000, after: nil)
        #expect(later.contains { $0.id == moved.id })
        // Recording the same touch again does nothing: no second task, no second message.
        #expect(try await s.record([records[0]], now: f.now).isEmpty)
        #expect(try await s.outbox(status: nil, limit: 100).count == 1)
        #expect(
            try await s.tasks(assignee: nil, status: .open, limit: 100, store: nil, assigneeID: nil, taskID: nil, now: f.now).count == 1)
    }

    @Sendable static func staffTexts(_ s: any Storage, _ f: Fixture) async throws {
        let (taskID, customer) = try await openTask(s, f)
        let queued = try await s.staffText(taskID: taskID, now: f.now) { touch in
            touch.customer.id == customer
                ? .send(NewOutboxMessage(channel: .sms, idempotencyKey: "staff-1", recipient: "+15125550142", body: "hi"))
                : .refuse("wrong customer")
        }
        guard case .queued(let id) = queued else {
            Issue.record("not queued: \(queued)")
            return
        }
        #expect(try await s.outbox(status: nil, limit: 100).first { $0.id == id }?.taskID == taskID)
        let refused = try await s.staffText(taskID: taskID, now: f.now) { _ in .refuse("cap") }
        #expect(refused == .refused("cap"))
        _ = try await s.completeTask(
            id: taskID, outcome: .noAnswer, product: nil, price: nil, cost: nil, note: nil, by: "ada", now: f.now)
        let closed = try await s.staffText(taskID: taskID, now: f.now) { _ in .send(email("staff-2")) }
        guard case .refused = closed else {
            Issue.record("a done task's text went: \(closed)")
            return
        }
    }

    @Sendable static func inboundKeywords(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        let phone = try #require(try await phoneOf(s, deal: "D-10001"))
        let customers = try await s.customers(withPhone: phone)
        #expect(customers.count == 1)
        let stop = try await s.receiveInbound(providerID: "SM1", phone: phone, body: "STOP", keyword: .stop, source: "twilio", now: f.now)
        #expect(stop.fresh && stop.applied && stop.customers == customers)
        let replay = try await s.receiveInbound(providerID: "SM1", phone: phone, body: "STOP", keyword: .stop, source: "twilio", now: f.now)
        #expect(!replay.fresh)
        #expect(try await s.optOutHistory(address: phone).filter(\.stop).count == 1)
        #expect(try await s.optOutsInForce(customer: customers[0]).contains { $0.channel == .sms && $0.stop })
        let help = try await s.receiveInbound(providerID: "SM2", phone: phone, body: "HELP", keyword: .help, source: "twilio", now: f.at(1))
        #expect(help.fresh && !help.applied)
        let start = try await s.receiveInbound(
            providerID: "SM3", phone: phone, body: "START", keyword: .start, source: "twilio", now: f.at(2))
        #expect(start.fresh && start.applied)
        #expect(!(try await s.optOutsInForce(customer: customers[0]).contains { $0.channel == .sms && $0.stop }))
        // A reply is linked to the task made for it.
        let task = try await s.createReplyTask(customerID: customers[0], title: "Reply", detail: "HELP", now: f.at(3), slaHours: 4)
        try await s.linkInbound(providerID: "SM2", taskID: task)
        let detail = try #require(try await s.taskDetail(id: task, now: f.at(3)))
        #expect(detail.task.kind == .reply && detail.history.contains { $0.inbound && $0.text == "HELP" })
    }
}

/// The phone a deal's customer is stored with, as dispatch reads it.
func phoneOf(_ s: any Storage, deal: String) async throws -> String? {
    // The deal's page masks it: the facts dispatch reads carry it whole.
    try await s.previewFacts(dealNumber: deal, store: nil, product: "gap")?.customer.phone
}
