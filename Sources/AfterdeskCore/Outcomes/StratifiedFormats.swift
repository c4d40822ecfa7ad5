import Foundation

/// The `stratified` block in JSON: the estimate, its verdict and the stores in it, then every store's figures.
struct StratifiedDocument: Encodable {
    struct StoreDocument: Encodable {
        var key: String
        var deals: Int
        var treated, holdout: ArmDocument
        var incrementalMargin: String?
        var inEstimate: Bool
        var pooled: Bool
        enum CodingKeys: String, CodingKey {
            case key, deals, treated, holdout, pooled
            case incrementalMargin = "incremental_margin"
            case inEstimate = "in_estimate"
        }
        init(_ s: StratifiedFigures.Stratum) {
            key = s.key
            deals = s.deals
            treated = ArmDocument(s.treated, treated: true)
            holdout = ArmDocument(s.holdout, treated: false)
            incrementalMargin = ReportFormats.money(s.incrementalMargin)
            inEstimate = s.inEstimate
            pooled = s.pooled
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(key, forKey: .key)
            try c.encode(deals, forKey: .deals)
            try c.encode(treated, forKey: .treated)
            try c.encode(holdout, forKey: .holdout)
            try c.encode(incrementalMargin, forKey: .incrementalMargin)
            try c.encode(inEstimate, forKey: .inEstimate)
            try c.encode(pooled, forKey: .pooled)
        }
    }
    var incrementalMargin: EstimateDocument?
    var verdict: String
    var treatedDeclines, holdoutDeclines: Int
    var leftOut: [String]
    var stores: [StoreDocument]
    var smallStores: StoreDocument?

    init(_ s: StratifiedFigures) {
        incrementalMargin = s.incrementalMargin.flatMap { m in
            ReportFormats.money(m.value).map {
                EstimateDocument(value: $0, low: ReportFormats.money(m.low) ?? "", high: ReportFormats.money(m.high) ?? "")
            }
        }
        verdict = s.verdict.rawValue
        treatedDeclines = s.treatedDeclines
        holdoutDeclines = s.holdoutDeclines
        leftOut = s.leftOut
        stores = s.strata.map(StoreDocument.init)
        smallStores = s.smallStores.map(StoreDocument.init)
    }

    enum CodingKeys: String, CodingKey {
        case incrementalMargin = "incremental_margin"
        case verdict
        case treatedDeclines = "treated_declines"
        case holdoutDeclines = "holdout_declines"
        case leftOut = "left_out"
        case stores
        case smallStores = "small_stores"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(incrementalMargin, forKey: .incrementalMargin)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(treatedDeclines, forKey: .treatedDeclines)
        try c.encode(holdoutDeclines, forKey: .holdoutDeclines)
        try c.encode(leftOut, forKey: .leftOut)
        try c.encode(stores, forKey: .stores)
        try c.encode(smallStores, forKey: .smallStores)
    }
}

extension StratifiedFigures {
    /// "Within each store, combined: $5,500.00 (95% interval …), follow-up recovered margin …", or too small to conclude.
    public var headline: String {
        let n = "\(treatedDeclines.grouped) treated and \(holdoutDeclines.grouped) held-out declines"
        let stores = strata.count - leftOut.count
        let pooled = strata.filter(\.pooled).count
        let small = pooled == 0 || smallStores?.inEstimate != true ? "" : ", \(pooled) small ones together"
        let prefix = "Within each store, combined (\(stores) of \(strata.count) stores\(small)): "
        switch verdict {
        case .tooSmall:
            return prefix + "too small to conclude (n = \(n))."
        case .recovered, .negative, .inconclusive:
            let m = incrementalMargin
            let words =
                verdict == .recovered
                ? "follow-up recovered margin the holdout did not"
                : verdict == .negative ? "below the holdout" : "inconclusive: the interval holds zero"
            return prefix
                + "\(ReportText.money(m?.value)) (95% interval \(ReportText.money(m?.low)) to \(ReportText.money(m?.high))), \(words)."
        }
    }

    /// The block under the report's details: the headline, then a line a store.
    public var text: String {
        var out = headline + "\n"
        for s in strata + (smallStores.map { [$0] } ?? []) {
            let per = { (a: ArmFigures) in a.marginPerDeclineCents.map { Money(cents: $0).formatted } ?? "—" }
            out +=
                "  \(s.key): \(s.treated.declines.grouped) treated, \(s.holdout.declines.grouped) held-out declines; "
                + "net per decline \(per(s.treated)) vs \(per(s.holdout)); "
                + (s.pooled
                    ? "under \(Self.smallStoreDeclines) declines in an arm: in \(Self.smallStoresKey)"
                    : s.inEstimate
                        ? "incremental \(ReportText.money(s.incrementalMargin))"
                        : "left out: no \(s.holdout.declines == 0 ? "held-out" : "treated") declines") + "\n"
        }
        return out
    }
}
