import AfterdeskCore
import Foundation
import GRDB

/// A member of staff as listed.
public struct StaffRow: Sendable, Equatable, Codable {
    public var id: Int64
    public var store: String
    public var code: String
    public var name: String?
    public var role: String
    public var active: Bool
    public var openTasks: Int
}

/// A task as the queue shows it. The phone and email are there for the person who calls: never logged.
public struct TaskRow: Sendable, Equatable, Codable {
    public var id: Int64
    public var kind: String
    public var title: String
    public var detail: String
    public var assigneeID: Int64?
    public var assignee: String?
    public var escalatedTo: String?
    public var customer: String
    public var phone: String?
    public var email: String?
    public var dueAt: String
    public var slaAt: String
    public var status: String
    public var outcome: String?
    public var overdue: Bool
}

/// Errors of workflow operations a person asked for, with what was wrong.
public struct WorkflowError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

extension AfterdeskDatabase {
    // MARK: staff

    public func staff(store: String? = nil) throws -> [StaffRow] {
        try writer.read { db in
            var sql = """
                SELECT s.id, st.code, s.staff_code, s.name, s.role, s.active,
                       (SELECT COUNT(*) FROM tasks t WHERE t.assignee_id = s.id AND t.status = 'open')
                FROM staff s JOIN stores st ON st.id = s.store_id
                """
            var args: StatementArguments = []
            if let store { sql += " WHERE st.code = ?"; args += [store] }
            return try Row.fetchAll(db, sql: sql + " ORDER BY st.code, s.staff_code", arguments: args).map {
                StaffRow(id: $0[0], store: $0[1], code: $0[2], name: $0[3], role: $0[4], active: $0[5], openTasks: $0[6])
            }
        }
    }

    /// Adds a member of staff, or updates (and reactivates) the one with that code.
    @discardableResult
    public func addStaff(store: String, code: String, name: String?, role: String, timeZone: String, now: Date) throws -> Int64 {
        guard ["sales", "fi", "manager", "bdc"].contains(role) else {
            throw WorkflowError("role '\(role)' is not one of sales, fi, manager, bdc")
        }
        let nowText = Instant.iso8601(now)
        return try writer.write { db in
            try db.execute(sql: "INSERT INTO stores (code, name, time_zone, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
                           arguments: [store, store, timeZone, nowText])
            let storeID = try Int64.fetchOne(db, sql: "SELECT id FROM stores WHERE code = ?", arguments: [store])!
            try db.execute(sql: """
                INSERT INTO staff (store_id, staff_code, name, role, active, created_at) VALUES (?, ?, ?, ?, 1, ?)
                ON CONFLICT (store_id, staff_code) DO UPDATE SET name = COALESCE(excluded.name, name), role = excluded.role, active = 1
                """, arguments: [storeID, code, name, role, nowText])
            return try Int64.fetchOne(db, sql: "SELECT id FROM staff WHERE store_id = ? AND staff_code = ?", arguments: [storeID, code])!
        }
    }

    /// Deactivates a member of staff; their open tasks go back to routing at the next dispatch.
    public func deactivateStaff(store: String, code: String, now: Date) throws -> Int {
        try writer.write { db in
            try db.execute(sql: "UPDATE staff SET active = 0 WHERE staff_code = ? AND store_id = (SELECT id FROM stores WHERE code = ?)",
                           arguments: [code, store])
            guard db.changesCount == 1, let id = try Int64.fetchOne(db, sql: """
                SELECT s.id FROM staff s JOIN stores st ON st.id = s.store_id WHERE s.staff_code = ? AND st.code = ?
                """, arguments: [code, store]) else { throw WorkflowError("no staff member '\(code)' in store '\(store)'") }
            // Open tasks of someone who left are reassigned now, to the least loaded active colleague.
            let storeID = try Int64.fetchOne(db, sql: "SELECT store_id FROM staff WHERE id = ?", arguments: [id])!
            let open = try Int64.fetchAll(db, sql: "SELECT id FROM tasks WHERE assignee_id = ? AND status = 'open' ORDER BY id", arguments: [id])
            for task in open {
                let (members, last) = try staffSnapshot(db, storeID: storeID)
                let to = TaskRouting.assignee(fiManager: nil, salesperson: nil, staff: members, lastAssigned: last)
                try db.execute(sql: "UPDATE tasks SET assignee_id = ? WHERE id = ?", arguments: [to, task])
            }
            return open.count
        }
    }

