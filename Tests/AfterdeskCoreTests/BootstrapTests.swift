import Foundation
import Testing

@testable import AfterdeskCore

/// The bootstrap's draws: the Poisson tables, their guided search, and the classes of alike deals.
@Suite struct BootstrapTests {
    /// Counts drawn as the bootstrap draws them (a uniform variate through the guided table) have their mean and variance.
    @Test func poissonDrawsHaveTheirMeanAndVariance() {
        var rng = SeededRandom(seed: 11)
        for mean in [0.5, 1, 4, 9.5, 10, 37, 1_000, 250_000] {
            let (first, table) = Bootstrap.cumulativePoisson(mean)
            let guide = Bootstrap.guide(table)
            let n = 20_000
            let draws = table.withUnsafeBufferPointer { t in
                guide.withUnsafeBufferPointer { g in
                    (0..<n).map { _ in
                        Double(
                            first
                                + Bootstrap.rank(
                                    Bootstrap.uniform(&rng), in: t, from: 0, count: t.count, guides: g, from: 0, buckets: g.count))
                    }
                }
            }
            let m = draws.reduce(0, +) / Double(n)
            let v = draws.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)
            // Five standard errors of the mean, and 10% on the variance (its standard error is about √(2/n) ≈ 1%).
            #expect(abs(m - mean) < 5 * (mean / Double(n)).squareRoot(), "mean \(m) for \(mean)")
            #expect(abs(v / mean - 1) < 0.1, "variance \(v) for \(mean)")
        }
    }

    /// The tables a class's count is drawn from are Poisson's distribution: they end at exactly 1, never decrease, and
    /// have the mean and variance of their mean; P(X ≤ mean) matches a direct sum of the probabilities.
    @Test func theCumulativeTablesAreThePoissonDistribution() {
        for mean in [1.0, 4, 9, 10, 37, 1_000, 668_666] {
            let (first, table) = Bootstrap.cumulativePoisson(mean)
            #expect(table.last == 1 && zip(table, table.dropFirst()).allSatisfy { $0 <= $1 }, "table of \(mean)")
            #expect(first == (mean < 10 ? 0 : max(0, Int((mean - 12 * mean.squareRoot()).rounded(.down)))))
            var m = 0.0
            var second = 0.0
            var previous = 0.0
            for (i, c) in table.enumerated() {
                let k = Double(first + i)
                m += k * (c - previous)
                second += k * k * (c - previous)
                previous = c
            }
            #expect(abs(m / mean - 1) < 1e-9, "mean \(m) for \(mean)")
            #expect(abs((second - m * m) / mean - 1) < 1e-6, "variance for \(mean)")
        }
        // P(X ≤ 37) for a mean of 37, by summing e^−37·37^k/k! directly.
        var p = exp(-37.0)
        var direct = p
        for k in 1...37 {
            p *= 37 / Double(k)
            direct += p
        }
        let (first, table) = Bootstrap.cumulativePoisson(37)
        #expect(abs(table[37 - first] - direct) < 1e-12)
        #expect(Bootstrap.cumulativePoisson(0) == (0, [1]) && Bootstrap.cumulativePoisson(.infinity) == (0, [1]))
    }

    /// The guided search finds the first probability at least u, as a walk from the start of the table would.
    @Test func theGuidedSearchFindsWhatAWalkFinds() {
        var rng = SeededRandom(seed: 5)
        for mean in [1.0, 3, 12, 400, 90_000] {
            let table = Bootstrap.cumulativePoisson(mean).table
            let guide = Bootstrap.guide(table)
            #expect(guide.count == 8 * table.count)
            for _ in 0..<5_000 {
                let u = Bootstrap.uniform(&rng)
                let walked = table.firstIndex { u <= $0 } ?? table.count - 1
                let found = table.withUnsafeBufferPointer { t in
                    guide.withUnsafeBufferPointer { g in
                        Bootstrap.rank(u, in: t, from: 0, count: table.count, guides: g, from: 0, buckets: g.count)
                    }
                }
                #expect(found == walked, "u \(u) for \(mean)")
            }
        }
    }

    /// An arm of more classes than `exactClasses` draws its most populous classes one by one and the rest together, from
    /// the normal distribution with their mean and covariance. On arms like a large store's (most deals recovered
    /// nothing; every recovered deal its own margin), the interval is the one drawing every class gives, to within a
    /// few percent of its width: the size of the percentile's own resampling noise at 10,000 resamples (measured: the
    /// ends moved 1–3% of the width, and 0.4–2% for the exact draw with another seed).
    @Test func drawingTheRareClassesTogetherKeepsTheInterval() {
        var rng = SeededRandom(seed: 314)
        func arm(deals: Int, recovered: Int, margin: ClosedRange<Int64>) -> Bootstrap.Classes {
            var c = Bootstrap.Classes()
            for _ in 0..<recovered {
                c.add(declines: Int.random(in: 1...3, using: &rng), netCents: Int64.random(in: margin, using: &rng))
            }
            c.add(declines: 1, netCents: 0, count: deals / 2)
            c.add(declines: 2, netCents: 0, count: deals / 3)
            c.add(declines: 3, netCents: 0, count: deals - deals / 2 - deals / 3 - recovered)
            return c
        }
        let treated = arm(deals: 60_000, recovered: 2_400, margin: -20_000...180_000)
        let holdout = arm(deals: 6_000, recovered: 700, margin: -20_000...160_000)
        #expect(treated.count > Bootstrap.exactClasses && holdout.count > Bootstrap.exactClasses)
        let exact = Bootstrap.incrementalMargin(treated: treated, holdout: holdout, resamples: 10_000, seed: 9, exactClasses: .max)
        let pooled = Bootstrap.incrementalMargin(treated: treated, holdout: holdout, resamples: 10_000, seed: 9)
        let e = try! #require(exact)
        let p = try! #require(pooled)
        let width = e.high - e.low
        #expect(p.value == e.value)
        #expect(abs(p.low - e.low) < 0.04 * width, "low \(p.low) vs \(e.low), width \(width)")
        #expect(abs(p.high - e.high) < 0.04 * width, "high \(p.high) vs \(e.high), width \(width)")
    }

    @Test func classesOfAlikeDealsGiveTheSameFigureAsTheDeals() {
        let deals = (0..<500).map { Intervals.DealOutcome(declines: 1 + $0 % 3, netCents: $0 % 7 == 0 ? 50_000 : 0) }
        let classes = Bootstrap.Classes(deals)
        #expect(classes.members.count == 6)  // 3 decline counts × (recovered or not)
        #expect(classes.declines == deals.reduce(0) { $0 + $1.declines })
        #expect(classes.netCents == Double(deals.reduce(Int64(0)) { $0 + $1.netCents }))
    }
}
