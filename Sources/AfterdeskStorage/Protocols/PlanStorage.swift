import AfterdeskCore
import Foundation

/// Planning: turning each customer's declined products into planned touches, and what planning explains.
public protocol PlanStorage: Sendable {
    /// Plans `customerIDs` (nil: every customer), replacing their pending touches with `planner`'s; sent touches stay.
    func planCustomers(
        planner: Planner, now: Date, customerIDs: [Int64]?, rangeSize: Int, transactionSize: Int,
        progress: (@Sendable (Int, Int) -> Void)?
    ) async throws -> PlanSummary
    func plannedTouches(dealNumber: String?, store: String?, limit: Int) async throws -> [PlannedTouchRow]
    /// What each step of `product`'s cadence became for deal `dealID`: planned, sent, skipped, and why.
    func previewTouches(dealID: Int64, product: String) async throws -> [String: PreviewTouch]
    /// The facts a message about `product` on deal `dealNumber` would be written from, as dispatch reads them.
    func previewFacts(dealNumber: String, store: String?, product: String) async throws
        -> (customer: CustomerContact, item: DueItem, planned: [String: String])?
    /// Stops follow-up of `product` (nil: every product) on a deal; the stop outranks every later import.
    func addStop(dealNumber: String, store: String?, product: String?, kind: StopKind, source: String, now: Date)
        async throws -> Int64
}

extension PlanStorage {
    public func planCustomers(planner: Planner, now: Date, customerIDs: [Int64]? = nil) async throws -> PlanSummary {
        try await planCustomers(
            planner: planner, now: now, customerIDs: customerIDs, rangeSize: 2_000, transactionSize: 50_000, progress: nil)
    }
    public func plannedTouches(dealNumber: String? = nil, store: String? = nil, limit: Int = 100) async throws
        -> [PlannedTouchRow]
    {
        try await plannedTouches(dealNumber: dealNumber, store: store, limit: limit)
    }
}

/// Where the dispatcher notes each message a provider accepted, the moment it does, so a crash between the send and
/// the outbox's commit never sends it twice (`DispatchStorage.settleSentLog`).
public protocol SentLog: Sendable {
    /// Notes that outbox message `id` was accepted by its provider under `providerID`.
    func append(id: Int64, providerID: String?) throws
    /// Empties the log, once the outbox's commit says what it lists.
    func clear() throws
}

/// Dispatch: the touches due, what they became, and the outbox that sends them.
public protocol DispatchStorage: Sendable {
    /// Pending touches due by `now`, oldest first, a page at a time (`after`: the last one of the previous page).
    func dueTouches(now: Date, limit: Int, after: (dueAt: Date, id: Int64)?) async throws -> [DueTouch]
    /// Records what dispatch decided for each touch (sent, task, skipped, deferred) in one transaction; returns the
    /// tasks made, by touch.
    @discardableResult
    func record(_ records: [DispatchRecord], now: Date) async throws -> [Int64: Int64]
    func enqueue(_ messages: [NewOutboxMessage], customerID: Int64?, taskID: Int64?, now: Date) async throws
    /// For tests and the demo: moves the first touches of `customers` customers to `to`.
    func advanceFirstTouches(customers: Int, to: Date) async throws

