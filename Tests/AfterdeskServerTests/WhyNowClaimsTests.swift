import AfterdeskCore
import Foundation
import Testing

@testable import AfterdeskServer
@testable import AfterdeskStore

/// Issue 25, item 2 (a first part): the offer page's "why now" said a service contract "can be added only while" the
/// factory warranty lasts; third-party and used-vehicle plans are sold after it.
@Suite struct WhyNowClaimsTests {
    @Test func theOfferPagesWhyNowMakesNoClaimTheFactsCannotBack() throws {
        let s = try Scenario()
        let items = try s.db.dueTouches(now: utc("2031-01-01T16:00:00Z"), limit: 1_000).flatMap(\.items)
            .filter { $0.product == "vsc" && $0.basicExpiresOn != nil }
        #expect(!items.isEmpty)
        for item in items {
            let text = s.dispatcher.whyNow(item).lowercased()
            #expect(text.contains("factory warranty is projected to end"))
            for claim in ["can't be added", "cannot be added", "only while", "repairs are yours"] {
                #expect(!text.contains(claim), "\(text)")
            }
        }
    }
}
