import AfterdeskCore
import Foundation

@testable import AfterdeskServer

/// The dashboard by sale month (the books view) over two stores (the stratified tile), from a report built of ledger
/// lines.
extension PageSnapshotTests {
    static var dashboardBooks: DashboardController.Page {
        var p = ReportParameters(
            asOf: LocalDate("2026-11-30")!, from: LocalDate("2025-12-01")!, to: LocalDate("2026-11-30")!, by: .saleMonth,
            attributionDays: 120, holdoutPercent: 10)
        p.resamples = 500
        var builder = ReportBuilder(p)
        for (s, store) in ["main", "north"].enumerated() {
            for i in 0..<60 {
                let contract = LocalDate("2026-06-01")!.adding(days: i)
                let held = i % 3 == 0
                let sold = contract.adding(days: 20 + s * 15)
                let sells = held ? i % 9 == 0 : i % 3 == 1
                let history = DeclineHistory(
                    store: store, dealNumber: "D-\(i)", product: "vsc", contractDate: contract, heldOut: held,
                    sales: sells
                        ? [.init(source: .contract, soldOn: sold, priceCents: 250_000, costCents: 100_000, contractNumber: "K\(i)")] : [],
                    cancellations: i % 20 == 1
                        ? [.init(contractNumber: "K\(i)", cancelDate: sold.adding(days: 45), chargebackCents: 60_000)] : [])
                builder.add(LedgerRow(history, rules: p.rules))
            }
        }
        var page = dashboard
        page.groupings = [
            .init(value: "product", label: "product", selected: false),
            .init(value: "sale_month", label: "sale month (books)", selected: true),
        ]
        page.groupLabel = "sale month (books)"
        page.csvHref = "/dashboard.csv?from=2025-12-01&to=2026-11-30&by=sale_month"
        page.withBooksAndStrata(builder.finish())
        return page
    }
}
