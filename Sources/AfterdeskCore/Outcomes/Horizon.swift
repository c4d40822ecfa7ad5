import Foundation

/// How the report decides until when a sale after the desk counts as a recovery (menu `measure_by`; docs/reporting.md,
/// "The measurement horizon").
public enum MeasureBy: String, Sendable, Equatable, Codable, CaseIterable {
    /// Within `attribution_days` of the contract: the rule of the releases before the horizon, kept for a menu that sets
    /// it (and for a menu that says nothing).
    case window
    /// While the declined product could still be bought (its horizon, stored when planning), capped by
    /// `horizon_cap_days` when the menu sets it.
    case horizon
}

/// What decides a decline's measurement end: the mode, the windows and the holdout's length. Held by `ReportRules`.
public struct MeasurementRule: Sendable, Equatable {
    public var by: MeasureBy
    /// The window of `.window`; in both modes the look-back that credits a touch.
    public var attributionDays: Int
    /// `.horizon` only: no sale counts later than this many days after the contract.
    public var horizonCapDays: Int?
    /// A held-out deal is followed up from this many months after its contract: nothing later is compared, in either arm.
    public var holdoutMonths: Int

    public init(
        by: MeasureBy = .window, attributionDays: Int, horizonCapDays: Int? = nil, holdoutMonths: Int = MeasurementRule.defaultHoldoutMonths
    ) {
        self.by = by
        self.attributionDays = attributionDays
        self.horizonCapDays = horizonCapDays
        self.holdoutMonths = holdoutMonths
    }

    /// The menu's default `holdout_months`.
    public static let defaultHoldoutMonths = 48

    /// The last day a sale of the decline counts: in window mode `contract + attribution_days`, in horizon mode the
    /// decline's `horizon` (nil: no rule closes it) or `contract + horizon_cap_days`, whichever is first; in both no later
    /// than the holdout's end, `contract + holdout_months`. (`as_of` cuts too, but it is not part of the decline's end.)
    public func end(contract: LocalDate, horizon: LocalDate?) -> LocalDate {
        var end: LocalDate
        switch by {
        case .window:
            end = contract.adding(days: attributionDays)
        case .horizon:
            end = horizon ?? .last
            if let cap = horizonCapDays { end = min(end, contract.adding(days: cap)) }
        }
        // A month has at least 28 days: an end before `contract + 28 × holdout_months − 1` is before the holdout's end,
        // known without the calendar (the report asks once per decline).
        if contract.days(until: end) < 28 * holdoutMonths - 1 { return end }
        return min(end, MeasurementRule.holdoutEnd(contract: contract, months: holdoutMonths))
    }

    /// The first day a held-out deal of `contract` is followed up: `holdout_months` after the contract. The report
    /// measures up to the day before.
    public static func heldOutUntil(contract: LocalDate, months: Int) -> LocalDate {
        contract.adding(months: months)
    }

    /// The last day measured: the day before the holdout ends.
    static func holdoutEnd(contract: LocalDate, months: Int) -> LocalDate {
        heldOutUntil(contract: contract, months: months).adding(days: -1)
    }
}

/// The share of a cohort's measurement windows that has elapsed at `as_of`: Σ elapsed days ÷ Σ window days over its
/// declines, where a decline's window is the days from its contract to its measurement end (both counted) and its
/// elapsed days those of them up to `as_of`. Every decline's window is bounded (the holdout's end bounds it); a window
/// that closes before the contract has no days.
public struct Maturity: Sendable, Equatable {
    public var elapsedDays: Int64 = 0
    public var windowDays: Int64 = 0
    /// The declines added.
    public var declines = 0
    public init() {}

    /// Adds a decline whose measurement window has `window` days, `elapsed` of them by `as_of`.
    public mutating func add(window: Int, elapsed: Int) {
        windowDays += Int64(window)
        elapsedDays += Int64(elapsed)
        declines += 1
    }

    /// The days of the window from `contract` to `end` (both counted), and those of them up to `asOf`.
    public static func days(contract: LocalDate, end: LocalDate, asOf: LocalDate) -> (window: Int, elapsed: Int) {
        let window = max(contract.days(until: end) + 1, 0)
        return (window, min(max(contract.days(until: asOf) + 1, 0), window))
    }

    public mutating func merge(_ o: Maturity) {
        elapsedDays += o.elapsedDays
        windowDays += o.windowDays
        declines += o.declines
    }

    /// Nil without declines; 1 when every decline's window closed before it opened (a product that could not be bought
    /// after the contract: there is nothing left to see).
    public var share: Double? {
        guard declines > 0 else { return nil }
        return windowDays > 0 ? Double(elapsedDays) / Double(windowDays) : 1
    }
}

/// The products whose horizon follows from the contract date alone — no vehicle fact closes them: `days_from_contract`
/// only, or no rule at all — with their days (nil: nothing closes them). The ledger computes their horizon as it reads,
/// for a decline planned or not, rather than reading it; the others' horizons are read as planning stored them.
public struct ContractHorizons: Sendable, Equatable {
    public private(set) var codes: [String] = []
    public private(set) var days: [Int?] = []
    public init() {}

    public init(menu: Menu) {
        for p in menu.products {
            let e = p.eligibility
            guard e.classes.isEmpty && e.maxVehicleAgeYears == nil && e.maxOdometer == nil else { continue }
            codes.append(p.code)
            days.append(e.daysFromContract)
        }
    }

    /// The product's place in `codes`, when its horizon follows from the contract date (a menu has a handful).
    public func index(of code: String) -> Int? { codes.firstIndex(of: code) }

    /// The horizon of the product at `index` for a contract of `contract`: the `until` of its eligibility window.
    public func horizon(_ index: Int, contract: LocalDate) -> LocalDate? { days[index].map { contract.adding(days: $0) } }

    /// The horizon the report uses for a decline of `code`: computed when the product's follows from the contract date,
    /// else `stored` (what planning stored; nil: no rule closes it, or never planned).
    public func horizon(of code: String, contract: LocalDate, stored: LocalDate?) -> LocalDate? {
        guard let i = index(of: code) else { return stored }
        return horizon(i, contract: contract)
    }
}