    /// The store's staff with their open task counts, and who got the store's newest task (for round-robin).
    public func staffSnapshot(storeID: Int64) throws -> (staff: [StaffMember], lastAssigned: Int64?) {
        try writer.read { db in try staffSnapshot(db, storeID: storeID) }
    }

    func staffSnapshot(_ db: Database, storeID: Int64) throws -> (staff: [StaffMember], lastAssigned: Int64?) {
        let members = try Row.fetchAll(db, sql: """
            SELECT s.id, s.role, s.active, (SELECT COUNT(*) FROM tasks t WHERE t.assignee_id = s.id AND t.status = 'open')
            FROM staff s WHERE s.store_id = ? ORDER BY s.id
            """, arguments: [storeID]).map { StaffMember(id: $0[0], role: $0[1], active: $0[2], openTasks: $0[3]) }
        let last = try Int64.fetchOne(db, sql: "SELECT assignee_id FROM tasks WHERE store_id = ? ORDER BY id DESC LIMIT 1", arguments: [storeID])
        return (members, last)
    }

    public func staffName(id: Int64) throws -> String? {
        try writer.read { db in try String.fetchOne(db, sql: "SELECT COALESCE(name, staff_code) FROM staff WHERE id = ?", arguments: [id]) }
    }

    // MARK: tasks

    /// Tasks, soonest first. `assignee` is a staff code or id as typed; `assigneeID` and `store` narrow the list to what
    /// a signed-in person may see.
    public func tasks(assignee: String? = nil, status: String? = "open", limit: Int = 200, store: String? = nil,
                      assigneeID: Int64? = nil, now: Date) throws -> [TaskRow] {
        try writer.read { db in
            var conditions: [String] = []
            var args: StatementArguments = []
            if let status { conditions.append("t.status = ?"); args += [status] }
            if let assignee { conditions.append("(a.staff_code = ? OR CAST(a.id AS TEXT) = ?)"); args += [assignee, assignee] }
            if let assigneeID { conditions.append("t.assignee_id = ?"); args += [assigneeID] }
            if let store { conditions.append("t.store_id = (SELECT id FROM stores WHERE code = ?)"); args += [store] }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let nowText = Instant.iso8601(now)
            return try Row.fetchAll(db, sql: """
                SELECT t.id, t.kind, t.title, t.detail, t.assignee_id, COALESCE(a.name, a.staff_code), COALESCE(e.name, e.staff_code),
                       c.first_name || ' ' || c.last_name, c.phone, c.email, t.due_at, t.sla_at, t.status, t.outcome
                FROM tasks t JOIN customers c ON c.id = t.customer_id
                LEFT JOIN staff a ON a.id = t.assignee_id LEFT JOIN staff e ON e.id = t.escalated_to
                \(whereClause) ORDER BY t.due_at, t.id LIMIT ?
                """, arguments: args + [limit]).map {
                let sla: String = $0[11]
                let status: String = $0[12]
                return TaskRow(id: $0[0], kind: $0[1], title: $0[2], detail: $0[3], assigneeID: $0[4], assignee: $0[5], escalatedTo: $0[6],
                               customer: $0[7], phone: $0[8], email: $0[9], dueAt: $0[10], slaAt: sla, status: status, outcome: $0[13],
                               overdue: status == "open" && sla < nowText)
            }
        }
    }

