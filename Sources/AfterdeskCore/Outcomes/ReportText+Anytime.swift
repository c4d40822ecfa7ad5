import Foundation

/// The anytime interval and "when it will know", in words, for the table and the dashboard.
extension ReportText {
    /// "Anytime interval …": the confidence sequence, safe to read at every look, with its verdict.
    public static func anytime(_ f: ReportFigures, window: String) -> String {
        let basis = "declines whose \(window) has closed"
        guard let a = f.incrementalMarginAnytime, f.verdictAnytime != .tooSmall else {
            let closed = f.anytimeSums.treated.closed + f.anytimeSums.holdout.closed
            return "Anytime interval (safe to read every day): too small to conclude yet (\(closed.grouped) \(basis))."
        }
        let words: String
        switch f.verdictAnytime {
        case .recovered: words = "follow-up recovered margin the holdout did not"
        case .negative: words = "below the holdout"
        case .inconclusive, .tooSmall: words = "inconclusive: the interval holds zero"
        }
        return "Anytime interval (safe to read every day): \(money(a.scaled.value)) (95% \(money(a.scaled.low)) to "
            + "\(money(a.scaled.high))), \(words); \(money(a.perDecline.value)) a decline, from \(a.declines.grouped) \(basis)."
    }

    /// "When it will know: …" for a group that is too small or inconclusive; nil otherwise.
    public static func whenItWillKnow(_ f: ReportFigures) -> String? {
        guard let p = f.power else { return nil }
        let volume = p.declinesPerMonth.map { "at about \(Int($0.rounded()).grouped) declines a month" }
        func needs(_ lift: String, _ which: String, _ needed: Int?, _ months: Int?) -> String? {
            guard let needed else { return nil }
            var s = "a lift of \(lift) a decline (\(which)) needs about \(needed.grouped) declines"
            if let months, let volume {
                s += months == 0 ? " (it has them: chance kept it short)" : ", \(volume), about \(months.grouped) more months"
            }
            return s
        }
        let parts = [
            p.liftSeenCents.flatMap { lift in
                needs(money(lift), "the size seen", p.declinesNeeded, p.monthsToGo)
            },
            needs(
                Money(cents: p.minimumLiftCents).formatted, "the minimum worth finding", p.declinesNeededAtMinimum,
                p.monthsToGoAtMinimum),
        ].compactMap { $0 }
        guard !parts.isEmpty else { return "When it will know: not yet estimable (no recovery varies the margin yet)." }
        return "When it will know (80% power, 95% two-sided): " + parts.joined(separator: "; ") + "."
    }

    /// A group's line end in the table: the months at the minimum lift, when it cannot conclude yet.
    static func groupMonths(_ g: ReportFigures) -> String {
        guard let p = g.power, let months = p.monthsToGoAtMinimum else { return "" }
        return months == 0 ? "" : "; ~\(months.grouped) more months at \(Money(cents: p.minimumLiftCents).formatted) a decline"
    }
}
