import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Issue 23, item 4, through the router: a user limited to store `north` wrote `main`'s rows through the API and the
/// upload page, imported contracts of `main`'s deals, and read every store's uploads and rejects files.
@Suite(.serialized, .talliedByBackend) struct ImportScopeTests {
    static let storeHeader = "store," + header

    /// A deals file with a store column: `(store, row of the fixture)` pairs.
    static func file(_ rows: [(String, String)]) -> String {
        ([storeHeader] + rows.map { "\($0.0),\($0.1)" }).joined(separator: "\n") + "\n"
    }

    static var fixtureRows: [String] { deals.split(separator: "\n").map(String.init) }
    /// main's D-1 with the attacker's email, its VSC sold.
    static var attack: (String, String) {
        (
            "main",
            fixtureRows[1].replacingOccurrences(of: "maria@example.com", with: "attacker@evil.example").replacingOccurrences(
                of: "declined,2495", with: "sold,2495")
        )
    }
    /// A north deal (D-3's buyer and car, sold again in north).
    static func north(_ number: String, email: String = "ana@example.com") -> (String, String) {
        (
            "north",
            fixtureRows[3].replacingOccurrences(of: "D-3,", with: "\(number),").replacingOccurrences(of: ",,(512)", with: ",\(email),(512)")
        )
    }

