import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// The shipped group menu (`menus/group.yaml`): Lakeside Ford in Austin, Riverside Toyota in Tulsa, Bayshore Kia in
/// Tampa with its own, tighter Florida hours (09:00-19:00).
let groupMenu = try! MenuLoader.loadMenu(
    yaml: try! String(contentsOf: repositoryRoot.appendingPathComponent("menus/group.yaml"), encoding: .utf8), file: "menus/group.yaml")

/// D-1 Maria, a Tampa customer of the Tampa store (SMS and email); D-2 James, of the Austin store (email only);
/// D-4 Rosa, a Tampa customer who bought at the Austin store (SMS); D-5 Lena, of the Tampa store (email only); D-6
/// Omar, of the Tulsa store, who declined appearance protection (Tulsa does not sell it).
let groupDeals = """
    \(header),store
    D-1,2026-10-01,finance,Maria,Lopez,maria@example.com,(813) 555-0142,FL,33606,Y,Y,Y,4T1B11HK7RU000001,2026,Toyota,Camry,new,12,31250,29000,34500,6.9,72,2026-11-15,S1,Dana Whitfield,F1,Karen Liu,declined,2495,declined,895,declined,799,not_offered,,tampa
    D-2,2026-10-01,cash,James,Smith,james@example.com,(512) 555-0199,TX,78704,N,Y,N,1FTFW1E5XPFA00002,2026,Ford,F-150,new,20,48000,46000,,,,,S2,Marcus Bell,F1,Karen Liu,not_offered,,not_offered,,not_offered,,declined,695,austin
    D-5,2026-10-01,cash,Lena,Park,lena@example.com,(813) 555-0190,FL,33606,N,Y,N,1FTFW1E55PFA00005,2026,Ford,F-150,new,20,48000,46000,,,,,S2,Marcus Bell,F1,Karen Liu,not_offered,,not_offered,,not_offered,,declined,695,tampa
    D-6,2026-10-01,cash,Omar,Hale,omar@example.com,(918) 555-0111,OK,74105,N,Y,N,1FTFW1E57PFA00006,2026,Ford,F-150,new,20,48000,46000,,,,,S2,Marcus Bell,F1,Karen Liu,not_offered,,not_offered,,not_offered,,declined,695,tulsa
    D-4,2026-10-01,cash,Rosa,Diaz,,(813) 555-0177,FL,33606,Y,N,N,1FTFW1E53PFA00004,2026,Ford,F-150,new,20,48000,46000,,,,,S2,Marcus Bell,F1,Karen Liu,declined,2495,not_offered,,not_offered,,not_offered,,austin

    """