    /// Claims up to `limit` queued messages due by `now` (committed `sending`), each for this dispatcher only: the server
    /// `claimer` (its scheduler's holder, whose `server:` lease says it lives), or nil for a process without one.
    func claimOutbox(now: Date, limit: Int, by claimer: String?) async throws -> [OutboxMessage]
    /// Claims message `id` alone, if it is queued, for a send made at once outside any dispatch (a text a person writes
    /// on a task page): in flight, whatever server sent it, until `OutboxClaim.inFlightSeconds` after `now` (its
    /// `next_attempt_at`), and in doubt only after that.
    func claimOutbox(id: Int64, now: Date) async throws -> OutboxMessage?
    /// Messages left `sending` before `before` by a dispatch that stopped or could not record what it sent (the database
    /// gone for a moment): `.held(mine:)`, the dispatch lock's holder's view, claimed by no server, by one whose `server:`
    /// lease has run out (by the storage's clock), or by this server itself (`mine`); `.own`, a standby's, its own only.
    /// Another live server's messages in flight are never in doubt, nor a message claimed alone (`claimOutbox(id:now:)`)
    /// until its time in flight has passed by `before`.
    func inDoubtOutbox(before: Date, _ scope: InDoubtScope) async throws -> [OutboxMessage]
    func completeOutbox(_ results: [(id: Int64, result: SendResult)], now: Date) async throws
    /// Each claimed message's stops (why it must not go) and recipient's place (for the hours it may go).
    func sendChecks(_ messages: [OutboxMessage]) async throws
        -> (stopped: [Int64: String], places: [Int64: RecipientPlace])
    func cancelClaimed(_ items: [(id: Int64, reason: String)], now: Date) async throws
    func deferClaimed(_ items: [(id: Int64, until: Date, reason: String)], now: Date) async throws
    @discardableResult
    func recordDeliveryStatus(providerID: String, report: DeliveryReport, now: Date) async throws -> Bool
    func outbox(status: OutboxStatus?, limit: Int) async throws -> [OutboxMessage]
    func retryDeadLetter(id: Int64, now: Date) async throws -> Bool
    func outboxCounts() async throws -> [String: Int]
    /// The log a dispatch notes accepted sends in (nil: this backend commits each send itself).
    func openSentLog() -> (any SentLog)?
    /// Marks as sent what the log lists and the outbox still has `sending`, then empties it; returns how many.
    @discardableResult
    func settleSentLog(now: Date) async throws -> Int
    /// A staff member's text about task `taskID`: `decide` chooses, in the same transaction, whether it goes.
    func staffText(taskID: Int64, now: Date, decide: @Sendable (DueTouch) -> StaffTextVerdict) async throws
        -> StaffTextOutcome
}

/// A message claimed alone to be sent at once (`claimOutbox(id:now:)`), by a request on any server while the dispatch
/// lock's holder may be reconciling: it is in flight, not in doubt, for `inFlightSeconds` after its claim. Its send gives
/// up long before (`OutboundHTTP`: 10 s to connect, 30 s for the answer), so one still `sending` after that was left by
/// a process that stopped. Taken sooner, its send would be requeued while it was going out and sent again.
public enum OutboxClaim {
    public static let inFlightSeconds: Int64 = 300
}

/// Whose messages left `sending` a reconciliation takes (`inDoubtOutbox`).
public enum InDoubtScope: Sendable, Equatable {
    /// The holder of the dispatch lock: the messages of no server, of dead servers, and its own (`mine`, nil for a
    /// process without a server lease).
    case held(mine: String?)
    /// A server delivering beside the holder: its own claims only.
    case own(String)
}

extension DispatchStorage {
    /// The dispatch lock's holder's view, for a process without a server lease (`afterdesk run`, the tests).
    public func inDoubtOutbox(before: Date) async throws -> [OutboxMessage] {
        try await inDoubtOutbox(before: before, .held(mine: nil))
    }

    /// Claims for a process without a server lease (`afterdesk run`, the tests).
    public func claimOutbox(now: Date, limit: Int) async throws -> [OutboxMessage] {
        try await claimOutbox(now: now, limit: limit, by: nil)
    }

    public func dueTouches(now: Date, limit: Int) async throws -> [DueTouch] {
        try await dueTouches(now: now, limit: limit, after: nil)
    }
    public func enqueue(_ messages: [NewOutboxMessage], customerID: Int64?, now: Date) async throws {
        try await enqueue(messages, customerID: customerID, taskID: nil, now: now)
    }
    public func outbox(status: OutboxStatus? = nil, limit: Int = 100) async throws -> [OutboxMessage] {
        try await outbox(status: status, limit: limit)
    }
}

/// Texts customers send: recorded once per provider id, with what a STOP or START does to their consent.
public protocol InboundStorage: Sendable {
    func receiveInbound(
        providerID: String, phone: String, body: String, keyword: InboundKeyword?, source: String, now: Date
    ) async throws -> InboundReceipt
    func linkInbound(providerID: String, taskID: Int64) async throws
}
