import AfterdeskCore
import AfterdeskDelivery
import AfterdeskSQLite
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation

/// The demo's days: dispatch through recording channels, with simulated customers (some reply, some text STOP) and
/// simulated staff (who work their tasks).
///
/// The simulation, written down so it can be checked: each SMS sent draws a coin keyed by its provider id and the
/// seed — 3 in 100 customers text STOP ten minutes later, else 6 in 100 reply "How much would that be a month?"
/// a quarter of an hour later. At 19:30 each day the staff work the tasks due by then: 85 in 100 on the day they are
/// due (the rest another day, a coin per task and day). A task's declined product is sold on the call as
/// `DemoOutcomes.callLift` says (at the price of the day), unless the customer already bought it on their own; else
/// 35 in 100 are not interested and the rest do not answer (the follow-up plan runs on).
public struct DemoDispatch {
    public let dispatcher: Dispatcher
    public let recording: RecordingChannels
    public let seed: UInt64
    public let days: Int
    public let outcomes: DemoOutcomes

    public init(dispatcher: Dispatcher, recording: RecordingChannels, seed: UInt64, days: Int, outcomes: DemoOutcomes) {
        self.dispatcher = dispatcher
        self.recording = recording
        self.seed = seed
        self.days = days
        self.outcomes = outcomes
    }

    /// What the simulated days did.
    public struct Result: Sendable, Equatable {
        /// One line per day: what went out.
        public struct Day: Sendable, Equatable {
            public var date: LocalDate
            public var summary: DispatchSummary
        }
        public var days: [Day] = []
        public var total = DispatchSummary()
        public var stops = 0
        public var replies = 0
        public var sold = 0
        public var soldValue = Money(cents: 0)
        public var notInterested = 0
        public var noAnswer = 0
        /// Texts the simulated customers have read (answered or not).
        public var textsSeen = 0
        /// Tasks closed on or before their SLA.
        public var onTime = 0
        public var tasksDone: Int { sold + notInterested + noAnswer }
        public init() {}
    }

    /// A repeatable coin for the simulation: true for `percent` of the keys.
    func chance(_ key: String, _ percent: Int) -> Bool {
        var h = StableHasher()
        h.add(key)
        h.add("\(seed)")
        return Int(h.value % 100) < percent
    }

    /// Runs `days` days from `start`'s day in the dealership's time zone.
    public func run(start: Date) async throws -> Result {
        let zone = dispatcher.menu.dealership.zone
        var result = Result()
        let today = LocalDate(start, in: zone)
        for d in 0..<days { try await day(today.adding(days: d), from: start, into: &result) }
        return result
    }

    /// One day: dispatch at 8:00 and at every later hour to 20:00 when a touch is due, the customers' answers, then the
    /// staff's tasks at 19:30. `setClock` moves the simulation's clock to each instant first.
    public func day(
        _ day: LocalDate, from start: Date = .distantPast, setClock: (Date) -> Void = { _ in }, into result: inout Result
    ) async throws {
        let zone = dispatcher.menu.dealership.zone
        var summary = DispatchSummary()
        for hour in 8...20 {
            let now = ContactWindow.allDay.instant(on: day, atMinutes: hour * 60, zone: zone)
            if now < start { continue }
            if hour > 8, try await dispatcher.database.dueTouches(now: now, limit: 1).isEmpty { continue }
            setClock(now)
            summary.add(try await dispatcher.run(now: now))
            let seen = result.textsSeen
            let answered = try await customersAnswer(from: seen, now: now, into: &result)
            result.textsSeen = answered
        }
        let endOfDay = ContactWindow.allDay.instant(on: day, atMinutes: 19 * 60 + 30, zone: zone)
        setClock(endOfDay)
        try await staffWorkTheirTasks(on: day, at: endOfDay, into: &result)
        result.total.add(summary)
        result.days.append(.init(date: day, summary: summary))
    }

    /// Simulated customers answer the texts sent since `seen`; returns how many texts have been answered or passed.
    private func customersAnswer(from seen: Int, now: Date, into result: inout Result) async throws -> Int {
        let sent = recording.sms
        for m in sent[seen...] {
            if chance(m.sid + "stop", 3) {
                _ = try await dispatcher.receiveSMS(
                    from: m.to, body: "STOP", providerID: "SIM-STOP-" + m.sid, now: now.addingTimeInterval(600))
                result.stops += 1
            } else if chance(m.sid + "reply", 6) {
                _ = try await dispatcher.receiveSMS(
                    from: m.to, body: "How much would that be a month?", providerID: "SIM-REPLY-" + m.sid,
                    now: now.addingTimeInterval(900))
                result.replies += 1
            }
        }
        return sent.count
    }

    /// Simulated staff work the tasks due by the end of the day.
    private func staffWorkTheirTasks(on day: LocalDate, at endOfDay: Date, into result: inout Result) async throws {
        let db = dispatcher.database
        for task in try await db.tasks(limit: 100_000, now: endOfDay) where task.dueAt <= endOfDay {
            let key = "\(task.id)"
            guard chance(key + "worked \(day)", 85) else { continue }
            let customer: Int64
            if let sale = try await sale(on: task, day: day, now: endOfDay) {
                customer = try await db.completeTask(
                    id: task.id, outcome: .sold, product: sale.product, price: sale.price, cost: sale.cost, note: "simulated",
                    now: endOfDay)
                result.sold += 1
                result.soldValue = result.soldValue + sale.price
            } else if chance(key + "no", 35) {
                customer = try await db.completeTask(id: task.id, outcome: .notInterested, note: "simulated", now: endOfDay)
                result.notInterested += 1
            } else {
                customer = try await db.completeTask(id: task.id, outcome: .noAnswer, note: "simulated", now: endOfDay)
                result.noAnswer += 1
            }
            if endOfDay <= task.slaAt { result.onTime += 1 }
            try await dispatcher.replan(customers: [customer], now: endOfDay)
        }
    }

    /// The product a salesperson sells on the task's call (`DemoOutcomes.callLift`), at the price of the day; nil when
    /// none sells, or the customer already bought it on their own.
    private func sale(on task: TaskRow, day: LocalDate, now: Date) async throws -> (product: String, price: Money, cost: Money)? {
        guard let detail = try await dispatcher.database.taskDetail(id: task.id, now: now) else {
            return nil
        }
        for item in detail.items {
            guard let product = dispatcher.menu.product(item.product, store: detail.store),
                outcomes.callSells(store: detail.store, deal: item.dealNumber, product: item.product)
            else { continue }
            if let contract = item.contractDate,
                let own = outcomes.ownDay(store: detail.store, deal: item.dealNumber, product: item.product, contract: contract),
                own <= day
            {
                continue
            }
            guard outcomes.sold.insert(DemoOutcomes.key(store: detail.store, deal: item.dealNumber, product: item.product)) else {
                continue
            }
            let price = item.priceQuote(product, on: day).amount
            return (item.product, price, min(price, product.dealerCost))
        }
        return nil
    }
}
