import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// A certified car's projected date may be its certified coverage's: the offer page does not call it the factory
/// warranty nor give the factory's miles.
@Suite(.talliedByBackend) struct CertifiedWhyNowTests {
    @Test(arguments: TestBackend.all) func aCertifiedCarsWhyNowNamesNoFactoryMiles(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let items = try await s.db.dueTouches(now: utc("2031-01-01T16:00:00Z"), limit: 1_000).flatMap(\.items)
            .filter { $0.product == "vsc" && $0.basicExpiresOn != nil && $0.basicLimit == "miles" }
        var item = try #require(items.first)
        #expect(s.dispatcher.whyNow(item, on: LocalDate(year: 2027, month: 1, day: 1)!).contains(" miles."))
        item.vehicleIsCertified = true
        let text = s.dispatcher.whyNow(item, on: LocalDate(year: 2027, month: 1, day: 1)!)
        #expect(text.hasPrefix("Your \(item.vehicleMake)'s warranty coverage is projected to end around "))
        #expect(!text.contains("factory") && !text.contains("miles"))
    }
}
