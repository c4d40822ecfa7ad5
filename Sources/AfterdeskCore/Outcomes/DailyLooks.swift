import Foundation

/// A SIMULATED store that reads its margin report every day from go-live, for the tests of the anytime interval and
/// `afterdesk-bench daily-looks`. The model (docs/reporting.md, "Daily looks"):
/// - deals arrive each day, a Poisson number with `declinesPerDay / 3.05` on average, each with 1 to 5 declines
///   (15, 20, 25, 25 and 15%: 3.05 on average) of the default menu's products, in turn;
/// - a deal is held out with probability `holdoutPercent`%; its declines share its arm;
/// - a decline is recovered with probability `holdoutRate` (held out) or `treatedRate` (treated), on a day 10 to 109
///   days after the contract, at the product's margin (the default menu's price − dealer cost: $1,345, $595, $539, $515,
///   $329); `cancelRate` of the recoveries are cancelled 30 to 89 days after the sale, charging back 60% of the margin.
///
/// Each day the store reads the anytime verdict exactly as the report computes it (`ConfidenceSequence.conclude`, with
/// t* a year at the volume seen so far), and the fixed one in its large-sample form: the difference in net margin per
/// decline ± 1.96 standard errors (the arms' sample variances), under the fixed verdict's too-small rule.
public struct DailyLooks: Sendable {
    public var declinesPerDay = 10.0
    public var holdoutPercent = 10
    public var holdoutRate = 0.02
    public var treatedRate = 0.02
    public var cancelRate = 0.10
    public var days = 365
    public var evaluationDays = 120
    public init() {}

    static let margins: [Int64] = [134_500, 59_500, 53_900, 51_500, 32_900]

    /// What one store saw: the first day (0 is go-live) each verdict read "recovered", if it did.
    public struct Store: Sendable, Equatable {
        public var anytimeRecovered: Int?
        public var fixedRecovered: Int?
        public var anytimeNegative: Int?
    }

    struct Decline {
        var contract: Int
        var arm: Arm
        var net: Int64 = 0
        var sold = false
        var closed = false
    }

    /// Per arm: declines, recovered, Σ net, Σ net² (all declines so far; the fixed view).
    struct ArmSums {
        var declines = 0
        var recovered = 0
        var sum: Int64 = 0
        var squares: Int128 = 0
    }

    /// One store's year of daily looks, from `seed`.
    public func run(seed: UInt64) -> Store {
        var rng = SeededRandom(seed: seed)
        var declines: [Decline] = []
        var dayStart: [Int] = []
        // (day, decline, change of its net) for sales and chargebacks.
        var events = Array(repeating: [(Int, Int64, Bool)](), count: days)
        for day in 0..<days {
            dayStart.append(declines.count)
            for _ in 0..<poisson(declinesPerDay / 3.05, &rng) {
                let held = uniform(&rng) < Double(holdoutPercent) / 100
                let u = uniform(&rng)
                let count = u < 0.15 ? 1 : u < 0.35 ? 2 : u < 0.6 ? 3 : u < 0.85 ? 4 : 5
                let first = Int(rng.next() % 5)
                for k in 0..<count {
                    let i = declines.count
                    declines.append(Decline(contract: day, arm: held ? .holdout : .treated))
                    guard uniform(&rng) < (held ? holdoutRate : treatedRate) else { continue }
                    let margin = Self.margins[(first + k) % 5]
                    let sold = day + 10 + Int(rng.next() % 100)
                    if sold < days { events[sold].append((i, margin, true)) }
                    guard uniform(&rng) < cancelRate else { continue }
                    let cancelled = sold + 30 + Int(rng.next() % 60)
                    if cancelled < days { events[cancelled].append((i, -margin * 6 / 10, false)) }
                }
            }
        }
        dayStart.append(declines.count)
        return look(&declines, dayStart: dayStart, events: events)
    }

