import AfterdeskCore
import Foundation
import GRDB

/// What a planning run did.
public struct PlanSummary: Codable, Sendable, Equatable {
    public var customers = 0
    public var declines = 0
    public var holdout = 0
    public var touches = 0
    public var sms = 0
    public var email = 0
    public var tasks = 0
    /// Touches the rules removed (window closed, past, no room under the caps).
    public var dropped = 0
    public init() {}
}

extension AfterdeskDatabase {
    /// Plans customers — all of them, or those given — and stores the result: each declined product's plan,
    /// and the customer's touches. Touches not yet sent are replaced; sent and cancelled ones stay as history.
    /// Running it again with the same facts and clock gives the same plans.
    public func planCustomers(planner: Planner, now: Date, customerIDs: [Int64]? = nil, rangeSize: Int = 2_000,
                              progress: ((Int, Int) -> Void)? = nil) throws -> PlanSummary {
        var summary = PlanSummary()
        let nowText = Instant.iso8601(now)
        try writer.writeWithoutTransaction { db in
            // The importer's settings for bulk writes (see DealImporter): the plans written point only at deals and
            // customers read in the same transaction, and at touches inserted just before their items.
            try db.execute(sql: "PRAGMA cache_size = -\(DealImporter.cacheKiB); PRAGMA foreign_keys = OFF; PRAGMA wal_autocheckpoint = 20000")
            defer { try? db.execute(sql: "PRAGMA cache_size = -2000; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 1000") }
            /// Reads the deals and writes their plans in one transaction, so a plan matches the facts it read.
            func plan(where condition: String, ids: [Int64], customers given: [Int64]?) throws {
                try db.inTransaction(.immediate) {
                    let deals = try DealLoader.load(db, where: condition, ids: ids)
                    let customers = given ?? Array(Set(deals.map(\.customerID))).sorted()
                    try store(deals, customers: customers, chunk: condition.replacingOccurrences(of: "d.customer_id", with: "customer_id"),
                              ids: ids, planner: planner, now: now, nowText: nowText, db: db, summary: &summary)
                    return .commit
                }
            }
            if let ids = customerIDs {
                for start in stride(from: 0, to: ids.count, by: rangeSize) {
                    let part = Array(ids[start..<min(ids.count, start + rangeSize)])
                    let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                    try plan(where: "d.customer_id IN (\(marks))", ids: part, customers: part)
                }
                return
            }
            let lo = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM customers") ?? 0
            let hi = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM customers") ?? -1
            var from = lo
            while from <= hi {
                let to = from + Int64(rangeSize) - 1
                try plan(where: "d.customer_id BETWEEN ? AND ?", ids: [from, to], customers: nil)
                progress?(Int(to - lo + 1), Int(hi - lo + 1))
                from = to + 1
            }
        }
        return summary
    }

