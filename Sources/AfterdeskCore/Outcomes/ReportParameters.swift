import Foundation

/// What a report covers and how it is computed; the bootstrap is seeded from these, so the same report gives the same
/// interval.
public struct ReportParameters: Sendable, Equatable {
    public var asOf: LocalDate
    public var from: LocalDate
    public var to: LocalDate
    public var store: String?
    /// The stores of a report of some of the group's stores (a user of several stores: theirs); nil: every store.
    /// `store` names one of them, or any store when this is nil.
    public var stores: [String]?
    public var by: ReportGrouping?
    public var attributionDays: Int
    public var holdoutPercent: Int
    public var resamples = 10_000
    /// The menu's dealer cost per product, in cents, for sales reported without a cost.
    public var dealerCosts: [String: Int64] = [:]
    /// A group's stores' own dealer costs and holdout shares, where the menu's `stores:` give them.
    public var storeDealerCosts: [String: [String: Int64]] = [:]
    public var storeHoldouts: [String: Int] = [:]
    /// Commissions, message costs and the reserve's curves: the net to the store's rules.
    public var netToStore = NetToStoreRules()
    /// The anytime interval's evaluation window per product, in days from the contract (empty: every product's is
    /// `defaultEvaluationDays`). The hook for a product's measurement horizon.
    public var evaluationDays: [String: Int] = [:]
    public var defaultEvaluationDays = 120
    /// The menu's `anytime_window: horizon`: a decline's unit closes at its measurement end (`measured_until`) instead.
    public var anytimeByHorizon = false
    /// The smallest lift worth detecting, in cents of net margin per decline, for the power figures.
    public var minimumLiftCents: Int64 = 2_500
    /// The menu's `measure_by`, `horizon_cap_days` and `holdout_months` (Horizon.swift).
    public var measureBy = MeasureBy.window
    public var horizonCapDays: Int?
    public var holdoutMonths = MeasurementRule.defaultHoldoutMonths
    /// The menu's products whose horizon the ledger computes from the contract date as it reads.
    public var contractHorizons = ContractHorizons()

    public init(
        asOf: LocalDate, from: LocalDate, to: LocalDate, store: String? = nil, by: ReportGrouping? = nil, attributionDays: Int,
        holdoutPercent: Int
    ) {
        self.asOf = asOf
        self.from = from
        self.to = to
        self.store = store
        self.by = by
        self.attributionDays = attributionDays
        self.holdoutPercent = holdoutPercent
    }

    /// The stores the report reads: `store` alone, else `stores`, else nil (every store).
    public var storeScope: [String]? { store.map { [$0] } ?? stores }

    /// The report's stores for a heading: ", store austin", ", stores austin, tulsa", or nothing for every store.
    public var storeHeading: String {
        if let store { return ", store \(store)" }
        return stores.map { ", stores \($0.joined(separator: ", "))" } ?? ""
    }

    /// The dealer cost of `product` as `store` has it (a sale reported without a cost).
    public func dealerCost(_ product: String, store: String) -> Int64? {
        storeDealerCosts.isEmpty ? dealerCosts[product] : storeDealerCosts[store]?[product] ?? dealerCosts[product]
    }

    /// The share held out as the report says it: "10% of deals are held out", and, over several stores of a group
    /// whose shares differ, each store holding out another ("10% of deals are held out; 15% at tulsa").
    /// A report of some of the group's stores names the shares of those stores alone: one share for all of them, or
    /// each store's ("15% of deals are held out at tulsa, 10% at austin").
    public var heldOutText: String {
        guard store == nil else { return "\(holdoutPercent)% of deals are held out" }
        if let scope = stores, !scope.isEmpty {
            let shares = scope.sorted().map { (store: $0, percent: holdoutPercent(of: $0)) }
            guard Set(shares.map(\.percent)).count > 1, let first = shares.first else {
                return "\(shares.first?.percent ?? holdoutPercent)% of deals are held out"
            }
            return "\(first.percent)% of deals are held out at \(first.store), "
                + shares.dropFirst().map { "\($0.percent)% at \($0.store)" }.joined(separator: ", ")
        }
        var text = "\(holdoutPercent)% of deals are held out"
        let others = storeHoldouts.filter { $0.value != holdoutPercent }
        if !others.isEmpty {
            text += "; " + others.sorted { $0.key < $1.key }.map { "\($0.value)% at \($0.key)" }.joined(separator: ", ")
        }
        return text
    }

    /// The holdout share of `store`'s deals.
    public func holdoutPercent(of store: String) -> Int { storeHoldouts.isEmpty ? holdoutPercent : storeHoldouts[store] ?? holdoutPercent }

    public var rules: ReportRules {
        var r = ReportRules(asOf: asOf, attributionDays: attributionDays, dealerCosts: dealerCosts)
        r.storeDealerCosts = storeDealerCosts
        r.netToStore = netToStore
        (r.measureBy, r.horizonCapDays, r.holdoutMonths) = (measureBy, horizonCapDays, holdoutMonths)
        return r
    }

    /// The parameters of a report under `menu`: its attribution window, holdout share and dealer costs.
    public init(asOf: LocalDate, from: LocalDate, to: LocalDate, store: String? = nil, by: ReportGrouping? = nil, menu: Menu) {
        self.init(
            asOf: asOf, from: from, to: to, store: store, by: by, attributionDays: menu.attributionDays,
            holdoutPercent: store.map(menu.holdoutPercent(of:)) ?? menu.holdoutPercent)
        dealerCosts = Dictionary(menu.products.map { ($0.code, $0.dealerCost.cents) }, uniquingKeysWith: { a, _ in a })
        for (code, own) in menu.stores {
            storeDealerCosts[code] = Dictionary(own.products.map { ($0.code, $0.dealerCost.cents) }, uniquingKeysWith: { a, _ in a })
            storeHoldouts[code] = own.holdoutPercent
        }
        netToStore = NetToStoreRules(menu: menu)
        (measureBy, horizonCapDays, holdoutMonths) = (menu.measureBy, menu.horizonCapDays, menu.holdoutMonths)
        contractHorizons = ContractHorizons(menu: menu)
        switch menu.anytimeWindow {
        case .days(let n): defaultEvaluationDays = n
        case .horizon: anytimeByHorizon = true
        }
    }

    /// The bootstrap's seed for a group (nil: the total): a stable hash of the report's parameters and the group's key.
    public func seed(group: String?) -> UInt64 { seed(of: [group ?? "(total)"]) }

    /// The seed of a bootstrap of the report: its dates, store and rules, then `parts` (a group, or a stratum).
    func seed(of parts: [String]) -> UInt64 {
        var h = StableHasher()
        let scope = store ?? stores.map { $0.joined(separator: ",") } ?? "*"
        for part in [asOf.description, from.description, to.description, scope, String(attributionDays)] + parts {
            h.add(part)
        }
        // The horizon's settings only when they can change a figure: a report in window mode keeps its seed.
        if measureBy == .horizon || holdoutMonths != MeasurementRule.defaultHoldoutMonths {
            for part in [measureBy.rawValue, horizonCapDays.map(String.init) ?? "-", String(holdoutMonths)] { h.add(part) }
        }
        return h.value
    }

    /// The group a ledger line belongs to, for `by`.
    public func groupKey(_ row: some LedgerFigures) -> String? {
        switch by {
        case .product: row.product
        case .month: String(row.contractDate.description.prefix(7))
        case .staff: row.fiManager ?? "(none)"
        case .store: row.store
        case .decline, .saleMonth, nil: nil
        }
    }
}
