import Foundation

/// The anytime interval, its verdict and the power in a group of `report --format json` (docs/reporting.md):
///
///     "incremental_margin_anytime": {"value", "low", "high", "declines", "per_decline": {"value", "low", "high"}} | null
///     "verdict_anytime": "too_small" | "recovered" | "negative" | "inconclusive"
///     "power": {"lift_seen", "minimum_lift", "declines_needed", "declines_needed_at_minimum", "declines_per_month",
///               "months_to_go", "months_to_go_at_minimum"} | null
///
/// Written into the group's object beside its other fields.
struct AnytimeDocument: Encodable {
    struct Interval: Encodable {
        var value, low, high: String
        var declines: Int
        var perDecline: EstimateDocument
        enum CodingKeys: String, CodingKey {
            case value, low, high, declines
            case perDecline = "per_decline"
        }
    }
    struct Power: Encodable {
        var liftSeen: String?
        var minimumLift: String
        var declinesNeeded, declinesNeededAtMinimum: Int?
        var declinesPerMonth: String?
        var monthsToGo, monthsToGoAtMinimum: Int?
        enum CodingKeys: String, CodingKey {
            case liftSeen = "lift_seen"
            case minimumLift = "minimum_lift"
            case declinesNeeded = "declines_needed"
            case declinesNeededAtMinimum = "declines_needed_at_minimum"
            case declinesPerMonth = "declines_per_month"
            case monthsToGo = "months_to_go"
            case monthsToGoAtMinimum = "months_to_go_at_minimum"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(liftSeen, forKey: .liftSeen)
            try c.encode(minimumLift, forKey: .minimumLift)
            try c.encode(declinesNeeded, forKey: .declinesNeeded)
            try c.encode(declinesNeededAtMinimum, forKey: .declinesNeededAtMinimum)
            try c.encode(declinesPerMonth, forKey: .declinesPerMonth)
            try c.encode(monthsToGo, forKey: .monthsToGo)
            try c.encode(monthsToGoAtMinimum, forKey: .monthsToGoAtMinimum)
        }
    }

    var interval: Interval?
    var verdict: String
    var power: Power?

    init(_ f: ReportFigures) {
        verdict = f.verdictAnytime.rawValue
        interval = f.incrementalMarginAnytime.flatMap { a in
            func estimate(_ e: Estimate) -> EstimateDocument? {
                guard let v = ReportFormats.money(e.value), let l = ReportFormats.money(e.low), let h = ReportFormats.money(e.high)
                else { return nil }
                return EstimateDocument(value: v, low: l, high: h)
            }
            guard let scaled = estimate(a.scaled), let perDecline = estimate(a.perDecline) else { return nil }
            return Interval(value: scaled.value, low: scaled.low, high: scaled.high, declines: a.declines, perDecline: perDecline)
        }
        power = f.power.map { p in
            Power(
                liftSeen: ReportFormats.money(p.liftSeenCents), minimumLift: Money(cents: p.minimumLiftCents).description,
                declinesNeeded: p.declinesNeeded, declinesNeededAtMinimum: p.declinesNeededAtMinimum,
                declinesPerMonth: p.declinesPerMonth.flatMap { $0.isFinite ? String(format: "%.1f", $0) : nil },
                monthsToGo: p.monthsToGo, monthsToGoAtMinimum: p.monthsToGoAtMinimum)
        }
    }

    enum CodingKeys: String, CodingKey {
        case interval = "incremental_margin_anytime"
        case verdict = "verdict_anytime"
        case power
    }

    /// Into the enclosing group's object (the encoder's keyed container is shared).
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(interval, forKey: .interval)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(power, forKey: .power)
    }
}