    /// Plans `customers` (those matching `chunk`, SQL over a `customer_id` column with `ids` bound) from their
    /// `deals`, replacing what was planned for them before in a few statements for the whole chunk.
    private func store(_ deals: [StoredDeal], customers: [Int64], chunk: String, ids: [Int64], planner: Planner, now: Date,
                       nowText: String, db: Database, summary: inout PlanSummary) throws {
        func bound(_ sql: String) throws -> RawStatement {
            let s = try RawStatement(db, sql)
            for (i, id) in ids.enumerated() { s.bind(Int32(i + 1), id) }
            return s
        }
        // What is planned now for the chunk's customers, read once. (`+status` keeps SQLite on the index by
        // customer: the index by status would scan every planned touch of every customer.)
        var previous: [Int64: [(touch: Int64, deal: Int64, code: String)]] = [:]
        let oldItems = try bound("""
            SELECT t.customer_id, t.id, i.deal_id, i.product_code FROM touches t JOIN touch_items i ON i.touch_id = t.id
            WHERE +t.status = 'planned' AND t.\(chunk)
            """)
        while try oldItems.step() {
            previous[oldItems.int64(0), default: []].append((oldItems.int64(1), oldItems.int64(2), oldItems.text(3) ?? ""))
        }
        oldItems.reset()
        let byCustomer = Dictionary(grouping: deals, by: \.customerID)
        let insertPlan = try RawStatement(db, """
            INSERT INTO plans (deal_id, product_code, holdout, eligible_until, eligibility_rule, note, basic_expires_on,
                               basic_limit, miles_per_year, gap_exposure_ends_on, planned_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
            """)
        let insertTouch = try RawStatement(db, """
            INSERT INTO touches (customer_id, due_at, due_on, action, status, planned_at) VALUES (?1, ?2, ?3, ?4, 'planned', ?5)
            """)
        let insertItem = try RawStatement(db, """
            INSERT INTO touch_items (touch_id, deal_id, product_code, touch_name, template, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """)
        let cancel = try RawStatement(db, "UPDATE touches SET status = 'cancelled', status_reason = ?1 WHERE id = ?2")
        var plans: [(customer: Int64, owned: [StoredDeal], plan: CustomerPlan, declines: Int)] = []
        for customer in customers {
            let owned = byCustomer[customer] ?? []
            let finalized = owned.filter { $0.record.status == .finalized }
            let declines = finalized.flatMap { d in
                d.record.products.filter { $0.outcome == .declined && d.stopReason(planner.menu.product($0.code)) == nil }.map {
                    DeclineFacts(store: d.record.store, dealNumber: d.record.dealNumber, product: $0, deal: d.record, laterReadings: d.laterReadings)
                }
            }
            let c = (declines.first?.deal ?? owned.first?.record)?.consent ?? Consent()
            let plan = declines.isEmpty ? CustomerPlan(products: [], touches: [], dropped: [])
                : planner.plan(declines: declines, permissions: ContactPermissions(sms: c.sms, email: c.email, phone: c.phone), now: now)
            let dealID = dealIDs(owned)

            // A planned touch whose product is no longer followed up for a reason of fact is kept, cancelled,
            // with that reason; touches merely re-timed are replaced.
            let stillPlanned = Set(plan.touches.flatMap { $0.items }.compactMap { i in dealID[i.dealNumber].map { "\($0)|\(i.product)" } })
            var cancelled: [Int64: String] = [:]
            for (touch, deal, code) in previous[customer] ?? [] {
                guard !stillPlanned.contains("\(deal)|\(code)") else { continue }
                let stored = owned.first { $0.id == deal }
                let why: String?
                if let stored {
                    if stored.record.status == .unwound { why = "the deal was unwound" }
                    else if stored.record.product(code)?.outcome == .sold { why = "\(code) was bought later" }
                    else if let stop = stored.stopReason(planner.menu.product(code)) { why = stop }
                    else { why = plan.products.first { $0.dealNumber == stored.record.dealNumber && $0.product == code }?.note }
                } else {
                    why = "the deal now belongs to another customer"
                }
                if let why, cancelled[touch] == nil { cancelled[touch] = why }
            }
            for (touch, why) in cancelled { cancel.bind(1, why); cancel.bind(2, touch); try cancel.run() }
            plans.append((customer, owned, plan, declines.count))
        }
        // Replace the chunk's planned touches and its plans, then write the new ones.
        if !previous.isEmpty {
            try bound("""
                DELETE FROM touch_items WHERE touch_id IN (SELECT id FROM touches WHERE +status = 'planned' AND \(chunk))
                """).run()
            try bound("DELETE FROM touches WHERE +status = 'planned' AND \(chunk)").run()
        }
        try bound("DELETE FROM plans WHERE deal_id IN (SELECT id FROM deals WHERE \(chunk))").run()
        for (customer, owned, plan, declineCount) in plans {
            guard declineCount > 0 else { continue }
            let dealID = dealIDs(owned)
            summary.customers += 1
            summary.declines += declineCount
            for p in plan.products {
                guard let id = dealID[p.dealNumber] else { continue }
                if p.holdout { summary.holdout += 1 }
                let s = insertPlan
                s.bind(1, id); s.bind(2, p.product); s.bind(3, p.holdout); s.bind(4, p.eligibility.until)
                s.bind(5, p.eligibility.reason?.rawValue); s.bind(6, p.note); s.bind(7, p.warranty?.basic.date)
                s.bind(8, p.warranty?.basic.limit.rawValue); s.bind(9, p.warranty?.milesPerYear); s.bind(10, p.gap?.exposureEndsOn)
                s.bind(11, nowText)
                try s.run()
            }
            for t in plan.touches {
                insertTouch.bind(1, customer); insertTouch.bind(2, Instant.iso8601(t.dueAt)); insertTouch.bind(3, t.dueOn)
                insertTouch.bind(4, t.action.rawValue); insertTouch.bind(5, nowText)
                try insertTouch.run()
                let touchID = db.lastInsertedRowID
                for item in t.items {
                    guard let id = dealID[item.dealNumber] else { continue }
                    let s = insertItem
                    s.bind(1, touchID); s.bind(2, id); s.bind(3, item.product); s.bind(4, item.touch); s.bind(5, item.template)
                    s.bind(6, item.reason)
                    try s.run()
                }
                summary.touches += 1
                switch t.action { case .sms: summary.sms += 1; case .email: summary.email += 1; case .task: summary.tasks += 1 }
            }
            summary.dropped += plan.dropped.count
        }
    }

