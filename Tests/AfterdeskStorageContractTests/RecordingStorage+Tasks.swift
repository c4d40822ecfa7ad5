import AfterdeskCore
import AfterdeskStorage
import Foundation

// Forwards every requirement to the storage wrapped and notes its key (Checklist). Generated from the protocols
// (each requirement once, as declared); the compiler checks that none is missing.

extension RecordingStorage: TaskStorage {
    func tasks(_ query: TaskQuery, now: Date) async throws -> [TaskRow] {
        notes.note("tasks(_:now:)")
        return try await base.tasks(query, now: now)
    }
    func taskQueue<Value: Sendable>(
        _ query: TaskQuery, answers: PolledAnswers<TaskQuery, Value>, now: Date, render: @Sendable ([TaskRow]) -> Value
    ) async throws -> Value {
        notes.note("taskQueue(_:answers:now:render:)")
        return try await base.taskQueue(query, answers: answers, now: now, render: render)
    }
    func taskOwner(id: Int64) async throws -> (assigneeID: Int64?, store: String)? {
        notes.note("taskOwner(id:)")
        return try await base.taskOwner(id: id)
    }
    func taskCounts(now: Date) async throws -> (open: Int, overdue: Int) {
        notes.note("taskCounts(now:)")
        return try await base.taskCounts(now: now)
    }
    func taskDetail(id: Int64, now: Date) async throws -> TaskDetail? {
        notes.note("taskDetail(id:now:)")
        return try await base.taskDetail(id: id, now: now)
    }
    func completeTask(
        id: Int64, outcome: TaskOutcome, product: String?, price: Money?, cost: Money?, note: String?, by user: String?, now: Date
    ) async throws -> Int64 {
        notes.note("completeTask(id:outcome:product:price:cost:note:by:now:)")
        return try await base.completeTask(
            id: id, outcome: outcome, product: product, price: price, cost: cost, note: note, by: user, now: now)
    }
    func rescheduleTask(id: Int64, to: Date, slaHours: Int) async throws {
        notes.note("rescheduleTask(id:to:slaHours:)")
        return try await base.rescheduleTask(id: id, to: to, slaHours: slaHours)
    }
    func escalateOverdue(now: Date) async throws -> Int {
        notes.note("escalateOverdue(now:)")
        return try await base.escalateOverdue(now: now)
    }
    func createReplyTask(customerID: Int64, title: String, detail: String, now: Date, slaHours: Int) async throws -> Int64 {
        notes.note("createReplyTask(customerID:title:detail:now:slaHours:)")
        return try await base.createReplyTask(customerID: customerID, title: title, detail: detail, now: now, slaHours: slaHours)
    }
    func staff(store: String?) async throws -> [StaffRow] {
        notes.note("staff(store:)")
        return try await base.staff(store: store)
    }
    func addStaff(store: String, code: String, name: String?, role: StaffRole, timeZone: String, now: Date) async throws
        -> Int64
    {
        notes.note("addStaff(store:code:name:role:timeZone:now:)")
        return try await base.addStaff(store: store, code: code, name: name, role: role, timeZone: timeZone, now: now)
    }
    func deactivateStaff(store: String, code: String, now: Date) async throws -> Int {
        notes.note("deactivateStaff(store:code:now:)")
        return try await base.deactivateStaff(store: store, code: code, now: now)
    }
    func staffSnapshot(storeID: Int64) async throws -> (staff: [StaffMember], lastAssigned: Int64?) {
        notes.note("staffSnapshot(storeID:)")
        return try await base.staffSnapshot(storeID: storeID)
    }
    func staffName(id: Int64) async throws -> String? {
        notes.note("staffName(id:)")
        return try await base.staffName(id: id)
    }
}

extension RecordingStorage: OutcomeStorage {
    func importContracts(file: String, menu: Menu, planner: Planner?, now: Date?, writeRejectsFile: Bool, allowedStores: Set<String>?)
        async throws -> AfterSaleSummary
    {
        notes.note("importContracts(file:menu:planner:now:writeRejectsFile:allowedStores:)")
        return try await base.importContracts(
            file: file, menu: menu, planner: planner, now: now, writeRejectsFile: writeRejectsFile, allowedStores: allowedStores)
    }
    func importCancellations(file: String, menu: Menu, writeRejectsFile: Bool, allowedStores: Set<String>?) async throws
        -> AfterSaleSummary
    {
        notes.note("importCancellations(file:menu:writeRejectsFile:allowedStores:)")
        return try await base.importCancellations(file: file, menu: menu, writeRejectsFile: writeRejectsFile, allowedStores: allowedStores)
    }
    func recentRecoveries(stores: [String]?, asOf: LocalDate, limit: Int) async throws -> [RecentRecovery] {
        notes.note("recentRecoveries(stores:asOf:limit:)")
        return try await base.recentRecoveries(stores: stores, asOf: asOf, limit: limit)
    }
    func marginReport(_ p: ReportParameters, now: Date) async throws -> MarginReport {
        notes.note("marginReport(_:now:)")
        return try await base.marginReport(p, now: now)
    }
    func marginReports(_ ps: [ReportParameters], now: Date) async throws -> [MarginReport] {
        notes.note("marginReports(_:now:)")
        return try await base.marginReports(ps, now: now)
    }
    func forEachLedgerRow(_ p: ReportParameters, now: Date, _ body: @Sendable (LedgerRow) throws -> Void) async throws {
        notes.note("forEachLedgerRow(_:now:_:)")
        return try await base.forEachLedgerRow(p, now: now, body)
    }
    func scorecard(_ p: ScorecardParameters, now: Date) async throws -> Scorecard {
        notes.note("scorecard(_:now:)")
        return try await base.scorecard(p, now: now)
    }
    func cancellationHistories(stores: [String]?, asOf: LocalDate) async throws -> [CancellationHistory] {
        notes.note("cancellationHistories(stores:asOf:)")
        return try await base.cancellationHistories(stores: stores, asOf: asOf)
    }
}

extension RecordingStorage: OfferStorage {
    func offerLink(tokenHash: String) async throws -> StoredOfferLink? {
        notes.note("offerLink(tokenHash:)")
        return try await base.offerLink(tokenHash: tokenHash)
    }
    func offerLinkTimes() async throws -> [(id: Int64, sentAt: Date)] {
        notes.note("offerLinkTimes()")
        return try await base.offerLinkTimes()
    }
    func recordOfferOpened(linkID: Int64, now: Date) async throws {
        notes.note("recordOfferOpened(linkID:now:)")
        return try await base.recordOfferOpened(linkID: linkID, now: now)
    }
    func pressOffer(_ press: OfferPress, now: Date) async throws -> OfferPressResult {
        notes.note("pressOffer(_:now:)")
        return try await base.pressOffer(press, now: now)
    }
    func offerFunnel(from: LocalDate, to: LocalDate, stores: [String]?) async throws -> OfferFunnel {
        notes.note("offerFunnel(from:to:stores:)")
        return try await base.offerFunnel(from: from, to: to, stores: stores)
    }
}