    /// Whose a task is and in which store, to decide who may see it; nil when there is no such task.
    public func taskOwner(id: Int64) throws -> (assigneeID: Int64?, store: String)? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT t.assignee_id, s.code FROM tasks t JOIN stores s ON s.id = t.store_id WHERE t.id = ?",
                             arguments: [id]).map { ($0[0], $0[1]) }
        }
    }

    /// Open tasks, and those of them past their SLA: for monitoring.
    public func taskCounts(now: Date) throws -> (open: Int, overdue: Int) {
        try writer.read { db in
            let r = try Row.fetchOne(db, sql: """
                SELECT COUNT(*), COUNT(*) FILTER (WHERE sla_at < ?) FROM tasks WHERE status = 'open'
                """, arguments: [Instant.iso8601(now)])!
            return (r[0], r[1])
        }
    }

    /// Records a task's outcome and what it means for the customer's follow-up. Returns the customer, whose plans
    /// the caller re-plans. `product` picks the product sold or refused when the task covers several.
    @discardableResult
    public func completeTask(id: Int64, outcome: TaskOutcome, product: String? = nil, price: Money? = nil, cost: Money? = nil,
                             note: String? = nil, now: Date) throws -> Int64 {
        let nowText = Instant.iso8601(now)
        return try writer.write { db in
            guard let task = try Row.fetchOne(db, sql: "SELECT customer_id, touch_id, status, store_id FROM tasks WHERE id = ?", arguments: [id]) else {
                throw WorkflowError("no task \(id)")
            }
            guard (task[2] as String) == "open" else { throw WorkflowError("task \(id) is already done") }
            let customer: Int64 = task[0]
            let source = "task:\(id)"
            var items = try Row.fetchAll(db, sql: """
                SELECT i.deal_id, i.product_code FROM touch_items i WHERE i.touch_id = ? ORDER BY i.deal_id, i.product_code
                """, arguments: [task[1] as Int64?]).map { (deal: $0[0] as Int64, product: $0[1] as String) }
            if let product {
                items = items.filter { $0.product == product }
                if items.isEmpty { throw WorkflowError("task \(id) is not about product '\(product)'") }
            }
            switch outcome {
            case .sold:
                guard let price else { throw WorkflowError("outcome sold needs --price") }
                guard items.count == 1, let item = items.first else {
                    throw WorkflowError("task \(id) covers several products: say which was sold with --product")
                }
                let tz = try String.fetchOne(db, sql: "SELECT time_zone FROM stores WHERE id = ?", arguments: [task[3] as Int64]) ?? "UTC"
                let today = LocalDate(now, in: TimeZone(identifier: tz) ?? .gmt)
                try db.execute(sql: """
                    UPDATE deal_products SET outcome = 'sold', price_cents = ?, cost_cents = ?, presumed = 0 WHERE deal_id = ? AND product_code = ?
                    """, arguments: [price.cents, cost?.cents, item.deal, item.product])
                try db.execute(sql: """
                    INSERT INTO events (deal_id, product_code, kind, occurred_on, recorded_at, price_cents, cost_cents, source, detail)
                    VALUES (?, ?, 'recovered', ?, ?, ?, ?, ?, ?)
                    """, arguments: [item.deal, item.product, today.description, nowText, price.cents, cost?.cents, source, note])
            case .notInterested:
                for item in items {
                    try addStop(db, dealID: item.deal, product: item.product, kind: .notInterested, source: source, now: nowText)
                }
            case .stopContacting:
                try db.execute(sql: """
                    UPDATE customers SET contact_stopped_at = ?, contact_stopped_source = ?,
                        consent_sms = 0, consent_sms_source = ?, consent_sms_at = ?, consent_email = 0, consent_email_source = ?, consent_email_at = ?,
                        consent_phone = 0, consent_phone_source = ?, consent_phone_at = ?, updated_at = ?
                    WHERE id = ?
                    """, arguments: [nowText, source, source, nowText, source, nowText, source, nowText, nowText, customer])
                try cancelPending(db, customer: customer, actions: nil, reason: "the customer asked staff to stop all contact", now: nowText)
            case .wrongNumber:
                try db.execute(sql: """
                    UPDATE customers SET consent_sms = 0, consent_sms_source = ?, consent_sms_at = ?, consent_phone = 0, consent_phone_source = ?,
                        consent_phone_at = ?, updated_at = ? WHERE id = ?
                    """, arguments: [source + " wrong number", nowText, source + " wrong number", nowText, nowText, customer])
                try cancelPending(db, customer: customer, actions: ["sms"], reason: "the phone number on file is wrong", now: nowText)
            case .booked, .noAnswer:
                break
            }
            try db.execute(sql: """
                UPDATE tasks SET status = 'done', outcome = ?, price_cents = ?, cost_cents = ?, note = ?, completed_at = ? WHERE id = ?
                """, arguments: [outcome.rawValue, price?.cents, cost?.cents, note, nowText, id])
            return customer
        }
    }

    /// Moves an open task to a new due time (its SLA moves with it).
    public func rescheduleTask(id: Int64, to: Date, slaHours: Int) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE tasks SET due_at = ?, sla_at = ?, escalated_at = NULL, escalated_to = NULL WHERE id = ? AND status = 'open'",
                           arguments: [Instant.iso8601(to), Instant.iso8601(to.addingTimeInterval(Double(slaHours) * 3600)), id])
            if db.changesCount != 1 { throw WorkflowError("no open task \(id)") }
        }
    }

    /// Hands open tasks past their SLA to the store's manager, once. Returns how many.
    public func escalateOverdue(now: Date) throws -> Int {
        let nowText = Instant.iso8601(now)
        return try writer.write { db in
            let overdue = try Row.fetchAll(db, sql: """
                SELECT id, store_id, assignee_id FROM tasks WHERE status = 'open' AND escalated_at IS NULL AND sla_at < ? ORDER BY id
                """, arguments: [nowText])
            var count = 0
            for t in overdue {
                let (members, _) = try staffSnapshot(db, storeID: t[1])
                guard let manager = TaskRouting.escalation(staff: members, excluding: t[2]) else { continue }
                try db.execute(sql: "UPDATE tasks SET escalated_to = ?, escalated_at = ? WHERE id = ?", arguments: [manager, nowText, t[0] as Int64])
                count += 1
            }
            return count
        }
    }

    // MARK: consent, opt-outs, stops

    /// Cancels a customer's planned touches (of `actions`, or all) and queued outbox messages to them.
    func cancelPending(_ db: Database, customer: Int64, actions: [String]?, reason: String, now: String) throws {
        let actionFilter = actions.map { " AND action IN (\($0.map { "'\($0)'" }.joined(separator: ",")))" } ?? ""
        try db.execute(sql: "UPDATE touches SET status = 'cancelled', status_reason = ? WHERE customer_id = ? AND status = 'planned'" + actionFilter,
                       arguments: [reason, customer])
        let channelFilter = actions.map { " AND channel IN (\($0.map { "'\($0)'" }.joined(separator: ",")))" } ?? " AND channel IN ('sms', 'email')"
        try db.execute(sql: "UPDATE outbox SET status = 'cancelled', last_error = ?, updated_at = ? WHERE customer_id = ? AND status = 'queued'" + channelFilter,
                       arguments: [reason, now, customer])
    }

    /// The customers who have this phone number: those texted at it first (indexed), else a scan.
    public func customers(withPhone phone: String) throws -> [Int64] {
        try writer.read { db in
            let texted = try Int64.fetchAll(db, sql: """
                SELECT DISTINCT customer_id FROM outbox WHERE recipient = ? AND channel = 'sms' AND customer_id IS NOT NULL
                """, arguments: [phone])
            let all = try Int64.fetchAll(db, sql: "SELECT id FROM customers WHERE phone = ?", arguments: [phone])
            return Array(Set(texted + all)).sorted()
        }
    }

    /// An SMS opt-out (STOP) or opt-in (START) from `phone`: every customer with the number, at once. An opt-out
    /// cancels every pending SMS touch and every queued SMS. Returns the customers changed.
    @discardableResult
    public func setSMSConsent(phone: String, consent: Bool, source: String, now: Date) throws -> [Int64] {
        let ids = try customers(withPhone: phone)
        let nowText = Instant.iso8601(now)
        try writer.write { db in
            for id in ids {
                try db.execute(sql: """
                    UPDATE customers SET consent_sms = ?, consent_sms_source = ?, consent_sms_at = ?, updated_at = ? WHERE id = ?
                    """, arguments: [consent, source, nowText, nowText, id])
                if !consent {
                    try cancelPending(db, customer: id, actions: ["sms"], reason: "opted out of SMS (\(source))", now: nowText)
                }
            }
        }
        return ids
    }

    /// An email unsubscribe: no more email to the customer; queued email cancelled.
    public func unsubscribeEmail(customerID: Int64, source: String, now: Date) throws -> Bool {
        let nowText = Instant.iso8601(now)
        return try writer.write { db in
            try db.execute(sql: """
                UPDATE customers SET consent_email = 0, consent_email_source = ?, consent_email_at = ?, updated_at = ? WHERE id = ?
                """, arguments: [source, nowText, nowText, customerID])
            guard db.changesCount == 1 else { return false }
            try cancelPending(db, customer: customerID, actions: ["email"], reason: "unsubscribed from email (\(source))", now: nowText)
            return true
        }
    }

    /// Adds numbers to the do-not-call list (E.164). Returns how many were new.
    public func addDoNotCall(_ phones: [String], source: String, now: Date) throws -> Int {
        try writer.write { db in
            var added = 0
            for p in phones {
                try db.execute(sql: "INSERT INTO do_not_call (phone, source, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                               arguments: [p, source, Instant.iso8601(now)])
                added += db.changesCount
            }
            return added
        }
    }

    func addStop(_ db: Database, dealID: Int64, product: String, kind: StopKind, source: String, now: String) throws {
        try db.execute(sql: """
            INSERT INTO follow_up_stops (deal_id, product_code, kind, source, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """, arguments: [dealID, product, kind.rawValue, source, now])
    }

    /// Records that follow-up of a deal's product (or all its products) stops for good. Returns the customer.
    public func addStop(dealNumber: String, store: String? = nil, product: String?, kind: StopKind, source: String, now: Date) throws -> Int64 {
        try writer.write { db in
            guard let deal = try AfterdeskDatabase.findDeal(db, number: dealNumber, store: store) else { throw WorkflowError("no deal '\(dealNumber)'") }
            try addStop(db, dealID: deal.id, product: product ?? "*", kind: kind, source: source, now: Instant.iso8601(now))
            return deal.customerID
        }
    }

    /// Records an inbound text once (providers retry webhooks). Returns false when it was already recorded.
    public func recordInbound(providerID: String, from: String, body: String, keyword: String?, customerID: Int64?, now: Date) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO inbound_messages (provider_id, customer_id, from_phone, body, keyword, received_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (provider_id) DO NOTHING
                """, arguments: [providerID, customerID, from, body, keyword, Instant.iso8601(now)])
            return db.changesCount == 1
        }
    }

    public func linkInbound(providerID: String, taskID: Int64) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE inbound_messages SET task_id = ? WHERE provider_id = ?", arguments: [taskID, providerID])
        }
    }

    /// Creates a task now (a reply to answer), routed like a follow-up: to whoever has the customer's newest task,
    /// else the newest deal's F&I manager or salesperson, else round-robin.
    public func createReplyTask(customerID: Int64, title: String, detail: String, now: Date, slaHours: Int) throws -> Int64 {
        let nowText = Instant.iso8601(now)
        return try writer.write { db in
            guard let deal = try Row.fetchOne(db, sql: """
                SELECT store_id, fi_manager_id, salesperson_id FROM deals WHERE customer_id = ? ORDER BY contract_date DESC LIMIT 1
                """, arguments: [customerID]) else { throw WorkflowError("customer \(customerID) has no deal") }
            let storeID: Int64 = deal[0]
            let (members, last) = try staffSnapshot(db, storeID: storeID)
            let previous = try Int64.fetchOne(db, sql: "SELECT assignee_id FROM tasks WHERE customer_id = ? ORDER BY id DESC LIMIT 1", arguments: [customerID])
            let assignee = TaskRouting.assignee(fiManager: previous ?? deal[1], salesperson: deal[2], staff: members, lastAssigned: last)
            try db.execute(sql: """
                INSERT INTO tasks (store_id, customer_id, touch_id, kind, title, detail, assignee_id, due_at, sla_at, status, created_at)
                VALUES (?, ?, NULL, 'reply', ?, ?, ?, ?, ?, 'open', ?)
                """, arguments: [storeID, customerID, title, detail, assignee, nowText,
                                 Instant.iso8601(now.addingTimeInterval(Double(slaHours) * 3600)), nowText])
            return db.lastInsertedRowID
        }
    }
}
