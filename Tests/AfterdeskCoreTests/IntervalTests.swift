import AfterdeskCore
import Foundation
import Testing

@Suite struct IntervalTests {
    func rounded(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }

    /// Newcombe (1998), "Interval estimation for the difference between independent proportions", Table II, method 10.
    @Test(arguments: [
        (56, 70, 48, 80, 0.0524, 0.3339), (9, 10, 3, 10, 0.1705, 0.8090), (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775), (10, 10, 0, 20, 0.6791, 1.0000), (10, 10, 0, 10, 0.6075, 1.0000),
    ])
    func newcombeMatchesThePublishedExamples(x1: Int, n1: Int, x2: Int, n2: Int, low: Double, high: Double) throws {
        let d = try #require(Intervals.newcombe(x1, of: n1, minus: x2, of: n2))
        #expect(rounded(d.low) == low && rounded(d.high) == high, "\(x1)/\(n1) − \(x2)/\(n2): \(d)")
        #expect(d.value == Double(x1) / Double(n1) - Double(x2) / Double(n2))
    }

    @Test func wilsonAtTheEdges() {
        #expect(Intervals.wilson(successes: 0, trials: 0) == (0, 1))
        let none = Intervals.wilson(successes: 0, trials: 10)
        #expect(none.low == 0 && rounded(none.high) == 0.2775)
        let all = Intervals.wilson(successes: 10, trials: 10)
        #expect(rounded(all.low) == 0.7225 && rounded(all.high) == 1)
        #expect(Intervals.newcombe(1, of: 0, minus: 0, of: 5) == nil)
        #expect(Intervals.newcombe(6, of: 5, minus: 0, of: 5) == nil)
    }

    @Test func theIntervalHoldsTheDifferenceForEveryCount() {
        var rng = SeededRandom(seed: 11)
        for _ in 0..<2_000 {
            let n1 = Int.random(in: 1...400, using: &rng)
            let n2 = Int.random(in: 1...400, using: &rng)
            let x1 = Int.random(in: 0...n1, using: &rng)
            let x2 = Int.random(in: 0...n2, using: &rng)
            guard let d = Intervals.newcombe(x1, of: n1, minus: x2, of: n2) else {
                Issue.record("no interval for \(x1)/\(n1) − \(x2)/\(n2)")
                continue
            }
            #expect(d.low <= d.value && d.value <= d.high && d.low >= -1 && d.high <= 1, "\(x1)/\(n1) − \(x2)/\(n2): \(d)")
        }
    }

    @Test func theBootstrapRepeatsWithItsSeedAndHoldsTheFigure() throws {
        // Setup: 300 treated deals of which one in ten recovers $50 and some cents, 40 held-out deals recovering nothing.
        let treated = (0..<300).map { Intervals.DealOutcome(declines: 2, netCents: $0 % 10 == 0 ? 5_000 + Int64($0) * 13 : 0) }
        let holdout = (0..<40).map { _ in Intervals.DealOutcome(declines: 2, netCents: 0) }

        // Action.
        let a = try #require(Intervals.bootstrapIncrementalMargin(treated: treated, holdout: holdout, resamples: 2_000, seed: 7))
        let b = try #require(Intervals.bootstrapIncrementalMargin(treated: treated, holdout: holdout, resamples: 2_000, seed: 7))
        let c = try #require(Intervals.bootstrapIncrementalMargin(treated: treated, holdout: holdout, resamples: 2_000, seed: 8))

        // Check: 30 recoveries adding up to $2,065.50 over 600 treated declines, against none held out, are $2,065.50
        // incremental.
        #expect(a.value.rounded() == 206_550)
        #expect(a == b)
        #expect(a.low != c.low || a.high != c.high)
        #expect(a.low < a.value && a.value < a.high && a.low > 0)
        #expect(Intervals.bootstrapIncrementalMargin(treated: treated, holdout: [], seed: 7) == nil)
    }

    @Test func theVerdictSaysTooSmallBeforeItSaysAnything() {
        let above = (low: 10.0, high: 20.0)
        let below = (low: -20.0, high: -10.0)
        let across = (low: -10.0, high: 10.0)
        func verdict(_ td: Int, _ tr: Int, _ hd: Int, _ hr: Int, _ i: (low: Double, high: Double)?) -> Verdict {
            Verdict.of(treatedDeclines: td, treatedRecovered: tr, holdoutDeclines: hd, holdoutRecovered: hr, interval: i)
        }
        #expect(verdict(500, 50, 29, 1, above) == .tooSmall)  // under 30 held-out declines
        #expect(verdict(500, 10, 40, 0, above) == .tooSmall)  // pooled 10/540 × 40 < 5 expected
        #expect(verdict(500, 50, 100, 5, nil) == .tooSmall)
        #expect(verdict(500, 50, 100, 5, above) == .recovered)
        #expect(verdict(500, 50, 100, 5, below) == .negative)
        #expect(verdict(500, 50, 100, 5, across) == .inconclusive)
    }
}
