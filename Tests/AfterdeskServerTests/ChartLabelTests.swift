import AfterdeskCore
import Foundation
import Testing

@testable import AfterdeskServer

/// The charts' labels: inside the chart and off each other, for dates at the edges of the warranty chart; and the
/// margin chart's legend showing only what the chart draws.
@Suite struct ChartLabelTests {
    static func date(_ y: Int, _ m: Int, _ d: Int) -> LocalDate { LocalDate(year: y, month: m, day: d) ?? .first }

    /// In service, today, basic end, powertrain end: recent deals (today the day after in service), ends by miles at
    /// the far right, ends on the day the car entered service, today past both ends.
    static let cases: [(LocalDate, LocalDate, LocalDate, LocalDate)] = [
        (date(2026, 10, 1), date(2026, 10, 2), date(2029, 10, 1), date(2031, 5, 16)),
        (date(2026, 10, 1), date(2026, 10, 1), date(2026, 10, 1), date(2026, 10, 1)),
        (date(2021, 5, 16), date(2026, 12, 5), date(2031, 5, 16), date(2031, 5, 16)),
        (date(2018, 1, 1), date(2026, 12, 5), date(2021, 1, 1), date(2023, 1, 1)),
        (date(2026, 11, 30), date(2026, 12, 5), date(2027, 1, 1), date(2036, 12, 31)),
    ]

    static func labels(_ c: (LocalDate, LocalDate, LocalDate, LocalDate)) -> [ChartLabels.Placed] {
        let axis = DealCharts.warrantyAxis(inService: c.0, today: c.1, ends: [c.2, c.3])
        return DealCharts.warrantyLabels(axis: axis, inService: c.0, today: c.1, ends: [(c.2, "time"), (c.3, "miles")])
    }

    @Test(arguments: 0..<cases.count)
    func warrantyLabelsStayInsideTheChart(_ i: Int) {
        for l in Self.labels(Self.cases[i]) {
            #expect(l.x >= 100, "\(l.text) starts at \(l.x), left of the time axis")
            #expect(l.right <= DealCharts.warrantyWidth, "\(l.text) ends at \(l.right), past the chart's right edge")
        }
    }

    @Test(arguments: 0..<cases.count)
    func warrantyLabelsNeverOverlap(_ i: Int) {
        let placed = Self.labels(Self.cases[i])
        for a in placed.indices {
            for b in placed.indices where a < b && placed[a].y == placed[b].y {
                let apart = placed[a].right <= placed[b].x || placed[b].right <= placed[a].x
                #expect(apart, "\(placed[a].text) and \(placed[b].text) overlap")
            }
        }
    }

    @Test func todayBesideInServiceGoesALineUp() {
        let placed = Self.labels(Self.cases[0])
        let inService = placed.first { $0.text == "in service" }
        let today = placed.first { $0.text == "today" }
        #expect(inService?.y == DealCharts.warrantyHeight - 36)
        #expect(today?.y == DealCharts.warrantyHeight - 49)
    }

    @Test func anEndNearTheRightEdgeIsLabelledInsideItsBar() {
        let placed = Self.labels(Self.cases[0])
        let miles = placed.first { $0.text == "ends May 16, 2031 (by miles)" }
        let axis = DealCharts.warrantyAxis(inService: Self.cases[0].0, today: Self.cases[0].1, ends: [Self.cases[0].2, Self.cases[0].3])
        #expect(miles.map { $0.right < axis.x(Self.cases[0].3) } == true)
        #expect(miles?.cls == "axis inside")
        // A label far from the edge stays right of its mark.
        let time = placed.first { $0.text.hasSuffix("(by time)") }
        #expect(time.map { $0.x > axis.x(Self.cases[0].2) } == true)
    }

    @Test func placementRules() {
        #expect(ChartLabels.beside(100, width: 50, minX: 0, maxX: 200) == 104)
        #expect(ChartLabels.beside(180, width: 50, minX: 0, maxX: 200) == 126)
        #expect(ChartLabels.beside(30, width: 50, minX: 20, maxX: 60) == 20)
        #expect(ChartLabels.centred(5, width: 20, minX: 0, maxX: 100) == 0)
        #expect(ChartLabels.centred(98, width: 20, minX: 0, maxX: 100) == 80)
        #expect(ChartLabels.lines([(0, 50), (40, 60), (100, 120), (45, 70)]) == [0, 1, 0, 2])
    }

    @Test func theMarginLegendShowsTheIntervalOnlyWhenDrawn() {
        let none = DashboardCharts.marginByMonth([.init(label: "2026-11", netCents: 10_000, incremental: nil)])
        #expect(!none.contains("class=\"point\""))
        #expect(!none.contains("incremental over the holdout"))
        #expect(none.contains("no incremental interval"))
        let some = DashboardCharts.marginByMonth([
            .init(label: "2026-11", netCents: 10_000, incremental: Estimate(value: 5_000, low: -1_000, high: 9_000))
        ])
        #expect(some.contains("incremental over the holdout, 95% interval"))
        #expect(some.components(separatedBy: "class=\"point\"").count == 3)  // the month's point and the legend's
    }
}
