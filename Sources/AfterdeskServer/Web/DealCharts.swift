import AfterdeskCore
import AfterdeskWorkflows
import Foundation

/// The deal page's charts: the factory warranty over time, and the loan against the vehicle's value.
enum DealCharts {
    struct Mark: Sendable {
        var date: LocalDate
        var label: String
    }

    /// A time axis from `start` to `end` across `width` pixels starting at `left`.
    struct TimeAxis {
        var start: LocalDate
        var end: LocalDate
        var left: Double
        var width: Double
        func x(_ d: LocalDate) -> Double {
            let span = Double(max(start.days(until: end), 1))
            return left + width * Double(min(max(start.days(until: d), 0), Int(span))) / span
        }
        func ticks() -> [LocalDate] {
            var out: [LocalDate] = []
            var d = LocalDate(year: start.year + 1, month: 1, day: 1) ?? end
            let years = max(1, (end.year - start.year) / 6 + 1)
            while d <= end, out.count < 12 {
                out.append(d)
                d = d.adding(years: years)
            }
            return out
        }
    }

    /// In service, today, basic and powertrain coverage (each ending by time or by miles) and the planned touches.
    static func warrantyTimeline(
        inService: LocalDate, today: LocalDate, basic: (LocalDate, String), powertrain: (LocalDate, String), touches: [Mark]
    ) -> String {
        let w = warrantyWidth
        let h = warrantyHeight
        let axis = warrantyAxis(inService: inService, today: today, ends: [basic.0, powertrain.0] + touches.map(\.date))
        var out = SVG.open(width: w, height: h, title: "Factory warranty timeline")
        for t in axis.ticks() {
            out +=
                SVG.line(axis.x(t), 10, axis.x(t), h - 30, cls: "grid")
                + SVG.text(axis.x(t), h - 14, "\(t.year)", anchor: "middle", cls: "axis")
        }
        let rows: [(String, LocalDate, String)] = [("Basic", basic.0, basic.1), ("Powertrain", powertrain.0, powertrain.1)]
        for (i, r) in rows.enumerated() {
            let y = 20 + Double(i) * 40
            out += SVG.text(axis.left - 8, y + 14, r.0, anchor: "end")
            out += SVG.rect(axis.x(inService), y, axis.x(r.1) - axis.x(inService), 20, cls: "span", tip: "\(r.0) ends \(r.1) by \(r.2)")
        }
        let ty = 110.0
        out += SVG.text(axis.left - 8, ty + 4, "Touches", anchor: "end")
        for m in touches {
            out +=
                "<circle cx=\"\(SVG.n(axis.x(m.date)))\" cy=\"\(SVG.n(ty))\" r=\"5\" class=\"touch\"><title>\(SVG.escape("\(m.date): \(m.label)"))</title></circle>"
        }
        out += SVG.line(axis.x(today), 10, axis.x(today), h - 30, cls: "today")
        let labels = warrantyLabels(axis: axis, inService: inService, today: today, ends: [basic, powertrain])
        return out + labels.map(\.svg).joined() + "</svg>"
    }

    static let warrantyWidth = 720.0
    static let warrantyHeight = 190.0

    /// The warranty chart's time axis: from in service to three months past the last date it shows.
    static func warrantyAxis(inService: LocalDate, today: LocalDate, ends: [LocalDate]) -> TimeAxis {
        let end = max(today, ends.max() ?? today).adding(months: 3)
        return TimeAxis(start: inService, end: end, left: 100, width: warrantyWidth - 120)
    }

