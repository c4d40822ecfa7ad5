import Foundation

/// What the margin report needs of a plan (docs/reporting.md, "The measurement horizon"): the horizon of each declined
/// product, from the facts at contract, for both arms alike; and the holdout's end, after which a held-out deal is
/// followed up like any other.
extension Planner {
    /// The last day the product can be bought by the facts at contract: the deal's odometer at the sale, its in-service
    /// date and the warranty projected from them. Readings since are left out: a customer the follow-up brings to the
    /// service lane would otherwise have a horizon of their own, and the arms would not be measured alike. For a deal
    /// without later readings that is the plan's own window (`eligibility`).
    func horizon(
        of d: DeclineFacts, _ product: MenuProduct, _ eligibility: EligibilityWindow,
        cache: inout [(deal: String, projection: WarrantyProjection)]
    ) -> LocalDate? {
        guard !d.laterReadings.isEmpty else { return eligibility.until }
        var atContract = d
        atContract.laterReadings = []
        let projection = self.projection(of: atContract, cache: &cache)
        return productPlan(atContract, product, projection).eligibility.until
    }

    /// For a product of a held-out deal: records that it is held out until `holdout_months` after the contract, and
    /// returns true when it may be followed up after that; false, with the reason in `plan`, when its window closes
    /// first (or it is not followed up for another reason), as a held-out product always was.
    func holdsOutUntilItEnds(_ d: DeclineFacts, plan: inout ProductPlan) -> Bool {
        let until = MeasurementRule.heldOutUntil(contract: d.deal.contractDate, months: menu.holdoutMonths)
        plan.holdout = true
        plan.heldOutUntil = until
        let e = plan.eligibility
        if e.onlyAtSigning || plan.note != nil || (e.until.map { $0 < until } ?? false) {
            plan.nothingPlanned(.holdout, Planner.heldOutWords(until))
            return false
        }
        return true
    }

    /// The candidates of a product kept after its holdout ends; those due before go to `dropped`, naming the date. A
    /// held-out product left with none is not followed up at all (`NoFollowUp.holdout`).
    func afterHoldout(_ asked: [Candidate], plan: inout ProductPlan, dropped: inout DropLog) -> [Candidate] {
        guard let until = plan.heldOutUntil else { return asked }
        var kept: [Candidate] = []
        for c in asked {
            if c.date >= until {
                kept.append(c)
            } else {
                dropped.add(DroppedTouch(item: c.item, wouldBeOn: c.date, why: Planner.heldOutWords(until)))
            }
        }
        if kept.isEmpty { plan.nothingPlanned(.holdout, Planner.heldOutWords(until)) }
        return kept
    }

    /// "held out until 2030-01-10: no follow-up before, to measure what happens without one".
    static func heldOutWords(_ until: LocalDate) -> String {
        "held out until \(until): no follow-up before, to measure what happens without one"
    }
}
