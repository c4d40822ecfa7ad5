import Foundation

/// The percentile bootstrap of incremental margin (DESIGN.md, "Measuring honestly"), fast enough for a million deals.
///
/// Each resample draws every deal of an arm a Poisson(1) number of times (the "Poisson bootstrap": for an arm of n deals
/// it is the large-sample form of drawing n deals with replacement, and each deal is drawn independently). Deals that
/// are alike — the same number of declines and the same net margin, as most deals with no recovery are — form a class,
/// and a class of m deals is drawn Poisson(m) times in all, which is exactly the sum of m Poisson(1) draws. So a
/// resample costs one draw per class, not one per deal. Classes are visited in a fixed order, so the same seed gives
/// the same interval on every machine.
///
/// An arm with more than `exactClasses` distinct outcomes (a large store, whose recovered deals nearly all differ in
/// margin) keeps its `keptClasses` most populous classes drawn exactly as above; the rest, thousands of classes of a
/// deal or two, are drawn together: their resampled declines and net margin, sums of thousands of independent Poisson-weighted
/// terms, are drawn from the bivariate normal distribution with exactly their mean and covariance (the central limit
/// theorem; the sum's skewness is about 1/√(number of classes), far below the interval's own resampling error). Without
/// it a report over a million deals would make billions of draws.
public enum Bootstrap {
    /// An arm with up to this many classes is drawn class by class; one with more keeps `keptClasses` drawn so, and
    /// draws the rest (at least 1,800 classes) together (see above).
    public static let exactClasses = 2_000
    public static let keptClasses = 200

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
        public mutating func merge(_ other: Classes) {
            for (key, count) in other.members { members[key, default: 0] += count }
        }
        public var declines: Int { members.reduce(0) { $0 + $1.key.declines * $1.value } }
        public var netCents: Double { members.reduce(0) { $0 + Double($1.key.netCents) * Double($1.value) } }
        /// The classes in a fixed order (a dictionary's order differs from process to process).
        var ordered: [(key: Key, count: Int)] { members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }

    /// (margin per treated decline − per held-out decline) × treated declines, in cents; nil without declines in an arm.
    public static func incrementalMargin(
        treatedDeclines dt: Double, treatedNet nt: Double, holdoutDeclines dh: Double, holdoutNet nh: Double
    )
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
        let t = ArmSampler(treated.ordered)
        let h = ArmSampler(holdout.ordered)
        var rng = SeededRandom(seed: seed)
        var figures: [Double] = []
        figures.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let (dt, nt) = t.draw(&rng)
            let (dh, nh) = h.draw(&rng)
            figures.append(incrementalMargin(treatedDeclines: dt, treatedNet: nt, holdoutDeclines: dh, holdoutNet: nh) ?? 0)
        }
        figures.sort()
        let lowRank = Int(saturating: (0.025 * Double(resamples)).rounded(.up))
        let highRank = Int(saturating: (0.975 * Double(resamples)).rounded(.up))
        return (value, figures[max(0, lowRank - 1)], figures[min(resamples - 1, max(0, highRank - 1))])
    }

    /// One arm's resampling: its most populous classes drawn one by one, the rest together (see the type's comment).
    struct ArmSampler {
        struct Exact {
            var declines: Double
            var net: Double
            /// The cumulative Poisson probabilities of the class's count, for counts under 10 (nil: drawn by PTRS).
            var table: [Double]?
            var mean: Double
        }
        var exact: [Exact] = []
        /// The classes drawn together: the mean and covariance of their resampled (declines, net), and its factor.
        var pooled: (meanD: Double, meanN: Double, sdD: Double, slope: Double, residual: Double)?

        init(_ classes: [(key: Classes.Key, count: Int)]) {
            let byCount = classes.sorted { ($0.count, $1.key) > ($1.count, $0.key) }
            var tables: [Int: [Double]] = [:]
            let kept = byCount.count <= Bootstrap.exactClasses ? byCount.count : Bootstrap.keptClasses
            for c in byCount.prefix(kept) {
                let table: [Double]? =
                    c.count < 10
                    ? tables[c.count]
                        ?? {
                            let t = Bootstrap.cumulativePoisson(Double(c.count))
                            tables[c.count] = t
                            return t
                        }() : nil
                exact.append(Exact(declines: Double(c.key.declines), net: Double(c.key.netCents), table: table, mean: Double(c.count)))
            }
            let rest = byCount.dropFirst(kept)
            guard !rest.isEmpty else { return }
            // A class of m deals adds w·(d, v) with w ~ Poisson(m): mean m·(d, v), covariance m·[d², dv; dv, v²].
            var md = 0.0
            var mv = 0.0
            var dd = 0.0
            var dv = 0.0
            var vv = 0.0
            for c in rest {
                let m = Double(c.count)
                let d = Double(c.key.declines)
                let v = Double(c.key.netCents)
                md += m * d
                mv += m * v
                dd += m * d * d
                dv += m * d * v
                vv += m * v * v
            }
            let sdD = dd.squareRoot()
            let slope = sdD > 0 ? dv / sdD : 0
            pooled = (md, mv, sdD, slope, max(0, vv - slope * slope).squareRoot())
        }

        func draw(_ rng: inout SeededRandom) -> (Double, Double) {
            var declines = 0.0
            var net = 0.0
            for c in exact {
                let w: Double
                if let table = c.table {
                    let u = Bootstrap.uniform(&rng)
                    var k = 0
                    while k < table.count - 1 && u > table[k] { k += 1 }
                    w = Double(k)
                } else {
                    w = Double(Bootstrap.poisson(c.mean, &rng))
                }
                declines += w * c.declines
                net += w * c.net
            }
            if let p = pooled {
                let (z1, z2) = Bootstrap.normals(&rng)
                declines += max(0, p.meanD + p.sdD * z1)
                net += p.meanN + p.slope * z1 + p.residual * z2
            }
            return (declines, net)
        }
    }

    /// P(X ≤ k) for k = 0, 1, … of a Poisson(`mean`) variable, until it is 1 to within 1e-16.
    static func cumulativePoisson(_ mean: Double) -> [Double] {
        var out: [Double] = []
        var p = exp(-mean)
        var total = p
        var k = 0
        while total < 1 - 1e-16 && k < 200 {
            out.append(total)
            k += 1
            p *= mean / Double(k)
            total += p
        }
        out.append(1)
        return out
    }

    /// Two independent standard normal variates (Box–Muller).
    static func normals(_ rng: inout SeededRandom) -> (Double, Double) {
        let r = (-2 * log(uniform(&rng))).squareRoot()
        let a = 2 * Double.pi * uniform(&rng)
        return (r * cos(a), r * sin(a))
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
            if us >= 0.07 && v <= vr { return Int(saturating: k) }  // here |k − mean| < (2a/0.07 + b), far inside Int
            if k < 0 || k > 1e15 || (us < 0.013 && v > us) { continue }
            if log(v) + log(invAlpha) - log(a / (us * us) + b) <= -mean + k * logMean - lgamma(k + 1) { return Int(saturating: k) }
        }
    }

    /// A uniform double in (0, 1), from the top 53 bits.
    @inline(__always) static func uniform(_ rng: inout SeededRandom) -> Double {
        (Double(rng.next() >> 11) + 0.5) * 0x1.0p-53
    }
}
