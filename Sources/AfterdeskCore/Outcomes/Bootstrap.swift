import Foundation

/// The percentile bootstrap of incremental margin (DESIGN.md, "Measuring honestly"), fast enough for a million deals.
///
/// Each resample draws every deal of an arm a Poisson(1) number of times (the "Poisson bootstrap": for an arm of n deals
/// it is the large-sample form of drawing n deals with replacement, and each deal is drawn independently). Deals that
/// are alike — the same number of declines and the same net margin, as most deals with no recovery are — form a class,
/// and a class of m deals is drawn Poisson(m) times in all, which is exactly the sum of m Poisson(1) draws. So a
/// resample costs one draw per class, not one per deal: one uniform variate, inverted through the class's cumulative
/// Poisson table with a guide table (a step or two). Classes are visited in a fixed order, so the same seed gives the
/// same interval on every machine.
///
/// An arm with more than `exactClasses` distinct outcomes (a large store, whose recovered deals nearly all differ in
/// margin) keeps its `keptClasses` most populous classes drawn exactly as above; the rest, hundreds or thousands of
/// classes of a deal or two, are drawn together: their resampled declines and net margin, sums of hundreds of independent
/// Poisson-weighted terms, are drawn from the bivariate normal distribution with exactly their mean and covariance (the
/// central limit theorem). On a large store's arms this moves the interval's ends by 1–3% of its width, about what a
/// change of seed does (the test `drawingTheRareClassesTogetherKeepsTheInterval`). Without it a report over a million
/// deals would make billions of draws.
public enum Bootstrap {
    /// An arm with up to this many classes is drawn class by class; one with more keeps `keptClasses` drawn so, and
    /// draws the rest (at least 300 classes) together (see above).
    public static let exactClasses = 500
    public static let keptClasses = 200

    /// The deals of one arm, by class: (declines, net margin in cents) and how many deals share it.
    public struct Classes: Sendable, Equatable {
        /// The classes with a net margin, and (most deals: nothing recovered) the count of deals with none, by their
        /// number of declines, which a report of a million deals adds to without hashing.
        private var withNet: [Key: Int] = [:]
        private var withoutNet: [Int] = []
        public struct Key: Hashable, Sendable, Comparable {
            public var declines: Int
            public var netCents: Int64
            public static func < (a: Key, b: Key) -> Bool { (a.declines, a.netCents) < (b.declines, b.netCents) }
        }
        public init() {}
        public init(_ deals: [Intervals.DealOutcome]) {
            for d in deals { add(declines: d.declines, netCents: d.netCents) }
        }
        /// Every class and its count of deals.
        public var members: [Key: Int] {
            var all = withNet
            for (declines, count) in withoutNet.enumerated() where count > 0 { all[Key(declines: declines, netCents: 0)] = count }
            return all
        }
        public mutating func add(declines: Int, netCents: Int64, count: Int = 1) {
            if netCents == 0 && declines >= 0 && declines < 64 {
                if withoutNet.count <= declines { withoutNet += Array(repeating: 0, count: declines + 1 - withoutNet.count) }
                withoutNet[declines] += count
            } else {
                withNet[Key(declines: declines, netCents: netCents), default: 0] += count
            }
        }
        public mutating func merge(_ other: Classes) {
            for (key, count) in other.withNet { withNet[key, default: 0] += count }
            for (declines, count) in other.withoutNet.enumerated() where count > 0 { add(declines: declines, netCents: 0, count: count) }
        }
        public static func == (a: Classes, b: Classes) -> Bool { a.members == b.members }
        /// The number of classes.
        public var count: Int { withNet.count + withoutNet.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }
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
        incrementalMargin(treated: treated, holdout: holdout, resamples: resamples, seed: seed, exactClasses: exactClasses)
    }

    /// The same, with arms of more than `exactClasses` classes drawn in part together (a test compares with drawing
    /// every class).
    static func incrementalMargin(treated: Classes, holdout: Classes, resamples: Int, seed: UInt64, exactClasses: Int)
        -> (value: Double, low: Double, high: Double)?
    {
        guard
            let value = incrementalMargin(
                treatedDeclines: Double(treated.declines), treatedNet: treated.netCents, holdoutDeclines: Double(holdout.declines),
                holdoutNet: holdout.netCents), resamples > 0
        else { return nil }
        let t = ArmSampler(treated.ordered, exactClasses: exactClasses)
        let h = ArmSampler(holdout.ordered, exactClasses: exactClasses)
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
            /// The class's count is drawn by inverting its cumulative Poisson probabilities: `tableCount` of them from
            /// `tableStart` in `tables` (and their guide in `guides`), the first for a count of `first`. Flat arrays
            /// keep the draw free of reference counting.
            var tableStart: Int
            var tableCount: Int
            var guideStart: Int
            var guideCount: Int
            var first: Int
        }
        var exact: [Exact] = []
        var tables: [Double] = []
        var guides: [Int32] = []
        /// The classes drawn together: the mean and covariance of their resampled (declines, net), and its factor.
        var pooled: (meanD: Double, meanN: Double, sdD: Double, slope: Double, residual: Double)?

