import Foundation

/// The report as a person reads it on a terminal. The headline is the verdict in words: when it is too small to
/// conclude it says so, with the counts, and prints no incremental figure.
public enum ReportText {
    public static func render(_ report: MarginReport, dealership: String? = nil) -> String {
        let p = report.parameters
        let t = report.total
        var out = "Margin report\(dealership.map { ", \($0)" } ?? "")\(p.storeHeading)\n"
        out += "Declines on deals contracted \(p.from) to \(p.to), as of \(p.asOf). "
        out += ReportText.measuredBy(p) + "; \(p.heldOutText).\n\n"
        out += headline(t) + "\n"
        out += anytime(t, window: p.anytimeWindowName) + "\n"
        out += whenItWillKnow(t).map { $0 + "\n" } ?? ""
        out += "\n"
        out += arms(t)
        out += "\n" + details(t)
        if let curves = reserveCurves(p.netToStore.reserve) { out += "\n" + curves }
        if let o = report.offers, o.linksSent > 0 { out += "\n" + offers(o) }
        if let s = report.stratified { out += "\n\n" + s.text }
        if p.by == .saleMonth { out += "\n\n" + BooksFormats.text(report.books) }
        if !report.groups.isEmpty, let by = p.by {
            out += "\n\nBy \(by == .staff ? "F&I manager" : by.rawValue):\n" + groups(report.groups)
        }
        return out
    }

    /// The offer pages' funnel: links sent, and the links opened or pressed at least once.
    static func offers(_ o: OfferFunnel) -> String {
        func share(_ n: Int) -> String { o.linksSent > 0 ? String(format: " (%.1f%%)", Double(n) * 100 / Double(o.linksSent)) : "" }
        return "Offer pages: \(o.linksSent.grouped) links sent about \(o.declinesReached.grouped) declines; "
            + "opened \(o.opened.grouped)\(share(o.opened)), \"I'm interested\" \(o.interested.grouped), \"Call me\" \(o.callMe.grouped), "
            + "\"Not now\" \(o.notNow.grouped), new link asked \(o.newLink.grouped). Opened counts mail scanners too."
    }

    /// "Incremental margin: $1,234.00 (95% interval …): recovered", or "too small to conclude (n = …)".
    public static func headline(_ f: ReportFigures) -> String {
        switch f.verdict {
        case .tooSmall:
            return "Incremental margin: too small to conclude (n = \(f.treated.declines.grouped) treated and "
                + "\(f.holdout.declines.grouped) held-out declines, \(f.treated.recovered + f.holdout.recovered) recoveries). "
                + "It needs at least 30 declines and 5 expected recoveries in each arm."
        case .recovered, .negative, .inconclusive:
            let m = f.incrementalMargin
            let words =
                f.verdict == .recovered
                ? "follow-up recovered margin the holdout did not"
                : f.verdict == .negative ? "below the holdout" : "inconclusive: the interval holds zero"
            return "Incremental margin: \(money(m?.value)) (95% interval \(money(m?.low)) to \(money(m?.high))), \(words)."
        }
    }

    static func arms(_ f: ReportFigures) -> String {
        let rows: [(String, String, String)] = [
            ("Declines", f.treated.declines.grouped, f.holdout.declines.grouped),
            ("Recovered", f.treated.recovered.grouped, f.holdout.recovered.grouped),
            ("Recovery rate", percent(f.treated.recoveryRate), percent(f.holdout.recoveryRate)),
            ("Margin gross", Money(cents: f.treated.grossCents).formatted, Money(cents: f.holdout.grossCents).formatted),
            ("Chargebacks", Money(cents: f.treated.chargebacksCents).formatted, Money(cents: f.holdout.chargebacksCents).formatted),
            ("Margin net", Money(cents: f.treated.netCents).formatted, Money(cents: f.holdout.netCents).formatted),
            (
                "Net per decline", f.treated.marginPerDeclineCents.map { Money(cents: $0).formatted } ?? "—",
                f.holdout.marginPerDeclineCents.map { Money(cents: $0).formatted } ?? "—"
            ),
            ("Reserve", Money(cents: f.treated.reserveCents).formatted, Money(cents: f.holdout.reserveCents).formatted),
            ("Commissions", Money(cents: f.treated.commissionsCents).formatted, Money(cents: f.holdout.commissionsCents).formatted),
            ("Message costs", Money(cents: f.treated.messageCostsCents).formatted, Money(cents: f.holdout.messageCostsCents).formatted),
            ("Net to store", Money(cents: f.treated.netToStoreCents).formatted, Money(cents: f.holdout.netToStoreCents).formatted),
        ]
        var out = pad("", 18) + pad("treated", 16, right: true) + pad("held out", 16, right: true) + "\n"
        for (label, a, b) in rows { out += pad(label, 18) + pad(a, 16, right: true) + pad(b, 16, right: true) + "\n" }
        return out
    }

