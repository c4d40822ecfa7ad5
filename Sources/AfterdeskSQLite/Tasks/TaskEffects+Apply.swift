import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension StoreError {
    /// A task outcome given wrongly: invalid, or ambiguous for a task about several products; the message is the command
    /// line's (its flags), and `outcomeProblem` lets the API and the task page name the field their own way.
    public init(_ problem: TaskOutcomeProblem) {
        self.init(problem.cliMessage, kind: problem.isAmbiguous ? .ambiguous : .invalid)
        outcomeProblem = problem
    }
}

/// The task whose outcome's effects are applied, and by whom.
struct TaskEffectContext {
    var task: Int64
    var customer: Int64
    /// Who closed the task, when known; else the ledger names the task's assignee.
    var user: String?
    var now: String
    var source: String { "task:\(task)" }
}

extension AfterdeskDatabase {
    /// Applies one effect of a task's outcome (`TaskOutcome.effects`) in the caller's transaction.
    func apply(_ effect: TaskEffect, _ task: TaskEffectContext, db: Database) throws {
        switch effect {
        case .recordSale(let item, let soldOn, let price, let cost, let note):
            try recordSale(item, soldOn: soldOn, price: price, cost: cost, note: note, task, db: db)
        case .stopFollowUp(let item, let kind):
            try addStop(db, dealID: item.deal, product: item.product, kind: kind, source: task.source, now: task.now)
        case .stopAllContact:
            try db.execute(
                sql: "UPDATE customers SET contact_stopped_at = ?, contact_stopped_source = ?, updated_at = ? WHERE id = ?",
                arguments: [task.now, task.source, task.now, task.customer])
        case .withdrawConsent(let channels, let detail):
            guard !channels.isEmpty else { return }
            let source = detail.map { task.source + " " + $0 } ?? task.source
            // Column names come from the enum, never from data.
            let sets = channels.map { "consent_\($0.rawValue) = 0, consent_\($0.rawValue)_source = ?, consent_\($0.rawValue)_at = ?" }
            var arguments: [(any DatabaseValueConvertible)?] = channels.flatMap { _ in [source, task.now] }
            arguments += [task.now, task.customer]
            try db.execute(
                sql: "UPDATE customers SET \(sets.joined(separator: ", ")), updated_at = ? WHERE id = ?",
                arguments: StatementArguments(arguments))
        case .cancelPending(let channels, let reason):
            try cancelPending(db, customer: task.customer, actions: channels?.map(\.rawValue), reason: reason, now: task.now)
        case .recordStaffStop(let detail, let channels, let wholeCustomer):
            try recordStaffStop(db, task, detail: detail, channels: channels, wholeCustomer: wholeCustomer)
        }
    }

    private func recordSale(
        _ item: TaskItem, soldOn: LocalDate, price: Money, cost: Money?, note: String?, _ task: TaskEffectContext, db: Database
    ) throws {
        let soldBy = try String.fetchOne(
            db, sql: "SELECT s.staff_code FROM tasks t JOIN staff s ON s.id = t.assignee_id WHERE t.id = ?", arguments: [task.task])
        try db.execute(
            sql: """
                INSERT INTO recoveries (deal_id, product_code, source, reference, sold_on, price_cents, cost_cents, sold_by, recorded_at)
                VALUES (?, ?, 'task', ?, ?, ?, ?, ?, ?)
                ON CONFLICT (deal_id, product_code, source) DO NOTHING
                """,
            arguments: [item.deal, item.product, task.source, soldOn.description, price.cents, cost?.cents, soldBy, task.now])
        if db.changesCount == 0 { throw StoreError.conflict("the sale of \(item.product) on this deal is already recorded by a task") }
        try addStop(db, dealID: item.deal, product: item.product, kind: .purchased, source: task.source, now: task.now)
        try db.execute(
            sql: """
                INSERT INTO events (deal_id, product_code, kind, occurred_on, recorded_at, price_cents, cost_cents, source, detail)
                VALUES (?, ?, 'recovered', ?, ?, ?, ?, ?, ?)
                """, arguments: [item.deal, item.product, soldOn.description, task.now, price.cents, cost?.cents, task.source, note])
    }

    /// Staff's stop in the opt-out ledger, so no import turns the channels back on: under the customer's phone and
    /// email, and for "stop all contact" under the customer itself. Recorded by the user who closed the task, else the
    /// task's assignee.
    private func recordStaffStop(
        _ db: Database, _ task: TaskEffectContext, detail: String, channels: [ContactChannel], wholeCustomer: Bool
    ) throws {
        let who = try Row.fetchOne(
            db,
            sql: """
                SELECT c.phone, lower(c.email) AS email, (SELECT s.staff_code FROM tasks t JOIN staff s ON s.id = t.assignee_id
                WHERE t.id = ?) AS staff FROM customers c WHERE c.id = ?
                """, arguments: [task.task, task.customer])
        var addresses: [(address: String, channel: ContactChannel)] = []
        for channel in channels {
            if wholeCustomer { addresses.append((ContactAddress.customer(task.customer), channel)) }
            if let address = who.flatMap({ $0[channel == .email ? "email" : "phone"] as String? }) {
                addresses.append((address, channel))
            }
        }
        for entry in addresses {
            let record = OptOutRecord(
                address: entry.address, channel: entry.channel, source: .staffOutcome, detail: detail, reference: "task \(task.task)",
                recordedBy: task.user ?? who.flatMap { $0["staff"] as String? } ?? "staff", customerID: task.customer)
            try appendOptOut(db, record, now: task.now, unlessStopped: true)
        }
    }
}
