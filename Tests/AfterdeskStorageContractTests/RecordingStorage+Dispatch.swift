import AfterdeskCore
import AfterdeskStorage
import Foundation

// Forwards every requirement to the storage wrapped and notes its key (Checklist). Generated from the protocols
// (each requirement once, as declared); the compiler checks that none is missing.

extension RecordingStorage: ImportStorage {
    func importDeals(files: [String], options: ImportOptions, progress: (@Sendable (ImportProgress) -> Void)?) async throws
        -> ImportSummary
    {
        notes.note("importDeals(files:options:progress:)")
        return try await base.importDeals(files: files, options: options, progress: progress)
    }
    func importReadings(file: String, dealershipTimeZone: String, planner: Planner?, now: Date?, writeRejectsFile: Bool) async throws
        -> ReadingsSummary
    {
        notes.note("importReadings(file:dealershipTimeZone:planner:now:writeRejectsFile:)")
        return try await base.importReadings(
            file: file, dealershipTimeZone: dealershipTimeZone, planner: planner, now: now, writeRejectsFile: writeRejectsFile)
    }
    func createWebImport(userID: Int64, fileName: String, path: String, profile: String, now: Date) async throws -> Int64 {
        notes.note("createWebImport(userID:fileName:path:profile:now:)")
        return try await base.createWebImport(userID: userID, fileName: fileName, path: path, profile: profile, now: now)
    }
    func updateWebImport(
        id: Int64, status: WebImportStatus, rowsRead: Int?, summary: String?, error: String?, stores: Set<String>?, now: Date
    )
        async throws
    {
        notes.note("updateWebImport(id:status:rowsRead:summary:error:stores:now:)")
        return try await base.updateWebImport(
            id: id, status: status, rowsRead: rowsRead, summary: summary, error: error, stores: stores, now: now)
    }
    func webImport(id: Int64, visibleTo viewer: Principal?) async throws -> WebImportRow? {
        notes.note("webImport(id:visibleTo:)")
        return try await base.webImport(id: id, visibleTo: viewer)
    }
    func webImports(id: Int64?, limit: Int, visibleTo viewer: Principal?) async throws -> [WebImportRow] {
        notes.note("webImports(id:limit:visibleTo:)")
        return try await base.webImports(id: id, limit: limit, visibleTo: viewer)
    }
    func interruptWebImports(now: Date) async throws -> Int {
        notes.note("interruptWebImports(now:)")
        return try await base.interruptWebImports(now: now)
    }
    func beatWebImport(id: Int64, rowsRead: Int?, clock: Clock) async throws {
        notes.note("beatWebImport(id:rowsRead:clock:)")
        try await base.beatWebImport(id: id, rowsRead: rowsRead, clock: clock)
    }
    func setWebImportPath(id: Int64, path: String) async throws {
        notes.note("setWebImportPath(id:path:)")
        return try await base.setWebImportPath(id: id, path: path)
    }
}

extension RecordingStorage: DealStorage {
    func listDeals(_ filter: DealFilter) async throws -> [DealListItem] {
        notes.note("listDeals(_:)")
        return try await base.listDeals(filter)
    }
    func deal(number: String, store: String?) async throws -> DealDetail? {
        notes.note("deal(number:store:)")
        return try await base.deal(number: number, store: store)
    }
    func captureSummary() async throws -> CaptureSummary {
        notes.note("captureSummary()")
        return try await base.captureSummary()
    }
    func customerDeals(ofDeal number: String, store: String?) async throws -> CustomerDeals? {
        notes.note("customerDeals(ofDeal:store:)")
        return try await base.customerDeals(ofDeal: number, store: store)
    }
    func customerIDs(ofDeals numbers: [String], store: String?) async throws -> [Int64] {
        notes.note("customerIDs(ofDeals:store:)")
        return try await base.customerIDs(ofDeals: numbers, store: store)
    }
}

extension RecordingStorage: PlanStorage {
    func planCustomers(
        planner: Planner, now: Date, customerIDs: [Int64]?, rangeSize: Int, transactionSize: Int, progress: (@Sendable (Int, Int) -> Void)?
    ) async throws -> PlanSummary {
        notes.note("planCustomers(planner:now:customerIDs:rangeSize:transactionSize:progress:)")
        return try await base.planCustomers(
            planner: planner, now: now, customerIDs: customerIDs, rangeSize: rangeSize, transactionSize: transactionSize, progress: progress
        )
    }
    func plannedTouches(dealNumber: String?, store: String?, limit: Int) async throws -> [PlannedTouchRow] {
        notes.note("plannedTouches(dealNumber:store:limit:)")
        return try await base.plannedTouches(dealNumber: dealNumber, store: store, limit: limit)
    }
    func previewTouches(dealID: Int64, product: String) async throws -> [String: PreviewTouch] {
        notes.note("previewTouches(dealID:product:)")
        return try await base.previewTouches(dealID: dealID, product: product)
    }
    func previewFacts(dealNumber: String, store: String?, product: String) async throws
        -> (customer: CustomerContact, item: DueItem, planned: [String: String])?
    {
        notes.note("previewFacts(dealNumber:store:product:)")
        return try await base.previewFacts(dealNumber: dealNumber, store: store, product: product)
    }
    func addStop(dealNumber: String, store: String?, product: String?, kind: StopKind, source: String, now: Date) async throws -> Int64 {
        notes.note("addStop(dealNumber:store:product:kind:source:now:)")
        return try await base.addStop(dealNumber: dealNumber, store: store, product: product, kind: kind, source: source, now: now)
    }
}

