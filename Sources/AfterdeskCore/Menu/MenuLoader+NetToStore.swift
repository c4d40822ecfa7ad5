import Yams

/// A product's `commission:` and `cancellation:` (docs/menus.md, "Net to the store").
extension MenuLoader {
    /// `commission: {percent: 10, flat: 25.00}`: a percent of the margin gross (up to two decimals, 0–100) and a flat
    /// amount, either or both.
    static func commission(_ node: Node, _ path: String, _ r: inout YAMLReader) -> Commission? {
        let cp = "\(path).commission"
        guard let c = node["commission"], c.null == nil else { return nil }
        guard c.mapping != nil else {
            r.fail(c, cp, "expected { percent, flat }, e.g. { percent: 10, flat: 25.00 }")
            return nil
        }
        r.checkKeys(c, cp, allowed: ["percent", "flat"])
        var commission = Commission()
        if let v = c["percent"], v.null == nil {
            if let text = v.string, let bp = FixedPoint.parse(text.replacingOccurrences(of: "%", with: ""), decimals: 2),
                bp <= 10_000
            {
                commission.percentBasisPoints = bp
            } else {
                r.fail(v, "\(cp).percent", "expected a percent from 0 to 100 such as 10 or 12.5, got '\(v.string ?? "")'")
            }
        }
        commission.flatCents = r.money(c, "flat", cp, required: false)?.cents ?? 0
        if c["percent"] == nil && c["flat"] == nil { r.fail(c, cp, "give percent, flat or both") }
        return commission
    }

    /// `cancellation: {annual_rate: 0.08, term_months: 60}`: the share of contracts cancelled a year (0–1), used when
    /// the store has fewer than 30 contracts of the product, and the term refunds are pro rata over (default 60).
    static func cancellation(_ node: Node, _ path: String, _ r: inout YAMLReader) -> CancellationTerms? {
        let cp = "\(path).cancellation"
        guard let c = node["cancellation"], c.null == nil else { return nil }
        guard c.mapping != nil else {
            r.fail(c, cp, "expected { annual_rate, term_months }, e.g. { annual_rate: 0.08, term_months: 60 }")
            return nil
        }
        r.checkKeys(c, cp, allowed: ["annual_rate", "term_months"])
        let term = r.int(c, "term_months", cp, range: 1...240) ?? CancellationTerms.defaultTermMonths
        guard let v = c["annual_rate"], v.null == nil else {
            r.fail(c, "\(cp).annual_rate", "required field is missing")
            return nil
        }
        guard let text = v.string, let rate = FixedPoint.parse(text, decimals: 4), rate <= 10_000 else {
            r.fail(v, "\(cp).annual_rate", "expected a share from 0 to 1 with up to four decimals such as 0.08, got '\(v.string ?? "")'")
            return nil
        }
        return CancellationTerms(annualRate: Double(rate) / 10_000, termMonths: term)
    }
}
