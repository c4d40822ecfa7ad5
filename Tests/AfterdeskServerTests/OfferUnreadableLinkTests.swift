import AfterdeskCore
import AfterdeskStorage
import Foundation
import HummingbirdTesting
import Testing

@testable import AfterdeskServer

/// A link whose stored timestamp cannot be read (the typed storage throws an integrity error): the customer sees the
/// expired page, never an error page, and nothing is recorded; the operator's log says where the problem is, without
/// the value or anything of the customer's.
/// SQLite only: PostgreSQL's `timestamptz` columns cannot hold a value that is not an instant.
@Suite(.serialized) struct OfferUnreadableLinkTests {
    @Test(arguments: ["expires_at", "created_at"])
    func aLinkWithAnUnreadableTimestampShowsTheExpiredPage(_ column: String) async throws {
        let f = try await OfferFixture()
        try await f.s.execute("UPDATE offer_links SET \(column) = 'Maria-not-a-time' WHERE id = ?", [f.linkID])
        let before = try await f.state()
        try await f.app().test(.router) { client in
            let shown = try await client.execute(uri: f.path, method: .get)
            let pressed = try await f.press(client, "call_me")
            for r in [shown, pressed] {
                #expect(r.status == .gone)
                let html = String(buffer: r.body)
                #expect(html.contains("This link has expired"))
                #expect(!html.contains("Something went wrong") && !html.contains("Maria"))
                #expect(r.headers[.contentSecurityPolicy] == OfferController.csp)
            }
        }
        #expect(try await f.state() == before)
        #expect(try await f.events("opened") == 0)
        #expect(try await f.events("call_me") == 0)
        let log = f.log.text
        #expect(log.contains("offer link unreadable") && log.contains("offer_links.\(column)"))
        #expect(!log.contains("Maria") && !log.contains("not-a-time") && !log.contains(f.token))
    }

    @Test func thePlaceOfAProblemNeverCarriesItsValue() {
        #expect(
            OfferController.place(of: .integrity("offer_links.expires_at holds \"x\", which is not an instant")) == "offer_links.expires_at"
        )
        #expect(OfferController.place(of: .integrity("Maria Lopez's row is broken")) == "unknown")
        #expect(OfferController.place(of: .integrity("customers.first name holds \"Maria\"")) == "unknown")
    }
}
