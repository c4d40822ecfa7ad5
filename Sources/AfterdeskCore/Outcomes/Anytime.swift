import Foundation

/// The anytime-valid interval of the incremental margin (docs/reporting.md, "The anytime interval"): an asymptotic
/// confidence sequence (Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas, "Time-uniform central limit theory and
/// asymptotic confidence sequences", Ann. Statist. 2024) for the mean of φ = Y·(T/p − (1−T)/(1−p)) over the declines
/// whose evaluation window has closed. A store may look at it every day: with probability about 1 − α it holds the
/// true effect at every look at once, where the fixed interval holds it at one look chosen in advance.
public enum ConfidenceSequence {
    /// Two-sided α of the report's intervals.
    public static let alpha = 0.05

    /// The paper's normal-mixture boundary: the half-width at `t` units with sample variance `variance` and mixture
    /// parameter `rho2` (ρ²),
    ///
    ///     sqrt( 2(t σ̂² ρ² + 1) / (t² ρ²) · log( sqrt(t σ̂² ρ² + 1) / α ) ).
    ///
    /// Nil for a time below one or a ρ² that is not positive.
    public static func boundary(t: Double, variance: Double, rho2: Double, alpha: Double = alpha) -> Double? {
        guard t >= 1, rho2 > 0, rho2.isFinite, variance >= 0, variance.isFinite, alpha > 0, alpha < 1 else { return nil }
        let s = t * variance * rho2 + 1
        let width = (2 * s / (t * t * rho2) * Foundation.log(s.squareRoot() / alpha)).squareRoot()
        return width.isFinite ? width : nil
    }

    /// The value of t σ̂² ρ² + 1 that makes the boundary tightest at t: the root above one of x − log x = 1 − 2 log α,
    /// x = −W₋₁(−α² e⁻¹) (Lambert's W, lower branch). About 9.212 at α = 0.05.
    public static func tightest(alpha: Double = alpha) -> Double {
        let c = 1 - 2 * Foundation.log(alpha)
        // Newton's method from the asymptotic expansion of W₋₁; f(x) = x − log x − c is convex and increasing above one,
        // so the steps converge from the start's side in a few iterations.
        var x = c + Foundation.log(c)
        for _ in 0..<50 {
            let next = x - (x - Foundation.log(x) - c) / (1 - 1 / x)
            if abs(next - x) < 1e-14 * x { return next }
            x = next
        }
        return x
    }

    static let tightest95 = tightest(alpha: alpha)

    /// ρ² for a sequence tightest after `tStar` units, in the paper's parametrisation (the boundary above, with the
    /// variance inside): ρ² σ̂² t* = x − 1 (`tightest`). ρ scales with 1/σ̂, as the authors' own code does by writing the
    /// half-width as σ̂ times the unit-variance boundary: the tuning then does not depend on the currency unit.
    public static func rho2(tStar: Double, variance: Double, alpha: Double = alpha) -> Double? {
        guard tStar >= 1, variance > 0, variance.isFinite else { return nil }
        return ((alpha == Self.alpha ? tightest95 : tightest(alpha: alpha)) - 1) / (tStar * variance)
    }

    /// The interval of the mean of `t` units with sums `sum` and `squares` (Σφ, Σφ²), tuned for `tStar`: the mean ±
    /// the boundary with the sample variance (Σφ²/t − mean²). A sample without variance has an interval of its mean
    /// alone. Nil without a unit.
    public static func interval(sum: Double, squares: Double, t: Int, tStar: Double, alpha: Double = alpha) -> Estimate? {
        guard t >= 1, sum.isFinite, squares.isFinite else { return nil }
        let n = Double(t)
        let mean = sum / n
        let variance = max(0, squares / n - mean * mean)
        guard variance > 0 else { return Estimate(value: mean, low: mean, high: mean) }
        guard let rho2 = rho2(tStar: max(tStar, 1), variance: variance, alpha: alpha),
            let half = boundary(t: n, variance: variance, rho2: rho2, alpha: alpha)
        else { return nil }
        return Estimate(value: mean, low: mean - half, high: mean + half)
    }
}

/// What the anytime interval and the power need of one arm's declines, summed in the report's one pass. Exact
/// integers, so that sums of parts equal the sum of the whole.
public struct MaturityArm: Sendable, Equatable {
    /// Σ net² over all the arm's declines (cents²): the variance of the net margin per decline, for the power.
    public var netSquares: Int128 = 0
    /// Declines whose evaluation window has closed by `as_of` (the confidence sequence's units).
    public var closed = 0
    /// Of those, declines recovered within the window.
    public var closedRecovered = 0
    /// Σ Y and Σ Y² over the closed declines, Y the net margin of a sale within the window (cents, cents²).
    public var closedSum: Int64 = 0
    public var closedSquares: Int128 = 0
    public init() {}

    mutating func merge(_ o: MaturityArm) {
        netSquares += o.netSquares
        closed += o.closed
        closedRecovered += o.closedRecovered
        closedSum += o.closedSum
        closedSquares += o.closedSquares
    }
}

/// The sums of both arms of a group, and the earliest contract date among its declines (the store's volume is
/// counted from it).
public struct MaturitySums: Sendable, Equatable {
    public var treated = MaturityArm()
    public var holdout = MaturityArm()
    public var firstContract: LocalDate?
    /// Both arms again, by the percent of deals held out where each decline was made (lines added with it): a group's
    /// stores may hold out different shares, and each decline's pseudo-outcome is weighed by its own store's.
    public var byHoldoutPercent: [HeldOutShare] = []
    public init() {}

