import Foundation

/// GAP as it is sold (docs/timing.md, "GAP"): loan-to-value at contract decides whether it is followed up at all; a
/// dealer's waiver is then one re-contract task for the F&I manager in the funding window, a lender's product is
/// timed by the months of exposure.
extension Planner {
    /// What GAP's timing hangs on, or why it is not followed up (in `plan`): a cash deal, a lease that includes it, no
    /// financing facts, loan-to-value at or below the threshold, a loan never above the vehicle's value.
    func loanAnchor(of deal: DealRecord, _ product: MenuProduct, plan: inout ProductPlan) -> TimingAnchor {
        let rules = product.gap ?? .undeclared
        if deal.dealType == .cash {
            plan.nothingPlanned(.cashDeal, "cash deal: no loan for GAP to cover")
            return TimingAnchor()
        }
        if deal.dealType == .lease && product.includedWithLease {
            plan.nothingPlanned(.leaseIncludesGAP, "the lease includes GAP")
            return TimingAnchor()
        }
        guard let amount = deal.amountFinanced,
            let ltv = GAPRules.loanToValuePercent(amountFinancedCents: amount.cents, vehicleValueCents: deal.vehicleValue.cents)
        else {
            plan.nothingPlanned(.noFinancing, "no financing facts to project the loan")
            return TimingAnchor()
        }
        let ratio = Planner.decimal(hundredths: ltv)
        let exposure = deal.apr.flatMap { apr in
            deal.termMonths.flatMap { term in
                deal.firstPaymentDate.map { first in
                    GAPExposure(
                        amountFinanced: amount, apr: apr, termMonths: term, firstPaymentDate: first, contractDate: deal.contractDate,
                        vehicleValue: deal.vehicleValue, condition: deal.vehicleCondition, depreciation: menu.depreciation)
                }
            }
        }
        plan.gap = exposure
        guard rules.followsUp(amountFinancedCents: amount.cents, vehicleValueCents: deal.vehicleValue.cents) else {
            let threshold = Planner.decimal(hundredths: rules.ltvThresholdPercent)
            plan.nothingPlanned(
                .ltvAtOrBelowThreshold, "loan-to-value \(ratio) at contract, at or below the \(threshold) threshold: GAP is not raised")
            return TimingAnchor()
        }
        if rules.soldAs == .dealerWaiver {
            let closes = plan.eligibility.until.map { ", funding window closes \($0)" } ?? ""
            return TimingAnchor(text: "LTV \(ratio) at contract\(closes)")
        }
        guard let exposure else {
            plan.nothingPlanned(.noFinancing, "no financing facts to project the loan")
            return TimingAnchor()
        }
        guard let end = exposure.exposureEndsOn else {
            plan.nothingPlanned(.neverExposed, "the loan never exceeds the vehicle's projected value")
            return TimingAnchor()
        }
        return TimingAnchor(
            date: end, text: "loan balance projected above the vehicle's value until \(end) (\(ratio) of value at contract)",
            spanEnd: min(end, plan.eligibility.until ?? end))
    }

    /// The day `percent` of the way from the contract to the end of the exposure span, and the reason a person reads;
    /// nil without a span after the contract.
    static func exposureDay(_ percent: Int, contract: LocalDate, anchor: TimingAnchor) -> (LocalDate, String)? {
        guard let end = anchor.spanEnd ?? anchor.date, end > contract else { return nil }
        let days = contract.days(until: end) * min(max(percent, 0), 100) / 100
        return (contract.adding(days: days), "\(percent)% of the way from the contract to \(end) (\(anchor.text))")
    }

    /// A dealer waiver's one follow-up: the F&I manager's task to re-contract with GAP before the lender funds, due on
    /// the waiver's task day after the contract (today when that has passed), and only inside the funding window.
    func waiverCandidates(
        _ d: DeclineFacts, _ product: MenuProduct, anchor: TimingAnchor, eligibility: EligibilityWindow, day: PlanningDay,
        dropped: inout DropLog
    ) -> [Candidate] {
        let rules = product.gap ?? .undeclared
        let rule = product.timing.touches.first { $0.action == .task }
        let item = TouchItem(
            dealNumber: d.dealNumber, product: product.code, touch: rule?.name ?? GAPRules.recontractTouch,
            template: rule?.template ?? "\(product.code)-\(GAPRules.recontractTouch)",
            reason: "re-contract with GAP before the lender funds: \(anchor.text)")
        let planned = d.deal.contractDate.adding(days: rules.taskDay)
        if let sentAt = d.sent[item.touch] {
            dropped.add(DroppedTouch(item: item, wouldBeOn: planned, why: Planner.alreadySent(sentAt, day: day)))
            return []
        }
        let date = max(planned, day.firstDay)
        guard eligibility.isOpen(on: date) else {
            dropped.add(
                DroppedTouch(item: item, wouldBeOn: date, why: "after the funding window closes on \(eligibility.until ?? date)"))
            return []
        }
        return [Candidate(date: date, action: .task, item: item, until: eligibility.until)]
    }
}
