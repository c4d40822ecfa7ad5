import Foundation

extension Cells {
    // MARK: Products

    mutating func productsByCode(_ columns: [ImportLayout.ProductColumns], retailPrices: [String: Money]) -> [ProductLine] {
        var out: [ProductLine] = []
        out.reserveCapacity(columns.count)
        for pc in columns {
            var outcome = ProductOutcome.notOffered
            if let oc = pc.outcome {
                let b = Text.trim(row.field(oc))
                if b.count > 0 {
                    let s = Cells.lowerASCII(b)
                    if let o = ProductOutcome(rawValue: s) ?? (s == "not offered" ? .notOffered : nil) {
                        outcome = o
                    } else {
                        failColumn(oc, "\(pc.code)_outcome", "expected sold, declined or not_offered (or blank)")
                        continue
                    }
                }
            }
            let price = productMoney(pc.price, "\(pc.code)_price")
            let cost = productMoney(pc.cost, "\(pc.code)_cost")
            var reason: String?
            if let rc = pc.reason {
                let b = Text.trim(row.field(rc))
                if b.count > 0 { reason = Cells.normalizeReason(b) }
            }
            if outcome == .notOffered {
                // Menu systems print the rate card's price for every product, offered or not: kept, not refused.
                if reason != nil {
                    warnColumn(pc.reason, "\(pc.code)_reason", "a decline reason is given but the product was not offered; ignored")
                }
                continue
            }
            if outcome == .sold, price == nil {
                failColumn(pc.price, "\(pc.code)_price", "a sold product needs its price")
                continue
            }
            // A declined product's dealer cost is the rate card's, exported with every product presented: not stored.
            if outcome == .declined, let price, let retail = retailPrices[pc.code],
                let why = Plausibility.quotedPriceProblem(price, retail: retail)
            {
                warnColumn(pc.price, "\(pc.code)_price", why + "; the menu's price is used for planning")
            }
            out.append(
                ProductLine(
                    code: pc.code, outcome: outcome, price: price,
                    cost: outcome == .sold ? cost : nil, reason: reason))
        }
        return out
    }

    /// The standard reasons in lower case; free text as written.
    static func normalizeReason(_ b: UnsafeBufferPointer<UInt8>) -> String {
        if b.count <= 7 {
            let l = lowerASCII(b)
            if DeclineReason.known.contains(l) { return l }
        }
        return String(decoding: b, as: UTF8.self)
    }

    mutating func productMoney(_ column: Int?, _ name: String) -> Money? {
        guard let column else { return nil }
        let b = Text.trim(row.field(column))
        guard b.count > 0 else { return nil }
        return money(bytes: b, positive: false) { me, message in me.failColumn(column, name, message) }
    }

    mutating func productsFromSlots(_ slots: [ImportLayout.SlotColumns], menu: Menu, dealType: DealType?) -> [ProductLine] {
        var sold: [String: (price: Money, cost: Money?)] = [:]
        for slot in slots {
            let name = slot.name.map { show(Text.trim(row.field($0))) } ?? ""
            let price = productMoney(slot.price, slot.label)
            let cost = slot.cost.flatMap { productMoney($0, slot.label) }
            if name.isEmpty && (price?.cents ?? 0) == 0 { continue }
            let product =
                menu.product(matchingDMSName: name)
                ?? slot.defaultKind.flatMap { k in menu.products.first { $0.kind == k } }
            guard let product else { continue }  // a fee or insurance the menu does not follow up
            let prior = sold[product.code]
            sold[product.code] = (
                price: (prior?.price ?? .zero) + (price ?? .zero),
                cost: (prior?.cost ?? cost).map { c in prior == nil ? c : c + (cost ?? .zero) }
            )
        }
        var out: [ProductLine] = []
        for p in menu.products {
            if let s = sold[p.code] {
                out.append(ProductLine(code: p.code, outcome: .sold, price: s.price, cost: s.cost))
                continue
            }
            guard p.presentedOnEveryDeal else { continue }
            if p.kind == .gap, dealType == .cash || (dealType == .lease && p.includedWithLease) { continue }
            out.append(ProductLine(code: p.code, outcome: .declined, presumed: true))
        }
        return out
    }
}
