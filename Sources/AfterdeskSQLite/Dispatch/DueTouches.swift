import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Up to `limit` planned touches due at `now`, soonest first, each with every fact the gate and the
    /// templates need, read in one snapshot. `after` (a touch's due time and id) pages on without recording anything,
    /// for a dry run; the ids of a page are bound one per variable, so keep `limit` well under SQLite's 32,766.
    public func dueTouches(now: Date, limit: Int, after: (dueAt: Date, id: Int64)? = nil) async throws -> [DueTouch] {
        try await writer.read { db in
            let nowText = Instant.iso8601(now)
            let heads = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, customer_id, action, due_at FROM touches WHERE status = 'planned' AND due_at <= ?
                    AND (? IS NULL OR (due_at, id) > (?, ?)) ORDER BY due_at, id LIMIT ?
                    """,
                arguments: [
                    nowText, after.map { Instant.iso8601($0.dueAt) }, after.map { Instant.iso8601($0.dueAt) }, after?.id,
                    min(max(limit, 1), 10_000),
                ])
            guard !heads.isEmpty else { return [] }
            let touchIDs: [Int64] = heads.map { $0["id"] }
            let customerIDs = Array(Set(heads.map { $0["customer_id"] as Int64 })).sorted()
            let facts = try customerFacts(db, customerIDs, now: now)
            let (items, storeOf) = try dueItems(db, touchIDs)
            let (customers, recent, lastPurchase, dnc) = (facts.contacts, facts.recent, facts.lastPurchase, facts.doNotCall)
            return heads.compactMap { h -> DueTouch? in
                let id: Int64 = h["id"]
                let customerID: Int64 = h["customer_id"]
                guard let customer = customers[customerID], let (storeID, storeCode) = storeOf[id],
                    let action = TouchAction(rawValue: h["action"]), let due = Instant.parse(h["due_at"])
                else { return nil }
                var touch = DueTouch(
                    id: id, storeID: storeID, storeCode: storeCode, action: action, dueAt: due, customer: customer,
                    items: items[id] ?? [], recentTouches: recent[customerID] ?? [],
                    lastPurchase: lastPurchase[customerID] ?? LocalDate(now, in: .gmt),
                    phoneOnDoNotCall: customer.phone.map(dnc.contains) ?? false, recentTexts: facts.texts[customerID] ?? [])
                touch.awaitingReply = facts.awaitingReply.contains(customerID)
                return touch
            }
        }
    }

    func customerFacts(_ db: Database, _ customerIDs: [Int64], now: Date) throws -> DueCustomerFacts {
        var facts = DueCustomerFacts()
        let customerMarks = marks(customerIDs.count)
        let contacts = try db.makeStatement(
            sql: "SELECT \(CustomerContact.columns) FROM customers c WHERE c.id IN (\(customerMarks))")
        let columns = ColumnNames(contacts)
        for r in try Row.fetchAll(contacts, arguments: StatementArguments(customerIDs)) {
            let contact = CustomerContact(row: r, columns)
            facts.contacts[contact.id] = contact
        }
        try recentContacts(db, customerIDs, now: now, into: &facts)
        for r in try Row.fetchAll(
            db,
            sql: """
                SELECT customer_id, MAX(contract_date) AS last_contract FROM deals WHERE customer_id IN (\(customerMarks)) GROUP BY customer_id
                """, arguments: StatementArguments(customerIDs))
        {
            facts.lastPurchase[r["customer_id"]] = (r["last_contract"] as String?).flatMap(LocalDate.init)
        }
        facts.awaitingReply = Set(
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT customer_id FROM tasks WHERE customer_id IN (\(customerMarks)) AND kind = 'reply' AND status = 'open'
                    """, arguments: StatementArguments(customerIDs)))
        let phones = facts.contacts.values.compactMap(\.phone)
        if !phones.isEmpty {
            facts.doNotCall = Set(
                try String.fetchAll(
                    db, sql: "SELECT phone FROM do_not_call WHERE phone IN (\(marks(phones.count)))",
                    arguments: StatementArguments(phones)))
        }
        return facts
    }

    /// The customers' touches and staff texts of the last 30 days (the product's caps), and every text of the last two
    /// days (a state's cap on texts in 24 hours).
    private func recentContacts(_ db: Database, _ customerIDs: [Int64], now: Date, into facts: inout DueCustomerFacts) throws {
        let customerMarks = marks(customerIDs.count)
        let since = Instant.iso8601(now.addingTimeInterval(-30 * 86_400))
        for r in try Row.fetchAll(
            db,
            sql: """
                SELECT customer_id, sent_at FROM touches WHERE customer_id IN (\(customerMarks)) AND sent_at IS NOT NULL AND sent_at >= ?
                """, arguments: StatementArguments(customerIDs) + [since])
        {
            if let d = Instant.parse(r["sent_at"]) { facts.recent[r["customer_id"], default: []].append(d) }
        }
        // Texts people wrote on task pages count as touches too (issue 24, item 5).
        for r in try Row.fetchAll(
            db,
            sql: """
                SELECT customer_id, created_at FROM outbox WHERE customer_id IN (\(customerMarks)) AND channel = 'sms'
                AND idempotency_key LIKE 'staff-text-%' AND status NOT IN ('cancelled', 'dead') AND created_at >= ?
                """, arguments: StatementArguments(customerIDs) + [since])
        {
            if let d = Instant.parse(r["created_at"]) { facts.recent[r["customer_id"], default: []].append(d) }
        }
        // Every text, whoever wrote it (a touch or staff): a state's cap on texts in 24 hours counts them all, each at
        // its sending (`TextCount`); one not yet sent, however long ago it was queued, as going now.
        for r in try Row.fetchAll(
            db,
            sql: """
                SELECT customer_id, status, COALESCE(sent_at, created_at) AS at FROM outbox
                WHERE customer_id IN (\(customerMarks)) AND channel = 'sms' AND status <> 'cancelled'
                AND (COALESCE(sent_at, created_at) >= ? OR status IN ('queued', 'sending'))
                """, arguments: StatementArguments(customerIDs) + [Instant.iso8601(now.addingTimeInterval(-2 * 86_400))])
        {
            if let d = Instant.parse(r["at"]) {
                facts.texts[r["customer_id"], default: []].append(TextCount.at(status: r["status"], sentOrCreated: d, now: now))
            }
        }
    }

    /// The products of each touch of a page, with their deals' stops, and each touch's store.
    private func dueItems(_ db: Database, _ touchIDs: [Int64]) throws -> (items: [Int64: [DueItem]], stores: [Int64: (Int64, String)]) {
        let touchMarks = marks(touchIDs.count)
        var stops: [Int64: [(String, StopKind)]] = [:]
        for r in try Row.fetchAll(
            db,
            sql: """
                SELECT deal_id, product_code, kind FROM follow_up_stops
                WHERE deal_id IN (SELECT deal_id FROM touch_items WHERE touch_id IN (\(touchMarks)))
                """, arguments: StatementArguments(touchIDs))
        {
            if let kind = StopKind(rawValue: r["kind"]) { stops[r["deal_id"], default: []].append((r["product_code"], kind)) }
        }
        var pauses: [Int64: [String: LocalDate]] = [:]
        for r in try Row.fetchAll(
            db,
            sql: """
                SELECT deal_id, product_code, until FROM follow_up_pauses
                WHERE deal_id IN (SELECT deal_id FROM touch_items WHERE touch_id IN (\(touchMarks)))
                """, arguments: StatementArguments(touchIDs))
        {
            if let until = LocalDate(r["until"] as String) { pauses[r["deal_id"], default: [:]][r["product_code"]] = until }
        }
        var items: [Int64: [DueItem]] = [:]
        var storeOf: [Int64: (Int64, String)] = [:]
        let query = try db.makeStatement(
            sql: """
                SELECT i.touch_id, i.product_code, i.touch_name, i.template, i.reason, d.store_id, s.code AS store_code,
                       \(DueItem.columns)
                FROM touch_items i JOIN deals d ON d.id = i.deal_id JOIN stores s ON s.id = d.store_id
                JOIN vehicles v ON v.id = d.vehicle_id
                LEFT JOIN plans p ON p.deal_id = i.deal_id AND p.product_code = i.product_code
                LEFT JOIN deal_products dp ON dp.deal_id = i.deal_id AND dp.product_code = i.product_code
                WHERE i.touch_id IN (\(touchMarks)) ORDER BY i.touch_id, d.deal_number, i.product_code
                """)
        let c = ColumnNames(query)
        for r in try Row.fetchAll(query, arguments: StatementArguments(touchIDs)) {
            let touchID: Int64 = r[c["touch_id"]]
            let dealID: Int64 = r[c["deal_id"]]
            let code: String = r[c["product_code"]]
            let dealStops = (stops[dealID] ?? []).filter { $0.0 == code || $0.0 == "*" }.map(\.1)
            var item = DueItem(
                row: r, c, touchName: r[c["touch_name"]], template: r[c["template"]], reason: r[c["reason"]], stops: dealStops)
            item.pausedUntil = pauses[dealID]?[code]
            items[touchID, default: []].append(item)
            storeOf[touchID] = storeOf[touchID] ?? (r[c["store_id"]], r[c["store_code"]])
        }
        return (items, storeOf)
    }

    /// Stores what dispatch decided for a page of touches in one transaction: outbox messages and tasks recorded,
    /// touches marked sent, moved or skipped. A touch no longer planned (an opt-out, a replan, another dispatcher
    /// got there first) is left alone: nothing is recorded for it. Returns the ids of the tasks created, by touch.
    @discardableResult
    public func record(_ records: [DispatchRecord], now: Date) async throws -> [Int64: Int64] {
        let nowText = Instant.iso8601(now)
        return try await writer.write { db in
            var tasks: [Int64: Int64] = [:]
            let claim = try db.cachedStatement(
                sql: """
                    UPDATE touches SET status = ?, status_reason = ?, sent_at = ?, due_at = COALESCE(?, due_at)
                    WHERE id = ? AND status = 'planned'
                    """)
            let insertTask = try db.cachedStatement(
                sql: """
                    INSERT INTO tasks (store_id, customer_id, touch_id, kind, title, detail, assignee_id, due_at, sla_at, status, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)
                    """)
            for record in records {
                switch record {
                case .moved(let touch, let to, let reason):
                    try claim.execute(arguments: ["planned", "moved: \(reason)", nil, Instant.iso8601(to), touch])
                case .skipped(let touch, let reason):
                    try claim.execute(arguments: ["skipped", reason, nil, nil, touch])
                case .dispatched(let touch, let customer, let messages, let task, let dropped):
                    try claim.execute(arguments: [
                        "sent", dropped.isEmpty ? nil : "sent without: " + dropped.joined(separator: "; "), nowText, nil, touch,
                    ])
                    guard db.changesCount == 1 else { continue }
                    var taskID: Int64?
                    if let t = task {
                        try insertTask.execute(arguments: [
                            t.storeID, t.customerID, touch, t.kind.rawValue, t.title, t.detail, t.assigneeID,
                            Instant.iso8601(t.dueAt), Instant.iso8601(t.slaAt), nowText,
                        ])
                        taskID = db.lastInsertedRowID
                        tasks[touch] = db.lastInsertedRowID
                    }
                    for m in messages {
                        try insertOutbox(db, m, touchID: touch, taskID: taskID, customerID: customer, now: nowText)
                        if let link = m.offerLink, db.changesCount == 1 {
                            try insertOfferLink(db, link, touchID: touch, channel: m.channel, customerID: customer, now: nowText)
                        }
                    }
                }
            }
            try handOnFromInactive(db, tasks: Array(tasks.values))
            return tasks
        }
    }

    func insertOutbox(_ db: Database, _ m: NewOutboxMessage, touchID: Int64?, taskID: Int64?, customerID: Int64?, now: String) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO outbox (idempotency_key, touch_id, task_id, customer_id, channel, recipient, subject, body, html, headers,
                                    status, next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)
                ON CONFLICT (idempotency_key) DO NOTHING
                """
        ).execute(arguments: [
            m.idempotencyKey, touchID, taskID, customerID, m.channel.rawValue, m.recipient, m.subject, m.body, m.html,
            m.headers, now, now, now,
        ])
    }

    /// Records messages not tied to a touch (a HELP reply, a reply task's CRM lead). Idempotent by key.
    public func enqueue(_ messages: [NewOutboxMessage], customerID: Int64?, taskID: Int64? = nil, now: Date) async throws {
        let nowText = Instant.iso8601(now)
        try await writer.write { db in
            for m in messages { try insertOutbox(db, m, touchID: nil, taskID: taskID, customerID: customerID, now: nowText) }
        }
    }
}

extension AfterdeskDatabase {
    /// A deal's declined product as dispatch would see it (touch fields empty), with its customer and the planned
    /// touches that name it (touch name → due instant). Nil when the deal or product is unknown.
    public func previewFacts(dealNumber: String, store: String? = nil, product: String) async throws
        -> (customer: CustomerContact, item: DueItem, planned: [String: String])?
    {
        try await writer.read { db in
            let query = try db.makeStatement(
                sql: """
                    SELECT dp.product_code, \(DueItem.columns), \(CustomerContact.columns)
                    FROM deals d JOIN deal_products dp ON dp.deal_id = d.id AND dp.product_code = ?
                    JOIN vehicles v ON v.id = d.vehicle_id JOIN customers c ON c.id = d.customer_id
                    LEFT JOIN plans p ON p.deal_id = d.id AND p.product_code = dp.product_code
                    WHERE d.id = ?
                    """)
            guard let deal = try AfterdeskDatabase.findDeal(db, number: dealNumber, store: store),
                let r = try Row.fetchOne(query, arguments: [product, deal.id])
            else { return nil }
            let columns = ColumnNames(query)
            let customer = CustomerContact(row: r, columns)
            let item = DueItem(row: r, columns)
            var planned: [String: String] = [:]
            for t in try Row.fetchAll(
                db,
                sql: """
                    SELECT i.touch_name, t.due_at FROM touch_items i JOIN touches t ON t.id = i.touch_id
                    WHERE i.deal_id = ? AND i.product_code = ? AND t.status IN ('planned', 'sent')
                    """, arguments: [item.dealID, product])
            {
                planned[t["touch_name"]] = t["due_at"]
            }
            return (customer, item, planned)
        }
    }
}

extension AfterdeskDatabase {
    /// Brings the first planned touch of up to `customers` customers forward to `to`: for benchmarks and rehearsals
    /// of dispatch on a copy of real data.
    public func advanceFirstTouches(customers: Int, to: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE touches SET due_at = ? WHERE id IN (
                        SELECT MIN(id) FROM touches WHERE status = 'planned' GROUP BY customer_id ORDER BY customer_id LIMIT ?)
                    """, arguments: [Instant.iso8601(to), customers])
        }
    }
}

func marks(_ n: Int) -> String { Array(repeating: "?", count: n).joined(separator: ",") }
