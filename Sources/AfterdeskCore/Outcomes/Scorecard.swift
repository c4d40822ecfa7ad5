import Foundation

/// How the F&I scorecard groups its deals (`afterdesk scorecard --by`).
public enum ScorecardGrouping: String, Sendable, Equatable, CaseIterable, Codable {
    case fiManager = "fi_manager"
    case product, month, store
}

/// What a scorecard covers: the finalized deals contracted from `from` to `to` (and no later than `asOf`), in one store
/// or all, with their recoveries known on `asOf` by the margin report's rules (the same `ReportRules`, so the two agree).
public struct ScorecardParameters: Sendable, Equatable {
    public var asOf: LocalDate
    public var from: LocalDate
    public var to: LocalDate
    public var store: String?
    public var by: ScorecardGrouping
    /// The margin report over the same deals, ungrouped: its ledger says which declines were recovered.
    public var report: ReportParameters

    public init(asOf: LocalDate, from: LocalDate, to: LocalDate, store: String? = nil, by: ScorecardGrouping = .fiManager, menu: Menu) {
        self.init(report: ReportParameters(asOf: asOf, from: from, to: to, store: store, menu: menu), by: by)
    }

    public init(report: ReportParameters, by: ScorecardGrouping = .fiManager) {
        var r = report
        r.by = nil
        asOf = r.asOf
        from = r.from
        to = r.to
        store = r.store
        self.by = by
        self.report = r
    }

    /// The group of a deal (or of one of its ledger lines) for `by`; nil for `product`, whose groups are its products.
    public func groupKey(store: String, fiManager: String?, contractDate: LocalDate) -> String? {
        switch by {
        case .fiManager: fiManager ?? ScorecardParameters.noManager
        case .month: String(contractDate.description.prefix(7))
        case .store: store
        case .product: nil
        }
    }

    /// The key of deals without an F&I manager, as in the margin report.
    public static let noManager = "(none)"
}

/// A deal the scorecard counts: a finalized deal in its scope, with the products sold at the desk.
public struct ScorecardDeal: Sendable, Equatable {
    /// A product sold at the desk and its gross: price − dealer cost.
    public struct DeskSale: Sendable, Equatable {
        public var product: String
        public var grossCents: Int64
        public init(product: String, grossCents: Int64) {
            self.product = product
            self.grossCents = grossCents
        }
    }
    public var store: String
    public var dealNumber: String
    public var contractDate: LocalDate
    public var fiManager: String?
    public var desk: [DeskSale]
    public init(store: String, dealNumber: String, contractDate: LocalDate, fiManager: String?, desk: [DeskSale]) {
        self.store = store
        self.dealNumber = dealNumber
        self.contractDate = contractDate
        self.fiManager = fiManager
        self.desk = desk
    }
}

/// One product's figures in a scorecard group.
public struct ScorecardProduct: Sendable, Equatable {
    public var code: String
    public var soldDesk = 0
    public var deskGrossCents: Int64 = 0
    /// Declines of the group's deals recovered after the desk (the margin report's ledger), and their gross.
    public var recovered = 0
    public var recoveredGrossCents: Int64 = 0
    public init(code: String) { self.code = code }

    mutating func merge(_ o: ScorecardProduct) {
        soldDesk += o.soldDesk
        deskGrossCents += o.deskGrossCents
        recovered += o.recovered
        recoveredGrossCents += o.recoveredGrossCents
    }
}

/// A scorecard group (or the total): deals, their product gross at the desk and from recoveries, per product.
public struct ScorecardGroup: Sendable, Equatable {
    public var key: String
    public var deals = 0
    /// By product code.
    public var products: [String: ScorecardProduct] = [:]
    public init(key: String) { self.key = key }

    public var deskGrossCents: Int64 { products.values.reduce(0) { $0 + $1.deskGrossCents } }
    public var recoveredGrossCents: Int64 { products.values.reduce(0) { $0 + $1.recoveredGrossCents } }
    /// Products in code order.
    public var productList: [ScorecardProduct] { products.values.sorted { $0.code < $1.code } }

    /// Product gross per deal at the desk, in cents rounded half away from zero; nil without deals.
    public var pvrDeskCents: Int64? { ScorecardFigures.perDeal(deskGrossCents, deals) }
    /// The same with the recoveries' gross added.
    public var pvrWithRecoveriesCents: Int64? { ScorecardFigures.perDeal(deskGrossCents + recoveredGrossCents, deals) }

