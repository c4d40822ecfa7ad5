import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

/// The F&I scorecard over the canonical fixture's deals, updated by the second export.
extension Scenarios {
    static let scorecardArea: [(name: String, run: Scenario)] = [
        ("scorecard: desk sales and the report's recoveries per F&I manager, unwound deals left out", scorecard)
    ]

    @Sendable static func scorecard(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        _ = try await s.importDeals(files: [try f.copy("canonical-update.csv")], options: f.importOptions())
        let report = reportParameters()
        let card = try await s.scorecard(ScorecardParameters(report: report, by: .fiManager), now: f.now)
        // F201: D-10001 (tire & wheel sold at the desk, $799 − $260; its VSC declined, then shown sold by the second
        // export for $2,295 − $1,150: a recovery, not a desk sale), D-10003 and D-10004 (a VSC declined each).
        // PVR 53,900 / 3 = 17,966.67 → $179.67; with 114,500 more: 168,400 / 3 = 56,133.33 → $561.33.
        let f201 = try #require(card.groups.first { $0.key == "F201" })
        #expect(f201.deals == 3 && f201.pvrDeskCents == 17_967 && f201.pvrWithRecoveriesCents == 56_133)
        #expect(f201.products["tire_wheel"]?.soldDesk == 1 && f201.products["tire_wheel"]?.recovered == 0)
        #expect(f201.products["vsc"]?.soldDesk == 0 && f201.products["vsc"]?.recovered == 1)
        // D-10002 (F202, a VSC sold at the desk) was unwound by the second export; the file's other deals are refused rows.
        #expect(card.groups.map(\.key) == ["F201"] && card.total.products["vsc"]?.soldDesk == 0)
        // The recoveries are the margin report's; every deal is in one group, and (each has a decline) the report counts
        // them all.
        let margin = try await s.marginReport(report, now: f.now)
        let recovered = card.total.products.values.reduce(0) { $0 + $1.recovered }
        #expect(recovered == margin.total.treated.recovered + margin.total.holdout.recovered && recovered == 1)
        #expect(card.total.deals == card.groups.reduce(0) { $0 + $1.deals } && card.total.deals == margin.total.deals)
        // A store narrows (one store here: the same card), an unknown one is an error, and an early as_of counts no deal.
        let main = try await s.scorecard(ScorecardParameters(report: scoped(report, "main"), by: .store), now: f.now)
        #expect(main.total == card.total && main.groups.map(\.key) == ["main"])
        await #expect(throws: StoreError.self) {
            _ = try await s.scorecard(ScorecardParameters(report: scoped(report, "nowhere")), now: f.now)
        }
        let early = try await s.scorecard(ScorecardParameters(report: reportParameters(asOf: "2026-05-31")), now: f.now)
        #expect(early.total.deals == 0 && early.groups.isEmpty)
    }

    private static func scoped(_ p: ReportParameters, _ store: String) -> ReportParameters {
        var s = p
        s.store = store
        return s
    }
}