@Suite(.serialized, .talliedByBackend) struct GroupStoresDispatchTests {
    /// Each store signs its own messages: the Tampa customer's text names Bayshore Kia and goes from the Tampa number,
    /// a Tampa customer's email carries the Tampa address (CAN-SPAM) and sender; the Austin customer's carries Austin's.
    @Test(arguments: TestBackend.all) func eachStoreSignsItsOwnMessages(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend, csv: groupDeals, withMenu: groupMenu)
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        try await s.db.setStoreSetting(store: "tampa", key: "sms_from", value: "+18135550100", now: at)
        try await s.db.setStoreSetting(store: "tampa", key: "email_from", value: "Bayshore Kia <hello@bayshore.example>", now: at)
        s.settings.smsFrom = "+15125550100"
        let maria = try #require(try await s.touches("D-1").first { $0.action == "sms" })
        // The F&I manager's GAP re-contract task comes first (the group's GAP is a dealer waiver).
        _ = try await s.dispatcher.run(now: utc(try #require(try await s.touches("D-1").first).due))
        _ = try await s.dispatcher.run(now: utc(maria.due))
        let text = try #require(s.channels.sms.first { $0.to == "+18135550142" })
        #expect(text.body.contains("Bayshore Kia") && !text.body.contains("Lakeside"))
        #expect(text.from == "+18135550100")
        let lena = try #require(try await s.touches("D-5").first)
        let james = try #require(try await s.touches("D-2").first)
        #expect(lena.action == "email" && james.action == "email")
        _ = try await s.dispatcher.run(now: max(utc(lena.due), utc(james.due)))
        let hers = try #require(s.channels.emails.first { $0.recipients == ["lena@example.com"] })
        #expect(hers.from == "hello@bayshore.example")
        // The sender rides with the message, never on the wire: the From header is the store's, and nothing else says it.
        #expect(hers.data.contains("From: \"Bayshore Kia\" <hello@bayshore.example>") && !hers.data.contains("X-Afterdesk-Sender"))
        #expect(Self.text(of: hers).contains("800 Bayshore Boulevard, Tampa, FL 33606"))
        #expect(!Self.text(of: hers).contains("Lakeshore"))
        let his = try #require(s.channels.emails.first { $0.recipients == ["james@example.com"] })
        #expect(his.from == "service@lakeside.example")
        #expect(Self.text(of: his).contains("1200 Lakeshore Drive, Austin, TX 78701"))
        #expect(Self.text(of: his).contains("Lakeside Ford"))
    }

    /// Florida's cap of three texts in 24 hours holds for the Tampa store's customer, whatever else the store sets.
    @Test(arguments: TestBackend.all) func aTampaCustomerGetsFloridasThreeADayCap(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend, csv: groupDeals, withMenu: groupMenu)
        let maria = try #require(try await s.touches("D-1").first { $0.action == "sms" })
        _ = try await s.dispatcher.run(now: utc(try #require(try await s.touches("D-1").first).due))
        let due = utc(maria.due)
        try await StateCalendarDispatchTests().seedTexts(s, customer: try await s.customer("D-1"), hoursBefore: [23, 22, 21], due: due)
        let summary = try await s.dispatcher.run(now: due)
        #expect(s.channels.sms.isEmpty && summary.movedByStateRules >= 1)
        let moved = try #require(try await s.rows("SELECT status_reason FROM touches WHERE id = ?", [maria.id]).first)
        #expect(moved[0] as String == "moved: at most 3 texts in 24 hours (state law)")
    }

    /// The Tampa store's own Florida hours (09:00-19:00) are tighter than the state's (08:00-20:00): at 08:30 in Tampa
    /// its customer's text waits, while the Austin store's Florida customer is texted under the state's hours.
    @Test(arguments: TestBackend.all) func aStoresOwnTighterHoursHoldForItsCustomersOnly(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend, csv: groupDeals, withMenu: groupMenu)
        let maria = try #require(try await s.touches("D-1").first { $0.action == "sms" })
        let rosa = try #require(try await s.touches("D-4").first { $0.action == "sms" })
        // 13:30Z on Monday 2 November is 08:30 in Tampa (EST).
        let at = utc("2026-11-02T13:30:00Z")
        for id in [maria.id, rosa.id] {
            try await s.execute("UPDATE touches SET due_at = ? WHERE id = ?", [Instant.iso8601(at), id])
        }
        _ = try await s.dispatcher.run(now: at)
        #expect(s.channels.sms.map(\.to) == ["+18135550177"])
        let held = try #require(try await s.rows("SELECT status, due_at FROM touches WHERE id = ?", [maria.id]).first)
        #expect(held[0] as String == "planned")
        #expect(utc(held[1]) == utc("2026-11-02T14:00:00Z"))
    }

    /// At the moment of sending too: a text queued for the Tampa store's customer and retried at 08:30 in Tampa waits
    /// for the store's 09:00; the Austin store's Florida customer's goes under the state's 08:00.
    @Test(arguments: TestBackend.all) func aRetriedTextKeepsItsStoresHours(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend, csv: groupDeals, withMenu: groupMenu)
        let at = utc("2026-11-02T13:30:00Z")
        for (deal, phone) in [("D-1", "+18135550142"), ("D-4", "+18135550177")] {
            let stamp = Instant.iso8601(at.addingTimeInterval(-3_600))
            try await s.execute(
                """
                INSERT INTO outbox (idempotency_key, customer_id, channel, recipient, body, status, next_attempt_at, created_at,
                    updated_at)
                VALUES (?, ?, 'sms', ?, 'A text', 'queued', ?, ?, ?)
                """, ["retry-\(deal)", try await s.customer(deal), phone, Instant.iso8601(at), stamp, stamp])
        }
        try await s.execute("UPDATE touches SET status = 'cancelled' WHERE status = 'planned'")
        _ = try await s.dispatcher.run(now: at)
        #expect(s.channels.sms.map(\.to) == ["+18135550177"])
        let waiting = try #require(try await s.rows("SELECT status, next_attempt_at FROM outbox WHERE idempotency_key = 'retry-D-1'").first)
        #expect(waiting[0] as String == "queued" && utc(waiting[1]) == utc("2026-11-02T14:00:00Z"))
    }

