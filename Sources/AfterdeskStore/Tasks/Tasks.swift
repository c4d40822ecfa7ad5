import AfterdeskCore
import Foundation
import GRDB

extension AfterdeskDatabase {

    /// Tasks, soonest first. `assignee` is a staff code or id as typed; `assigneeID` and `store` narrow the list to what
    /// a signed-in person may see.
    public func tasks(
        assignee: String? = nil, status: String? = "open", limit: Int = 200, store: String? = nil,
        assigneeID: Int64? = nil, taskID: Int64? = nil, now: Date
    ) throws -> [TaskRow] {
        try writer.read { db in
            try TaskQuery(assignee: assignee, status: status, limit: limit, store: store, assigneeID: assigneeID, taskID: taskID)
                .fetch(db, now: now)
        }
    }

    /// Whose a task is and in which store, to decide who may see it; nil when there is no such task.
    public func taskOwner(id: Int64) throws -> (assigneeID: Int64?, store: String)? {
        try writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT t.assignee_id, s.code AS store_code FROM tasks t JOIN stores s ON s.id = t.store_id WHERE t.id = ?",
                arguments: [id]
            ).map { ($0["assignee_id"], $0["store_code"]) }
        }
    }

    /// Open tasks, and those of them past their SLA: for monitoring.
    public func taskCounts(now: Date) throws -> (open: Int, overdue: Int) {
        try writer.read { db in
            let r = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS open, COUNT(*) FILTER (WHERE sla_at < ?) AS overdue FROM tasks WHERE status = 'open'
                    """, arguments: [Instant.iso8601(now)])
            return (r?["open"] ?? 0, r?["overdue"] ?? 0)
        }
    }

    /// Records a task's outcome and what it means for the customer's follow-up. Returns the customer, whose plans
    /// the caller re-plans. `product` picks the product sold or refused when the task covers several.
    @discardableResult
    public func completeTask(
        id: Int64, outcome: TaskOutcome, product: String? = nil, price: Money? = nil, cost: Money? = nil,
        note: String? = nil, by user: String? = nil, now: Date
    ) throws -> Int64 {
        // One rule for every door (command line, API, task page): checked before anything is read or written.
        for (amount, field) in [(price, "price"), (cost, "cost")] {
            if let amount, let problem = SaleAmounts.problem(amount, field: field) { throw StoreError(problem) }
        }
        let nowText = Instant.iso8601(now)
        return try writer.write { db in
            guard
                let task = try Row.fetchOne(
                    db, sql: "SELECT customer_id, touch_id, offer_link_id, status, store_id FROM tasks WHERE id = ?", arguments: [id])
            else {
                throw StoreError.notFound("no task \(id)")
            }
            guard (task["status"] as String) == "open" else { throw StoreError.conflict("task \(id) is already done") }
            let customer: Int64 = task["customer_id"]
            var items = try Row.fetchAll(
                db,
                sql: """
                    SELECT i.deal_id, i.product_code FROM touch_items i WHERE i.touch_id = ?
                    UNION SELECT l.deal_id, l.product_code FROM offer_links l WHERE l.id = ?
                    ORDER BY 1, 2
                    """, arguments: [task["touch_id"] as Int64?, task["offer_link_id"] as Int64?]
            ).map { (deal: $0["deal_id"] as Int64, product: $0["product_code"] as String) }
            if let product {
                items = items.filter { $0.product == product }
                if items.isEmpty { throw StoreError("task \(id) is not about product '\(product)'") }
            }
            try apply(
                outcome, task: id, items: items, customer: customer, storeID: task["store_id"], price: price, cost: cost, note: note,
                by: user, now: now, db: db)
            try db.execute(
                sql: """
                    UPDATE tasks SET status = 'done', outcome = ?, price_cents = ?, cost_cents = ?, note = ?, completed_at = ? WHERE id = ?
                    """, arguments: [outcome.rawValue, price?.cents, cost?.cents, note, nowText, id])
            return customer
        }
    }

    /// What a task's outcome means for the customer's follow-up: a sale is recorded as a recovery; "not interested"
    /// stops follow-up of the task's products; "stop contacting" and "wrong number" withdraw consent and cancel what
    /// is pending.
    private func apply(
        _ outcome: TaskOutcome, task id: Int64, items: [(deal: Int64, product: String)], customer: Int64, storeID: Int64,
        price: Money?, cost: Money?, note: String?, by user: String?, now: Date, db: Database
    ) throws {
        let nowText = Instant.iso8601(now)
        let source = "task:\(id)"
        switch outcome {
        case .sold:
            guard let price else { throw StoreError("outcome sold needs --price") }
            guard items.count == 1, let item = items.first else {
                throw StoreError.ambiguous("task \(id) covers several products: say which was sold with --product")
            }
            let tz = try String.fetchOne(db, sql: "SELECT time_zone FROM stores WHERE id = ?", arguments: [storeID]) ?? "UTC"
            let today = LocalDate(now, in: TimeZone(identifier: tz) ?? .gmt)
            // The sale is a recovery of its own, beside the imported deal (whose product row stays as the desk left it,
            // so the next import of the deal cannot turn it back), and it ends follow-up of the product.
            let soldBy = try String.fetchOne(
                db, sql: "SELECT s.staff_code FROM tasks t JOIN staff s ON s.id = t.assignee_id WHERE t.id = ?", arguments: [id])
            try db.execute(
                sql: """
                    INSERT INTO recoveries (deal_id, product_code, source, reference, sold_on, price_cents, cost_cents, sold_by, recorded_at)
                    VALUES (?, ?, 'task', ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (deal_id, product_code, source) DO NOTHING
                    """, arguments: [item.deal, item.product, source, today.description, price.cents, cost?.cents, soldBy, nowText])
            if db.changesCount == 0 { throw StoreError.conflict("the sale of \(item.product) on this deal is already recorded by a task") }
            try addStop(db, dealID: item.deal, product: item.product, kind: .purchased, source: source, now: nowText)
            try db.execute(
                sql: """
                    INSERT INTO events (deal_id, product_code, kind, occurred_on, recorded_at, price_cents, cost_cents, source, detail)
                    VALUES (?, ?, 'recovered', ?, ?, ?, ?, ?, ?)
                    """, arguments: [item.deal, item.product, today.description, nowText, price.cents, cost?.cents, source, note])
        case .notInterested:
            for item in items {
                try addStop(db, dealID: item.deal, product: item.product, kind: .notInterested, source: source, now: nowText)
            }
        case .stopContacting:
            try stopAllContact(db, task: id, customer: customer, source: source, by: user, now: nowText)
        case .wrongNumber:
            try db.execute(
                sql: """
                    UPDATE customers SET consent_sms = 0, consent_sms_source = ?, consent_sms_at = ?, consent_phone = 0, consent_phone_source = ?,
                        consent_phone_at = ?, updated_at = ? WHERE id = ?
                    """, arguments: [source + " wrong number", nowText, source + " wrong number", nowText, nowText, customer])
            try cancelPending(db, customer: customer, actions: ["sms"], reason: "the phone number on file is wrong", now: nowText)
            try recordStaffStop(db, task: id, customer: customer, detail: "wrong number", channels: [.sms, .phone], by: user, now: nowText)
        case .wontDo:
            guard let note, !note.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw StoreError("outcome wont_do needs a note saying why")
            }
        case .booked, .noAnswer:
            break
        }
    }

    /// "Stop contacting": every channel off and everything pending cancelled at once, and kept in the opt-out ledger.
    private func stopAllContact(
        _ db: Database, task id: Int64, customer: Int64, source: String, by user: String?, now nowText: String
    ) throws {
        try db.execute(
            sql: """
                UPDATE customers SET contact_stopped_at = ?, contact_stopped_source = ?,
                    consent_sms = 0, consent_sms_source = ?, consent_sms_at = ?, consent_email = 0, consent_email_source = ?, consent_email_at = ?,
                    consent_phone = 0, consent_phone_source = ?, consent_phone_at = ?, updated_at = ?
                WHERE id = ?
                """, arguments: [nowText, source, source, nowText, source, nowText, source, nowText, nowText, customer])
        try cancelPending(db, customer: customer, actions: nil, reason: "the customer asked staff to stop all contact", now: nowText)
        try recordStaffStop(
            db, task: id, customer: customer, detail: "stop contacting", channels: ContactChannel.allCases, by: user,
            now: nowText)
    }

    /// Staff's stop in the opt-out ledger, so no import turns the channels back on: under the customer's phone and
    /// email, and for "stop all contact" under the customer itself. Recorded by `user` (who closed the task), else the
    /// task's assignee.
    private func recordStaffStop(
        _ db: Database, task id: Int64, customer: Int64, detail: String, channels: [ContactChannel], by user: String?, now: String
    ) throws {
        let who = try Row.fetchOne(
            db,
            sql: """
                SELECT c.phone, lower(c.email) AS email, (SELECT s.staff_code FROM tasks t JOIN staff s ON s.id = t.assignee_id
                WHERE t.id = ?) AS staff FROM customers c WHERE c.id = ?
                """, arguments: [id, customer])
        var addresses: [(String, ContactChannel)] = []
        for channel in channels {
            if channels.count == ContactChannel.allCases.count { addresses.append((ContactAddress.customer(customer), channel)) }
            let address = who.flatMap { $0[channel == .email ? "email" : "phone"] as String? }
            if let address { addresses.append((address, channel)) }
        }
        for (address, channel) in addresses {
            let record = OptOutRecord(
                address: address, channel: channel, source: .staffOutcome, detail: detail, reference: "task \(id)",
                recordedBy: user ?? who.flatMap { $0["staff"] as String? } ?? "staff", customerID: customer)
            try appendOptOut(db, record, now: now, unlessStopped: true)
        }
    }

    /// Moves an open task to a new due time (its SLA moves with it).
    public func rescheduleTask(id: Int64, to: Date, slaHours: Int) throws {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE tasks SET due_at = ?, sla_at = ?, escalated_at = NULL, escalated_to = NULL WHERE id = ? AND status = 'open'",
                arguments: [Instant.iso8601(to), Instant.iso8601(to.addingTimeInterval(Double(slaHours) * 3600)), id])
            if db.changesCount != 1 { throw StoreError.notFound("no open task \(id)") }
        }
    }

    /// Hands open tasks past their SLA to the store's manager, once. Returns how many.
    public func escalateOverdue(now: Date) throws -> Int {
        let nowText = Instant.iso8601(now)
        return try writer.write { db in
            let overdue = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, store_id, assignee_id FROM tasks WHERE status = 'open' AND escalated_at IS NULL AND sla_at < ? ORDER BY id
                    """, arguments: [nowText])
            var count = 0
            for t in overdue {
                let (members, _) = try staffSnapshot(db, storeID: t["store_id"])
                guard let manager = TaskRouting.escalation(staff: members, excluding: t["assignee_id"]) else { continue }
                try db.execute(
                    sql: "UPDATE tasks SET escalated_to = ?, escalated_at = ? WHERE id = ?",
                    arguments: [manager, nowText, t["id"] as Int64])
                count += 1
            }
            return count
        }
    }

    // MARK: consent, opt-outs, stops

    /// Cancels a customer's planned touches (of `actions`, or all) and queued outbox messages to them.
    func cancelPending(_ db: Database, customer: Int64, actions: [String]?, reason: String, now: String) throws {
        let actionFilter = actions.map { " AND action IN (\($0.map { "'\($0)'" }.joined(separator: ",")))" } ?? ""
        try db.execute(
            sql: "UPDATE touches SET status = 'cancelled', status_reason = ? WHERE customer_id = ? AND status = 'planned'" + actionFilter,
            arguments: [reason, customer])
        let channelFilter =
            actions.map { " AND channel IN (\($0.map { "'\($0)'" }.joined(separator: ",")))" } ?? " AND channel IN ('sms', 'email')"
        try db.execute(
            sql: "UPDATE outbox SET status = 'cancelled', last_error = ?, updated_at = ? WHERE customer_id = ? AND status = 'queued'"
                + channelFilter,
            arguments: [reason, now, customer])
    }

    /// Creates a task now (a reply to answer), routed like a follow-up: to whoever has the customer's newest task,
    /// else the newest deal's F&I manager or salesperson, else round-robin.
    public func createReplyTask(customerID: Int64, title: String, detail: String, now: Date, slaHours: Int) throws -> Int64 {
        let nowText = Instant.iso8601(now)
        return try writer.write { db in
            guard
                let deal = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT store_id, fi_manager_id, salesperson_id FROM deals WHERE customer_id = ? ORDER BY contract_date DESC LIMIT 1
                        """, arguments: [customerID])
            else { throw StoreError.notFound("customer \(customerID) has no deal") }
            let storeID: Int64 = deal[0]
            let (members, last) = try staffSnapshot(db, storeID: storeID)
            let previous = try Int64.fetchOne(
                db, sql: "SELECT assignee_id FROM tasks WHERE customer_id = ? ORDER BY id DESC LIMIT 1", arguments: [customerID])
            let assignee = TaskRouting.assignee(fiManager: previous ?? deal[1], salesperson: deal[2], staff: members, lastAssigned: last)
            try db.execute(
                sql: """
                    INSERT INTO tasks (store_id, customer_id, touch_id, kind, title, detail, assignee_id, due_at, sla_at, status, created_at)
                    VALUES (?, ?, NULL, 'reply', ?, ?, ?, ?, ?, 'open', ?)
                    """,
                arguments: [
                    storeID, customerID, title, detail, assignee, nowText,
                    Instant.iso8601(now.addingTimeInterval(Double(slaHours) * 3600)), nowText,
                ])
            return db.lastInsertedRowID
        }
    }
}
