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
        if let ids = customerIDs {
            for start in stride(from: 0, to: ids.count, by: rangeSize) {
                let part = Array(ids[start..<min(ids.count, start + rangeSize)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                try writer.write { db in
                    let deals = try DealLoader.load(db, where: "d.customer_id IN (\(marks))", arguments: StatementArguments(part))
                    try store(deals, customers: part, planner: planner, now: now, nowText: nowText, db: db, summary: &summary)
                }
            }
            return summary
        }
        let (lo, hi) = try writer.read { db in
            (try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM customers") ?? 0, try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM customers") ?? -1)
        }
        guard lo <= hi else { return summary }
        var from = lo
        while from <= hi {
            let to = from + Int64(rangeSize) - 1
            try writer.write { db in
                let deals = try DealLoader.load(db, where: "d.customer_id BETWEEN ? AND ?", arguments: [from, to])
                let customers = Array(Set(deals.map(\.customerID))).sorted()
                try store(deals, customers: customers, planner: planner, now: now, nowText: nowText, db: db, summary: &summary)
            }
            progress?(Int(to - lo + 1), Int(hi - lo + 1))
            from = to + 1
        }
        return summary
    }

    private func store(_ deals: [StoredDeal], customers: [Int64], planner: Planner, now: Date, nowText: String,
                       db: Database, summary: inout PlanSummary) throws {
        let byCustomer = Dictionary(grouping: deals, by: \.customerID)
        let deleteItems = try db.cachedStatement(sql: """
            DELETE FROM touch_items WHERE touch_id IN (SELECT id FROM touches WHERE customer_id = ? AND status = 'planned')
            """)
        let deleteTouches = try db.cachedStatement(sql: "DELETE FROM touches WHERE customer_id = ? AND status = 'planned'")
        let deletePlans = try db.cachedStatement(sql: "DELETE FROM plans WHERE deal_id = ?")
        let insertPlan = try db.cachedStatement(sql: """
            INSERT INTO plans (deal_id, product_code, holdout, eligible_until, eligibility_rule, note, basic_expires_on,
                               basic_limit, miles_per_year, gap_exposure_ends_on, planned_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertTouch = try db.cachedStatement(sql: """
            INSERT INTO touches (customer_id, due_at, due_on, action, status, planned_at) VALUES (?, ?, ?, ?, 'planned', ?)
            """)
        let insertItem = try db.cachedStatement(sql: """
            INSERT INTO touch_items (touch_id, deal_id, product_code, touch_name, template, reason) VALUES (?, ?, ?, ?, ?, ?)
            """)
        let oldItems = try db.cachedStatement(sql: """
            SELECT t.id, i.deal_id, i.product_code FROM touches t JOIN touch_items i ON i.touch_id = t.id
            WHERE t.customer_id = ? AND t.status = 'planned'
            """)
        let cancel = try db.cachedStatement(sql: "UPDATE touches SET status = 'cancelled', status_reason = ? WHERE id = ?")
        for customer in customers {
            let owned = byCustomer[customer] ?? []
            let finalized = owned.filter { $0.record.status == .finalized }
            let declines = finalized.flatMap { d in
                d.record.products.filter { $0.outcome == .declined }.map {
                    DeclineFacts(store: d.record.store, dealNumber: d.record.dealNumber, product: $0, deal: d.record, laterReadings: d.laterReadings)
                }
            }
            let c = (declines.first?.deal ?? owned.first?.record)?.consent ?? Consent()
            let plan = declines.isEmpty ? CustomerPlan(products: [], touches: [], dropped: [])
                : planner.plan(declines: declines, permissions: ContactPermissions(sms: c.sms, email: c.email, phone: c.phone), now: now)
            let dealID = Dictionary(owned.map { ($0.record.dealNumber, $0.id) }, uniquingKeysWith: { a, _ in a })

            // A planned touch whose product is no longer followed up for a reason of fact is kept, cancelled,
            // with that reason; touches merely re-timed are replaced.
            let stillPlanned = Set(plan.touches.flatMap { $0.items }.compactMap { i in dealID[i.dealNumber].map { "\($0)|\(i.product)" } })
            var cancelled: [Int64: String] = [:]
            for row in try Row.fetchAll(oldItems, arguments: [customer]) {
                let touch: Int64 = row[0], deal: Int64 = row[1], code: String = row[2]
                guard !stillPlanned.contains("\(deal)|\(code)") else { continue }
                let stored = owned.first { $0.id == deal }
                let why: String?
                if let stored {
                    if stored.record.status == .unwound { why = "the deal was unwound" }
                    else if stored.record.product(code)?.outcome == .sold { why = "\(code) was bought later" }
                    else { why = plan.products.first { $0.dealNumber == stored.record.dealNumber && $0.product == code }?.note }
                } else {
                    why = "the deal now belongs to another customer"
                }
                if let why, cancelled[touch] == nil { cancelled[touch] = why }
            }
            for (touch, why) in cancelled { try cancel.execute(arguments: [why, touch]) }
            try deleteItems.execute(arguments: [customer])
            try deleteTouches.execute(arguments: [customer])
            for d in owned { try deletePlans.execute(arguments: [d.id]) }
            guard !declines.isEmpty else { continue }
            summary.customers += 1
            summary.declines += declines.count
            for p in plan.products {
                guard let id = dealID[p.dealNumber] else { continue }
                if p.holdout { summary.holdout += 1 }
                try insertPlan.execute(arguments: [
                    id, p.product, p.holdout, p.eligibility.until?.description, p.eligibility.reason?.rawValue, p.note,
                    p.warranty?.basic.date.description, p.warranty?.basic.limit.rawValue, p.warranty?.milesPerYear,
                    p.gap?.exposureEndsOn?.description, nowText,
                ])
            }
            for t in plan.touches {
                try insertTouch.execute(arguments: [customer, Instant.iso8601(t.dueAt), t.dueOn.description, t.action.rawValue, nowText])
                let touchID = db.lastInsertedRowID
                for item in t.items {
                    guard let id = dealID[item.dealNumber] else { continue }
                    try insertItem.execute(arguments: [touchID, id, item.product, item.touch, item.template, item.reason])
                }
                summary.touches += 1
                switch t.action { case .sms: summary.sms += 1; case .email: summary.email += 1; case .task: summary.tasks += 1 }
            }
            summary.dropped += plan.dropped.count
        }
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
