import Foundation

/// The intervals the margin report states its figures with (DESIGN.md, "Measuring honestly"). Pure functions of counts
/// and amounts, so a person can recompute every one of them from the decline ledger.
public enum Intervals {
    /// z for a two-sided 95% interval.
    public static let z95 = 1.959_963_984_540_054

    /// Wilson's score interval for a proportion `successes / trials`; (0, 1) when there are no trials.
    public static func wilson(successes: Int, trials: Int, z: Double = z95) -> (low: Double, high: Double) {
        guard trials > 0, successes >= 0, successes <= trials else { return (0, 1) }
        let n = Double(trials)
        let p = Double(successes) / n
        let denominator = 1 + z * z / n
        let center = (p + z * z / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / denominator
        return (max(0, center - half), min(1, center + half))
    }

    /// The difference of two proportions `x1/n1 − x2/n2` with Newcombe's hybrid score interval (his method 10, 1998),
    /// built from the two Wilson intervals; nil when either arm has no trials. Unlike the Wald interval it stays inside
    /// [−1, 1] and keeps its coverage at small counts and at 0% or 100%.
    public static func newcombe(_ x1: Int, of n1: Int, minus x2: Int, of n2: Int, z: Double = z95)
        -> (value: Double, low: Double, high: Double)?
    {
        guard n1 > 0, n2 > 0, (0...n1).contains(x1), (0...n2).contains(x2) else { return nil }
        let p1 = Double(x1) / Double(n1)
        let p2 = Double(x2) / Double(n2)
        let (l1, u1) = wilson(successes: x1, trials: n1, z: z)
        let (l2, u2) = wilson(successes: x2, trials: n2, z: z)
        let d = p1 - p2
        let low = d - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
        let high = d + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
        return (d, max(-1, low), min(1, high))
    }

    /// One deal's part in an arm of the report: how many declines it has, and the net margin recovered on them.
    public struct DealOutcome: Sendable, Equatable {
        public var declines: Int
        public var netCents: Int64
        public init(declines: Int, netCents: Int64) {
            self.declines = declines
            self.netCents = netCents
        }
    }

    /// The incremental margin with a percentile-bootstrap interval that resamples deals within each arm (see
    /// `Bootstrap`). Nil when either arm has no declines.
    public static func bootstrapIncrementalMargin(
        treated: [DealOutcome], holdout: [DealOutcome], resamples: Int = 10_000, seed: UInt64
    ) -> (value: Double, low: Double, high: Double)? {
        Bootstrap.incrementalMargin(
            treated: Bootstrap.Classes(treated), holdout: Bootstrap.Classes(holdout), resamples: resamples, seed: seed)
    }
}

/// What the report concludes (DESIGN.md): too small to conclude, recovered margin, a negative one, or inconclusive.
public enum Verdict: String, Sendable, Equatable, CaseIterable, Codable {
    case tooSmall = "too_small"
    case recovered
    case negative
    case inconclusive

    /// Too small when either arm has under 30 declines or under 5 expected recoveries (the pooled recovery rate times
    /// the arm's declines); else recovered when the incremental margin's interval lies above zero, negative when it
    /// lies below, inconclusive when it holds zero.
    public static func of(
        treatedDeclines: Int, treatedRecovered: Int, holdoutDeclines: Int, holdoutRecovered: Int, interval: (low: Double, high: Double)?
    ) -> Verdict {
        let declines = treatedDeclines + holdoutDeclines
        guard treatedDeclines >= 30, holdoutDeclines >= 30, declines > 0, let interval else { return .tooSmall }
        let pooled = Double(treatedRecovered + holdoutRecovered) / Double(declines)
        if pooled * Double(treatedDeclines) < 5 || pooled * Double(holdoutDeclines) < 5 { return .tooSmall }
        if interval.low > 0 { return .recovered }
        if interval.high < 0 { return .negative }
        return .inconclusive
    }
}
