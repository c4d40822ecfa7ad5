import AfterdeskCore
import Foundation
import Synchronization

/// Tasks routed to staff, and the staff they are routed to.
public protocol TaskStorage: Sendable {
    /// The tasks of `query`, soonest first.
    func tasks(_ query: TaskQuery, now: Date) async throws -> [TaskRow]
    /// The tasks of `query` as `render` answers them, reused from `answers` while nothing in the database changed:
    /// the queue every salesperson's app polls.
    func taskQueue<Value: Sendable>(
        _ query: TaskQuery, answers: PolledAnswers<TaskQuery, Value>, now: Date,
        render: @Sendable ([TaskRow]) -> Value
    ) async throws -> Value
    func taskOwner(id: Int64) async throws -> (assigneeID: Int64?, store: String)?
    func taskCounts(now: Date) async throws -> (open: Int, overdue: Int)
    func taskDetail(id: Int64, now: Date) async throws -> TaskDetail?
    /// Closes task `id` with `outcome` and applies its effects (`TaskOutcome.effects`); returns its customer.
    @discardableResult
    func completeTask(
        id: Int64, outcome: TaskOutcome, product: String?, price: Money?, cost: Money?, note: String?, by user: String?,
        now: Date
    ) async throws -> Int64
    func rescheduleTask(id: Int64, to: Date, slaHours: Int) async throws
    /// Hands overdue tasks to the next person up (`TaskRouting.reassignments`); returns how many moved.
    func escalateOverdue(now: Date) async throws -> Int
    func createReplyTask(customerID: Int64, title: String, detail: String, now: Date, slaHours: Int) async throws -> Int64

    func staff(store: String?) async throws -> [StaffRow]
    @discardableResult
    func addStaff(store: String, code: String, name: String?, role: StaffRole, timeZone: String, now: Date) async throws
        -> Int64
    func deactivateStaff(store: String, code: String, now: Date) async throws -> Int
    func staffSnapshot(storeID: Int64) async throws -> (staff: [StaffMember], lastAssigned: Int64?)
    func staffName(id: Int64) async throws -> String?
}

extension TaskStorage {
    public func tasks(
        assignee: String? = nil, status: TaskStatus? = .open, limit: Int = 200, store: String? = nil,
        assigneeID: Int64? = nil, taskID: Int64? = nil, now: Date
    ) async throws -> [TaskRow] {
        try await tasks(
            TaskQuery(assignee: assignee, status: status, limit: limit, store: store, assigneeID: assigneeID, taskID: taskID),
            now: now)
    }
    @discardableResult
    public func completeTask(
        id: Int64, outcome: TaskOutcome, product: String? = nil, price: Money? = nil, cost: Money? = nil,
        note: String? = nil, by user: String? = nil, now: Date
    ) async throws -> Int64 {
        try await completeTask(
            id: id, outcome: outcome, product: product, price: price, cost: cost, note: note, by: user, now: now)
    }
    public func staff() async throws -> [StaffRow] { try await staff(store: nil) }
}

/// What happened after the desk (products sold later, cancellations) and the ledger the margin report sums.
public protocol OutcomeStorage: Sendable {
    func importContracts(
        file: String, menu: Menu, planner: Planner?, now: Date?, writeRejectsFile: Bool, allowedStores: Set<String>?
    ) async throws -> AfterSaleSummary
    func importCancellations(file: String, menu: Menu, writeRejectsFile: Bool, allowedStores: Set<String>?) async throws
        -> AfterSaleSummary
    func recentRecoveries(stores: [String]?, asOf: LocalDate, limit: Int) async throws -> [RecentRecovery]
    func marginReport(_ p: ReportParameters, now: Date) async throws -> MarginReport
    func marginReports(_ ps: [ReportParameters], now: Date) async throws -> [MarginReport]
    /// Every ledger row of the report `p`, in the order the report sums them.
    func forEachLedgerRow(_ p: ReportParameters, now: Date, _ body: @Sendable (LedgerRow) throws -> Void) async throws
    /// The F&I scorecard `p`: deals, PVR and penetration by product, at the desk and with the recoveries of the margin
    /// report's ledger over the same deals.
    func scorecard(_ p: ScorecardParameters, now: Date) async throws -> Scorecard
    /// The store's history of each product's contracts (after-sale contracts and products sold on finalized deals) and
    /// their cancellations as of `asOf`, per store (of `store` alone when given) and product: what the chargeback
    /// reserve's curves are built from (docs/reporting.md, "Net to the store"). Read once per report.
    func cancellationHistories(stores: [String]?, asOf: LocalDate) async throws -> [CancellationHistory]
}

extension OutcomeStorage {
    public func importContracts(file: String, menu: Menu, planner: Planner?, now: Date? = nil) async throws
        -> AfterSaleSummary
    {
        try await importContracts(
            file: file, menu: menu, planner: planner, now: now, writeRejectsFile: true, allowedStores: nil)
    }
    public func importCancellations(file: String, menu: Menu) async throws -> AfterSaleSummary {
        try await importCancellations(file: file, menu: menu, writeRejectsFile: true, allowedStores: nil)
    }
    /// Every ledger row of the report `p`, in memory: for a small ledger (one deal's lines, a test's); a big one is
    /// streamed with `forEachLedgerRow`.
    public func ledgerRows(_ p: ReportParameters, now: Date) async throws -> [LedgerRow] {
        let rows = Mutex<[LedgerRow]>([])
        try await forEachLedgerRow(p, now: now) { row in rows.withLock { $0.append(row) } }
        return rows.withLock { $0 }
    }
    public func recentRecoveries(stores: [String]?, asOf: LocalDate) async throws -> [RecentRecovery] {
        try await recentRecoveries(stores: stores, asOf: asOf, limit: 15)
    }
}

/// Offer links: a customer's own page for one message's products.
public protocol OfferStorage: Sendable {
    func offerLink(tokenHash: String) async throws -> StoredOfferLink?
    func offerLinkTimes() async throws -> [(id: Int64, sentAt: Date)]
    func recordOfferOpened(linkID: Int64, now: Date) async throws
    /// A press on an offer page (`OfferPressRules`): the task it raises and the pause it asks for, at most once.
    func pressOffer(_ press: OfferPress, now: Date) async throws -> OfferPressResult
    func offerFunnel(from: LocalDate, to: LocalDate, stores: [String]?) async throws -> OfferFunnel
}
