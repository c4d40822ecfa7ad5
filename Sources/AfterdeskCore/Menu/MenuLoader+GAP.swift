import Yams

/// A GAP product's `gap:` block (docs/menus.md, "GAP as it is sold").
extension MenuLoader {
    /// The GAP rules of a product: nil for a product of another kind (which may not have `gap:`), `.undeclared` for a
    /// GAP product of the previous release's format.
    static func gapRules(_ node: Node, _ path: String, kind: ProductKind, _ r: inout YAMLReader) -> GAPRules? {
        let gp = "\(path).gap"
        guard kind == .gap else {
            if node["gap"] != nil { r.fail(node["gap"], gp, "gap: is for a product of kind gap") }
            return nil
        }
        // Without a gap: block (a menu of the previous release), GAP fails safe: read as a dealer waiver, which is never
        // messaged after the contract; `menu check` warns and says how to declare a lender's product instead.
        guard let g = node["gap"] else { return GAPRules(soldAs: .dealerWaiver, declared: false) }
        guard g.mapping != nil else {
            r.fail(g, gp, "expected a mapping with sold_as (dealer_waiver or lender_product)")
            return .undeclared
        }
        r.checkKeys(g, gp, allowed: ["sold_as", "funding_window_days", "task_day", "ltv_threshold", "ltv_cap"])
        var rules = GAPRules(soldAs: .dealerWaiver)
        if let s = r.string(g, "sold_as", gp) {
            if let soldAs = GAPRules.SoldAs(rawValue: s) {
                rules.soldAs = soldAs
            } else {
                r.fail(g["sold_as"], "\(gp).sold_as", "unknown value '\(s)' (dealer_waiver or lender_product)")
            }
        }
        if rules.soldAs == .lenderProduct {
            for key in ["funding_window_days", "task_day"] where g[key] != nil {
                r.fail(g[key], "\(gp).\(key)", "is for a dealer_waiver: a lender product's window is eligibility.days_from_contract")
            }
        }
        rules.fundingWindowDays = r.int(g, "funding_window_days", gp, range: 1...30) ?? 5
        rules.taskDay = r.int(g, "task_day", gp, range: 1...30) ?? 1
        if rules.taskDay > rules.fundingWindowDays {
            r.fail(g["task_day"], "\(gp).task_day", "must fall in the funding window (1...\(rules.fundingWindowDays))")
        }
        rules.ltvThresholdPercent = ratio(g, "ltv_threshold", gp, &r) ?? 100
        rules.ltvCapPercent = ratio(g, "ltv_cap", gp, &r) ?? 150
        if rules.ltvCapPercent < rules.ltvThresholdPercent {
            r.fail(g["ltv_cap"] ?? g, "\(gp).ltv_cap", "the cap must not be below ltv_threshold")
        }
        return rules
    }

    /// A loan-to-value ratio such as `1.00` or `1.5`, in hundredths, between 0.50 and 5.00.
    private static func ratio(_ g: Node, _ key: String, _ gp: String, _ r: inout YAMLReader) -> Int? {
        guard let v = g[key], v.null == nil else { return nil }
        guard let text = v.string, let m = Money(text), (50...500).contains(m.cents) else {
            r.fail(v, "\(gp).\(key)", "expected a loan-to-value ratio between 0.50 and 5.00 such as 1.00, got '\(v.string ?? "")'")
            return nil
        }
        return Int(m.cents)
    }

    /// A dealer waiver's window: the funding window after the contract. The menu gives no eligibility of its own.
    static func waiverEligibility(_ node: Node, _ path: String, _ rules: GAPRules, _ r: inout YAMLReader) -> Eligibility {
        if node["eligibility"] != nil && rules.declared {
            r.fail(
                node["eligibility"], "\(path).eligibility",
                "a dealer waiver can be added only with a contract: its window is gap.funding_window_days; remove eligibility")
        }
        return Eligibility(daysFromContract: rules.fundingWindowDays)
    }

    /// A dealer waiver's one touch: the F&I manager's re-contract task on the task day. It sends no message, so the
    /// menu gives no timing of its own.
    static func waiverTiming(_ node: Node, _ path: String, code: String, _ rules: GAPRules, _ r: inout YAMLReader) -> Timing {
        if node["timing"] != nil && rules.declared {
            r.fail(
                node["timing"], "\(path).timing",
                "a dealer waiver sends no message after the sale: its follow-up is the F&I manager's re-contract task "
                    + "(gap.task_day); remove timing")
        }
        let name = GAPRules.recontractTouch
        return Timing(
            anchor: .loanToValue,
            touches: [TouchRule(name: name, offset: .afterContract(days: rules.taskDay), action: .task, template: "\(code)-\(name)")])
    }
}

extension MenuLoader {
    /// `percent_of_exposure` belongs to a product timed by loan-to-value; a lender's GAP product is timed by its months
    /// of exposure, never by fixed days after delivery (issue 25: "timed by loan-to-value, not by fixed days").
    static func checkExposureTiming(_ timing: Timing, gap: GAPRules?, _ node: Node, _ path: String, _ r: inout YAMLReader) {
        let tp = "\(path).timing"
        for (i, t) in timing.touches.enumerated() {
            let at = node["timing"]?["touches"]?.sequence.flatMap { i < $0.count ? $0[i] : nil }
            if case .percentOfExposure = t.offset, timing.anchor != .loanToValue {
                r.fail(at, "\(tp).touches[\(i)]", "percent_of_exposure needs anchor loan_to_value")
            }
            if gap?.soldAs == .lenderProduct, gap?.declared == true, case .afterDelivery = t.offset {
                r.fail(
                    at, "\(tp).touches[\(i)]",
                    "a lender's GAP product is timed by its exposure: use percent_of_exposure (or days_before_anchor), not days_after_delivery"
                )
            }
        }
    }

    /// A touch's `percent_of_exposure` (0–100): GAP timed by loan-to-value (anchor loan_to_value only, checked by
    /// `checkExposureTiming`).
    static func exposurePercent(_ tn: Node, _ tpp: String, _ r: inout YAMLReader) -> Int? {
        r.int(tn, "percent_of_exposure", tpp, range: 0...100)
    }
}
