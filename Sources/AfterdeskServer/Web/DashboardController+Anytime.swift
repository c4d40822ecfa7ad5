import AfterdeskCore
import Foundation

/// The dashboard's tiles for the anytime interval (safe to read every morning) and for when the report will know.
extension DashboardController {
    static func anytimeTiles(_ t: ReportFigures, window: String) -> [Page.Tile] {
        var tiles: [Page.Tile] = []
        let closed = t.anytimeSums.treated.closed + t.anytimeSums.holdout.closed
        if let a = t.incrementalMarginAnytime, t.verdictAnytime != .tooSmall {
            let words: String
            switch t.verdictAnytime {
            case .recovered: words = "above zero: follow-up recovered margin"
            case .negative: words = "below zero"
            case .inconclusive, .tooSmall: words = "holds zero: inconclusive"
            }
            tiles.append(
                .init(
                    label: "Incremental margin, anytime", value: ReportText.money(a.scaled.value),
                    note: "95% at every look: \(ReportText.money(a.scaled.low)) to \(ReportText.money(a.scaled.high)), \(words); "
                        + "\(a.declines.grouped) declines past their \(window)"))
        } else {
            tiles.append(
                .init(
                    label: "Incremental margin, anytime", value: "Too small to conclude",
                    note: "\(closed.grouped) declines past their \(window)"))
        }
        if let p = t.power {
            let minimum = Money(cents: p.minimumLiftCents).formatted
            let volume = p.declinesPerMonth.map { "at about \(Int($0.rounded()).grouped) declines a month" } ?? ""
            let value =
                p.monthsToGoAtMinimum.map { $0 == 0 ? "Enough declines now" : "About \($0.grouped) more months" }
                ?? "Not yet estimable"
            var note =
                "for a lift of \(minimum) a decline (80% power): \(p.declinesNeededAtMinimum.map { $0.grouped } ?? "—") declines \(volume)"
            if let seen = p.liftSeenCents, let months = p.monthsToGo, seen > 0 {
                note += "; the \(ReportText.money(seen)) seen: about \(months.grouped) months"
            }
            tiles.append(.init(label: "When it will know", value: value, note: note))
        }
        return tiles
    }
}