    private func dealIDs(_ deals: [StoredDeal]) -> [String: Int64] {
        Dictionary(deals.map { ($0.record.dealNumber, $0.id) }, uniquingKeysWith: { a, _ in a })
    }

    /// Planned touches, soonest first, for `afterdesk plan`.
    public func plannedTouches(dealNumber: String? = nil, limit: Int = 100) throws -> [PlannedTouchRow] {
        try writer.read { db in
            var condition = "t.status = 'planned'"
            var args: [any DatabaseValueConvertible] = []
            if let dealNumber {
                condition += " AND t.customer_id = (SELECT customer_id FROM deals WHERE deal_number = ? LIMIT 1)"
                args.append(dealNumber)
            }
            args.append(limit)
            return try Row.fetchAll(db, sql: """
                SELECT t.id, t.due_at, t.due_on, t.action, t.status, c.first_name || ' ' || c.last_name AS customer,
                       group_concat(d.deal_number || ':' || i.product_code, ' ') AS products,
                       group_concat(i.reason, ' | ') AS reasons, MIN(i.template) AS template
                FROM touches t JOIN customers c ON c.id = t.customer_id
                JOIN touch_items i ON i.touch_id = t.id JOIN deals d ON d.id = i.deal_id
                WHERE \(condition)
                GROUP BY t.id ORDER BY t.due_at, t.id LIMIT ?
                """, arguments: StatementArguments(args)).map {
                PlannedTouchRow(id: $0["id"], dueAt: $0["due_at"], dueOn: $0["due_on"], action: $0["action"], status: $0["status"],
                                customer: $0["customer"], products: ($0["products"] as String).split(separator: " ").map(String.init),
                                template: $0["template"], reasons: ($0["reasons"] as String).components(separatedBy: " | "))
            }
        }
    }

    /// Customer ids of the given deals.
    public func customerIDs(ofDeals numbers: [String]) throws -> [Int64] {
        try writer.read { db in
            let marks = Array(repeating: "?", count: numbers.count).joined(separator: ",")
            return try Int64.fetchAll(db, sql: "SELECT DISTINCT customer_id FROM deals WHERE deal_number IN (\(marks))",
                                      arguments: StatementArguments(numbers))
        }
    }
}

/// One line of `afterdesk plan`.
public struct PlannedTouchRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var dueAt: String
    public var dueOn: String
    public var action: String
    public var status: String
    public var customer: String
    public var products: [String]
    public var template: String
    public var reasons: [String]
    enum CodingKeys: String, CodingKey {
        case id, dueAt = "due_at", dueOn = "due_on", action, status, customer, products, template, reasons
    }
}