    /// The web fixture, with a store `north` (one deal) and two F&I managers limited to it.
    static func fixture(_ backend: TestBackend) async throws -> WebFixture {
        let f = try await WebFixture(backend: backend)
        let path = f.s.dir.appendingPathComponent("north.csv").path
        try file([north("N-1")]).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try await f.s.db.importDeals(files: [path], options: ImportOptions(menu: menu)).inserted == 1)
        for name in ["north1", "north2"] {
            try await f.s.db.addUser(name: name, role: .fiManager, staffCode: nil, store: "north", now: Date())
            try await f.s.db.setPassword(name: name, bcryptHash: Passwords.hash(WebFixture.password, cost: 4))
        }
        return f
    }

    func mariaEmail(_ s: Scenario) async throws -> String? {
        try await s.rows("SELECT email FROM customers WHERE id = ?", [try await s.customer("D-1")])[0][0]
    }

    /// Uploads `text` as `browser`; the import page's path once the import is done.
    func upload(_ client: some TestClientProtocol, _ browser: inout TestBrowser, _ text: String) async throws -> String {
        _ = try await browser.get(client, "/imports")
        let headers = browser.uploadHeaders()
        let body = WebImportTests.multipart([
            ("csrf", nil, browser.csrf ?? ""), ("profile", nil, "canonical"), ("file", "deals.csv", text),
        ])
        let r = try await client.execute(uri: "/imports", method: .post, headers: headers, body: body)
        #expect(r.status == .seeOther)
        let location = try #require(r.headers[.location])
        try await browser.waitForImport(client, location, status: "done")
        return location
    }

    @Test(arguments: TestBackend.all) func aNorthUploadRefusesMainRowsAndIsSeenOnlyByWhomItConcerns(backend: TestBackend) async throws {
        let f = try await Self.fixture(backend)
        try await f.app().test(.router) { client in
            var uploader = TestBrowser()
            try await uploader.signIn(client, "north1")
            let mixed = try await upload(client, &uploader, Self.file([Self.attack, Self.north("N-2")]))
            let page = String(buffer: try await uploader.get(client, mixed).body)
            #expect(page.contains("<span class=\"value\" id=\"refused-count\">1</span>"))
            #expect(page.contains("store main is not one of the stores this import may write (north)"))
            #expect(try await uploader.get(client, mixed + "/rejects.csv").status == .ok)
            let northOnly = try await upload(client, &uploader, Self.file([Self.north("N-3")]))

            // Another north user: the upload that touched main does not exist for them; the north-only one does.
            var other = TestBrowser()
            try await other.signIn(client, "north2")
            #expect(try await other.get(client, mixed).status == .notFound)
            #expect(try await other.get(client, mixed + "/rejects.csv").status == .notFound)
            #expect(try await other.get(client, northOnly).status == .ok)
            let list = String(buffer: try await other.get(client, "/imports").body)
            #expect(list.contains("href=\"\(northOnly)\"") && !list.contains("href=\"\(mixed)\""))
            // A user of every store and an admin see both.
            for name in ["kliu", "root"] {
                var b = TestBrowser()
                try await b.signIn(client, name)
                #expect(try await b.get(client, mixed).status == .ok)
                #expect(try await b.get(client, mixed + "/rejects.csv").status == .ok)
            }
        }
        await #expect(try mariaEmail(f.s) == "maria@example.com")
        #expect(
            try await f.s.rows(
                "SELECT outcome FROM deal_products p JOIN deals d ON d.id = p.deal_id WHERE d.deal_number = 'D-1' AND product_code = 'vsc'")[
                    0][0] as String == "declined")
        // The stores each upload named, a JSON array (PostgreSQL's jsonb spells it with spaces: compared as read).
        let stores = try await f.s.rows("SELECT stores FROM web_imports ORDER BY id").map {
            try JSONDecoder().decode([String].self, from: Data(($0[0] as String).utf8))
        }
        #expect(stores == [["main", "north"], ["north"]])
    }

    @Test(arguments: TestBackend.all) func aNorthTokenCannotImportMainDealsContractsOrCancellations(backend: TestBackend) async throws {
        let f = try await Self.fixture(backend)
        var rng = SeededRandom(seed: 4)
        let made = APITokens.generate(using: &rng)
        _ = try await f.s.db.addToken(user: "north1", tokenHash: made.hash, label: made.label, expiresAt: nil, now: Date())
        let h: HTTPFields = [.authorization: "Bearer \(made.token)", .contentType: "text/csv"]
        try await f.app().test(.router) { client in
            func post(_ path: String, _ body: String) async throws -> [String: Any] {
                let r = try await client.execute(uri: path, method: .post, headers: h, body: ByteBuffer(string: body))
                #expect(r.status == .ok)
                return try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
            }
            // `?store=main` does not widen the limit: rows without a store still go to north.
            let deals = try await post("/api/v1/deals/import?store=main", Self.file([Self.attack, Self.north("N-2")]))
            #expect(deals["rejected"] as? Int == 1 && deals["inserted"] as? Int == 1)
            let reject = try #require((deals["rejects"] as? [[String: Any]])?.first)
            #expect(reject["field"] as? String == "store" && reject["line"] as? Int == 2)
            #expect(reject["error"] as? String == "store main is not one of the stores this import may write (north)")
            let noStore = try await post("/api/v1/deals/import?store=main", header + "\n" + Self.north("N-4").1 + "\n")
            #expect(noStore["inserted"] as? Int == 1)
            #expect(
                try await f.s.rows("SELECT s.code FROM deals d JOIN stores s ON s.id = d.store_id WHERE deal_number = 'N-4'")[0][0]
                    as String
                    == "north")

            let contracts = try await post(
                "/api/v1/contracts/import",
                "contract_number,store,deal_number,product,sale_date,price,cost\nAS-1,main,D-1,vsc,2026-10-01,2495,900\n")
            #expect(contracts["rejected"] as? Int == 1 && contracts["inserted"] as? Int == 0)
            let cancellations = try await post(
                "/api/v1/cancellations/import", "store,deal_number,product,cancel_date,chargeback\nmain,D-1,vsc,2026-10-01,500\n")
            #expect(cancellations["rejected"] as? Int == 1)
            #expect(
                ((cancellations["rejects"] as? [[String: Any]])?.first?["error"] as? String)?.hasPrefix("store main is not one of") == true)
        }
        await #expect(try mariaEmail(f.s) == "maria@example.com")
        #expect(try await f.s.rows("SELECT COUNT(*) FROM contracts")[0][0] as Int == 0)
    }
}
