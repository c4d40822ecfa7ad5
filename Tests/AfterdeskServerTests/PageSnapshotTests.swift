import AfterdeskCore
import AfterdeskStorage
import AfterdeskTestSupport
import Foundation
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Every page rendered from a fixed model (fixed names, dates and figures: no clock, no database), compared with the
/// HTML kept in `Snapshots/`. After a deliberate change to a page, record with
/// `AFTERDESK_RECORD_SNAPSHOTS=1 swift test --filter PageSnapshotTests` and review the diff before committing.
@Suite struct PageSnapshotTests {
    static let snapshots = repositoryRoot.appendingPathComponent("Tests/AfterdeskServerTests/Snapshots")
    static let recording = ProcessInfo.processInfo.environment["AFTERDESK_RECORD_SNAPSHOTS"] == "1"
    static let zone = TimeZone(identifier: "America/Chicago") ?? .gmt

    static func layout(_ title: String, _ current: String, role: Role = .fiManager) -> Layout {
        let user = SignedIn(
            principal: Principal(userID: 1, name: "kliu", role: role, staffID: nil, store: nil),
            session: WebSession(userID: 1, csrf: "CSRF-TOKEN", signedInAt: Date(timeIntervalSince1970: 0)))
        return .page(title, for: user, current: current)
    }

    static func pages() throws -> [(String, String)] {
        let p = try Pages.load()
        return [
            (
                "login",
                try p.html(
                    SignInController.Page(
                        layout: .page("Sign in", for: nil), csrf: "LOGIN-TOKEN", next: "/tasks", username: "vosei",
                        error: "Wrong user name or password."))
            ),
            (
                "error",
                try p.html(ErrorPage(layout: layout("Not found", ""), status: 404, heading: "Not found", message: "There is no such task."))
            ),
            ("tasks", try p.html(queue)), ("task", try p.html(task)), ("dashboard", try p.html(dashboard)),
            ("dashboard-too-small", try p.html(tooSmall)), ("dashboard-books", try p.html(dashboardBooks)),
            ("scorecard", try p.html(scorecard)), ("imports", try p.html(imports)),
            ("import", try p.html(importDone)),
            ("deals", try p.html(dealsList)), ("deal", try p.html(deal)),
            (
                "menu",
                try p.html(
                    MenuPageController.Page(
                        layout: layout("Menu", WebPaths.menu), dealership: "Lakeside Motors", timeZone: "America/Chicago",
                        holdoutPercent: 10,
                        attributionDays: 120,
                        measuredBy:
                            "a sale counts while the declined product could still be bought, and before the holdout ends (48 months)",
                        products: shippedMenu.products.map(MenuPageController.product),
                        source: "dealership:\n  name: Lakeside Motors\n"))
            ),
            ("admin", try p.html(admin)), ("offer", try p.html(offer)), ("offer_gone", try p.html(offerGone)),
            ("opt-outs", try p.html(optOuts)), ("stores", try p.html(stores)),
            (
                "unsubscribe",
                try p.html(
                    UnsubscribePage(
                        layout: Layout(title: "Unsubscribe from Lakeside Motors emails?"),
                        text: "Press the button to stop emails about your vehicle's protection products.",
                        action: "/unsubscribe?c=7&t=A-b_c",
                        address: "1200 Lakeside Dr, Austin, TX 78701"))
            ),
        ]
    }

    @Test func everyPageRendersAsItsSnapshot() throws {
        let pages = try Self.pages()
        #expect(Set(pages.map(\.0)).isSuperset(of: PageTemplates.pages))
        for (name, html) in pages {
            let file = Self.snapshots.appendingPathComponent("\(name).html")
            if Self.recording {
                try FileManager.default.createDirectory(at: Self.snapshots, withIntermediateDirectories: true)
                try html.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            let kept = try? String(contentsOf: file, encoding: .utf8)
            #expect(kept != nil, "no snapshot \(name).html: record it with AFTERDESK_RECORD_SNAPSHOTS=1")
            if let kept { #expect(html == kept, "\(name).html differs from what the page renders now") }
        }
    }

    /// Text from data is escaped everywhere; only the server's own SVG is inserted as is.
    @Test func dataIsEscapedInPagesAndCharts() throws {
        var q = Self.queue
        q.sections[0].rows[0].customer = "<script>alert(1)</script>"
        let html = try Pages.load().html(q)
        #expect(!html.contains("<script>alert(1)"))
        #expect(html.contains("&lt;script&gt;"))
        let chart = DashboardCharts.ratesByProduct([.init(label: "<b>\"x\"</b>", treated: (0.1, 0.05, 0.2), holdout: nil)])
        #expect(!chart.contains("<b>"))
        #expect(chart.contains("&lt;b&gt;&quot;x&quot;"))
    }
}
