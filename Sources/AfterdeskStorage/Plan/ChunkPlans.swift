import AfterdeskCore
import Foundation

/// A stored deal with the ids planning needs, around the facts follow-up uses (`FollowUpDeal` in Core).
public struct StoredDeal: Sendable {
    public let id: Int64
    public let customerID: Int64
    public let deal: FollowUpDeal
    @inlinable public var record: DealRecord { deal.record }

    @inlinable
    public init(id: Int64, customerID: Int64, deal: FollowUpDeal) {
        self.id = id
        self.customerID = customerID
        self.deal = deal
    }
}

/// A chunk's plans, computed from its facts (pure: no database), ready for a backend to write. `DueAt` is a touch's
/// due instant as the backend writes it: SQLite its text (made here, on the planning thread), PostgreSQL the `Date`.
/// Inlinable: each backend compiles it for its own `DueAt`, as if it were its own code.
public struct ChunkPlans<DueAt: Sendable>: Sendable {
    /// An item of a touch planned now: (touch, deal, product code), by customer.
    public typealias Previous = (touch: Int64, deal: Int64, code: String)

    /// A row of `plans`, with the report's horizon.
    public struct Plan: Sendable {
        public let dealID: Int64, product: String, holdout: Bool, eligibleUntil: LocalDate?, eligibilityRule: String?
        public let noFollowUp: String?, basicExpiresOn: LocalDate?, basicLimit: String?, milesPerYear: Int?
        public let gapExposureEndsOn: LocalDate?, planClasses: String?, powertrainExpiresOn: LocalDate?
        public let powertrainLimit: String?, freeMaintenanceEndsOn: LocalDate?
        /// The report's horizon (`ProductPlan.horizon`), written to `decline_horizons` when `storesHorizon`.
        public let horizon: LocalDate?
        /// False for a product whose horizon follows from the contract date (`ContractHorizons`): the report computes
        /// it as it reads, so it is not stored.
        public let storesHorizon: Bool

        /// The row of product plan `p` of deal `dealID`.
        @inlinable
        init(_ p: ProductPlan, dealID: Int64, storesHorizon: Bool) {
            self.dealID = dealID
            product = p.product
            holdout = p.holdout
            eligibleUntil = p.eligibility.until
            eligibilityRule = p.eligibility.reason?.rawValue
            noFollowUp = p.noFollowUp?.rawValue
            basicExpiresOn = p.warranty?.basic.date
            basicLimit = p.warranty?.basic.limit.rawValue
            milesPerYear = p.warranty?.milesPerYear
            gapExposureEndsOn = p.gap?.exposureEndsOn
            planClasses = EligibilityWindow.ClassWindow.encode(p.eligibility.classes)
            powertrainExpiresOn = p.warranty?.powertrain.date
            powertrainLimit = p.warranty?.powertrain.limit.rawValue
            freeMaintenanceEndsOn = p.freeMaintenanceEnds
            horizon = p.horizon
            self.storesHorizon = storesHorizon
        }
    }

    /// A row of `touches`.
    public struct Touch: Sendable {
        public let customer: Int64
        public let dueAt: DueAt
        public let dueOn: LocalDate
        public let action: String

        @inlinable
        init(customer: Int64, dueAt: DueAt, dueOn: LocalDate, action: String) {
            self.customer = customer
            self.dueAt = dueAt
            self.dueOn = dueOn
            self.action = action
        }
    }

    /// An item of `touches[touchIndex]`.
    public struct Item: Sendable {
        public let touchIndex: Int, dealID: Int64, product: String, touch: String, template: String, reason: String
        /// The touch's first item by deal, then product (the byte order of the code, as SQLite and `COLLATE "C"` order
        /// text): the one its cost is charged to (`touch_items.carries_cost`).
        public var carriesCost = false

        @inlinable
        init(touchIndex: Int, dealID: Int64, product: String, touch: String, template: String, reason: String) {
            self.touchIndex = touchIndex
            self.dealID = dealID
            self.product = product
            self.touch = touch
            self.template = template
            self.reason = reason
        }
    }

    public var cancelled: [(touch: Int64, why: String)] = []
    public var plans: [Plan] = []
    public var touches: [Touch] = []
    public var items: [Item] = []
    /// Arms drawn for deals planned for the first time, to record (table `deal_arms`).
    public var arms: [(dealID: Int64, heldOut: Bool, bucket: UInt64, percent: Int)] = []
    public var hadPlannedTouches = false
    public var summary = PlanSummary()
    /// The menu's products whose horizon the report computes from the contract date.
    @usableFromInline var computedHorizons = ContractHorizons()

