/// Where a chart's text labels go so that none is cut off at the chart's edges and none lies on another: positions
/// from an estimate of each label's width (generous, so a real font is narrower than the room kept for it).
enum ChartLabels {
    /// A label to draw: its text, the x of its left edge (drawn anchored at the start), its baseline, its estimated
    /// width and its class.
    struct Placed: Equatable, Sendable {
        var text: String
        var x: Double
        var y: Double
        var width: Double
        var cls: String

        var right: Double { x + width }
        var svg: String { SVG.text(x, y, text, anchor: "start", cls: cls) }
    }

    /// The estimated width of `text` at `fontSize` (0.6 em a character: wider than system-ui's digits and letters).
    static func width(_ text: String, fontSize: Double = 11) -> Double {
        Double(text.count) * fontSize * 0.6
    }

    /// The left edge of a label of `width` beside a mark at `x`: just right of it when it fits before `maxX`, else
    /// just left of it; never left of `minX` nor past `maxX` (when it cannot fit at all, it starts at `minX`).
    static func beside(_ x: Double, width: Double, minX: Double, maxX: Double, gap: Double = 4) -> Double {
        if x + gap + width <= maxX { return max(x + gap, minX) }
        return clamp(x - gap - width, minX, maxX - width)
    }

    /// The left edge of a label of `width` centred on `x`, moved inward as needed to stay within `minX`...`maxX`.
    static func centred(_ x: Double, width: Double, minX: Double, maxX: Double) -> Double {
        clamp(x - width / 2, minX, maxX - width)
    }

    /// For labels meant for one baseline, in order, the line each goes on: the first line that none of the labels
    /// already placed there overlaps (with `gap` between them). Line 0 is the intended baseline.
    static func lines(_ spans: [(left: Double, right: Double)], gap: Double = 6) -> [Int] {
        var placed: [[(left: Double, right: Double)]] = []
        var out: [Int] = []
        for span in spans {
            var line = 0
            while line < placed.count,
                placed[line].contains(where: { span.left < $0.right + gap && $0.left < span.right + gap })
            {
                line += 1
            }
            if line == placed.count { placed.append([]) }
            placed[line].append(span)
            out.append(line)
        }
        return out
    }

    static func clamp(_ v: Double, _ lo: Double, _ hi: Double) -> Double {
        max(lo, min(v, hi))
    }
}