extension RecordingStorage: DispatchStorage {
    func dueTouches(now: Date, limit: Int, after: (dueAt: Date, id: Int64)?) async throws -> [DueTouch] {
        notes.note("dueTouches(now:limit:after:)")
        return try await base.dueTouches(now: now, limit: limit, after: after)
    }
    func record(_ records: [DispatchRecord], now: Date) async throws -> [Int64: Int64] {
        notes.note("record(_:now:)")
        return try await base.record(records, now: now)
    }
    func enqueue(_ messages: [NewOutboxMessage], customerID: Int64?, taskID: Int64?, now: Date) async throws {
        notes.note("enqueue(_:customerID:taskID:now:)")
        return try await base.enqueue(messages, customerID: customerID, taskID: taskID, now: now)
    }
    func advanceFirstTouches(customers: Int, to: Date) async throws {
        notes.note("advanceFirstTouches(customers:to:)")
        return try await base.advanceFirstTouches(customers: customers, to: to)
    }
    func claimOutbox(now: Date, limit: Int, by claimer: String?) async throws -> [OutboxMessage] {
        notes.note("claimOutbox(now:limit:by:)")
        return try await base.claimOutbox(now: now, limit: limit, by: claimer)
    }
    func claimOutbox(id: Int64, now: Date) async throws -> OutboxMessage? {
        notes.note("claimOutbox(id:now:)")
        return try await base.claimOutbox(id: id, now: now)
    }
    func inDoubtOutbox(before: Date, _ scope: InDoubtScope) async throws -> [OutboxMessage] {
        notes.note("inDoubtOutbox(before:_:)")
        return try await base.inDoubtOutbox(before: before, scope)
    }
    func completeOutbox(_ results: [(id: Int64, result: SendResult)], now: Date) async throws {
        notes.note("completeOutbox(_:now:)")
        return try await base.completeOutbox(results, now: now)
    }
    func sendChecks(_ messages: [OutboxMessage]) async throws
        -> (stopped: [Int64: String], places: [Int64: RecipientPlace])
    {
        notes.note("sendChecks(_:)")
        return try await base.sendChecks(messages)
    }
    func cancelClaimed(_ items: [(id: Int64, reason: String)], now: Date) async throws {
        notes.note("cancelClaimed(_:now:)")
        return try await base.cancelClaimed(items, now: now)
    }
    func deferClaimed(_ items: [(id: Int64, until: Date, reason: String)], now: Date) async throws {
        notes.note("deferClaimed(_:now:)")
        return try await base.deferClaimed(items, now: now)
    }
    func recordDeliveryStatus(providerID: String, report: DeliveryReport, now: Date) async throws -> Bool {
        notes.note("recordDeliveryStatus(providerID:report:now:)")
        return try await base.recordDeliveryStatus(providerID: providerID, report: report, now: now)
    }
    func outbox(status: OutboxStatus?, limit: Int) async throws -> [OutboxMessage] {
        notes.note("outbox(status:limit:)")
        return try await base.outbox(status: status, limit: limit)
    }
    func retryDeadLetter(id: Int64, now: Date) async throws -> Bool {
        notes.note("retryDeadLetter(id:now:)")
        return try await base.retryDeadLetter(id: id, now: now)
    }
    func outboxCounts() async throws -> [String: Int] {
        notes.note("outboxCounts()")
        return try await base.outboxCounts()
    }
    func openSentLog() -> (any SentLog)? {
        notes.note("openSentLog()")
        return base.openSentLog().map { RecordingSentLog(base: $0, notes: notes) }
    }
    func settleSentLog(now: Date) async throws -> Int {
        notes.note("settleSentLog(now:)")
        return try await base.settleSentLog(now: now)
    }
    func staffText(taskID: Int64, now: Date, decide: @Sendable (DueTouch) -> StaffTextVerdict) async throws
        -> StaffTextOutcome
    {
        notes.note("staffText(taskID:now:decide:)")
        return try await base.staffText(taskID: taskID, now: now, decide: decide)
    }
}

extension RecordingStorage: InboundStorage {
    func receiveInbound(providerID: String, phone: String, body: String, keyword: InboundKeyword?, source: String, now: Date) async throws
        -> InboundReceipt
    {
        notes.note("receiveInbound(providerID:phone:body:keyword:source:now:)")
        return try await base.receiveInbound(providerID: providerID, phone: phone, body: body, keyword: keyword, source: source, now: now)
    }
    func linkInbound(providerID: String, taskID: Int64) async throws {
        notes.note("linkInbound(providerID:taskID:)")
        return try await base.linkInbound(providerID: providerID, taskID: taskID)
    }
}
