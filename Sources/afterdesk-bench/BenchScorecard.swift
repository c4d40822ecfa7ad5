import AfterdeskCore
import AfterdeskDatabases
import Foundation

/// The F&I scorecard over the benchmark's database: a year of deals to the fixed day, by F&I manager, with the
/// recoveries of the margin report's ledger (after `BenchOutcomes.prepare`).
enum BenchScorecard {
    /// The child's work: the scorecard, summed up in one line.
    static func summary(db path: String, menu: Menu, clock: AfterdeskCore.Clock) async throws -> String {
        let db = try await DatabaseLocation.open(path, clock: clock)
        let asOf = LocalDate(clock.now(), in: menu.dealership.zone)
        let p = ScorecardParameters(asOf: asOf, from: asOf.adding(years: -1), to: asOf, by: .fiManager, menu: menu)
        let card = try await db.scorecard(p, now: clock.now())
        let t = card.total
        let recovered = t.products.values.reduce(0) { $0 + $1.recovered }
        let pvr = t.pvrDeskCents.map { Money(cents: $0).description } ?? "-"
        let with = t.pvrWithRecoveriesCents.map { Money(cents: $0).description } ?? "-"
        return "deals=\(t.deals) managers=\(card.groups.count) recovered=\(recovered) pvr_desk=\(pvr) pvr_with_recoveries=\(with)"
    }
}
