import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// The claims check can fail: it catches planted templates that state what the facts of the day do not back.
@Suite(.talliedByBackend) struct ClaimsListTests {
    static let planted: [(name: String, text: String)] = [
        ("vsc-bad-quote.sms.mustache", "Hi {{first_name}}, you passed on it. Your quote was {{product.quoted_price}}. {{opt_out}}"),
        ("vsc-bad-deadline.sms.mustache", "{{first_name}}, it can be added until {{product.available_until}}. {{opt_out}}"),
        ("vsc-bad-never.sms.mustache", "{{first_name}}, after that a service contract can't be added. {{opt_out}}"),
        ("vsc-bad-days.sms.mustache", "{{first_name}}, your factory warranty ends in about {{warranty.days_left}} days. {{opt_out}}"),
        ("gap-bad-covers.sms.mustache", "{{first_name}}, GAP covers the difference. {{opt_out}}"),
    ]

    @Test(arguments: TestBackend.all) func aPlantedBadTemplateIsCaught(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let t = try MessageTemplates.load(files: Self.planted, sample: MessageFacts.sample(dealership: menu.dealership))
        let (customer, item, _) = try #require(try await s.db.previewFacts(dealNumber: "D-1", store: nil, product: "vsc"))
        let ends = try #require(item.basicExpiresOn)
        var presumed = item
        presumed.presumed = true
        // On the day the basic warranty has ended, after the product's window, for a presumed decline.
        let day = max(ends, item.eligibleUntil ?? ends).adding(days: 1)
        let facts = s.dispatcher.facts([presumed], customer: customer, today: day)
        for (file, _) in Self.planted {
            let name = String(file.dropLast(".sms.mustache".count))
            let text = try #require(t.renderSMS(name, facts: facts))
            #expect(!ClaimsList.violations(text, context: facts.context).isEmpty, "\(name): \(text)")
        }
        // The same words with their facts true pass: the quote and the days on a quoted deal while the desk's quote
        // still holds (30 days after the contract, by the shipped rate card) and the warranty runs.
        let quoted = s.dispatcher.facts([item], customer: customer, today: item.contractDate.adding(days: 10))
        for name in ["vsc-bad-quote", "vsc-bad-days"] {
            let text = try #require(t.renderSMS(name, facts: quoted))
            #expect(ClaimsList.violations(text, context: quoted.context).isEmpty, "\(name): \(text)")
        }
    }

    @Test func datesPricesAndDaysMustMatchAFactOfTheDay() {
        let context: [String: Any] = [
            "warranty": ["ends": "March 14, 2029", "days_left": 30], "quote": ["given_at_desk": true, "price": "$2,495.00"],
        ]
        #expect(ClaimsList.violations("Your quote was $2,495.00, warranty until about March 14, 2029", context: context).isEmpty)
        #expect(ClaimsList.violations("Your quote was $895.00.", context: context).count == 1)
        #expect(ClaimsList.violations("Covered until March 15, 2029.", context: context).count == 1)
        #expect(ClaimsList.violations("Ends in about 1624 days.", context: context).count == 1)
        #expect(ClaimsList.violations("Ends in about 30 days.", context: context).isEmpty)
    }
}
