import Foundation

/// The percentile bootstrap of incremental margin (DESIGN.md, "Measuring honestly"), fast enough for a million deals.
///
/// Each resample draws every deal of an arm a Poisson(1) number of times (the "Poisson bootstrap": for an arm of n deals
/// it is the large-sample form of drawing n deals with replacement, and each deal is drawn independently). Deals that
/// are alike — the same number of declines and the same net margin, as most deals with no recovery are — form a class,
/// and a class of m deals is drawn Poisson(m) times in all, which is exactly the sum of m Poisson(1) draws. So a
/// resample costs one draw per class, not one per deal. Classes are visited in a fixed order, so the same seed gives
/// the same interval on every machine.
public enum Bootstrap {
    /// The deals of one arm, by class: (declines, net margin in cents) and how many deals share it.
    public struct Classes: Sendable, Equatable {
        public private(set) var members: [Key: Int] = [:]
        public struct Key: Hashable, Sendable, Comparable {
            public var declines: Int
            public var netCents: Int64
            public static func < (a: Key, b: Key) -> Bool { (a.declines, a.netCents) < (b.declines, b.netCents) }
        }
        public init() {}
        public init(_ deals: [Intervals.DealOutcome]) {
            for d in deals { add(declines: d.declines, netCents: d.netCents) }
        }
        public mutating func add(declines: Int, netCents: Int64, count: Int = 1) {
            members[Key(declines: declines, netCents: netCents), default: 0] += count
        }
        public var declines: Int { members.reduce(0) { $0 + $1.key.declines * $1.value } }
        public var netCents: Double { members.reduce(0) { $0 + Double($1.key.netCents) * Double($1.value) } }
        /// The classes in a fixed order (a dictionary's order differs from process to process).
        var ordered: [(key: Key, count: Int)] { members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }

    /// (margin per treated decline − per held-out decline) × treated declines, in cents; nil without declines in an arm.
    public static func incrementalMargin(treatedDeclines dt: Double, treatedNet nt: Double, holdoutDeclines dh: Double, holdoutNet nh: Double)
        -> Double?
    {
        guard dt > 0, dh > 0 else { return nil }
        return (nt / dt - nh / dh) * dt
    }

    /// The figure and its 95% interval: the 2.5th and 97.5th percentiles of `resamples` recomputed figures (nearest
    /// rank: the ⌈0.025·B⌉-th and ⌈0.975·B⌉-th smallest). A resample that drew no declines in an arm counts as no
    /// difference. Nil when either arm has no declines.
    public static func incrementalMargin(treated: Classes, holdout: Classes, resamples: Int = 10_000, seed: UInt64)
        -> (value: Double, low: Double, high: Double)?
    {
        guard
            let value = incrementalMargin(
                treatedDeclines: Double(treated.declines), treatedNet: treated.netCents, holdoutDeclines: Double(holdout.declines),
                holdoutNet: holdout.netCents), resamples > 0
        else { return nil }
        let t = treated.ordered
        let h = holdout.ordered
        var rng = SeededRandom(seed: seed)
        var figures: [Double] = []
        figures.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let (dt, nt) = draw(t, &rng)
            let (dh, nh) = draw(h, &rng)
            figures.append(incrementalMargin(treatedDeclines: dt, treatedNet: nt, holdoutDeclines: dh, holdoutNet: nh) ?? 0)
        }
        figures.sort()
        let lowRank = Int((0.025 * Double(resamples)).rounded(.up))
        let highRank = Int((0.975 * Double(resamples)).rounded(.up))
        return (value, figures[max(0, lowRank - 1)], figures[min(resamples - 1, max(0, highRank - 1))])
    }

    /// One resample of an arm: its declines and net margin.
    private static func draw(_ classes: [(key: Classes.Key, count: Int)], _ rng: inout SeededRandom) -> (Double, Double) {
        var declines = 0.0
        var net = 0.0
        for c in classes {
            let w = Double(poisson(Double(c.count), &rng))
            declines += w * Double(c.key.declines)
            net += w * Double(c.key.netCents)
        }
        return (declines, net)
    }

    /// A Poisson(`mean`) variate: by inversion of products of uniforms for small means (Knuth), by Hörmann's
    /// transformed rejection (PTRS, 1993) for means of 10 and more.
    public static func poisson(_ mean: Double, _ rng: inout SeededRandom) -> Int {
        guard mean > 0, mean.isFinite else { return 0 }
        if mean < 10 {
            let limit = exp(-mean)
            var k = 0
            var p = uniform(&rng)
            while p > limit {
                k += 1
                p *= uniform(&rng)
            }
            return k
        }
        let slam = mean.squareRoot()
        let logMean = log(mean)
        let b = 0.931 + 2.53 * slam
        let a = -0.059 + 0.024_83 * b
        let invAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = uniform(&rng) - 0.5
            let v = uniform(&rng)
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + mean + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return Int(k) }  // here |k − mean| < (2a/0.07 + b), far inside Int
            if k < 0 || k > 1e15 || (us < 0.013 && v > us) { continue }
            if log(v) + log(invAlpha) - log(a / (us * us) + b) <= -mean + k * logMean - lgamma(k + 1) { return Int(k) }
        }
    }

    /// A uniform double in (0, 1), from the top 53 bits.
    @inline(__always) static func uniform(_ rng: inout SeededRandom) -> Double {
        (Double(rng.next() >> 11) + 0.5) * 0x1.0p-53
    }
}
