import AfterdeskCore
import AfterdeskStorage
import Foundation

/// Which customers one planning chunk covers: their ids (a range of ids, or those asked for).
struct PlanChunkSpec: Sendable {
    let ids: [Int64]
    /// True when the customers were asked for by id (planned even when they have no deals any more); false for a
    /// range, which covers the customers with deals in it and those with touches planned.
    let given: Bool
    /// Customers covered up to and including this chunk, for progress.
    let done: Int

    /// The chunks of `rangeSize` customers to plan — those given, or every customer id from the lowest to the highest
    /// (`lo`…`hi`) — and how many customers that is, for progress.
    static func chunks(customerIDs: [Int64]?, lo: Int64, hi: Int64, rangeSize: Int) -> (chunks: [PlanChunkSpec], total: Int) {
        let size = max(rangeSize, 1)
        if let ids = customerIDs {
            let chunks = stride(from: 0, to: ids.count, by: size).map { start in
                let part = Array(ids[start..<min(ids.count, start + size)])
                return PlanChunkSpec(ids: part, given: true, done: start + part.count)
            }
            return (chunks, ids.count)
        }
        guard lo <= hi else { return ([], 0) }
        let chunks = stride(from: lo, through: hi, by: size).map { from in
            let to = min(from + Int64(size) - 1, hi)
            return PlanChunkSpec(ids: Array(from...to), given: false, done: Int(clamping: to - lo + 1))
        }
        return (chunks, Int(clamping: hi - lo + 1))
    }

    /// The chunks in runs of at least `customers` customers (the last run may be shorter): one transaction's worth.
    static func batches(_ chunks: [PlanChunkSpec], customers: Int) -> [[PlanChunkSpec]] {
        var batches: [[PlanChunkSpec]] = []
        var batch: [PlanChunkSpec] = []
        var size = 0
        for spec in chunks {
            batch.append(spec)
            size += spec.ids.count
            if size >= customers {
                batches.append(batch)
                batch = []
                size = 0
            }
        }
        if !batch.isEmpty { batches.append(batch) }
        return batches
    }
}

/// An item of a touch planned now: (customer, touch, deal, product code).
typealias PlanPreviousItem = (customer: Int64, touch: Int64, deal: Int64, code: String)

/// A chunk's plans, computed from its facts (pure: no database), ready to write.
struct PlannedChunk: Sendable {
    /// A row of `plans`, with the report's horizon.
    struct Plan: Sendable {
        let dealID: Int64, product: String, holdout: Bool, eligibleUntil: LocalDate?, eligibilityRule: String?
        let noFollowUp: String?, basicExpiresOn: LocalDate?, basicLimit: String?, milesPerYear: Int?, gapExposureEndsOn: LocalDate?
        let planClasses: String?, powertrainExpiresOn: LocalDate?, powertrainLimit: String?, freeMaintenanceEndsOn: LocalDate?
        /// The report's horizon (`ProductPlan.horizon`), written to `decline_horizons` when `storesHorizon`.
        let horizon: LocalDate?
        /// False for a product whose horizon follows from the contract date (`ContractHorizons`): the report computes
        /// it as it reads, so it is not stored.
        let storesHorizon: Bool
    }
    struct Touch: Sendable {
        let customer: Int64
        let dueAt: Date
        let dueOn: LocalDate
        let action: String
    }
    /// An item of `touches[touchIndex]`.
    struct Item: Sendable {
        let touchIndex: Int, dealID: Int64, product: String, touch: String, template: String, reason: String
        /// The touch's first item by deal, then product (the byte order of the code): the one its cost is charged to
        /// (`touch_items.carries_cost`).
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

    init(spec: PlanChunkSpec, deals: [PlanDeal], previous old: [PlanPreviousItem], planner: Planner, now: Date) {
        // Only counted here: the drops' words are for `explain`, which plans one customer again.
        var planner = planner
        planner.keepsDropped = false
        computedHorizons = ContractHorizons(menu: planner.menu)
        var previous: [Int64: [PlanPreviousItem]] = [:]
        for item in old { previous[item.customer, default: []].append(item) }
        hadPlannedTouches = !previous.isEmpty
        var byCustomer: [Int64: [PlanDeal]] = [:]
        for d in deals { byCustomer[d.customerID, default: []].append(d) }
        // A range covers the customers with deals in it, and those with touches planned (whose deals may have
        // moved to another customer since).
        let customers = spec.given ? spec.ids : Set(deals.map(\.customerID)).union(previous.keys).sorted()
        for customer in customers {
            let owned = byCustomer[customer] ?? []
            let (declines, permissions) = FollowUpDeal.followUp(owned.map(\.deal), menu: planner.menu)
            let plan =
                declines.isEmpty
                ? CustomerPlan(products: [], touches: [], dropped: [])
                : planner.plan(declines: declines, permissions: permissions, now: now)
            if let previous = previous[customer] {
                cancelled += PlannedChunk.cancelled(previous, plan: plan, owned: owned, menu: planner.menu)
            }
            guard !declines.isEmpty else { continue }
            for d in owned where d.deal.heldOut == nil && declines.contains(where: { $0.dealNumber == d.record.dealNumber }) {
                let r = d.record
                let heldOut = Holdout.isHeldOut(store: r.store, dealNumber: r.dealNumber, percent: planner.menu.holdoutPercent)
                arms.append((d.id, heldOut, Holdout.bucket(store: r.store, dealNumber: r.dealNumber), planner.menu.holdoutPercent))
            }
            summary.customers += 1
            summary.declines += declines.count
            add(plan, customer: customer, owned: owned)
        }
    }

    /// The rows of one customer's plan.
    private mutating func add(_ plan: CustomerPlan, customer: Int64, owned: [PlanDeal]) {
        for p in plan.products {
            guard let id = PlannedChunk.dealID(p.dealNumber, in: owned) else { continue }
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
                guard let id = PlannedChunk.dealID(i.dealNumber, in: owned) else { continue }
                items.append(
                    Item(
                        touchIndex: touches.count, dealID: id, product: i.product, touch: i.touch, template: i.template,
                        reason: i.reason))
            }
            if let first = items.indices[start...].min(by: { PlannedChunk.precedes(items[$0], items[$1]) }) {
                items[first].carriesCost = true
            }
            touches.append(Touch(customer: customer, dueAt: t.dueAt, dueOn: t.dueOn, action: t.action.rawValue))
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
        _ previous: [PlanPreviousItem], plan: CustomerPlan, owned: [PlanDeal], menu: Menu
    ) -> [(touch: Int64, why: String)] {
        var stillPlanned: Set<PairKey> = []
        for t in plan.touches {
            for i in t.items {
                if let id = dealID(i.dealNumber, in: owned) { stillPlanned.insert(PairKey(deal: id, code: i.product)) }
            }
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

    /// A customer's deal id by deal number (the first deal with the number wins), found by a scan: a customer has a few.
    private static func dealID(_ number: String, in owned: [PlanDeal]) -> Int64? {
        for d in owned where d.record.dealNumber == number { return d.id }
        return nil
    }

    private struct PairKey: Hashable {
        let deal: Int64
        let code: String
    }

    /// `a` before `b` by deal id, then product code in byte order (as SQLite and `COLLATE "C"` order text).
    static func precedes(_ a: Item, _ b: Item) -> Bool {
        a.dealID != b.dealID ? a.dealID < b.dealID : a.product.utf8.lexicographicallyPrecedes(b.product.utf8)
    }
}
