import Foundation

/// When a report that cannot conclude yet will be able to (docs/reporting.md, "When it will know"): the declines a
/// lift in margin per decline needs for 80% power at two-sided α = 0.05, and at the store's volume about how many
/// months until it has them.
public struct PowerFigures: Sendable, Equatable {
    /// The lift seen: treated margin per decline − held-out margin per decline, in cents; nil without declines in an arm.
    public var liftSeenCents: Double?
    /// The stated minimum lift worth detecting, in cents per decline (`ReportParameters.minimumLiftCents`).
    public var minimumLiftCents: Int64
    /// Declines (both arms) the lift seen needs; nil when no lift above zero was seen or nothing varies yet.
    public var declinesNeeded: Int?
    /// Declines (both arms) the minimum lift needs; nil when nothing varies yet.
    public var declinesNeededAtMinimum: Int?
    /// The store's declines a month over the report's dates: from the earliest contract among the declines to `to` (or
    /// `as_of` when earlier).
    public var declinesPerMonth: Double?
    /// Months until the declines needed are in, at `declinesPerMonth`, rounded up; 0 when they are in already.
    public var monthsToGo: Int?
    public var monthsToGoAtMinimum: Int?

    public init(
        liftSeenCents: Double? = nil, minimumLiftCents: Int64, declinesNeeded: Int? = nil, declinesNeededAtMinimum: Int? = nil,
        declinesPerMonth: Double? = nil, monthsToGo: Int? = nil, monthsToGoAtMinimum: Int? = nil
    ) {
        self.liftSeenCents = liftSeenCents
        self.minimumLiftCents = minimumLiftCents
        self.declinesNeeded = declinesNeeded
        self.declinesNeededAtMinimum = declinesNeededAtMinimum
        self.declinesPerMonth = declinesPerMonth
        self.monthsToGo = monthsToGo
        self.monthsToGoAtMinimum = monthsToGoAtMinimum
    }

    /// z for two-sided α = 0.05 and for 80% power.
    static let zAlpha = Intervals.z95
    static let zPower = 0.841_621_233_572_914_3
    /// Days in an average month (365.25 ÷ 12).
    public static let daysPerMonth = 30.4375

    /// The declines needed to detect `lift` (cents per decline) with the arms' variances of net margin per decline and
    /// a treated share `p`: n = (z₀.₉₇₅ + z₀.₈)² · (σ²_treated / p + σ²_holdout / (1 − p)) / lift², rounded up.
    public static func declinesNeeded(lift: Double, treatedVariance: Double, holdoutVariance: Double, treatedShare p: Double) -> Int? {
        guard p > 0, p < 1 else { return nil }
        return declinesNeeded(lift: lift, spread: treatedVariance / p + holdoutVariance / (1 - p))
    }

    /// As above, from the spread σ²_treated / p + σ²_held out / (1 − p) (or its mean over declines of several shares).
    public static func declinesNeeded(lift: Double, spread: Double) -> Int? {
        guard lift > 0, lift.isFinite else { return nil }
        guard spread > 0, spread.isFinite else { return nil }
        let n = ((zAlpha + zPower) * (zAlpha + zPower) * spread / (lift * lift)).rounded(.up)
        return n.isFinite && n < 1e15 ? Int(n) : nil
    }

    /// Months until `needed` declines at `perMonth`, given `have`; rounded up.
    public static func months(needed: Int?, have: Int, perMonth: Double?) -> Int? {
        guard let needed, let perMonth, perMonth > 0 else { return nil }
        let m = (Double(max(0, needed - have)) / perMonth).rounded(.up)
        return m.isFinite && m < 1e12 ? Int(m) : nil
    }
}

extension ReportFigures {
    /// The sample variance of the net margin per decline of an arm (cents²): Σ net² / n − mean².
    static func variance(_ a: ArmFigures, _ m: MaturityArm) -> Double? {
        guard a.declines > 0 else { return nil }
        let n = Double(a.declines)
        let mean = Double(a.netCents) / n
        return max(0, Double(m.netSquares) / n - mean * mean)
    }

    /// The power figures of a group that is too small or inconclusive, under `p`'s holdout share and minimum lift.
    func power(_ p: ReportParameters) -> PowerFigures? {
        guard verdict == .tooSmall || verdict == .inconclusive else { return nil }
        var power = PowerFigures(minimumLiftCents: p.minimumLiftCents)
        if treated.declines > 0, holdout.declines > 0 {
            power.liftSeenCents = Double(treated.netCents) / Double(treated.declines) - Double(holdout.netCents) / Double(holdout.declines)
        }
        // Each arm's own variance once it has 5 recoveries; before, the variance of both arms together (an arm with one
        // recovery or none says little about its spread).
        var both = treated
        both.merge(holdout)
        var bothSums = anytimeSums.treated
        bothSums.merge(anytimeSums.holdout)
        let pooled = Self.variance(both, bothSums) ?? 0
        let vt = treated.recovered >= 5 ? Self.variance(treated, anytimeSums.treated) ?? pooled : pooled
        let vh = holdout.recovered >= 5 ? Self.variance(holdout, anytimeSums.holdout) ?? pooled : pooled
        // One share: its p. A group's stores holding out different shares: each decline's own, through the declines'
        // mean of 1/p and 1/(1 − p).
        let share = anytimeSums.treatedShare(heldOutPercent: p.holdoutPercent)
        let inverse = anytimeSums.inverseShares()
        let needed = { (lift: Double) -> Int? in
            guard let inverse else {
                return PowerFigures.declinesNeeded(lift: lift, treatedVariance: vt, holdoutVariance: vh, treatedShare: share)
            }
            return PowerFigures.declinesNeeded(
                lift: lift, spread: vt * inverse.treated + vh * inverse.holdout)
        }
        power.declinesNeeded = power.liftSeenCents.flatMap(needed)
        power.declinesNeededAtMinimum = needed(Double(p.minimumLiftCents))
        power.declinesPerMonth = declinesPerMonth(p)
        power.monthsToGo = PowerFigures.months(needed: power.declinesNeeded, have: declines, perMonth: power.declinesPerMonth)
        power.monthsToGoAtMinimum = PowerFigures.months(
            needed: power.declinesNeededAtMinimum, have: declines, perMonth: power.declinesPerMonth)
        return power
    }

    /// Declines a month: the group's declines over the days from its earliest contract to `to` (or `as_of`), both
    /// counted; nil without a decline.
    func declinesPerMonth(_ p: ReportParameters) -> Double? {
        guard let first = anytimeSums.firstContract, declines > 0 else { return nil }
        let end = min(p.to, p.asOf)
        let days = max(1, first.days(until: end) + 1)
        return Double(declines) / Double(days) * PowerFigures.daysPerMonth
    }
}
