import Foundation

/// A product's cancellation default in the menu (`cancellation: {annual_rate: 0.08, term_months: 60}`): the share of
/// its contracts in force at the start of a year that are cancelled within it, and the term of its contracts.
public struct CancellationTerms: Sendable, Equatable {
    /// The term a contract is refunded pro rata over, when the contract does not give one (it never does yet).
    public static let defaultTermMonths = 60

    public var annualRate: Double
    public var termMonths: Int

    public init(annualRate: Double, termMonths: Int = CancellationTerms.defaultTermMonths) {
        self.annualRate = annualRate
        self.termMonths = termMonths
    }
}

/// A store's history of one product's contracts (after-sale contracts and products sold on deals) as of a date: how
/// many, when the cancelled ones were cancelled and how long the others have run, in whole months since the sale.
public struct CancellationHistory: Sendable, Equatable {
    public var store: String
    public var product: String
    /// Cancellations by month since the sale: month k (1, 2, …) is the cancellation's whole months after the sale + 1.
    public var cancelledInMonth: [Int: Int]
    /// Contracts not cancelled on the date, by whole months since the sale.
    public var inForceAfterMonths: [Int: Int]

    public init(store: String, product: String, cancelledInMonth: [Int: Int] = [:], inForceAfterMonths: [Int: Int] = [:]) {
        self.store = store
        self.product = product
        self.cancelledInMonth = cancelledInMonth
        self.inForceAfterMonths = inForceAfterMonths
    }

    public var contracts: Int { cancelledInMonth.values.reduce(0, +) + inForceAfterMonths.values.reduce(0, +) }

    /// The store's own history counts from this many contracts of the product; below, the menu's default.
    public static let minimumContracts = 30

    /// Whole calendar months from `a` to `b` (0 when `b` is before the same day of the next month); 0 when `b` < `a`.
    public static func months(from a: LocalDate, to b: LocalDate) -> Int {
        guard b > a else { return 0 }
        let m = (b.year - a.year) * 12 + b.month - a.month - (b.day < a.day ? 1 : 0)
        return max(0, m)
    }
}

/// The chance a contract in force at the start of month k after its sale is cancelled in that month, k = 1 … term.
public struct CancellationCurve: Sendable, Equatable {
    public enum Source: String, Sendable, Equatable {
        /// The store's history of the product (at least 30 contracts).
        case history
        /// The menu's `cancellation:` default.
        case menu
    }
    public var source: Source
    /// The contracts of the store's history (also when it was too short to use).
    public var contracts: Int
    public var termMonths: Int
    /// hazards[k − 1]: P(cancelled in month k | in force at its start).
    public var hazards: [Double]
    /// factors[m], m = 0 … term: the reserve of a contract in force m whole months after its sale, per dollar of margin.
    public private(set) var factors: [Double] = []

    public init(source: Source, contracts: Int, termMonths: Int, hazards: [Double]) {
        self.source = source
        self.contracts = contracts
        self.termMonths = max(1, termMonths)
        self.hazards = (0..<self.termMonths).map { $0 < hazards.count ? min(1, max(0, hazards[$0])) : 0 }
        factors = CancellationCurve.factors(self.hazards)
    }

    /// A constant monthly hazard giving `annualRate` a year: 1 − (1 − rate)^(1/12).
    public static func menu(_ terms: CancellationTerms, contracts: Int) -> CancellationCurve {
        let rate = min(1, max(0, terms.annualRate))
        let monthly = 1 - pow(1 - rate, 1.0 / 12)
        return CancellationCurve(
            source: .menu, contracts: contracts, termMonths: terms.termMonths,
            hazards: Array(repeating: monthly, count: max(1, terms.termMonths)))
    }

