import Foundation

/// Both arms of a group together, as the dashboard shows them: the margin follow-up recovered, treated or held out.
extension ReportFigures {
    public var netCents: Int64 { treated.netCents + holdout.netCents }
    public var grossCents: Int64 { treated.grossCents + holdout.grossCents }
    public var chargebacksCents: Int64 { treated.chargebacksCents + holdout.chargebacksCents }
    public var recovered: Int { treated.recovered + holdout.recovered }
}

extension ArmFigures {
    /// The recovery rate with its 95% Wilson interval; nil without declines.
    public var recoveryEstimate: Estimate? {
        guard let rate = recoveryRate else { return nil }
        let interval = Intervals.wilson(successes: recovered, trials: declines)
        return Estimate(value: rate, low: interval.low, high: interval.high)
    }
}
