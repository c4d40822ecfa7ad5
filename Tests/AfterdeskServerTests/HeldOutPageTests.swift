import AfterdeskCore
import Foundation
import Testing

@testable import AfterdeskServer

/// The deal page says until when a held-out deal is held out (`holdout_months`; docs/reporting.md, "The holdout ends").
@Suite struct HeldOutPageTests {
    @Test func aHeldOutProductSaysUntilWhen() throws {
        var page = PageSnapshotTests.deal
        page.products[0].holdout = true
        page.products[0].heldOutUntil = "2030-06-01"
        let html = try Pages.load().html(page)
        #expect(html.contains("Held out until 2030-06-01: this deal gets no follow-up before then, so the report can compare."))
        page.products[0].heldOutUntil = nil
        #expect(try Pages.load().html(page).contains("Held out: this deal gets no follow-up at all, so the report can compare."))
    }
}
