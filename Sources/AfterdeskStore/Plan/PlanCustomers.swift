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
    ///
    /// Customers go in chunks of `rangeSize`, through a pipeline over the two halves of the work: while this
    /// thread reads a chunk's facts and writes the plans of the chunk before it, another thread plans.
    /// A chunk's plans are written in the transaction after the one that read its facts, and only when no
    /// other connection has committed anything in between (`PRAGMA data_version`); otherwise its facts are
    /// read again and planned anew inside the writing transaction. So a stored plan always matches the
    /// facts as they were when it was written.
    public func planCustomers(
        planner: Planner, now: Date, customerIDs: [Int64]? = nil, rangeSize: Int = 2_000,
        transactionSize: Int = 50_000, progress: ((Int, Int) -> Void)? = nil
    ) throws -> PlanSummary {
        try planCustomers(
            planner: planner, now: now, customerIDs: customerIDs, rangeSize: rangeSize, transactionSize: transactionSize,
            progress: progress, betweenTransactions: nil)
    }

    /// `betweenTransactions` runs after each commit but the last: tests commit from another connection there.
    func planCustomers(
        planner: Planner, now: Date, customerIDs: [Int64]?, rangeSize: Int, transactionSize: Int,
        progress: ((Int, Int) -> Void)?, betweenTransactions: (() throws -> Void)?
    ) throws -> PlanSummary {
        var summary = PlanSummary()
        let nowText = Instant.iso8601(now)
        try writer.writeWithoutTransaction { db in
            // The importer's settings for bulk writes (see DealImporter): the plans written point only at deals and
            // customers read in the same transaction, and at touches inserted just before their items.
            // (A checkpointing thread was tried: it never catches up with a writer that never pauses, so the log
            // only grows.)
            try db.execute(
                sql: "PRAGMA cache_size = -\(DealImporter.cacheKiB); PRAGMA foreign_keys = OFF; PRAGMA wal_autocheckpoint = 20000")
            defer { try? db.execute(sql: "PRAGMA cache_size = -2000; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 1000") }

            let (chunks, total) = try PlanChunkSpec.chunks(db, customerIDs: customerIDs, rangeSize: rangeSize)
            let worker = DispatchQueue(label: "afterdesk.plan")
            func dataVersion() throws -> Int { try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
            var inFlight: (spec: PlanChunkSpec, result: Pending<PlannedChunk>, version: Int)?
            var nextChunk = 0
            while nextChunk < chunks.count || inFlight != nil {
                // A transaction reads a run of chunks and writes their plans (the last one's in the next
                // transaction): few commits, because each rewrites every page it changed, and the index of touches
                // by due time changes all over.
                try db.inTransaction(.immediate) {
                    var stale = try inFlight.map { try dataVersion() != $0.version } ?? false
                    var read = 0
                    repeat {
                        var started: (PlanChunkSpec, Pending<PlannedChunk>)?
                        if nextChunk < chunks.count {
                            let spec = chunks[nextChunk]
                            nextChunk += 1
                            let facts = try PlanChunkFacts.read(spec, db: db)
                            let pending = Pending<PlannedChunk>()
                            worker.async { pending.fulfil(PlannedChunk(facts, planner: planner, now: now)) }
                            started = (spec, pending)
                            read += spec.size
                        }
                        if let (spec, result, _) = inFlight {
                            var planned = result.take()
                            if stale {
                                // Another connection committed since the chunk's facts were read: read them again.
                                planned = PlannedChunk(try PlanChunkFacts.read(spec, db: db), planner: planner, now: now)
                                stale = false
                            }
                            try write(planned, spec: spec, nowText: nowText, db: db)
                            summary.add(planned.summary)
                            // Freed where it was made: freeing across threads contends for the allocator's locks.
                            worker.async { [planned] in withExtendedLifetime(planned) {} }
                            progress?(spec.done, total)
                        }
                        inFlight = started.map { ($0.0, $0.1, 0) }
                    } while read < transactionSize && nextChunk < chunks.count
                    return .commit
                }
                if inFlight != nil {
                    inFlight!.version = try dataVersion()
                    try betweenTransactions?()
                }
            }
        }
        return summary
    }

    /// Replaces what was planned for a chunk's customers with `planned`, in a few statements for the chunk.
    private func write(_ planned: PlannedChunk, spec: PlanChunkSpec, nowText: String, db: Database) throws {
        func bound(_ sql: String) throws -> RawStatement { try RawStatement(db, sql, binding: spec.ids) }
        let cancel = try RawStatement(db, "UPDATE touches SET status = 'cancelled', status_reason = ?1 WHERE id = ?2")
        for (touch, why) in planned.cancelled {
            cancel.bind(1, why)
            cancel.bind(2, touch)
            try cancel.run()
        }
        if planned.hadPlannedTouches {
            try bound(
                """
                DELETE FROM touch_items WHERE touch_id IN (SELECT id FROM touches WHERE +status = 'planned' AND \(spec.condition))
                """
            ).run()
            try bound("DELETE FROM touches WHERE +status = 'planned' AND \(spec.condition)").run()
        }
        try bound("DELETE FROM plans WHERE deal_id IN (SELECT id FROM deals WHERE \(spec.condition))").run()
        let plans = planned.plans
        try RawStatement.insertRows(
            db,
            into: """
                plans (deal_id, product_code, holdout, eligible_until, eligibility_rule, no_follow_up, basic_expires_on, basic_limit,
                       miles_per_year, gap_exposure_ends_on)
                """, columns: 10, count: plans.count
        ) { s, row, at in
            let p = plans[row]
            s.bind(at, p.dealID)
            s.bind(at + 1, p.product)
            s.bind(at + 2, p.holdout)
            s.bind(at + 3, p.eligibleUntil)
            s.bind(at + 4, p.eligibilityRule)
            s.bind(at + 5, p.noFollowUp)
            s.bind(at + 6, p.basicExpiresOn)
            s.bind(at + 7, p.basicLimit)
            s.bind(at + 8, p.milesPerYear)
            s.bind(at + 9, p.gapExposureEndsOn)
        }
        // Touch ids are given here (the next after the largest, as SQLite would), so items can be written in bulk too:
        // this transaction holds the write lock.
        let firstID = (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM touches") ?? 0) + 1
        let touches = planned.touches
        let items = planned.items
        try RawStatement.insertRows(
            db, into: "touches (id, customer_id, due_at, due_on, action, status, planned_at)",
            columns: 7, count: touches.count
        ) { s, row, at in
            let t = touches[row]
            s.bind(at, firstID + Int64(row))
            s.bind(at + 1, t.customer)
            s.bind(at + 2, t.dueAt)
            s.bind(at + 3, t.dueOn)
            s.bind(at + 4, t.action)
            s.bind(at + 5, "planned")
            s.bind(at + 6, nowText)
        }
        try RawStatement.insertRows(
            db, into: "touch_items (touch_id, deal_id, product_code, touch_name, template, reason)",
            columns: 6, count: items.count
        ) { s, row, at in
            let item = items[row]
            s.bind(at, firstID + Int64(item.touchIndex))
            s.bind(at + 1, item.dealID)
            s.bind(at + 2, item.product)
            s.bind(at + 3, item.touch)
            s.bind(at + 4, item.template)
            s.bind(at + 5, item.reason)
        }
    }

    /// Planned touches, soonest first, for `afterdesk plan`.
    public func plannedTouches(dealNumber: String? = nil, store: String? = nil, limit: Int = 100) throws -> [PlannedTouchRow] {
        try writer.read { db in
            var condition = "t.status = 'planned'"
            var args: [any DatabaseValueConvertible] = []
            if let dealNumber {
                guard let deal = try AfterdeskDatabase.findDeal(db, number: dealNumber, store: store) else { return [] }
                condition += " AND t.customer_id = ?"
                args.append(deal.customerID)
            }
            args.append(limit)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT t.id, t.due_at, t.due_on, t.action, t.status, c.first_name || ' ' || c.last_name AS customer,
                           group_concat(d.deal_number || ':' || i.product_code, ' ') AS products,
                           group_concat(i.reason, ' | ') AS reasons, MIN(i.template) AS template
                    FROM touches t JOIN customers c ON c.id = t.customer_id
                    JOIN touch_items i ON i.touch_id = t.id JOIN deals d ON d.id = i.deal_id
                    WHERE \(condition)
                    GROUP BY t.id ORDER BY t.due_at, t.id LIMIT ?
                    """, arguments: StatementArguments(args)
            ).map {
                PlannedTouchRow(
                    id: $0["id"], dueAt: $0["due_at"], dueOn: $0["due_on"], action: $0["action"], status: $0["status"],
                    customer: $0["customer"], products: ($0["products"] as String).split(separator: " ").map(String.init),
                    template: $0["template"], reasons: ($0["reasons"] as String).components(separatedBy: " | "))
            }
        }
    }

    /// Customer ids of the given deals of `store` (or of the only store holding each number).
    public func customerIDs(ofDeals numbers: [String], store: String? = nil) throws -> [Int64] {
        try writer.read { db in
            try Array(Set(numbers.compactMap { try AfterdeskDatabase.findDeal(db, number: $0, store: store)?.customerID })).sorted()
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
        case id
        case dueAt = "due_at"
        case dueOn = "due_on"
        case action, status, customer, products, template, reasons
    }
}

/// Which customers one planning chunk covers: SQL over a `customer_id` column, with `ids` bound.
struct PlanChunkSpec: Sendable {
    let condition: String
    let ids: [Int64]
    /// The customers asked for by id (planned even when they have no deals any more); nil for a range.
    let given: [Int64]?
    /// Customers covered up to and including this chunk, for progress.
    let done: Int
    /// Customers (or customer ids) the chunk spans.
    var size: Int { given?.count ?? Int(ids[1] - ids[0] + 1) }
}

/// A chunk's facts, read in one transaction (its deals, and the touches planned for it now), as rows copied out
/// of SQLite: the planning thread makes values of them.
struct PlanChunkFacts: Sendable {
    let spec: PlanChunkSpec
    let deals: DealLoader.Rows
    /// (customer, touch, deal, product code) of every item of a touch planned now.
    let previous: RawRows

    static func read(_ spec: PlanChunkSpec, db: Database) throws -> PlanChunkFacts {
        let deals = try DealLoader.read(db, where: "d." + spec.condition, ids: spec.ids)
        // (`+status` keeps SQLite on the index by customer: the index by status would scan every planned touch
        // of every customer.)
        let old = try RawStatement(
            db,
            """
            SELECT t.customer_id, t.id, i.deal_id, i.product_code FROM touches t JOIN touch_items i ON i.touch_id = t.id
            WHERE +t.status = 'planned' AND t.\(spec.condition)
            """, binding: spec.ids)
        var previous = RawRows(columns: 4, integers: [0, 1, 2])
        try previous.appendAll(old)
        return PlanChunkFacts(spec: spec, deals: deals, previous: previous)
    }
}

/// A chunk's plans, computed from its facts (pure: no database), ready to write.
struct PlannedChunk: Sendable {
    /// The rows to insert, as the statements bind them.
    struct Plan: Sendable {
        let dealID: Int64, product: String, holdout: Bool, eligibleUntil: LocalDate?, eligibilityRule: String?
        let noFollowUp: String?, basicExpiresOn: LocalDate?, basicLimit: String?, milesPerYear: Int?, gapExposureEndsOn: LocalDate?
    }
    struct Touch: Sendable {
        let customer: Int64
        let dueAt: String
        let dueOn: LocalDate
        let action: String
    }
    /// An item of `touches[touchIndex]`.
    struct Item: Sendable { let touchIndex: Int, dealID: Int64, product: String, touch: String, template: String, reason: String }
    var cancelled: [(touch: Int64, why: String)] = []
    var plans: [Plan] = []
    var touches: [Touch] = []
    var items: [Item] = []
    var hadPlannedTouches = false
    var summary = PlanSummary()

    init(_ facts: PlanChunkFacts, planner: Planner, now: Date) {
        let deals = DealLoader.decode(facts.deals)
        var previous: [Int64: [(touch: Int64, deal: Int64, code: String)]] = [:]
        let old = facts.previous
        for i in 0..<old.count { previous[old.int64(i, 0), default: []].append((old.int64(i, 1), old.int64(i, 2), old.text(i, 3))) }
        hadPlannedTouches = !previous.isEmpty
        var byCustomer: [Int64: [StoredDeal]] = [:]
        for d in deals { byCustomer[d.customerID, default: []].append(d) }
        // A range covers the customers with deals in it, and those with touches planned (whose deals may have
        // moved to another customer since).
        let customers = facts.spec.given ?? Set(deals.map(\.customerID)).union(previous.keys).sorted()
        for customer in customers {
            let owned = byCustomer[customer] ?? []
            let (declines, permissions) = FollowUpDeal.followUp(owned.map(\.deal), menu: planner.menu)
            let plan =
                declines.isEmpty
                ? CustomerPlan(products: [], touches: [], dropped: [])
                : planner.plan(declines: declines, permissions: permissions, now: now)
            var dealID: [String: Int64] = [:]
            for d in owned where dealID[d.record.dealNumber] == nil { dealID[d.record.dealNumber] = d.id }

            if let previous = previous[customer] {
                cancelled += PlannedChunk.cancelled(previous, plan: plan, owned: owned, dealID: dealID, menu: planner.menu)
            }
            guard !declines.isEmpty else { continue }
            summary.customers += 1
            summary.declines += declines.count
            add(plan, customer: customer, dealID: dealID)
        }
    }

    /// The rows of one customer's plan.
    private mutating func add(_ plan: CustomerPlan, customer: Int64, dealID: [String: Int64]) {
        for p in plan.products {
            guard let id = dealID[p.dealNumber] else { continue }
            if p.holdout { summary.holdout += 1 }
            plans.append(
                Plan(
                    dealID: id, product: p.product, holdout: p.holdout, eligibleUntil: p.eligibility.until,
                    eligibilityRule: p.eligibility.reason?.rawValue, noFollowUp: p.noFollowUp?.rawValue,
                    basicExpiresOn: p.warranty?.basic.date, basicLimit: p.warranty?.basic.limit.rawValue,
                    milesPerYear: p.warranty?.milesPerYear, gapExposureEndsOn: p.gap?.exposureEndsOn))
        }
        for t in plan.touches {
            for i in t.items {
                guard let id = dealID[i.dealNumber] else { continue }
                items.append(
                    Item(
                        touchIndex: touches.count, dealID: id, product: i.product, touch: i.touch, template: i.template,
                        reason: i.reason))
            }
            touches.append(Touch(customer: customer, dueAt: Instant.iso8601(t.dueAt), dueOn: t.dueOn, action: t.action.rawValue))
            summary.touches += 1
            switch t.action {
            case .sms: summary.sms += 1
            case .email: summary.email += 1
            case .task: summary.tasks += 1
            }
        }
        summary.dropped += plan.dropped.count
    }

    /// A planned touch whose product is no longer followed up for a reason of fact is kept, cancelled, with that
    /// reason; touches merely re-timed are replaced (not listed here).
    private static func cancelled(
        _ previous: [(touch: Int64, deal: Int64, code: String)], plan: CustomerPlan, owned: [StoredDeal],
        dealID: [String: Int64], menu: Menu
    ) -> [(touch: Int64, why: String)] {
        var stillPlanned: Set<PairKey> = []
        for t in plan.touches {
            for i in t.items { if let id = dealID[i.dealNumber] { stillPlanned.insert(PairKey(deal: id, code: i.product)) } }
        }
        var seen: Set<Int64> = []
        var out: [(touch: Int64, why: String)] = []
        for old in previous where !stillPlanned.contains(PairKey(deal: old.deal, code: old.code)) && !seen.contains(old.touch) {
            let why: String?
            if let stored = owned.first(where: { $0.id == old.deal }) {
                if stored.record.status == .unwound {
                    why = "the deal was unwound"
                } else if stored.record.product(old.code)?.outcome == .sold {
                    why = "\(old.code) was bought later"
                } else if let stop = stored.deal.stopReason(menu.product(old.code)) {
                    why = stop
                } else {
                    why = plan.products.first { $0.dealNumber == stored.record.dealNumber && $0.product == old.code }?.note
                }
            } else {
                why = "the deal now belongs to another customer"
            }
            if let why {
                out.append((old.touch, why))
                seen.insert(old.touch)
            }
        }
        return out
    }

    private struct PairKey: Hashable {
        let deal: Int64
        let code: String
    }
}

extension PlanSummary {
    mutating func add(_ o: PlanSummary) {
        customers += o.customers
        declines += o.declines
        holdout += o.holdout
        touches += o.touches
        sms += o.sms
        email += o.email
        tasks += o.tasks
        dropped += o.dropped
    }
}

extension PlanChunkSpec {
    /// The chunks of `rangeSize` customers to plan — those given, or every customer id from the lowest to the highest —
    /// and how many customers that is, for progress.
    static func chunks(_ db: Database, customerIDs: [Int64]?, rangeSize: Int) throws -> (chunks: [PlanChunkSpec], total: Int) {
        var chunks: [PlanChunkSpec] = []
        if let ids = customerIDs {
            for start in stride(from: 0, to: ids.count, by: rangeSize) {
                let part = Array(ids[start..<min(ids.count, start + rangeSize)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                chunks.append(PlanChunkSpec(condition: "customer_id IN (\(marks))", ids: part, given: part, done: start + part.count))
            }
            return (chunks, ids.count)
        }
        let lo = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM customers") ?? 0
        let hi = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM customers") ?? -1
        for from in stride(from: lo, through: hi, by: rangeSize) {
            let to = from + Int64(rangeSize) - 1
            chunks.append(PlanChunkSpec(condition: "customer_id BETWEEN ? AND ?", ids: [from, to], given: nil, done: Int(to - lo + 1)))
        }
        return (chunks, Int(hi - lo + 1))
    }
}
