import AfterdeskCore
import AfterdeskDelivery
import AfterdeskWorkflows
import Foundation

/// Charts drawn on the server as SVG, so the pages need no script. Every text in them is escaped here; the page
/// inserts the result unescaped.
enum SVG {
    static func escape(_ s: String) -> String { HTMLText.escaped(s) }

    static func n(_ v: Double) -> String { v.isFinite ? String(format: "%.1f", v) : "0" }

    static func open(width: Double, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" class=\"chart\" "
            + "aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
    }

    static func text(_ x: Double, _ y: Double, _ s: String, anchor: String = "start", cls: String = "label") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" class=\"\(cls)\">\(escape(s))</text>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, cls: String) -> String {
        "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" class=\"\(cls)\"/>"
    }

    static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, cls: String, tip: String? = nil) -> String {
        "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(w, 0)))\" height=\"\(n(max(h, 0)))\" class=\"\(cls)\">"
            + (tip.map { "<title>\(escape($0))</title>" } ?? "") + "</rect>"
    }

    /// A vertical whisker from `low` to `high` at `x`, with caps.
    static func whisker(_ x: Double, _ yLow: Double, _ yHigh: Double, cls: String) -> String {
        line(x, yLow, x, yHigh, cls: cls) + line(x - 4, yLow, x + 4, yLow, cls: cls) + line(x - 4, yHigh, x + 4, yHigh, cls: cls)
    }

    /// Rounded ticks for an axis from `low` to `high` (about five).
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let span = high - low
        guard span.isFinite, span > 0 else { return [low] }
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var t = (low / step).rounded(.up) * step
        var out: [Double] = []
        while t <= high + step / 1000, out.count < 12 {
            out.append(t)
            t += step
        }
        return out
    }
}

/// The dashboard's charts.
enum DashboardCharts {
    struct Month: Sendable {
        var label: String
        var netCents: Int64
        var incremental: Estimate?
    }

    /// Recovered margin (net) per month as bars; the incremental margin as a point with its 95% whiskers.
    static func marginByMonth(_ months: [Month]) -> String {
        let w = 720.0
        let h = 280.0
        let left = 70.0
        let bottom = 40.0
        let top = 20.0
        guard !months.isEmpty else {
            return SVG.open(width: w, height: 60, title: "No months") + SVG.text(10, 30, "No declines in these dates.") + "</svg>"
        }
        var values: [Double] = [0]
        for m in months {
            values.append(Double(m.netCents) / 100)
            if let e = m.incremental { values += [e.low / 100, e.high / 100, e.value / 100] }
        }
        let lo = min(values.min() ?? 0, 0)
        let hi = max(values.max() ?? 1, 1)
        let y = { (v: Double) in top + (h - top - bottom) * (1 - (v - lo) / (hi - lo)) }
        let slot = (w - left - 10) / Double(months.count)
        var out = SVG.open(width: w, height: h, title: "Recovered and incremental margin by month")
        for t in SVG.ticks(lo, hi) {
            out += SVG.line(left, y(t), w - 10, y(t), cls: "grid")
            out += SVG.text(
                left - 6, y(t) + 4, ReportText.money(t * 100).replacingOccurrences(of: ".00", with: ""), anchor: "end", cls: "axis")
        }
        out += SVG.line(left, y(0), w - 10, y(0), cls: "zero")
        for (i, m) in months.enumerated() {
            let x = left + slot * Double(i)
            let v = Double(m.netCents) / 100
            out += SVG.rect(
                x + slot * 0.15, min(y(v), y(0)), slot * 0.5, abs(y(v) - y(0)), cls: "bar",
                tip: "\(m.label): recovered \(Money(cents: m.netCents).formatted) net")
            if let e = m.incremental {
                let cx = x + slot * 0.8
                out += SVG.whisker(cx, y(e.low / 100), y(e.high / 100), cls: "whisker")
                out +=
                    "<circle cx=\"\(SVG.n(cx))\" cy=\"\(SVG.n(y(e.value / 100)))\" r=\"4\" class=\"point\"><title>"
                    + SVG.escape(
                        "\(m.label): incremental \(ReportText.money(e.value)) (\(ReportText.money(e.low)) to \(ReportText.money(e.high)))")
                    + "</title></circle>"
            }
            if months.count <= 13 || i % 2 == 0 {
                out += SVG.text(x + slot * 0.45, h - bottom + 16, m.label, anchor: "middle", cls: "axis")
            }
        }
        return out + marginLegend(months, left: left, bottom: h) + "</svg>"
    }

    /// The margin chart's legend, matching what the chart draws: the bars, and the incremental point with its
    /// whiskers only when some month has one (a month too small to judge draws none); otherwise it says why none is
    /// drawn.
    static func marginLegend(_ months: [Month], left: Double, bottom h: Double) -> String {
        var out = SVG.rect(left, h - 14, 10, 10, cls: "bar") + SVG.text(left + 14, h - 5, "recovered, net", cls: "axis")
        if months.contains(where: { $0.incremental != nil }) {
            out += SVG.whisker(left + 130, h - 16, h - 2, cls: "whisker")
            out += "<circle cx=\"\(SVG.n(left + 130))\" cy=\"\(SVG.n(h - 9))\" r=\"4\" class=\"point\"/>"
            out += SVG.text(left + 138, h - 5, "incremental over the holdout, 95% interval", cls: "axis")
        } else {
            out += SVG.text(left + 130, h - 5, "no incremental interval: too few declines a month to judge", cls: "axis")
        }
        return out
    }

    struct ProductRates: Sendable {
        var label: String
        var treated: (rate: Double, low: Double, high: Double)?
        var holdout: (rate: Double, low: Double, high: Double)?
    }

    /// Recovery rate, treated against held out, per product, with Wilson 95% intervals.
    static func ratesByProduct(_ products: [ProductRates]) -> String {
        let rowH = 44.0
        let left = 250.0
        let w = 720.0
        let h = 56 + rowH * Double(max(products.count, 1))
        let hi = max(products.flatMap { [$0.treated?.high ?? 0, $0.holdout?.high ?? 0] }.max() ?? 0.01, 0.01)
        let x = { (v: Double) in left + (w - left - 20) * v / hi }
        var out = SVG.open(width: w, height: h, title: "Recovery rate by product, treated and held out")
        for t in SVG.ticks(0, hi) {
            out += SVG.line(x(t), 10, x(t), h - 40, cls: "grid")
            out += SVG.text(x(t), h - 26, String(format: "%.1f%%", t * 100), anchor: "middle", cls: "axis")
        }
        for (i, p) in products.enumerated() {
            let y0 = 12 + rowH * Double(i)
            out += SVG.text(left - 8, y0 + 20, p.label, anchor: "end")
            for (j, arm) in [(p.treated, "treated"), (p.holdout, "holdout")].enumerated() {
                guard let r = arm.0 else { continue }
                let y = y0 + Double(j) * 16
                out += SVG.rect(
                    left, y, x(r.rate) - left, 12, cls: "bar-\(arm.1)",
                    tip: "\(p.label), \(arm.1 == "holdout" ? "held out" : "treated"): \(ReportText.percent(r.rate))")
                out += SVG.line(x(r.low), y + 6, x(r.high), y + 6, cls: "whisker")
            }
        }
        out += SVG.rect(left, h - 10, 10, 8, cls: "bar-treated") + SVG.text(left + 14, h - 2, "treated", cls: "axis")
        out += SVG.rect(left + 80, h - 10, 10, 8, cls: "bar-holdout") + SVG.text(left + 94, h - 2, "held out", cls: "axis")
        return out + "</svg>"
    }
}
