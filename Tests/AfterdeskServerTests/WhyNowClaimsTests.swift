import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Issue 25, item 2: the offer page's "why now" said a service contract "can be added only while" the factory warranty
/// lasts; third-party and used-vehicle plans are sold after it. It now speaks from the facts of the day it is sent: the
/// basic warranty while it runs, else the powertrain's, and the plan class open then.
@Suite(.talliedByBackend) struct WhyNowClaimsTests {
    @Test(arguments: TestBackend.all) func theOfferPagesWhyNowMakesNoClaimTheFactsCannotBack(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let items = try await s.db.dueTouches(now: utc("2031-01-01T16:00:00Z"), limit: 1_000).flatMap(\.items)
            .filter { $0.product == "vsc" && $0.basicExpiresOn != nil }
        #expect(!items.isEmpty)
        for item in items {
            let ends = try #require(item.basicExpiresOn)
            // Setup: the day before the basic warranty ends, and the day it has ended.
            let before = s.dispatcher.whyNow(item, on: ends.adding(days: -1)).lowercased()
            let after = s.dispatcher.whyNow(item, on: ends).lowercased()
            #expect(before.contains("factory warranty is projected to end"))
            #expect(!after.contains("factory warranty is projected to end"), "\(after)")
            for text in [before, after] {
                for claim in ["can't be added", "cannot be added", "only while", "repairs are yours", "cover the difference"] {
                    #expect(!text.contains(claim), "\(text)")
                }
            }
        }
    }

    /// The class on the day: a new car's plan is the maker's new-vehicle plan until the basic warranty ends, then an
    /// after-warranty plan, after an inspection.
    @Test(arguments: TestBackend.all) func theWhyNowNamesTheClassOpenOnTheDay(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let item = try await #require(
            try s.db.dueTouches(now: utc("2031-01-01T16:00:00Z"), limit: 1_000).flatMap(\.items)
                .first { $0.product == "vsc" && $0.basicExpiresOn != nil })
        let ends = try #require(item.basicExpiresOn)
        let before = s.dispatcher.whyNow(item, on: ends.adding(days: -1))
        let after = s.dispatcher.whyNow(item, on: ends.adding(days: 1))
        #expect(before.contains("new-vehicle plan"), "\(before)")
        #expect(after.contains("after-warranty plan") && after.contains("inspection"), "\(after)")
    }
}