    /// The sums of the declines made where `percent` of deals are held out.
    public struct HeldOutShare: Sendable, Equatable {
        public var percent: Int
        public var treated = MaturityArm()
        public var holdout = MaturityArm()
    }

    /// Adds a ledger line: `closed` when its evaluation window has closed; `y` its net margin when it was recovered
    /// within the window (nil: not recovered in it); `holdoutPercent` the share of deals held out at its store.
    mutating func add(arm: Arm, contractDate: LocalDate, net: Int64, closed: Bool, y: Int64?, holdoutPercent: Int? = nil) {
        if firstContract.map({ contractDate < $0 }) ?? true { firstContract = contractDate }
        switch arm {
        case .treated: MaturitySums.add(&treated, net: net, closed: closed, y: y)
        case .holdout: MaturitySums.add(&holdout, net: net, closed: closed, y: y)
        }
        guard let percent = holdoutPercent else { return }
        let i = shareIndex(percent)
        switch arm {
        case .treated: MaturitySums.add(&byHoldoutPercent[i].treated, net: net, closed: closed, y: y)
        case .holdout: MaturitySums.add(&byHoldoutPercent[i].holdout, net: net, closed: closed, y: y)
        }
    }

    private static func add(_ a: inout MaturityArm, net: Int64, closed: Bool, y: Int64?) {
        if net != 0 { a.netSquares += Int128(net) * Int128(net) }
        guard closed else { return }
        a.closed += 1
        guard let y else { return }
        a.closedRecovered += 1
        a.closedSum += y
        a.closedSquares += Int128(y) * Int128(y)
    }

    mutating func merge(_ o: MaturitySums) {
        treated.merge(o.treated)
        holdout.merge(o.holdout)
        if let f = o.firstContract, firstContract.map({ f < $0 }) ?? true { firstContract = f }
        for share in o.byHoldoutPercent {
            let i = shareIndex(share.percent)
            byHoldoutPercent[i].treated.merge(share.treated)
            byHoldoutPercent[i].holdout.merge(share.holdout)
        }
    }

    /// The index of `percent`'s sums, made when new: the array is kept in percent order (a store or three: found by a
    /// look along it), so sums merged in any order are equal.
    private mutating func shareIndex(_ percent: Int) -> Int {
        if let i = byHoldoutPercent.firstIndex(where: { $0.percent == percent }) { return i }
        let i = byHoldoutPercent.firstIndex { $0.percent > percent } ?? byHoldoutPercent.count
        byHoldoutPercent.insert(HeldOutShare(percent: percent), at: i)
        return i
    }

    /// The shares whose declines compare the arms: some deals held out and some not (a store holding out none, or all,
    /// has no contrast to weigh).
    var contrasting: [HeldOutShare] { byHoldoutPercent.filter { $0.percent > 0 && $0.percent < 100 } }

    /// Σφ, Σφ² and t over the closed declines, each weighed by the share held out where it was made (lines added with
    /// one); lines added without it, all of them, at `percent`. One share gives what `pseudoOutcomes(treatedShare:)`
    /// gives.
    public func pseudoOutcomes(heldOutPercent percent: Int) -> (sum: Double, squares: Double, t: Int)? {
        guard !byHoldoutPercent.isEmpty else { return pseudoOutcomes(treatedShare: 1 - Double(percent) / 100) }
        // A store holding out none (or all) of its deals is left out: its declines carry no contrast between the arms.
        let shares = contrasting
        guard !shares.isEmpty else { return nil }
        var all = (sum: 0.0, squares: 0.0, t: 0)
        for share in shares {
            var part = MaturitySums()
            (part.treated, part.holdout) = (share.treated, share.holdout)
            guard let s = part.pseudoOutcomes(treatedShare: 1 - Double(share.percent) / 100) else { return nil }
            all = (all.sum + s.sum, all.squares + s.squares, all.t + s.t)
        }
        return all
    }

    /// The declines' mean of 1/p and of 1/(1 − p) over the closed declines of the shares that compare the arms, when
    /// there are two or more such shares with closed declines (the power's spread is σ²_treated · E[1/p] + σ²_held out ·
    /// E[1/(1 − p)]); nil with one share (its own p is the power's, `treatedShare(heldOutPercent:)`).
    public func inverseShares() -> (treated: Double, holdout: Double)? {
        let shares = contrasting.filter { $0.treated.closed + $0.holdout.closed > 0 }
        guard shares.count > 1 else { return nil }
        let closed = Double(shares.reduce(0) { $0 + $1.treated.closed + $1.holdout.closed })
        var (treated, holdout) = (0.0, 0.0)
        for share in shares {
            let (n, p) = (Double(share.treated.closed + share.holdout.closed), 1 - Double(share.percent) / 100)
            treated += n / p
            holdout += n / (1 - p)
        }
        return (treated / closed, holdout / closed)
    }

    /// The treated share of a report of one share: the one share that compares the arms, else `percent`'s.
    public func treatedShare(heldOutPercent percent: Int) -> Double {
        let shares = contrasting
        return 1 - Double(shares.count == 1 ? shares[0].percent : percent) / 100
    }

    /// Σφ, Σφ² and t over the closed declines, for a treated share `p`: φ = Y/p for a treated decline, −Y/(1−p) for a
    /// held-out one.
    public func pseudoOutcomes(treatedShare p: Double) -> (sum: Double, squares: Double, t: Int)? {
        guard p > 0, p < 1 else { return nil }
        let q = 1 - p
        let sum = Double(treated.closedSum) / p - Double(holdout.closedSum) / q
        let squares = Double(treated.closedSquares) / (p * p) + Double(holdout.closedSquares) / (q * q)
        return (sum, squares, treated.closed + holdout.closed)
    }
}
