import Foundation

/// `afterdesk explain --json`, in the shape INTERFACES.md gives (more fields may be added).
public struct DealExplanation: Codable, Sendable {
    public struct Expiry: Codable, Sendable {
        public var expiresOn: String
        public var limit: String
        /// Whose coverage ends then: `factory`, or for a certified car `certified` / `certified_from_sale`.
        public var coverage: String?
        enum CodingKeys: String, CodingKey {
            case expiresOn = "expires_on"
            case limit, coverage
        }
    }
    public struct Warranty: Codable, Sendable {
        public var basic: Expiry
        public var powertrain: Expiry
        public var milesPerYear: Int
        public var milesPerYearIsDefault: Bool
        enum CodingKeys: String, CodingKey {
            case basic, powertrain
            case milesPerYear = "miles_per_year"
            case milesPerYearIsDefault = "miles_per_year_is_default"
        }
    }
    public struct GAPMonth: Codable, Sendable {
        public var month: Int
        public var date: String
        public var balance: String
        public var value: String
    }
    public struct GAP: Codable, Sendable {
        public var ltvAtContract: String
        public var schedule: [GAPMonth]
        public var exposureEndsOn: String?
        enum CodingKeys: String, CodingKey {
            case ltvAtContract = "ltv_at_contract"
            case schedule
            case exposureEndsOn = "exposure_ends_on"
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(ltvAtContract, forKey: .ltvAtContract)
            try c.encode(schedule, forKey: .schedule)
            try c.encode(exposureEndsOn, forKey: .exposureEndsOn)  // null when never above, as documented
        }
    }
    public struct Touch: Codable, Sendable {
        public var dueAt: String
        public var action: String
        public var template: String
        public var reason: String
        public var status: String
        /// Other products raised in the same message or call.
        public var with: [String]
        /// The plan class the touch offers (the first open on its day), for a product with classes.
        public var planClass: String?
        enum CodingKeys: String, CodingKey {
            case dueAt = "due_at"
            case action, template, reason, status, with
            case planClass = "plan_class"
        }
    }
    /// One plan class of the product for this vehicle: when it opens and closes, and which rule closes it.
    public struct PlanClassWindow: Codable, Sendable {
        public var planClass: String
        public var name: String
        public var opens: String
        public var closes: String?
        public var closedBy: String?
        public var inspection: Bool
        /// A person's sentence: "a used-vehicle plan (within 10 years of age and 125,000 miles) until about 2029-05-02".
        public var description: String
        enum CodingKeys: String, CodingKey {
            case planClass = "class"
            case name, opens, closes
            case closedBy = "closed_by"
            case inspection, description
        }
    }
    public struct Product: Codable, Sendable {
        public var code: String
        public var outcome: String
        public var holdout: Bool
        /// A held-out deal's product: the day it is followed up from, like any other (`holdout_months` after the contract).
        public var heldOutUntil: String?
        public var warranty: Warranty?
        public var gap: GAP?
        public var eligibleUntil: String?
        public var eligibilityRule: String?
        public var note: String?
        public var touches: [Touch]
        public var dropped: [Touch]
        /// The product's plan classes for this vehicle, best first (absent for a product without classes).
        public var planClasses: [PlanClassWindow]?
        /// When the maker's free maintenance is projected to end, for prepaid maintenance timed to it.
        public var freeMaintenanceEnds: String?
        enum CodingKeys: String, CodingKey {
            case code, outcome, holdout, warranty, gap
            case heldOutUntil = "held_out_until"
            case eligibleUntil = "eligible_until"
            case eligibilityRule = "eligibility_rule"
            case note, touches, dropped
            case planClasses = "plan_classes"
            case freeMaintenanceEnds = "free_maintenance_ends"
        }
    }
    public var dealNumber: String
    public var plannedAt: String
    public var products: [Product]
    /// The customer's opt-outs standing now (the ledger's latest entry per address and channel), filled by the store.
    public var optOuts: [OptOutStatus]?
    enum CodingKeys: String, CodingKey {
        case dealNumber = "deal_number"
        case plannedAt = "planned_at"
        case products
        case optOuts = "opt_outs"
    }
}