    private func look(_ declines: inout [Decline], dayStart: [Int], events: [[(Int, Int64, Bool)]]) -> Store {
        var store = Store()
        var fixed = [ArmSums(), ArmSums()]  // treated, held out
        var anytime = MaturitySums()
        let share = 1 - Double(holdoutPercent) / 100
        for day in 0..<days {
            for i in dayStart[day]..<dayStart[day + 1] { fixed[declines[i].arm == .treated ? 0 : 1].declines += 1 }
            for (i, change, sale) in events[day] {
                let d = declines[i]
                let net = d.net + change
                let a = d.arm == .treated ? 0 : 1
                fixed[a].sum += change
                fixed[a].squares += Int128(net) * Int128(net) - Int128(d.net) * Int128(d.net)
                if sale { fixed[a].recovered += 1 }
                if d.closed { Self.replace(&anytime, d.arm, old: d.net, new: net, sale: sale) }
                declines[i].net = net
                if sale { declines[i].sold = true }
            }
            if day >= evaluationDays {
                let closing = day - evaluationDays
                for i in dayStart[closing]..<dayStart[closing + 1] {
                    declines[i].closed = true
                    let d = declines[i]
                    anytime.add(
                        arm: d.arm, contractDate: LocalDate(daysSinceEpoch: d.contract), net: 0, closed: true, y: d.sold ? d.net : nil)
                }
            }
            let all = dayStart[day + 1]
            let c = ConfidenceSequence.conclude(anytime, treatedShare: share, tStar: Double(all) / Double(day + 1) * 365.25)
            if c.verdict == .recovered, store.anytimeRecovered == nil { store.anytimeRecovered = day }
            if c.verdict == .negative, store.anytimeNegative == nil { store.anytimeNegative = day }
            if store.fixedRecovered == nil, Self.fixedVerdict(fixed[0], fixed[1]) == .recovered {
                store.fixedRecovered = day
            }
        }
        return store
    }

    /// A closed decline's net changed (a sale or a chargeback after its window closed).
    static func replace(_ m: inout MaturitySums, _ arm: Arm, old: Int64, new: Int64, sale: Bool) {
        func apply(_ a: inout MaturityArm) {
            a.closedSum += new - old
            a.closedSquares += Int128(new) * Int128(new) - Int128(old) * Int128(old)
            if sale { a.closedRecovered += 1 }
        }
        switch arm {
        case .treated: apply(&m.treated)
        case .holdout: apply(&m.holdout)
        }
    }

    /// The fixed verdict's large-sample form: the difference in margin per decline ± 1.96 standard errors.
    static func fixedVerdict(_ t: ArmSums, _ h: ArmSums) -> Verdict {
        guard t.declines > 1, h.declines > 1 else { return .tooSmall }
        func moments(_ a: ArmSums) -> (mean: Double, variance: Double) {
            let n = Double(a.declines)
            let mean = Double(a.sum) / n
            return (mean, max(0, Double(a.squares) / n - mean * mean))
        }
        let (mt, vt) = moments(t)
        let (mh, vh) = moments(h)
        let se = (vt / Double(t.declines) + vh / Double(h.declines)).squareRoot()
        let d = mt - mh
        return Verdict.of(
            treatedDeclines: t.declines, treatedRecovered: t.recovered, holdoutDeclines: h.declines, holdoutRecovered: h.recovered,
            interval: (d - Intervals.z95 * se, d + Intervals.z95 * se))
    }

    func uniform(_ rng: inout SeededRandom) -> Double { Double(rng.next() >> 11) * 0x1p-53 }

    /// Knuth's product of uniforms: fine for the few deals of a day.
    func poisson(_ mean: Double, _ rng: inout SeededRandom) -> Int {
        let limit = Foundation.exp(-mean)
        var k = 0
        var product = uniform(&rng)
        while product > limit, k < 1_000 {
            k += 1
            product *= uniform(&rng)
        }
        return k
    }
}
