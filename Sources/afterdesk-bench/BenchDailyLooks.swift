import AfterdeskCore
import Foundation

/// `afterdesk-bench daily-looks`: simulated stores (`DailyLooks`) that read the margin report every day for a year,
/// and how often each verdict reads "recovered" — with no effect (every such reading is false) and under a lift.
/// What the fixed interval gives under daily looks is for the closing note; the anytime figures are also tested
/// (`AnytimeTests`).
enum BenchDailyLooks {
    static func run(stores: Int, seed: UInt64, declinesPerDay: Double, lifts: [Double]) {
        print("\(stores) simulated stores, \(declinesPerDay) declines a day, 10% held out, 2% recovered without follow-up,")
        print("each reading its report every day for a year from go-live (the model: DailyLooks.swift).")
        for treatedRate in lifts {
            var sim = DailyLooks()
            sim.declinesPerDay = declinesPerDay
            sim.treatedRate = treatedRate
            let start = DispatchTime.now()
            let model = sim
            let results = Parallel.map(stores) { model.run(seed: seed &* 1_000_003 &+ UInt64($0)) }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            func share(_ n: Int) -> String { String(format: "%.1f%%", Double(n) * 100 / Double(stores)) }
            let fixed = results.filter { $0.fixedRecovered != nil }.count
            let anytime = results.filter { $0.anytimeRecovered != nil }.count
            let label = treatedRate == sim.holdoutRate ? "no effect (2% → 2%)" : String(format: "2%% → %.0f%%", treatedRate * 100)
            print("\n\(label), \(String(format: "%.1f", elapsed)) s:")
            print("  fixed 95% interval (large-sample form), read daily: \"recovered\" at some look in \(fixed) (\(share(fixed)))")
            print("  anytime interval, read daily:                       \"recovered\" at some look in \(anytime) (\(share(anytime)))")
            for months in [6, 8, 10, 12] {
                let day = Int((Double(months) * PowerFigures.daysPerMonth).rounded(.down))
                let f = results.filter { ($0.fixedRecovered ?? .max) <= day }.count
                let a = results.filter { ($0.anytimeRecovered ?? .max) <= day }.count
                print("    by month \(months): fixed \(share(f)), anytime \(share(a))")
            }
        }
    }
}
