import AfterdeskCore
import Foundation

/// FNV-1a over everything a plan holds: two runs that print the same sum made the same plans.
struct PlanChecksum {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        for b in text.utf8 {
            value ^= UInt64(b)
            value &*= 0x100_0000_01b3
        }
        value ^= 0x0a
        value &*= 0x100_0000_01b3
    }

    mutating func add(_ plan: CustomerPlan) {
        for t in plan.touches {
            add("touch \(t.dueAt.timeIntervalSince1970.bitPattern) \(t.dueOn) \(t.action.rawValue) \(t.items.count)")
            for i in t.items { add(item: i) }
        }
        for p in plan.products { add(product: p) }
        add("dropped \(plan.droppedCount) \(plan.dropped.count)")
        for d in plan.dropped {
            add(item: d.item)
            add("\(d.wouldBeOn) \(d.why)")
        }
    }

    /// Every field of a product plan, by hand: a description by reflection would print dictionaries (the menu's
    /// depreciation inside the GAP exposure) in an order that changes from run to run.
    private mutating func add(product p: ProductPlan) {
        let e = p.eligibility
        add(
            "plan \(p.dealNumber) \(p.product) \(p.holdout) \(p.note ?? "-") \(p.noFollowUp?.rawValue ?? "-") "
                + "\(p.freeMaintenanceEnds?.description ?? "-") \(e.until?.description ?? "-") \(e.reason?.rawValue ?? "-") "
                + "\(e.onlyAtSigning) \(e.classes.count)")
        for c in e.classes {
            add(
                "class \(c.planClass.kind.rawValue) \(c.planClass.name) \(c.opens) \(c.until?.description ?? "-") \(c.reason?.rawValue ?? "-")"
            )
        }
        if let w = p.warranty {
            func expiry(_ x: WarrantyProjection.Expiry) -> String {
                "\(x.date) \(x.limit.rawValue) \(x.coverage.years) \(x.coverage.miles) \(x.program.rawValue)"
            }
            add(
                "warranty \(expiry(w.basic)) | \(expiry(w.factoryBasic)) | \(expiry(w.powertrain)) | "
                    + "\(w.freeMaintenance.map(expiry) ?? "-") \(w.freeMaintenanceName ?? "-") \(w.milesPerYear) "
                    + "\(w.milesPerYearIsDefault) \(w.milesPerDay.bitPattern) \(w.anchor.date) \(w.anchor.miles) "
                    + "\(w.ignoredReadings.map { "\($0.date)/\($0.miles)" })")
        }
        if let g = p.gap {
            add("gap \(g.loanToValuePercent) \(g.loanToValueAtContract) \(g.exposureEndsOn?.description ?? "-")")
        }
    }

    private mutating func add(item i: TouchItem) {
        add(i.dealNumber)
        add(i.product)
        add(i.touch)
        add(i.template)
        add(i.reason)
    }
}
