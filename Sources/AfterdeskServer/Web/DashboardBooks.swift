import AfterdeskCore
import Foundation

/// The dashboard's books view (`by=sale_month`) and its tile of the arms compared within each store.
extension DashboardController.Page {
    /// A month of the books view: both arms together, then the net of each.
    struct BooksRow: Sendable, Equatable {
        var key: String
        var recovered: String
        var gross: String
        var chargebacks: String
        var net: String
        var treatedNet: String
        var holdoutNet: String
    }

    /// Fills the books table when the report is by sale month, and adds the stratified tile when it covers two stores
    /// or more.
    mutating func withBooksAndStrata(_ report: MarginReport) {
        if report.parameters.by == .saleMonth {
            books = (report.books + [BooksFormats.total(report.books)]).map { m in
                let b = m.both
                return BooksRow(
                    key: m.key, recovered: b.recovered.grouped, gross: Money(cents: b.grossCents).formatted,
                    chargebacks: Money(cents: b.chargebacksCents).formatted, net: Money(cents: b.netCents).formatted,
                    treatedNet: Money(cents: m.treated.netCents).formatted, holdoutNet: Money(cents: m.holdout.netCents).formatted)
            }
            hasBooks = true
        }
        if let s = report.stratified { tiles.append(Self.stratifiedTile(s)) }
    }

    static func stratifiedTile(_ s: StratifiedFigures) -> Tile {
        let stores = "\(s.strata.count - s.leftOut.count) of \(s.strata.count) stores"
        let leftOut = s.leftOut.isEmpty ? "" : "; left out (an arm without declines): \(s.leftOut.joined(separator: ", "))"
        guard s.verdict != .tooSmall, let m = s.incrementalMargin else {
            return Tile(
                label: "Within each store", value: "Too small to conclude",
                note: "\(stores), n = \(s.treatedDeclines.grouped) / \(s.holdoutDeclines.grouped)\(leftOut)")
        }
        return Tile(
            label: "Within each store", value: ReportText.money(m.value),
            note: "arms compared store by store, \(stores): 95% interval \(ReportText.money(m.low)) to "
                + "\(ReportText.money(m.high)), \(s.verdict.rawValue)\(leftOut)")
    }
}