    mutating func product(_ code: String, _ change: (inout ScorecardProduct) -> Void) {
        change(&products[code, default: ScorecardProduct(code: code)])
    }

    mutating func merge(_ o: ScorecardGroup) {
        deals += o.deals
        for (code, p) in o.products { product(code) { $0.merge(p) } }
    }
}

/// The F&I scorecard: per group and in total.
public struct Scorecard: Sendable, Equatable {
    public var parameters: ScorecardParameters
    /// In key order.
    public var groups: [ScorecardGroup]
    /// Key "all".
    public var total: ScorecardGroup
}

/// The scorecard summed deal by deal and ledger line by ledger line, in any order; two builders of halves merge.
public struct ScorecardBuilder: Sendable {
    public let parameters: ScorecardParameters
    var groups: [String: ScorecardGroup] = [:]
    var total = ScorecardGroup(key: "all")

    public init(_ p: ScorecardParameters) { parameters = p }

    /// A deal in scope and its desk sales.
    public mutating func add(_ deal: ScorecardDeal) {
        let key = parameters.groupKey(store: deal.store, fiManager: deal.fiManager, contractDate: deal.contractDate)
        func count(_ g: inout ScorecardGroup) {
            g.deals += 1
            for s in deal.desk {
                g.product(s.product) {
                    $0.soldDesk += 1
                    $0.deskGrossCents += s.grossCents
                }
            }
        }
        count(&total)
        if let key { count(&groups[key, default: ScorecardGroup(key: key)]) }
    }

    /// A line of the margin report's ledger over the same deals: a decline, recovered or not (a product declined is
    /// listed in its group even when never sold).
    public mutating func add(_ line: some LedgerFigures) {
        let key = parameters.groupKey(store: line.store, fiManager: line.fiManager, contractDate: line.contractDate)
        func count(_ g: inout ScorecardGroup) {
            g.product(line.product) {
                guard line.recovered else { return }
                $0.recovered += 1
                $0.recoveredGrossCents += line.marginGrossCents
            }
        }
        count(&total)
        if let key { count(&groups[key, default: ScorecardGroup(key: key)]) }
    }

    public mutating func merge(_ o: ScorecardBuilder) {
        total.merge(o.total)
        for (key, g) in o.groups { groups[key, default: ScorecardGroup(key: key)].merge(g) }
    }

    /// The scorecard. By product, each group is one product of the total over all the deals.
    public func finish() -> Scorecard {
        let list: [ScorecardGroup]
        if parameters.by == .product {
            list = total.productList.map { p in
                var g = ScorecardGroup(key: p.code)
                g.deals = total.deals
                g.products = [p.code: p]
                return g
            }
        } else {
            list = groups.values.sorted { $0.key < $1.key }
        }
        return Scorecard(parameters: parameters, groups: list, total: total)
    }

    /// The scorecard of `deals` and the ledger lines of their declines.
    public static func scorecard(_ p: ScorecardParameters, deals: [ScorecardDeal], ledger: [LedgerRow]) -> Scorecard {
        var b = ScorecardBuilder(p)
        for d in deals { b.add(d) }
        for line in ledger { b.add(line) }
        return b.finish()
    }
}

/// Exact arithmetic of the scorecard's figures: integer cents and counts, divided only by a count checked positive.
public enum ScorecardFigures {
    /// `cents ÷ deals`, rounded half away from zero to the cent; nil when `deals` is not positive.
    public static func perDeal(_ cents: Int64, _ deals: Int) -> Int64? {
        guard deals > 0 else { return nil }
        let d = Int64(deals)
        let q = cents / d
        let r = cents % d
        guard 2 * abs(r) >= d else { return q }
        return cents < 0 ? q - 1 : q + 1
    }

    /// `part ÷ whole` as a share with four decimals ("0.4153"), rounded half up; nil when `whole` is not positive.
    public static func share(_ part: Int, _ whole: Int) -> String? {
        guard whole > 0, part >= 0 else { return nil }
        let tenThousandths = (Int64(part) * 20_000 + Int64(whole)) / (2 * Int64(whole))
        let whole = tenThousandths / 10_000
        let fraction = String(tenThousandths % 10_000)
        return "\(whole)." + String(repeating: "0", count: 4 - fraction.count) + fraction
    }
}