        /// The draws a resample of an arm of `classes` classes makes (the pooled rest counts as one).
        static func draws(classes: Int) -> Int { classes <= Bootstrap.exactClasses ? classes : Bootstrap.keptClasses + 1 }

        init(_ classes: [(key: Classes.Key, count: Int)], exactClasses: Int) {
            let byCount = classes.sorted { ($0.count, $1.key) > ($1.count, $0.key) }
            var known: [Int: Exact] = [:]
            let kept = byCount.count <= exactClasses ? byCount.count : min(Bootstrap.keptClasses, exactClasses)
            for c in byCount.prefix(kept) {
                var e: Exact
                if let k = known[c.count] {
                    e = k
                } else {
                    let (first, t) = Bootstrap.cumulativePoisson(Double(c.count))
                    let g = Bootstrap.guide(t)
                    e = Exact(
                        declines: 0, net: 0, tableStart: tables.count, tableCount: t.count, guideStart: guides.count, guideCount: g.count,
                        first: first)
                    tables += t
                    guides += g
                    known[c.count] = e
                }
                e.declines = Double(c.key.declines)
                e.net = Double(c.key.netCents)
                exact.append(e)
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
            tables.withUnsafeBufferPointer { tables in
                guides.withUnsafeBufferPointer { guides in
                    exact.withUnsafeBufferPointer { exact in
                        for c in exact {
                            let u = Bootstrap.uniform(&rng)
                            let k = Bootstrap.rank(
                                u, in: tables, from: c.tableStart, count: c.tableCount, guides: guides, from: c.guideStart,
                                buckets: c.guideCount)
                            let w = Double(c.first + k)
                            declines += w * c.declines
                            net += w * c.net
                        }
                    }
                }
            }
            if let p = pooled {
                let (z1, z2) = Bootstrap.normals(&rng)
                declines += max(0, p.meanD + p.sdD * z1)
                net += p.meanN + p.slope * z1 + p.residual * z2
            }
            return (declines, net)
        }
    }

    /// The cumulative probabilities P(X ≤ k) of a Poisson(`mean`) variable for k = `first`, `first` + 1, …: from 0 until
    /// they are 1 to within 1e-16 for means under 10; otherwise over the mean ± 12 standard deviations, outside which
    /// lies less than 1e-30 (a uniform variate of 53 bits never falls there), computed in logarithms and normalised.
    /// The last is exactly 1.
    static func cumulativePoisson(_ mean: Double) -> (first: Int, table: [Double]) {
        guard mean > 0, mean.isFinite else { return (0, [1]) }
        var out: [Double] = []
        if mean < 10 {
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
            return (0, out)
        }
        let sd = mean.squareRoot()
        let low = max(0, (mean - 12 * sd).rounded(.down))
        let high = (mean + 12 * sd).rounded(.up)
        let logMean = log(mean)
        var k = low
        var total = 0.0
        while k <= high {
            total += exp(-mean + k * logMean - lgamma(k + 1))
            out.append(total)
            k += 1
        }
        for i in out.indices { out[i] /= total }
        out[out.count - 1] = 1
        return (Int(low), out)
    }

    /// The guide of a cumulative table of n probabilities (Chen and Asau's indexed search) in 8n buckets: its j-th entry
    /// is the index of the first probability that is at least j/8n, where the search for a u in [j/8n, (j+1)/8n) starts.
    /// With eight buckets a probability, the search nearly always ends where it starts.
    static func guide(_ table: [Double]) -> [Int32] {
        let n = table.count
        let buckets = 8 * n
        var out: [Int32] = []
        out.reserveCapacity(buckets)
        var i = 0
        for j in 0..<buckets {
            let floor = Double(j) / Double(buckets)
            while i < n - 1 && table[i] < floor { i += 1 }
            out.append(Int32(i))
        }
        return out
    }

    /// The index of the first of `count` cumulative probabilities from `start` that is at least `u` (in (0, 1); the
    /// last is 1), searched from its bucket of the guide (`buckets` entries from `guideStart`).
    @inline(__always) static func rank(
        _ u: Double, in tables: UnsafeBufferPointer<Double>, from start: Int, count: Int, guides: UnsafeBufferPointer<Int32>,
        from guideStart: Int, buckets: Int
    ) -> Int {
        var k = Int(guides[guideStart + min(buckets - 1, Int(u * Double(buckets)))])
        while k < count - 1 && u > tables[start + k] { k += 1 }
        return k
    }

    /// Two independent standard normal variates (Box–Muller).
    static func normals(_ rng: inout SeededRandom) -> (Double, Double) {
        let r = (-2 * log(uniform(&rng))).squareRoot()
        let a = 2 * Double.pi * uniform(&rng)
        return (r * cos(a), r * sin(a))
    }

    /// A uniform double in (0, 1), from the top 53 bits.
    @inline(__always) static func uniform(_ rng: inout SeededRandom) -> Double {
        (Double(rng.next() >> 11) + 0.5) * 0x1.0p-53
    }
}
