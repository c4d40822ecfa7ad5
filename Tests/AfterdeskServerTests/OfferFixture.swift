import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Offer tokens in order (`T000…01`, `T000…02`): well formed, and known to the test.
final class TokenSequence: Sendable {
    private let n = Mutex(0)
    func next() -> String {
        n.withLock {
            $0 += 1
            return String(format: "T%021d", $0)
        }
    }
}

/// The dispatch scenario with Maria's first message sent (GAP, by SMS and email on 2026-10-04): its offer links, and a
/// server on a clock the test moves.
struct OfferFixture {
    let s: Scenario
    let clock: MovableClock
    let log = CapturedLog()
    var limits = OfferLimits()
    /// The token in the first message Maria was sent, its channel, and the link's id.
    let token: String
    let channel: String
    let linkID: Int64

    init(backend: TestBackend = .sqlite, limits: OfferLimits = OfferLimits()) async throws {
        s = try await Scenario(backend: backend)
        self.limits = limits
        let maria = try #require(try await s.touches("D-1").first)
        var d = s.dispatcher
        let tokens = TokenSequence()
        d.offerTokens = { tokens.next() }
        _ = try await d.run(now: utc(maria.due))
        // The text as Maria's phone got it (the outbox keeps it with the token blanked once sent).
        let body = try #require(s.channels.sms.first?.body)
        let match = try #require(body.range(of: #"https://afterdesk\.lakeside\.example/o/[A-Za-z0-9_-]{22}"#, options: .regularExpression))
        token = String(String(body[match]).suffix(22))
        channel = "sms"
        linkID = try #require(try await s.rows("SELECT id FROM offer_links WHERE token_hash = ?", [OfferTokens.hash(token)]).first?[0])
        // Tuesday 2026-10-06 10:00 in Austin: the store is open.
        clock = MovableClock(utc("2026-10-06T15:00:00Z"))
    }

    var context: ServerContext {
        let log = self.log
        var c = ServerContext(
            dispatcher: s.dispatcher, clock: clock.clock, logger: Logger(label: "test") { _ in CapturedLog.Handler(log: log) })
        c.offerLimits = limits
        return c
    }

    func app() throws -> some ApplicationProtocol { Application(router: try buildRouter(context)) }

    var path: String { "/o/\(token)" }

    /// A button's POST as a browser sends it from the page: the page's `no-referrer` policy makes it `Origin: null`.
    func press(
        _ client: some TestClientProtocol, _ action: String, token: String? = nil, site: String = "same-origin", origin: String = "null"
    ) async throws
        -> TestResponse
    {
        var h = HTTPFields()
        h[.contentType] = "application/x-www-form-urlencoded"
        h[.secFetchSite] = site
        h[.origin] = origin
        return try await client.execute(
            uri: "/o/\(token ?? self.token)", method: .post, headers: h, body: ByteBuffer(string: "action=\(action)"))
    }

    /// Everything but the offer events: what a GET must not change.
    func state() async throws -> [String] {
        let tables = [
            "SELECT id, status, due_at FROM tasks ORDER BY id", "SELECT * FROM follow_up_pauses", "SELECT * FROM follow_up_stops",
            "SELECT id, status, due_at FROM touches ORDER BY id",
            "SELECT id, consent_sms, consent_email, contact_stopped_at FROM customers",
            "SELECT id, status FROM outbox ORDER BY id", "SELECT * FROM offer_links ORDER BY id", "SELECT * FROM plans ORDER BY deal_id",
        ]
        var out: [String] = []
        for sql in tables { out.append(try await s.rows(sql).map { "\($0)" }.joined(separator: "\n")) }
        return out
    }

    func events(_ kind: String) async throws -> Int {
        try await s.rows("SELECT COUNT(*) FROM offer_events WHERE kind = ?", [kind])[0][0]
    }
}