    /// A text to a store's own number is a reply to that store: HELP answers with its name and number. What it
    /// re-plans is planned by the group's planner, each customer under their own store's menu.
    @Test(arguments: TestBackend.all) func aTextToAStoresNumberIsThatStoresAndReplansByStore(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend, csv: groupDeals, withMenu: groupMenu)
        let now = utc("2026-10-02T15:00:00Z")
        try await s.db.setStoreSetting(store: "tampa", key: "sms_from", value: "+18135550100", now: now)
        let d = s.dispatcher.withStoreSettings(try await s.db.storeSettings())
        let tampa = d.receivingAt("+1 (813) 555-0100")
        #expect(tampa.menu.dealership.name == "Bayshore Kia" && d.receivingAt("+15125550100").menu.dealership.name == "Lakeside Motors")
        let help = try await tampa.receiveSMS(from: "+18135550142", body: "HELP", providerID: "SM-help-1", now: now)
        #expect(help?.contains("Bayshore Kia, (813) 555-0123") == true)
        // The view's planner is the group's: re-planned through Tampa's view, Tulsa's customer still gets no plan for
        // the appearance protection Tulsa does not sell.
        let omar = try await s.customer("D-6")
        #expect(
            try await s.rows("SELECT COUNT(*) FROM plans p JOIN deals d ON d.id = p.deal_id WHERE d.deal_number = 'D-6'")[0][0] as Int == 0)
        try await tampa.replan(customers: [omar], now: now)
        #expect(
            try await s.rows("SELECT COUNT(*) FROM plans p JOIN deals d ON d.id = p.deal_id WHERE d.deal_number = 'D-6'")[0][0] as Int == 0)
    }

    /// `afterdesk preview` shows a Tampa deal's messages as Tampa sends them.
    @Test(arguments: TestBackend.all) func aPreviewIsAsTheStoreSendsIt(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend, csv: groupDeals, withMenu: groupMenu)
        let previews = try await s.dispatcher.preview(dealNumber: "D-5", product: "appearance", now: utc("2026-10-02T15:00:00Z"))
        let email = try #require(previews.first { $0.channel == "email" })
        #expect(email.body.contains("800 Bayshore Boulevard, Tampa, FL 33606") && email.body.contains("Bayshore Kia"))
        #expect(!email.body.contains("Lakeshore"))
    }

    /// A Tampa customer's unsubscribe pages name the Tampa store and carry its address, as its emails did.
    @Test(arguments: TestBackend.all) func theUnsubscribePagesAreTheCustomersStores(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend, csv: groupDeals, withMenu: groupMenu)
        let path = String(s.dispatcher.unsubscribeURL(customer: try await s.customer("D-5")).dropFirst(s.settings.publicURL.count))
        let app = Application(router: try buildRouter(ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z")))))
        try await app.test(.router) { client in
            let page = try await client.execute(uri: path, method: .get) { String(buffer: $0.body) }
            #expect(page.contains("Unsubscribe from Bayshore Kia emails?") && page.contains("800 Bayshore Boulevard, Tampa, FL 33606"))
            let done = try await client.execute(uri: path, method: .post) { String(buffer: $0.body) }
            #expect(done.contains("Bayshore Kia will not email you") && !done.contains("Lakeside"))
        }
    }

    static func text(of email: EmailEnvelope) -> String {
        let part = email.data.components(separatedBy: "base64\r\n\r\n")[1].components(separatedBy: "--=_")[0]
        return String(decoding: Data(base64Encoded: part.replacingOccurrences(of: "\r\n", with: "")) ?? Data(), as: UTF8.self)
    }
}
