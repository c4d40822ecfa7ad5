import AfterdeskBackendTestSupport
import AfterdeskCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// The offer page says the price that applies on the day it is seen (issue 25, item 5): the desk's quote, as "Your
/// price … quoted at the desk", only while it holds; a presumed decline or an old quote is "from" a price.
@Suite(.serialized, .talliedByBackend) struct OfferPriceTests {
    func page(_ f: OfferFixture) async throws -> String {
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: f.path, method: .get)
            #expect(r.status == .ok)
            return String(buffer: r.body)
        }
    }

    @Test(arguments: TestBackend.all) func theDesksQuoteWhileItHolds(backend: TestBackend) async throws {
        // Maria's GAP was quoted $895.00 on 2026-10-01; the page is seen on 2026-10-06.
        let f = try await OfferFixture(backend: backend)
        let html = try await page(f)
        #expect(html.contains("<dt>Your price</dt><dd class=\"big\">$895.00</dd>"))
        #expect(html.contains("the price quoted at the desk"))
    }

    @Test(arguments: TestBackend.all) func aPresumedDeclineIsFromThePriceAndNeverQuoted(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        try await f.s.execute("UPDATE deal_products SET presumed = ? WHERE product_code = 'gap'", [true])
        let html = try await page(f)
        #expect(html.contains("<dt>Price</dt><dd class=\"big\">from $895.00</dd>"))
        #expect(!html.contains("quoted") && !html.contains("Your price"))
    }

    @Test(arguments: TestBackend.all) func aQuotePastItsDaysIsFromThePrice(backend: TestBackend) async throws {
        let f = try await OfferFixture(backend: backend)
        // 31 days after the contract: the quote held 30.
        f.clock.advance(26 * 86_400)
        let html = try await page(f)
        #expect(html.contains("from $895.00") && !html.contains("the price quoted at the desk"))
    }
}
