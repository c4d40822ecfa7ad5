import AfterdeskCore
import Foundation

@testable import AfterdeskServer

/// The scorecard page's fixed model: two F&I managers' deals, a desk sale and a recovery, by F&I manager.
extension PageSnapshotTests {
    static var scorecard: ScorecardController.Page {
        let report = ReportParameters(
            asOf: LocalDate("2026-11-30")!, from: LocalDate("2025-12-01")!, to: LocalDate("2026-11-30")!, attributionDays: 120,
            holdoutPercent: 10)
        func deal(_ number: String, _ fi: String, _ desk: [ScorecardDeal.DeskSale]) -> ScorecardDeal {
            ScorecardDeal(store: "main", dealNumber: number, contractDate: LocalDate("2026-06-01")!, fiManager: fi, desk: desk)
        }
        let recovered = DeclineHistory(
            store: "main", dealNumber: "D-2", product: "gap", contractDate: LocalDate("2026-06-01")!, heldOut: false, fiManager: "F202",
            sales: [
                .init(source: .contract, soldOn: LocalDate("2026-07-01")!, priceCents: 89_500, costCents: 30_000, contractNumber: "AS-1")
            ])
        let card = ScorecardBuilder.scorecard(
            ScorecardParameters(report: report, by: .fiManager),
            deals: [deal("D-1", "F201", [.init(product: "vsc", grossCents: 134_500)]), deal("D-2", "F202", [])],
            ledger: [LedgerRow(recovered, rules: report.rules)])
        let user = SignedIn(
            principal: Principal(userID: 1, name: "kliu", role: .financeDirector, staffID: nil, store: nil),
            session: WebSession(userID: 1, csrf: "CSRF-TOKEN", signedInAt: Date(timeIntervalSince1970: 0)))
        return ScorecardController.page(
            card, user: user, names: ["vsc": "Vehicle Service Contract", "gap": "GAP <insurance> & \"more\""])
    }
}