public enum Explain {
    /// The plan of one deal's products, computed now from the customer's deals.
    public static func explain(_ customer: CustomerDeals, planner: Planner, now: Date) -> DealExplanation? {
        let dealNumber = customer.dealNumber
        guard let stored = customer.deals.first(where: { $0.record.dealNumber == dealNumber && $0.record.store == customer.store }) else {
            return nil
        }
        let deal = stored.record
        let (declines, permissions) = FollowUpDeal.followUp(customer.deals, menu: planner.menu)
        let plan =
            declines.isEmpty
            ? CustomerPlan(products: [], touches: [], dropped: [])
            : planner.plan(declines: declines, permissions: permissions, now: now)
        var products: [DealExplanation.Product] = []
        for line in deal.products {
            let p = plan.products.first { $0.dealNumber == dealNumber && $0.product == line.code }
            var out = DealExplanation.Product(
                code: line.code, outcome: line.outcome.rawValue, holdout: p?.holdout ?? false,
                eligibleUntil: p?.eligibility.until?.description,
                eligibilityRule: p?.eligibility.reason?.rawValue, note: p?.note, touches: [], dropped: [])
            if deal.status == .unwound {
                out.note = "the deal was unwound: nothing is followed up"
            } else if line.outcome == .sold {
                out.note = "sold at the desk"
            } else if line.outcome == .declined, let stop = stored.stopReason(planner.menu.product(line.code, store: deal.store)) {
                out.note = "follow-up stopped: \(stop)"
            }
            out.heldOutUntil = p?.heldOutUntil?.description
            out.planClasses = p.flatMap { planClasses($0.eligibility) }
            out.warranty = p?.warranty.map(warranty)
            out.freeMaintenanceEnds = p?.freeMaintenanceEnds?.description
            if let g = p?.gap {
                out.gap = .init(
                    ltvAtContract: "\(g.loanToValueAtContract)",
                    schedule: g.schedule.map {
                        .init(month: $0.number, date: $0.date.description, balance: $0.balance.description, value: $0.value.description)
                    },
                    exposureEndsOn: g.exposureEndsOn?.description)
            }
            for t in plan.touches {
                for item in t.items where item.dealNumber == dealNumber && item.product == line.code {
                    out.touches.append(
                        .init(
                            dueAt: Instant.iso8601(t.dueAt), action: t.action.rawValue, template: item.template,
                            reason: item.reason, status: "planned",
                            with: t.items.filter { $0 != item }.map(\.product),
                            planClass: p?.eligibility.bestClass(on: t.dueOn)?.planClass.kind.rawValue))
                }
            }
            for d in plan.dropped where d.item.dealNumber == dealNumber && d.item.product == line.code {
                out.dropped.append(
                    .init(
                        dueAt: d.wouldBeOn.description, action: "none", template: d.item.template,
                        reason: d.item.reason, status: "skipped: \(d.why)", with: []))
            }
            products.append(out)
        }
        return DealExplanation(dealNumber: dealNumber, plannedAt: Instant.iso8601(now), products: products)
    }

    /// The product's plan classes for the vehicle, for `plan_classes`; nil for a product without classes.
    static func planClasses(_ eligibility: EligibilityWindow) -> [DealExplanation.PlanClassWindow]? {
        guard !eligibility.classes.isEmpty else { return nil }
        return eligibility.classes.map {
            .init(
                planClass: $0.planClass.kind.rawValue, name: $0.planClass.name, opens: $0.opens.description,
                closes: $0.until?.description, closedBy: $0.reason?.rawValue, inspection: $0.planClass.inspection,
                description: $0.description)
        }
    }

    /// When each warranty ends, by which limit, and whose coverage it is.
    static func warranty(_ w: WarrantyProjection) -> DealExplanation.Warranty {
        func expiry(_ e: WarrantyProjection.Expiry) -> DealExplanation.Expiry {
            .init(expiresOn: e.date.description, limit: e.limit.rawValue, coverage: e.program.rawValue)
        }
        return .init(
            basic: expiry(w.basic), powertrain: expiry(w.powertrain), milesPerYear: w.milesPerYear,
            milesPerYearIsDefault: w.milesPerYearIsDefault)
    }
}
