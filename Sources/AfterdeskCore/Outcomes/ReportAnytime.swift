import Foundation

/// What closes a decline's unit of the anytime interval (menu `anytime_window`): a number of days from the contract
/// (120 unless set), or the decline's measurement horizon (its `measured_until`).
public enum AnytimeWindow: Sendable, Equatable {
    case days(Int)
    case horizon

    /// "120-day window", "measurement horizon": the words of the table and the dashboard.
    public var name: String {
        switch self {
        case .days(let n): "\(n)-day window"
        case .horizon: "measurement horizon"
        }
    }
}

/// The evaluation window a decline's unit of the anytime interval waits for, and the conclusion drawn from it.
extension ReportParameters {
    /// Days from the contract that a decline is evaluated over for the anytime interval: the product's own
    /// (`evaluationDays`, the hook for a product's measurement horizon) or `defaultEvaluationDays` (120).
    public func evaluationDays(_ product: String) -> Int {
        evaluationDays.isEmpty ? defaultEvaluationDays : evaluationDays[product] ?? defaultEvaluationDays
    }

    /// The words for the unit's window: "120-day window" or "measurement horizon".
    public var anytimeWindowName: String {
        anytimeByHorizon ? AnytimeWindow.horizon.name : AnytimeWindow.days(defaultEvaluationDays).name
    }

    /// A ledger line as a unit of the anytime interval: `closed` when its evaluation window (contract date + the
    /// product's days, or with `anytimeByHorizon` the decline's measurement end) has ended on or before `as_of`; `y` its net margin when it was recovered within the window.
    /// The sales are the ledger's (within the measurement end too), their chargebacks those to `as_of`.
    public func evaluationUnit(_ row: some LedgerFigures) -> (closed: Bool, y: Int64?) {
        let end = anytimeByHorizon ? row.measuredUntil : row.contractDate.adding(days: evaluationDays(row.product))
        guard end <= asOf else { return (false, nil) }
        guard row.recovered, let on = row.recoveredOn, on <= end else { return (true, nil) }
        return (true, row.marginNetCents)
    }
}

extension ReportFigures {
    /// Adds a line's part in the anytime interval and the power.
    mutating func addMaturity(_ row: some LedgerFigures, _ unit: (closed: Bool, y: Int64?), heldOutPercent: Int) {
        anytimeSums.add(
            arm: row.arm, contractDate: row.contractDate, net: row.marginNetCents, closed: unit.closed, y: unit.y,
            holdoutPercent: heldOutPercent)
    }

    /// The anytime interval, its verdict and the power, once every line is in (after `conclude`).
    mutating func concludeAnytime(_ p: ReportParameters) {
        let perYear = declinesPerMonth(p).map { $0 * 12 } ?? 0
        // Each decline weighed by its own store's share (a group's stores may hold out different shares).
        let c = ConfidenceSequence.conclude(
            anytimeSums, pseudoOutcomes: anytimeSums.pseudoOutcomes(heldOutPercent: p.holdoutPercent), tStar: perYear)
        let scale = Double(treated.declines)
        incrementalMarginAnytime = c.perDecline.map {
            AnytimeEstimate(
                perDecline: $0, declines: c.declines, scaled: Estimate(value: $0.value * scale, low: $0.low * scale, high: $0.high * scale))
        }
        verdictAnytime = c.verdict
        power = power(p)
    }
}

extension ConfidenceSequence {
    /// The anytime interval per decline (cents) over the closed declines of `m`, tuned for `tStar` declines, and its
    /// verdict: too small under the fixed verdict's rule applied to the closed declines (30 in each arm, 5 expected
    /// recoveries), else recovered, negative or inconclusive by where the interval lies.
    public static func conclude(_ m: MaturitySums, treatedShare: Double, tStar: Double) -> (
        perDecline: Estimate?, declines: Int, verdict: Verdict
    ) {
        conclude(m, pseudoOutcomes: m.pseudoOutcomes(treatedShare: treatedShare), tStar: tStar)
    }

    /// As `conclude(_:treatedShare:tStar:)`, from the pseudo-outcomes' sums `s` of `m` as weighed already.
    public static func conclude(_ m: MaturitySums, pseudoOutcomes s: (sum: Double, squares: Double, t: Int)?, tStar: Double) -> (
        perDecline: Estimate?, declines: Int, verdict: Verdict
    ) {
        let perDecline = s.flatMap { interval(sum: $0.sum, squares: $0.squares, t: $0.t, tStar: tStar) }
        let verdict = Verdict.of(
            treatedDeclines: m.treated.closed, treatedRecovered: m.treated.closedRecovered, holdoutDeclines: m.holdout.closed,
            holdoutRecovered: m.holdout.closedRecovered, interval: perDecline.map { ($0.low, $0.high) })
        return (perDecline, s?.t ?? 0, verdict)
    }
}

/// The anytime interval of the incremental margin: per decline (the confidence sequence's own scale) and scaled like
/// the incremental margin, × the group's treated declines.
public struct AnytimeEstimate: Sendable, Equatable {
    /// The mean of φ over the closed declines, in cents, with its interval.
    public var perDecline: Estimate
    /// The closed declines it is computed from (t).
    public var declines: Int
    /// `perDecline` × treated declines, in cents: what the report's incremental margin states, at the rate measured on
    /// the closed declines.
    public var scaled: Estimate

    public init(perDecline: Estimate, declines: Int, scaled: Estimate) {
        self.perDecline = perDecline
        self.declines = declines
        self.scaled = scaled
    }
}