    static func details(_ f: ReportFigures) -> String {
        var lines: [String] = []
        if let d = f.rateDifference {
            lines.append("Recovery rate difference: \(points(d.value)) (95% interval \(points(d.low)) to \(points(d.high)), Newcombe)")
        }
        if let exported = f.declinesInExports {
            lines.append(
                "Captured: \(percent(f.captureRate)) (\(f.declines.grouped) declines stored of \(exported.grouped) in the exports)")
        }
        lines.append("Maturity: \(percent(f.maturity.share)) of the declines' measurement windows had elapsed")
        lines.append(
            "Re-contacted: \(percent(f.recontactRate)) of treated declines; \(f.aged.grouped) older than 30 days with no touch yet")
        lines.append("Treated recoveries attributed to a touch: \(f.attributed.grouped); unattributed: \(f.unattributed.grouped)")
        lines.append(
            "Tasks: \(f.tasksDone.grouped) done (\(f.tasksDoneOnTime.grouped) on time), \(f.tasksOpen.grouped) open "
                + "(\(f.tasksOverdue.grouped) overdue)")
        return lines.joined(separator: "\n")
    }

    static func groups(_ groups: [ReportFigures]) -> String {
        var out =
            pad("", 14) + pad("declines", 10, right: true) + pad("recovered", 12, right: true) + pad("rate t/h", 16, right: true)
            + pad("net treated", 14, right: true) + pad("maturity", 10, right: true) + "  incremental (95% interval)\n"
        for g in groups {
            let incremental =
                g.verdict == .tooSmall
                ? "too small to conclude (n = \(g.holdout.declines.grouped) held out)"
                : "\(money(g.incrementalMargin?.value)) (\(money(g.incrementalMargin?.low)) to \(money(g.incrementalMargin?.high))) \(g.verdict.rawValue)"
            out +=
                pad(g.key ?? "", 14) + pad(g.declines.grouped, 10, right: true)
                + pad("\(g.treated.recovered.grouped)/\(g.holdout.recovered.grouped)", 12, right: true)
                + pad("\(percent(g.treated.recoveryRate))/\(percent(g.holdout.recoveryRate))", 16, right: true)
                + pad(Money(cents: g.treated.netCents).formatted, 14, right: true) + pad(percent(g.maturity.share), 10, right: true)
                + "  " + incremental + groupMonths(g) + "\n"
        }
        return out
    }

    /// "A sale counts within 120 days of the contract", or while the product can still be bought (horizon mode).
    public static func measuredBy(_ p: ReportParameters) -> String {
        guard p.measureBy == .horizon else { return "A sale counts within \(p.attributionDays) days of the contract" }
        let cap = p.horizonCapDays.map { ", at most \($0) days after the contract" } ?? ""
        return "A sale counts while the declined product could still be bought\(cap), and before the holdout ends "
            + "(\(p.holdoutMonths) months)"
    }

    public static func money(_ cents: Double?) -> String {
        guard let cents, cents.isFinite, abs(cents) < 9e15 else { return "—" }
        return Money(cents: Int64(saturating: cents.rounded())).formatted
    }
    public static func percent(_ r: Double?) -> String { r.map { String(format: "%.2f%%", $0 * 100) } ?? "—" }
    public static func points(_ r: Double) -> String { String(format: "%+.2f points", r * 100) }
    static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, n - s.count))
        return right ? fill + s : s + fill
    }
}
