import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

/// Tasks made by dispatch, one per customer, from a planned dealership: (task, the touch it was made for).
func tasksFromDispatch(_ s: any Storage, _ f: Fixture, count: Int) async throws -> [(id: Int64, touch: DueTouch)] {
    _ = try await plannedDealership(s, f)
    var seen: Set<Int64> = []
    let touches = try await s.dueTouches(now: farAhead(f), limit: 10_000, after: nil).filter { seen.insert($0.customer.id).inserted }
    try #require(touches.count >= count)
    let records: [DispatchRecord] = touches.prefix(count).map { t in
        .dispatched(
            touchID: t.id, customerID: t.customer.id, messages: [],
            task: NewTask(
                storeID: t.storeID, customerID: t.customer.id, kind: .followUp, title: "Call \(t.customer.firstName)",
                detail: "d", assigneeID: nil, dueAt: f.now, slaAt: f.at(3_600)),
            dropped: [])
    }
    let made = try await s.record(records, now: f.now)
    return try touches.prefix(count).map { (try #require(made[$0.id]), $0) }
}

/// One open task and its customer.
func openTask(_ s: any Storage, _ f: Fixture) async throws -> (Int64, Int64) {
    let task = try #require(try await tasksFromDispatch(s, f, count: 1).first)
    return (task.id, task.touch.customer.id)
}

extension Scenarios {
    static let tasksArea: [(name: String, run: Scenario)] = [
        ("tasks: a task from dispatch is listed, detailed, counted, owned and polled", tasksListed),
        ("tasks: each outcome has its effects, and a done task cannot be done again", taskOutcomes),
        ("tasks: rescheduling moves a task; an overdue one is escalated to a manager once", taskEscalation),
        ("staff: added, listed, named, deactivated with their open tasks handed on", staffLifecycle),
        ("staff: a task routed to someone deactivated before it is recorded goes to someone active", routedThenDeactivated),
        ("staff: a manager deactivated leaves their escalations to the next active manager", escalatedThenDeactivated),
    ]

    /// An overdue task escalated to a manager who then leaves: the escalation is cleared with the deactivation, and the
    /// next pass escalates it to a manager still there, never leaving it with someone gone.
    @Sendable static func escalatedThenDeactivated(_ s: any Storage, _ f: Fixture) async throws {
        let made = try await tasksFromDispatch(s, f, count: 1)
        let (task, store) = (made[0].id, made[0].touch.storeCode)
        try await s.rescheduleTask(id: task, to: f.now, slaHours: 1)
        func escalatedTo(_ at: Date) async throws -> String? {
            try await s.tasks(assignee: nil, status: .open, limit: 200, store: nil, assigneeID: nil, taskID: task, now: at).first?
                .escalatedTo
        }
        _ = try await s.addStaff(store: store, code: "M1", name: "Morgan Manager", role: .manager, timeZone: "America/Chicago", now: f.now)
        #expect(try await s.escalateOverdue(now: f.at(7_200)) == 1)
        #expect(try await escalatedTo(f.at(7_200)) == "Morgan Manager")
        _ = try await s.deactivateStaff(store: store, code: "M1", now: f.at(7_250))
        #expect(try await escalatedTo(f.at(7_250)) == nil, "the task stayed escalated to a manager who left")
        // No manager left: nothing to escalate to. A new one takes it at the next pass, once.
        #expect(try await s.escalateOverdue(now: f.at(7_300)) == 0)
        _ = try await s.addStaff(store: store, code: "M2", name: "Riley Manager", role: .manager, timeZone: "America/Chicago", now: f.now)
        #expect(try await s.escalateOverdue(now: f.at(7_400)) == 1)
        #expect(try await escalatedTo(f.at(7_400)) == "Riley Manager")
        #expect(try await s.escalateOverdue(now: f.at(7_500)) == 0)
    }

    /// Dispatch and an offer page route a task before their transaction: the person they chose may be deactivated in
    /// between (an admin on another page, another server). The task is handed on as the deactivation hands on that
    /// person's others, never left with someone gone; a task for someone still active stays theirs.
    @Sendable static func routedThenDeactivated(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await plannedDealership(s, f)
        var seen: Set<Int64> = []
        let touches = try await s.dueTouches(now: farAhead(f), limit: 10_000, after: nil).filter { seen.insert($0.customer.id).inserted }
        let store = try #require(touches.first?.storeID)
        let mine = touches.filter { $0.storeID == store }.prefix(3)
        try #require(mine.count == 3)
        let code = try #require(mine.first?.storeCode)
        // Two salespeople of their own: the one routed to (then deactivated), and one who stays.
        let leaving = try await s.addStaff(
            store: code, code: "L1", name: "Lee Leaving", role: .sales, timeZone: "America/Chicago", now: f.now)
        let staying = try await s.addStaff(
            store: code, code: "S1", name: "Sam Staying", role: .sales, timeZone: "America/Chicago", now: f.now)
        func task(_ t: DueTouch, to assignee: Int64) -> NewTask {
            NewTask(
                storeID: t.storeID, customerID: t.customer.id, kind: .followUp, title: "Call \(t.customer.firstName)", detail: "d",
                assigneeID: assignee, dueAt: f.now, slaAt: f.at(3_600))
        }
        let routed = Array(mine.prefix(2)).map { t in
            DispatchRecord.dispatched(touchID: t.id, customerID: t.customer.id, messages: [], task: task(t, to: leaving), dropped: [])
        }
        // Routed, then deactivated (no open task yet: nothing to hand on), then recorded.
        #expect(try await s.deactivateStaff(store: code, code: "L1", now: f.now) == 0)
        let made = try await s.record(
            routed + [
                .dispatched(
                    touchID: mine[mine.startIndex + 2].id, customerID: mine[mine.startIndex + 2].customer.id, messages: [],
                    task: task(mine[mine.startIndex + 2], to: staying), dropped: [])
            ], now: f.now)
        let active = Set(try await s.staff(store: code).filter(\.active).map(\.id))
        for t in mine.prefix(2) {
            let owner = try await s.taskOwner(id: try #require(made[t.id]))?.assigneeID
            #expect(owner != leaving && owner.map(active.contains) == true, "a dispatched task stayed with someone deactivated")
        }
        #expect(try await s.taskOwner(id: try #require(made[mine[mine.startIndex + 2].id]))?.assigneeID == staying)
        // An offer page's press, routed to the same person before its transaction.
        let used = Set(mine.map(\.id))
        let other = try #require(touches.first { $0.storeID == store && !used.contains($0.id) })
        let item = try #require(other.items.first)
        let link = NewOfferLink(
            tokenHash: "hash-routed", dealID: item.dealID, product: item.product, reason: item.reason, quotedCents: 50_000,
            eligibleUntil: nil, expiresAt: f.at(30 * 86_400))
        _ = try await s.record(
            [
                .dispatched(
                    touchID: other.id, customerID: other.customer.id, messages: [email("offer-\(other.id)")], task: nil, dropped: []
                )
                .carrying(link)
            ], now: f.now)
        let stored = try #require(try await s.offerLink(tokenHash: "hash-routed"))
        let press = try await s.pressOffer(
            OfferPress(linkID: stored.id, kind: .callMe, task: task(other, to: leaving)), now: f.at(60))
        let owner = try await s.taskOwner(id: try #require(press.taskID))?.assigneeID
        #expect(owner != leaving && owner.map(active.contains) == true, "an offer page's task stayed with someone deactivated")
    }

    @Sendable static func tasksListed(_ s: any Storage, _ f: Fixture) async throws {
        let made = try await tasksFromDispatch(s, f, count: 2)
        let open = try await s.tasks(assignee: nil, status: .open, limit: 200, store: nil, assigneeID: nil, taskID: nil, now: f.now)
        #expect(Set(open.map(\.id)) == Set(made.map(\.id)))
        let one = try await s.tasks(
            assignee: nil, status: .open, limit: 200, store: "main", assigneeID: nil, taskID: made[0].id, now: f.now)
        #expect(one.map(\.id) == [made[0].id] && one.first?.title == "Call \(made[0].touch.customer.firstName)")
        #expect(try await s.tasks(assignee: nil, status: .done, limit: 200, store: nil, assigneeID: nil, taskID: nil, now: f.now).isEmpty)
        #expect(try await s.taskOwner(id: made[0].id)?.store == "main")
        #expect(try await s.taskOwner(id: -1) == nil)
        let counts = try await s.taskCounts(now: f.now)
        #expect(counts.open == 2 && counts.overdue == 0)
        #expect(try await s.taskCounts(now: f.at(3_601)).overdue == 2)
        let detail = try #require(try await s.taskDetail(id: made[0].id, now: f.now))
        #expect(detail.task.id == made[0].id && detail.store == "main" && !detail.items.isEmpty)
        #expect(detail.items.allSatisfy { item in made[0].touch.items.contains { $0.dealNumber == item.dealNumber } })
        #expect(try await s.taskDetail(id: -1, now: f.now) == nil)
        // The polled queue: made once, reused while nothing changes, made again after a change.
        let answers = PolledAnswers<TaskQuery, Int>()
        let query = TaskQuery(status: .open)
        #expect(try await s.taskQueue(query, answers: answers, now: f.now) { $0.count } == 2)
        #expect(try await s.taskQueue(query, answers: answers, now: f.now) { $0.count } == 2)
        // Reusing an answer is the backend's choice (SQLite's file reuses; its memory database, with no readers, does
        // not); a stale answer after a change is not.
        let reused = answers.made
        #expect((1...2).contains(reused))
        _ = try await s.completeTask(
            id: made[0].id, outcome: .noAnswer, product: nil, price: nil, cost: nil, note: nil, by: nil, now: f.now)
        #expect(try await s.taskQueue(query, answers: answers, now: f.now) { $0.count } == 1)
        #expect(answers.made == reused + 1)
    }

    @Sendable static func taskOutcomes(_ s: any Storage, _ f: Fixture) async throws {
        let made = try await tasksFromDispatch(s, f, count: 5)
        func complete(_ i: Int, _ outcome: TaskOutcome, price: Money? = nil, note: String? = nil) async throws -> Int64 {
            try await s.completeTask(
                id: made[i].id, outcome: outcome, product: made[i].touch.items[0].product, price: price, cost: nil, note: note,
                by: "ada", now: f.now)
        }
        func pending(_ i: Int) async throws -> [DueTouch] {
            try await s.dueTouches(now: farAhead(f), limit: 10_000, after: nil).filter { $0.customer.id == made[i].touch.customer.id }
        }
        // Sold: a recovery by task in the ledger, and no more follow-up of the product once re-planned.
        #expect(try await complete(0, .sold, price: Money(cents: 99_500)) == made[0].touch.customer.id)
        let sold = made[0].touch.items[0]
        let row = try await ledger(s, reportParameters(), now: f.now).first {
            $0.dealNumber == sold.dealNumber && $0.product == sold.product
        }
        #expect(row?.recoverySource == .task && row?.priceCents == 99_500)
        // Not interested: the product's follow-up stops.
        _ = try await complete(1, .notInterested)
        let refused = made[1].touch.items[0]
        _ = try await s.planCustomers(
            planner: f.planner, now: f.now, customerIDs: [made[0].touch.customer.id, made[1].touch.customer.id], rangeSize: 2_000,
            transactionSize: 50_000, progress: nil)
        for item in [sold, refused] {
            let planned = try await s.plannedTouches(dealNumber: item.dealNumber, store: nil, limit: 100).flatMap(\.products)
            #expect(!planned.contains("\(item.dealNumber):\(item.product)"))
        }
        // Stop contacting: every channel stopped, nothing pending.
        _ = try await complete(2, .stopContacting)
        #expect(try await pending(2).isEmpty)
        #expect(!(try await s.optOutsInForce(customer: made[2].touch.customer.id).filter(\.stop).isEmpty))
        // Wrong number: texts and calls stopped on the phone, email goes on.
        _ = try await complete(3, .wrongNumber)
        let wrong = try await s.optOutsInForce(customer: made[3].touch.customer.id).filter(\.stop)
        #expect(Set(wrong.map(\.channel)) == [.sms, .phone])
        #expect(try await pending(3).allSatisfy { $0.action != .sms })
        // Won't do needs a note; with one the task closes and the plan runs on.
        await #expect(throws: (any Error).self) { _ = try await complete(4, .wontDo) }
        let before = try await pending(4).count
        _ = try await complete(4, .wontDo, note: "on holiday")
        #expect(try await pending(4).count == before)
        await #expect(throws: (any Error).self) { _ = try await complete(4, .noAnswer) }
        let done = try await s.tasks(assignee: nil, status: .done, limit: 200, store: nil, assigneeID: nil, taskID: nil, now: f.now)
        #expect(Set(done.compactMap(\.outcome)) == [.sold, .notInterested, .stopContacting, .wrongNumber, .wontDo])
    }

    @Sendable static func taskEscalation(_ s: any Storage, _ f: Fixture) async throws {
        let made = try await tasksFromDispatch(s, f, count: 2)
        try await s.rescheduleTask(id: made[1].id, to: f.at(86_400), slaHours: 2)
        let moved = try #require(
            try await s.tasks(assignee: nil, status: .open, limit: 200, store: nil, assigneeID: nil, taskID: made[1].id, now: f.now).first)
        #expect(sameInstant(moved.dueAt, f.at(86_400)) && sameInstant(moved.slaAt, f.at(86_400 + 7_200)))
        // Past the first's SLA, not the second's: without a manager nothing moves; with one, the first, once.
        #expect(try await s.escalateOverdue(now: f.at(7_200)) == 0)
        _ = try await s.addStaff(
            store: "main", code: "M1", name: "Morgan Manager", role: .manager, timeZone: "America/Chicago", now: f.now)
        #expect(try await s.escalateOverdue(now: f.at(7_200)) == 1)
        #expect(try await s.escalateOverdue(now: f.at(7_300)) == 0)
        let first = try await s.tasks(
            assignee: nil, status: .open, limit: 200, store: nil, assigneeID: nil, taskID: made[0].id, now: f.at(7_200))
        #expect(first.first?.escalatedTo != nil && first.first?.overdue == true)
        // A reply task is routed like a follow-up and listed.
        let reply = try await s.createReplyTask(customerID: made[0].touch.customer.id, title: "Reply", detail: "d", now: f.now, slaHours: 1)
        #expect(
            try await s.tasks(assignee: nil, status: .open, limit: 200, store: nil, assigneeID: nil, taskID: reply, now: f.now).first?.kind
                == .reply)
    }

    @Sendable static func staffLifecycle(_ s: any Storage, _ f: Fixture) async throws {
        let made = try await tasksFromDispatch(s, f, count: 1)
        let storeID = made[0].touch.storeID
        let a = try await s.addStaff(store: "main", code: "X1", name: "Alex One", role: .sales, timeZone: "America/Chicago", now: f.now)
        let b = try await s.addStaff(store: "main", code: "X2", name: "Blair Two", role: .sales, timeZone: "America/Chicago", now: f.now)
        #expect(try await s.staffName(id: a) == "Alex One")
        #expect(try await s.staffName(id: -1) == nil)
        let listed = try await s.staff(store: "main")
        #expect(listed.contains { $0.id == a && $0.code == "X1" && $0.active && $0.role == .sales })
        #expect(try await s.staff(store: "nowhere").isEmpty)
        #expect(
            try await s.addStaff(store: "main", code: "X1", name: "Alex Renamed", role: .sales, timeZone: "America/Chicago", now: f.now)
                == a)
        // X1 holds the task; when X1 leaves, it is handed on to someone active.
        try await s.rescheduleTask(id: made[0].id, to: f.now, slaHours: 1)
        let snapshot = try await s.staffSnapshot(storeID: storeID)
        #expect(snapshot.staff.contains { $0.id == a } && snapshot.staff.contains { $0.id == b })
        let owner = try await s.taskOwner(id: made[0].id)?.assigneeID
        if let owner, let code = listed.first(where: { $0.id == owner })?.code {
            #expect(try await s.deactivateStaff(store: "main", code: code, now: f.now) == 1)
            #expect(try await s.taskOwner(id: made[0].id)?.assigneeID != owner)
        } else {
            #expect(try await s.deactivateStaff(store: "main", code: "X2", now: f.now) == 0)
        }
        _ = try await s.deactivateStaff(store: "main", code: "X2", now: f.now)
        #expect(try await s.staff(store: "main").first { $0.id == b }?.active == false)
        await #expect(throws: (any Error).self) { _ = try await s.deactivateStaff(store: "main", code: "NOBODY", now: f.now) }
    }
}