    /// The actuarial life table of `history`: in month k the contracts at risk are those cancelled in month k or later,
    /// those in force after k or more whole months, and half of those in force after k − 1 (they were in month k on
    /// the date, part of it observed); the hazard is the month's cancellations ÷ those at risk. A cancellation after
    /// the term counts in its last month.
    public static func lifeTable(_ history: CancellationHistory, termMonths: Int) -> CancellationCurve {
        let n = max(1, termMonths)
        var cancelled = Array(repeating: 0.0, count: n + 2)
        var inForce = Array(repeating: 0.0, count: n + 2)
        for (k, count) in history.cancelledInMonth { cancelled[min(max(k, 1), n)] += Double(count) }
        for (m, count) in history.inForceAfterMonths { inForce[min(max(m, 0), n)] += Double(count) }
        var hazards: [Double] = []
        var cancelledFromK = cancelled.reduce(0, +)
        var inForceFromK = inForce.reduce(0, +) - inForce[0]
        for k in 1...n {
            let atRisk = cancelledFromK + inForceFromK + inForce[k - 1] / 2
            hazards.append(atRisk > 0 ? cancelled[k] / atRisk : 0)
            cancelledFromK -= cancelled[k]
            inForceFromK -= inForce[k]
        }
        return CancellationCurve(source: .history, contracts: history.contracts, termMonths: n, hazards: hazards)
    }

    /// factors[m] = Σ_{k = m+1 … n} S(k − 1) ÷ S(m) × h_k × (1 − k/n), with S the share still in force: the margin a
    /// contract in force after m months is expected to give back, refunds pro rata to the months left.
    static func factors(_ hazards: [Double]) -> [Double] {
        let n = hazards.count
        var out = Array(repeating: 0.0, count: n + 1)
        // From the end: F(m) = h_{m+1}(1 − (m+1)/n) + (1 − h_{m+1}) F(m + 1).
        for m in stride(from: n - 1, through: 0, by: -1) {
            let h = hazards[m]
            out[m] = h * (1 - Double(m + 1) / Double(n)) + (1 - h) * out[m + 1]
        }
        return out
    }

    /// The reserve factor of a contract in force `months` whole months after its sale (0 from the term on).
    public func factor(months: Int) -> Double { months >= 0 && months < factors.count ? factors[months] : 0 }
}

/// The curves of a report, by store and product: the store's history where it has at least 30 contracts of the
/// product, else the menu's default; a product with neither has no reserve.
public struct ReserveTable: Sendable, Equatable {
    public var curves: [String: [String: CancellationCurve]]

    public init(curves: [String: [String: CancellationCurve]] = [:]) { self.curves = curves }

    /// The table of `histories` (of every store and product the store holds contracts of) under the menu's terms. A
    /// store with no history of a product gets the menu's default through `defaultCurve`.
    public init(histories: [CancellationHistory], terms: [String: CancellationTerms]) {
        var curves: [String: [String: CancellationCurve]] = [:]
        for h in histories {
            let term = terms[h.product]?.termMonths ?? CancellationTerms.defaultTermMonths
            if h.contracts >= CancellationHistory.minimumContracts {
                curves[h.store, default: [:]][h.product] = .lifeTable(h, termMonths: term)
            } else if let t = terms[h.product] {
                curves[h.store, default: [:]][h.product] = .menu(t, contracts: h.contracts)
            }
        }
        self.curves = curves
        defaults = terms.mapValues { .menu($0, contracts: 0) }
    }

    /// The menu's curves, for a store without history of the product.
    public var defaults: [String: CancellationCurve] = [:]

    public func curve(store: String, product: String) -> CancellationCurve? { curves[store]?[product] ?? defaults[product] }

    /// The reserve of a recovery of margin gross `gross`, sold on `soldOn`, not cancelled on `asOf`: gross × the
    /// factor of its whole months since the sale, rounded to the cent half away from zero; nothing on a gross at or
    /// below zero.
    public func reserveCents(store: String, product: String, gross: Int64, soldOn: LocalDate, asOf: LocalDate) -> Int64 {
        guard gross > 0, let curve = curve(store: store, product: product) else { return 0 }
        let f = curve.factor(months: CancellationHistory.months(from: soldOn, to: asOf))
        return Int64((Double(gross) * f).rounded(.toNearestOrAwayFromZero))
    }
}
