import AfterdeskCore
import AfterdeskDelivery
import AfterdeskSQLite
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation

/// The demo's days after planning: dispatch every hour of the working day through recording channels, with
/// simulated customers (some reply, some text STOP) and simulated staff (who close their tasks).
///
/// The simulation, written down so it can be checked: each SMS sent draws a coin keyed by its provider id and the
/// seed — 3 in 100 customers text STOP ten minutes later, else 6 in 100 reply "How much would that be a month?"
/// a quarter of an hour later. At 19:30 each day the staff work every task due by then: 14 in 100 are sold (at
/// $895.00, cost $300.00), else 30 in 100 not interested, else 50 in 100 no answer; the rest stay open.
public struct DemoDispatch {
    public let dispatcher: Dispatcher
    public let recording: RecordingChannels
    public let seed: UInt64
    public let days: Int

    public init(dispatcher: Dispatcher, recording: RecordingChannels, seed: UInt64, days: Int) {
        self.dispatcher = dispatcher
        self.recording = recording
        self.seed = seed
        self.days = days
    }

    /// The simulated price and cost of a product sold on a task.
    public static let soldPrice = Money(cents: 89_500)
    public static let soldCost = Money(cents: 30_000)

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
        var seenSMS = 0
        let today = LocalDate(start, in: zone)
        for d in 0..<days {
            let day = today.adding(days: d)
            var summary = DispatchSummary()
            for hour in 8...20 {
                let now = ContactWindow.allDay.instant(on: day, atMinutes: hour * 60, zone: zone)
                if now < start { continue }
                summary.add(try await dispatcher.run(now: now))
                seenSMS = try await customersAnswer(from: seenSMS, now: now, into: &result)
            }
            let endOfDay = ContactWindow.allDay.instant(on: day, atMinutes: 19 * 60 + 30, zone: zone)
            try await staffWorkTheirTasks(at: endOfDay, into: &result)
            result.total.add(summary)
            result.days.append(.init(date: day, summary: summary))
        }
        return result
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

    /// Simulated staff work their open tasks at the end of the day.
    private func staffWorkTheirTasks(at endOfDay: Date, into result: inout Result) async throws {
        let db = dispatcher.database
        for task in try await db.tasks(limit: 100_000, now: endOfDay) where task.dueAt <= endOfDay {
            let key = "\(task.id)"
            do {
                let customer: Int64
                if chance(key + "sold", 14) {
                    customer = try await db.completeTask(
                        id: task.id, outcome: .sold, price: Self.soldPrice, cost: Self.soldCost, note: "simulated", now: endOfDay)
                    result.sold += 1
                    result.soldValue = result.soldValue + Self.soldPrice
                } else if chance(key + "no", 30) {
                    customer = try await db.completeTask(id: task.id, outcome: .notInterested, note: "simulated", now: endOfDay)
                    result.notInterested += 1
                } else if chance(key + "na", 50) {
                    customer = try await db.completeTask(id: task.id, outcome: .noAnswer, note: "simulated", now: endOfDay)
                    result.noAnswer += 1
                } else {
                    continue
                }
                try await dispatcher.replan(customers: [customer], now: endOfDay)
            } catch is StoreError {
                // A task about several products: the simulated salesperson records no answer instead.
                let customer = try await db.completeTask(id: task.id, outcome: .noAnswer, note: "simulated", now: endOfDay)
                try await dispatcher.replan(customers: [customer], now: endOfDay)
                result.noAnswer += 1
            }
        }
    }
}