    /// Plans a chunk: `deals` (ordered by customer, contract date and deal number), the items of the touches planned now
    /// by customer (`previous`), and the customers asked for by id (`given`: planned even when they have no deals any
    /// more; nil for a range). `dueAt` makes a touch's due instant as the backend writes it.
    @inlinable
    public init(
        deals: [StoredDeal], previous: [Int64: [Previous]], given: [Int64]?, planner: Planner, now: Date,
        dueAt: (Date) -> DueAt
    ) {
        // Only counted here: the drops' words are for `explain`, which plans one customer again.
        var planner = planner
        planner.keepsDropped = false
        computedHorizons = ContractHorizons(menu: planner.menu)
        hadPlannedTouches = !previous.isEmpty
        var byCustomer: [Int64: [StoredDeal]] = [:]
        for d in deals { byCustomer[d.customerID, default: []].append(d) }
        // A range covers the customers with deals in it, and those with touches planned (whose deals may have
        // moved to another customer since).
        let customers = given ?? Set(deals.map(\.customerID)).union(previous.keys).sorted()
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
            let dealID = PlanDealIDs(owned: owned)

            if let previous = previous[customer] {
                cancelled += Self.cancelled(previous, plan: plan, owned: owned, dealID: dealID, menu: planner.menu)
            }
            guard !declines.isEmpty else { continue }
            for d in owned where d.deal.heldOut == nil && declines.contains(where: { $0.dealNumber == d.record.dealNumber }) {
                let r = d.record
                // The deal's store's share: the arm recorded is the one its plan kept.
                let share = planner.menu.holdoutPercent(of: r.store)
                let heldOut = Holdout.isHeldOut(store: r.store, dealNumber: r.dealNumber, percent: share)
                arms.append((d.id, heldOut, Holdout.bucket(store: r.store, dealNumber: r.dealNumber), share))
            }
            summary.customers += 1
            summary.declines += declines.count
            add(plan, customer: customer, dealID: dealID, dueAt: dueAt)
        }
    }

    /// The rows of one customer's plan.
    @inlinable
    mutating func add(_ plan: CustomerPlan, customer: Int64, dealID: PlanDealIDs, dueAt: (Date) -> DueAt) {
        for p in plan.products {
            guard let id = dealID[p.dealNumber] else { continue }
            if p.holdout { summary.holdout += 1 }
            plans.append(Plan(p, dealID: id, storesHorizon: computedHorizons.index(of: p.product) == nil))
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
            if let first = items.indices[start...].min(by: { Self.precedes(items[$0], items[$1]) }) {
                items[first].carriesCost = true
            }
            touches.append(Touch(customer: customer, dueAt: dueAt(t.dueAt), dueOn: t.dueOn, action: t.action.rawValue))
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
    @inlinable
    static func cancelled(
        _ previous: [Previous], plan: CustomerPlan, owned: [StoredDeal], dealID: PlanDealIDs, menu: Menu
    ) -> [(touch: Int64, why: String)] {
        var stillPlanned: Set<PlanPairKey> = []
        for t in plan.touches {
            for i in t.items { if let id = dealID[i.dealNumber] { stillPlanned.insert(PlanPairKey(deal: id, code: i.product)) } }
        }
        var seen: Set<Int64> = []
        var out: [(touch: Int64, why: String)] = []
        for old in previous where !stillPlanned.contains(PlanPairKey(deal: old.deal, code: old.code)) && !seen.contains(old.touch) {
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

    /// `a` before `b` by deal id, then product code in byte order (as SQLite and `COLLATE "C"` order text).
    @inlinable
    public static func precedes(_ a: Item, _ b: Item) -> Bool {
        a.dealID != b.dealID ? a.dealID < b.dealID : a.product.utf8.lexicographicallyPrecedes(b.product.utf8)
    }
}

/// A customer's deal ids by deal number (the first deal with a number wins), found by a scan: a customer has a few
/// deals, and a dictionary per customer cost more to build and hash than the scans it saved.
@usableFromInline
struct PlanDealIDs {
    @usableFromInline let owned: [StoredDeal]

    @inlinable init(owned: [StoredDeal]) { self.owned = owned }

    @inlinable
    subscript(number: String) -> Int64? {
        for d in owned where d.deal.record.dealNumber == number { return d.id }
        return nil
    }
}

/// A (deal, product code) pair, as a set's key.
@usableFromInline
struct PlanPairKey: Hashable {
    @usableFromInline let deal: Int64
    @usableFromInline let code: String

    @inlinable
    init(deal: Int64, code: String) {
        self.deal = deal
        self.code = code
    }

    @inlinable
    static func == (a: PlanPairKey, b: PlanPairKey) -> Bool { a.deal == b.deal && a.code == b.code }

    @inlinable
    func hash(into hasher: inout Hasher) {
        hasher.combine(deal)
        hasher.combine(code)
    }
}

/// Splitting planning's chunks into transactions.
public enum PlanBatches {
    /// The chunks in runs of at least `customers` customers (the last run may be shorter): one transaction's worth.
    /// `size` is how many customers (or customer ids) a chunk spans.
    @inlinable
    public static func of<Chunk>(_ chunks: [Chunk], customers: Int, size: (Chunk) -> Int) -> [[Chunk]] {
        var batches: [[Chunk]] = []
        var batch: [Chunk] = []
        var taken = 0
        for spec in chunks {
            batch.append(spec)
            taken += size(spec)
            if taken >= customers {
                batches.append(batch)
                batch = []
                taken = 0
            }
        }
        if !batch.isEmpty { batches.append(batch) }
        return batches
    }
}