    /// The warranty chart's text beside its marks, laid out by ChartLabels: each coverage's "ends …" just right of
    /// where its bar ends, or inside the bar's end when the chart's right edge is too close; "in service" and "today"
    /// on one line under the touches unless they would overlap, when "today" goes a line up.
    static func warrantyLabels(
        axis: TimeAxis, inService: LocalDate, today: LocalDate, ends: [(LocalDate, String)]
    ) -> [ChartLabels.Placed] {
        let minX = axis.left
        let maxX = warrantyWidth - 4
        var out: [ChartLabels.Placed] = []
        for (i, e) in ends.enumerated() {
            let text = "ends \(e.0.longDate) (\(e.1 == "miles" ? "by miles" : "by time"))"
            let width = ChartLabels.width(text)
            let x = ChartLabels.beside(axis.x(e.0), width: width, minX: minX, maxX: maxX)
            // Inside the bar the label is drawn darker (same size), for contrast with the bar's fill.
            out.append(.init(text: text, x: x, y: 34 + Double(i) * 40, width: width, cls: x < axis.x(e.0) ? "axis inside" : "axis"))
        }
        let inServiceWidth = ChartLabels.width("in service")
        // Clear of the "today" line when it stands at the axis's start.
        let inServiceX = ChartLabels.clamp(axis.x(inService) + 4, minX, maxX - inServiceWidth)
        let todayWidth = ChartLabels.width("today")
        let todayX = ChartLabels.centred(axis.x(today), width: todayWidth, minX: minX + 4, maxX: maxX)
        let lines = ChartLabels.lines([
            (inServiceX, inServiceX + inServiceWidth), (todayX, todayX + todayWidth),
        ])
        let y = warrantyHeight - 36
        out.append(.init(text: "in service", x: inServiceX, y: y - 13 * Double(lines[0]), width: inServiceWidth, cls: "axis"))
        out.append(.init(text: "today", x: todayX, y: y - 13 * Double(lines[1]), width: todayWidth, cls: "axis"))
        return out
    }

    struct LoanMonth: Sendable {
        var date: LocalDate
        var balanceCents: Int64
        var valueCents: Int64
    }

    /// The loan balance and the vehicle's value by month; the months the balance is above the value (what GAP
    /// covers) shaded; touches marked.
    static func loanAgainstValue(_ months: [LoanMonth], today: LocalDate, touches: [Mark]) -> String {
        let w = 720.0
        let h = 260.0
        guard let first = months.first, let last = months.last else { return "" }
        let axis = TimeAxis(start: first.date, end: last.date, left: 80, width: w - 100)
        let top = 15.0
        let bottom = 45.0
        let hi = Double(months.map { max($0.balanceCents, $0.valueCents) }.max() ?? 1) / 100
        let y = { (v: Double) in top + (h - top - bottom) * (1 - v / max(hi, 1)) }
        var out = SVG.open(width: w, height: h, title: "Loan balance against vehicle value")
        for t in SVG.ticks(0, hi) {
            out += SVG.line(axis.left, y(t), w - 20, y(t), cls: "grid")
            out += SVG.text(
                axis.left - 6, y(t) + 4, ReportText.money(t * 100).replacingOccurrences(of: ".00", with: ""), anchor: "end", cls: "axis")
        }
        for (a, b) in zip(months, months.dropFirst()) where a.balanceCents > a.valueCents {
            out += SVG.rect(axis.x(a.date), top, axis.x(b.date) - axis.x(a.date), h - top - bottom, cls: "shade")
        }
        func path(_ value: (LoanMonth) -> Int64) -> String {
            months.enumerated().map {
                "\($0.offset == 0 ? "M" : "L")\(SVG.n(axis.x($0.element.date))) \(SVG.n(y(Double(value($0.element)) / 100)))"
            }
            .joined(separator: " ")
        }
        out += "<path d=\"\(path(\.valueCents))\" class=\"value-line\"/><path d=\"\(path(\.balanceCents))\" class=\"balance-line\"/>"
        for m in touches where m.date >= first.date && m.date <= last.date {
            out +=
                "<circle cx=\"\(SVG.n(axis.x(m.date)))\" cy=\"\(SVG.n(h - bottom + 8))\" r=\"5\" class=\"touch\"><title>\(SVG.escape("\(m.date): \(m.label)"))</title></circle>"
        }
        if today >= first.date && today <= last.date {
            out += SVG.line(axis.x(today), top, axis.x(today), h - bottom, cls: "today")
        }
        for t in axis.ticks() { out += SVG.text(axis.x(t), h - 22, "\(t.year)", anchor: "middle", cls: "axis") }
        out += SVG.rect(axis.left, h - 12, 12, 3, cls: "value-line") + SVG.text(axis.left + 16, h - 6, "vehicle value", cls: "axis")
        out += SVG.rect(axis.left + 110, h - 12, 12, 3, cls: "balance-line") + SVG.text(axis.left + 126, h - 6, "loan balance", cls: "axis")
        out +=
            SVG.rect(axis.left + 215, h - 14, 12, 8, cls: "shade")
            + SVG.text(axis.left + 231, h - 6, "GAP exposure: owed more than it is worth", cls: "axis")
        return out + "</svg>"
    }
}
