import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

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
        let deals = try DealLoader.read(db, customers: spec.condition, ids: spec.ids)
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
        var planClasses: String? = nil, powertrainExpiresOn: LocalDate? = nil, powertrainLimit: String? = nil
        var freeMaintenanceEndsOn: LocalDate? = nil
        /// The report's horizon (`ProductPlan.horizon`), written to `decline_horizons` when `storesHorizon`.
        var horizon: LocalDate? = nil
        /// False for a product whose horizon follows from the contract date (`ContractHorizons`): the report computes
        /// it as it reads, so it is not stored.
        var storesHorizon = true
    }
    struct Touch: Sendable {
        let customer: Int64
        let dueAt: String
        let dueOn: LocalDate
        let action: String
    }
    /// An item of `touches[touchIndex]`.
    struct Item: Sendable {
        let touchIndex: Int, dealID: Int64, product: String, touch: String, template: String, reason: String
        /// The touch's first item by deal, then product (SQLite's order of the code's bytes): the one its cost is
        /// charged to (`touch_items.carries_cost`).
        var carriesCost = false
    }
    var cancelled: [(touch: Int64, why: String)] = []
    var plans: [Plan] = []
    var touches: [Touch] = []
    var items: [Item] = []
    /// Arms drawn for deals planned for the first time, to record (table `deal_arms`).
    var arms: [(dealID: Int64, heldOut: Bool, bucket: UInt64, percent: Int)] = []
    var hadPlannedTouches = false
    var summary = PlanSummary()
    /// The menu's products whose horizon the report computes from the contract date.
    private var computedHorizons = ContractHorizons()

    init(_ facts: PlanChunkFacts, planner: Planner, now: Date) {
        // Only counted here: the drops' words are for `explain`, which plans one customer again.
        var planner = planner
        planner.keepsDropped = false
        computedHorizons = ContractHorizons(menu: planner.menu)
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
        // About what the default menu gives per deal (3.2 plans, 1.6 touches), so the arrays of big rows rarely grow.
        plans.reserveCapacity(deals.count * 4)
        touches.reserveCapacity(deals.count * 2)
        items.reserveCapacity(deals.count * 2)
        for customer in customers {
            let owned = byCustomer[customer] ?? []
            let (declines, permissions) = FollowUpDeal.followUp(owned.map(\.deal), menu: planner.menu)
            let plan =
                declines.isEmpty
                ? CustomerPlan(products: [], touches: [], dropped: [])
                : planner.plan(declines: declines, permissions: permissions, now: now)
            let dealID = DealIDs(owned: owned)

            if let previous = previous[customer] {
                cancelled += PlannedChunk.cancelled(previous, plan: plan, owned: owned, dealID: dealID, menu: planner.menu)
            }
            guard !declines.isEmpty else { continue }
            for d in owned where d.deal.heldOut == nil && declines.contains(where: { $0.dealNumber == d.record.dealNumber }) {
                let r = d.record
                let heldOut = Holdout.isHeldOut(store: r.store, dealNumber: r.dealNumber, percent: planner.menu.holdoutPercent)
                arms.append((d.id, heldOut, Holdout.bucket(store: r.store, dealNumber: r.dealNumber), planner.menu.holdoutPercent))
            }
            summary.customers += 1
            summary.declines += declines.count
            add(plan, customer: customer, dealID: dealID)
        }
    }

    /// The rows of one customer's plan.
    private mutating func add(_ plan: CustomerPlan, customer: Int64, dealID: DealIDs) {
        for p in plan.products {
            guard let id = dealID[p.dealNumber] else { continue }
            if p.holdout { summary.holdout += 1 }
            plans.append(
                Plan(
                    dealID: id, product: p.product, holdout: p.holdout, eligibleUntil: p.eligibility.until,
                    eligibilityRule: p.eligibility.reason?.rawValue, noFollowUp: p.noFollowUp?.rawValue,
                    basicExpiresOn: p.warranty?.basic.date, basicLimit: p.warranty?.basic.limit.rawValue,
                    milesPerYear: p.warranty?.milesPerYear, gapExposureEndsOn: p.gap?.exposureEndsOn,
                    planClasses: EligibilityWindow.ClassWindow.encode(p.eligibility.classes),
                    powertrainExpiresOn: p.warranty?.powertrain.date, powertrainLimit: p.warranty?.powertrain.limit.rawValue,
                    freeMaintenanceEndsOn: p.freeMaintenanceEnds, horizon: p.horizon,
                    storesHorizon: computedHorizons.index(of: p.product) == nil))
        }
        for t in plan.touches {
            let start = items.count
            for i in t.items {
                guard let id = dealID[i.dealNumber] else { continue }
                items.append(
                    Item(
                        touchIndex: touches.count, dealID: id, product: i.product, touch: i.touch, template: i.template,
                        reason: i.reason))
            }
            if let first = items.indices[start...].min(by: { PlannedChunk.precedes(items[$0], items[$1]) }) {
                items[first].carriesCost = true
            }
            touches.append(Touch(customer: customer, dueAt: Instant.iso8601(t.dueAt), dueOn: t.dueOn, action: t.action.rawValue))
            summary.touches += 1
            switch t.action {
            case .sms: summary.sms += 1
            case .email: summary.email += 1
            case .task: summary.tasks += 1
            }
        }
        summary.dropped += plan.droppedCount
    }

    /// A planned touch whose product is no longer followed up for a reason of fact is kept, cancelled, with that
    /// reason; touches merely re-timed are replaced (not listed here).
    private static func cancelled(
        _ previous: [(touch: Int64, deal: Int64, code: String)], plan: CustomerPlan, owned: [StoredDeal],
        dealID: DealIDs, menu: Menu
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

    /// A customer's deal ids by deal number (the first deal with a number wins), found by a scan: a customer has a
    /// few deals, and a dictionary per customer cost more to build and hash than the scans it saved.
    struct DealIDs {
        let owned: [StoredDeal]
        subscript(number: String) -> Int64? {
            for d in owned where d.deal.record.dealNumber == number { return d.id }
            return nil
        }
    }

    private struct PairKey: Hashable {
        let deal: Int64
        let code: String
    }
}

extension PlannedChunk {
    /// `a` before `b` by deal id, then product code as SQLite orders text (its UTF-8 bytes).
    static func precedes(_ a: Item, _ b: Item) -> Bool {
        a.dealID != b.dealID ? a.dealID < b.dealID : a.product.utf8.lexicographicallyPrecedes(b.product.utf8)
    }
}
