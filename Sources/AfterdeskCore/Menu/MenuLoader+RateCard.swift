import Yams

/// A product's `rate_card:` and `installments:` (docs/menus.md, "Prices that stay true").
extension MenuLoader {
    /// `product` with its GAP rules, rate card and installment plan; problems go to `r`.
    static func withSaleTerms(_ product: MenuProduct, gap: GAPRules?, _ node: Node, _ path: String, _ r: inout YAMLReader)
        -> MenuProduct
    {
        var p = product
        p.gap = gap
        p.rateCard = rateCard(node, path, &r)
        p.installments = installments(node, path, &r)
        p.commission = commission(node, path, &r)
        p.cancellation = cancellation(node, path, &r)
        return p
    }

    static func rateCard(_ node: Node, _ path: String, _ r: inout YAMLReader) -> RateCard? {
        let rp = "\(path).rate_card"
        guard let c = node["rate_card"], c.null == nil else { return nil }
        guard c.mapping != nil else {
            r.fail(c, rp, "expected a mapping with rates (and quote_holds_days)")
            return nil
        }
        r.checkKeys(c, rp, allowed: ["quote_holds_days", "rates"])
        let holds = r.int(c, "quote_holds_days", rp, range: 0...365) ?? RateCard.defaultQuoteHoldsDays
        guard let list = c["rates"]?.sequence, !list.isEmpty else {
            r.fail(c["rates"] ?? c, "\(rp).rates", "expected a list of rates")
            return nil
        }
        var rates: [RateCard.Rate] = []
        for (i, n) in list.enumerated() {
            let p = "\(rp).rates[\(i)]"
            r.checkKeys(n, p, allowed: ["term_months", "term_miles", "max_vehicle_age_years", "max_odometer", "price", "cost"])
            let months = r.int(n, "term_months", p, required: true, range: 1...240)
            let miles = r.int(n, "term_miles", p, required: true, range: 1...1_000_000)
            let age = r.int(n, "max_vehicle_age_years", p, range: 0...30)
            let odometer = r.int(n, "max_odometer", p, range: 0...1_000_000)
            let price = r.money(n, "price", p, required: true)
            let cost = r.money(n, "cost", p, required: true)
            guard let months, let miles, let price, let cost else { continue }
            if cost > price { r.fail(n["cost"], "\(p).cost", "cost \(cost) is above the price \(price)") }
            rates.append(
                .init(termMonths: months, termMiles: miles, maxVehicleAgeYears: age, maxOdometer: odometer, price: price, cost: cost))
        }
        return RateCard(rates: rates, quoteHoldsDays: holds)
    }

    static func installments(_ node: Node, _ path: String, _ r: inout YAMLReader) -> Installments? {
        let ip = "\(path).installments"
        guard let n = node["installments"], n.null == nil else { return nil }
        guard n.mapping != nil else {
            r.fail(n, ip, "expected { months, down_payment_percent }")
            return nil
        }
        r.checkKeys(n, ip, allowed: ["months", "down_payment_percent"])
        let months = r.int(n, "months", ip, required: true, range: 1...60)
        let down = r.int(n, "down_payment_percent", ip, range: 0...99) ?? 0
        return months.map { Installments(months: $0, downPaymentPercent: down) }
    }
}
