import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Issue 30, item 2: people scoped to what they run. The fixture is a group of three stores, `main` (the three deals of
/// `deals`), `north` (N-1, Ana again) and `south` (S-1, James again): `north1` is an F&I manager of north, `pair` one of
/// main and north, `nadmin` and `nfd` north's admin and finance director, `fd` and `root` the group's.
@Suite(.serialized, .talliedByBackend) struct GroupAccessTests {
    static func fixture(_ backend: TestBackend) async throws -> WebFixture {
        let f = try await ImportScopeTests.fixture(backend)
        let south = f.s.dir.appendingPathComponent("south.csv").path
        let james = ImportScopeTests.fixtureRows[2].replacingOccurrences(of: "D-2,", with: "S-1,")
        try ImportScopeTests.file([("south", james)]).write(toFile: south, atomically: true, encoding: .utf8)
        #expect(try await f.s.db.importDeals(files: [south], options: ImportOptions(menu: menu)).inserted == 1)
        for (name, role, stores) in [
            ("pair", Role.fiManager, ["main", "north"]), ("nadmin", .admin, ["north"]), ("nfd", .financeDirector, ["north"]),
        ] {
            try await f.s.db.addUser(
                NewUser(name: name, role: role, staffCode: nil, stores: stores),
                passwordHash: Passwords.hash(WebFixture.password, cost: 4), now: Date())
        }
        return f
    }

    /// An API token of `user`.
    static func token(_ f: WebFixture, _ user: String) async throws -> HTTPFields {
        var rng = SystemRandomNumberGenerator()
        let made = APITokens.generate(using: &rng)
        _ = try await f.s.db.addToken(user: user, tokenHash: made.hash, label: made.label, expiresAt: nil, now: Date())
        return [.authorization: "Bearer \(made.token)", .contentType: "application/json"]
    }

    static func json(_ r: TestResponse) throws -> Any { try JSONSerialization.jsonObject(with: Data(buffer: r.body)) }

    @Test(arguments: TestBackend.all) func aStoreManagerCannotSeeAnotherStoresDeals(backend: TestBackend) async throws {
        let f = try await Self.fixture(backend)
        let north = try await Self.token(f, "north1")
        let group = try await Self.token(f, "kliu")
        try await f.app().test(.router) { client in
            func numbers(_ h: HTTPFields) async throws -> [String] {
                let r = try await client.execute(uri: "/api/v1/deals", method: .get, headers: h)
                #expect(r.status == .ok)
                let page = try #require(try Self.json(r) as? [String: Any])
                return (page["deals"] as? [[String: Any]] ?? []).compactMap { $0["deal_number"] as? String }.sorted()
            }
            #expect(try await numbers(north) == ["N-1"])
            #expect(try await numbers(group) == ["D-1", "D-2", "D-3", "N-1", "S-1"])
            for path in ["/api/v1/deals/main/D-1", "/api/v1/deals/main/D-1/plan"] {
                #expect(try await client.execute(uri: path, method: .get, headers: north).status == .notFound, "\(path)")
                #expect(try await client.execute(uri: path, method: .get, headers: group).status == .ok, "\(path)")
            }
            #expect(try await client.execute(uri: "/api/v1/deals/north/N-1", method: .get, headers: north).status == .ok)
            var b = TestBrowser()
            try await b.signIn(client, "north1")
            let list = String(buffer: try await b.get(client, "/deals").body)
            #expect(list.contains("N-1") && !list.contains("D-1") && !list.contains("Maria"))
            #expect(try await b.get(client, "/deals/main/D-1").status == .notFound)
            #expect(try await b.get(client, "/deals/north/N-1").status == .ok)
            // The queue: main's task is not north's, as a list or by its number.
            let tasks = try await client.execute(uri: "/api/v1/tasks", method: .get, headers: north)
            #expect(String(buffer: tasks.body) == "[]")
            #expect(try await b.get(client, "/tasks/\(f.taskID)").status == .notFound)
            let groupTasks = try await client.execute(uri: "/api/v1/tasks", method: .get, headers: group)
            #expect(String(buffer: groupTasks.body).contains("\"id\":\(f.taskID)"))
        }
    }

    @Test(arguments: TestBackend.all) func aPersonOfSeveralStoresSeesThemPooledAndNoOther(backend: TestBackend) async throws {
        let f = try await Self.fixture(backend)
        let (pair, north, director) = (try await Self.token(f, "pair"), try await Self.token(f, "north1"), try await Self.token(f, "fd"))
        try await f.app().test(.router) { client in
            func report(_ h: HTTPFields, _ query: String = "") async throws -> (HTTPResponse.Status, [String: Any]) {
                let r = try await client.execute(uri: "/api/v1/report?from=2026-01-01" + query, method: .get, headers: h)
                return (r.status, (try? Self.json(r) as? [String: Any]) ?? [:])
            }
            func declines(_ doc: [String: Any]) -> Int? { (doc["total"] as? [String: Any])?["declines"] as? Int }
            let (_, pooled) = try await report(pair)
            #expect(pooled["stores"] as? [String] == ["main", "north"] && pooled["store"] is NSNull)
            let (_, everything) = try await report(director)
            #expect(everything["stores"] == nil && everything["store"] is NSNull)
            let (_, northOnly) = try await report(north)
            #expect(northOnly["store"] as? String == "north" && northOnly["stores"] == nil)
            let (_, mainOnly) = try await report(pair, "&store=main")
            #expect(mainOnly["store"] as? String == "main")
            // Pooled over main and north: their declines and no other store's (south's appearance is not among them).
            #expect(declines(pooled) != nil && (declines(northOnly) ?? 0) + (declines(mainOnly) ?? 0) == declines(pooled))
            #expect((declines(northOnly) ?? 0) < (declines(pooled) ?? 0) && (declines(pooled) ?? 0) < (declines(everything) ?? 0))
            // A store not theirs does not exist for them; the group's director may ask for any.
            #expect(try await report(north, "&store=main").0 == .notFound)
            #expect(try await report(pair, "&store=elsewhere").0 == .notFound)
            #expect(try await report(director, "&store=north").0 == .ok)
            // The dashboard's store filter offers the person's stores.
            var b = TestBrowser()
            try await b.signIn(client, "pair")
            let page = String(buffer: try await b.get(client, "/dashboard").body)
            #expect(page.contains(#"<option value="" selected>all my stores</option><option value="main">main</option>"#))
            #expect(try await b.get(client, "/dashboard?store=main").status == .ok)
            var n = TestBrowser()
            try await n.signIn(client, "north1")
            #expect(!String(buffer: try await n.get(client, "/dashboard").body).contains(#"name="store""#))
            #expect(try await n.get(client, "/dashboard?store=main").status == .notFound)
            #expect(try await n.get(client, "/scorecard?store=main").status == .notFound)
        }
    }

    @Test(arguments: TestBackend.all) func aPersonOfSeveralStoresImportsRowsThatNameTheirStore(backend: TestBackend) async throws {
        let f = try await Self.fixture(backend)
        let pair = try await Self.token(f, "pair")
        try await f.app().test(.router) { client in
            func post(_ body: String) async throws -> [String: Any] {
                var h = pair
                h[.contentType] = "text/csv"
                let r = try await client.execute(uri: "/api/v1/deals/import", method: .post, headers: h, body: ByteBuffer(string: body))
                #expect(r.status == .ok)
                return try #require(try Self.json(r) as? [String: Any])
            }
            let named = try await post(ImportScopeTests.file([ImportScopeTests.north("N-7"), ("main", ImportScopeTests.fixtureRows[2])]))
            #expect(named["rejected"] as? Int == 0 && (named["inserted"] as? Int ?? 0) + (named["unchanged"] as? Int ?? 0) == 2)
            // A row without a store has none of theirs to take.
            let unnamed = try await post(header + "\n" + ImportScopeTests.north("N-8").1 + "\n")
            let reject = try #require((unnamed["rejects"] as? [[String: Any]])?.first)
            #expect(reject["field"] as? String == "store")
            #expect((reject["error"] as? String)?.contains("names no store") == true)
            #expect(try await f.s.rows("SELECT COUNT(*) FROM deals WHERE deal_number = 'N-8'")[0][0] as Int == 0)
        }
    }

    @Test(arguments: TestBackend.all) func anAdminOfAStoreManagesItsPeopleAndSettingsOnly(backend: TestBackend) async throws {
        let f = try await Self.fixture(backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.signIn(client, "nadmin")
            let users = String(buffer: try await b.get(client, "/admin/users").body)
            #expect(users.contains("<td>north1</td>") && users.contains("<td>nadmin</td>"))
            for other in ["kliu", "root", "pair", "fd"] { #expect(!users.contains("<td>\(other)</td>"), "\(other)") }
            #expect(users.contains("empty: your stores (north)"))
            // Another store's user does not exist for them, nor does the store.
            let role = try await b.post(client, "/admin/users", [("action", "role"), ("user", "kliu"), ("role", "admin")])
            #expect(role.status == .unprocessableContent && String(buffer: role.body).contains("no user named kliu"))
            #expect(try await f.s.db.users().first { $0.name == "kliu" }?.role == .fiManager)
            let elsewhere = try await b.post(
                client, "/admin/users", [("action", "add"), ("name", "m2"), ("role", "fi_manager"), ("store", "main")])
            #expect(elsewhere.status == .unprocessableContent && String(buffer: elsewhere.body).contains("no store &#39;main&#39;"))
            let group = try await b.post(client, "/admin/users", [("action", "add"), ("name", "g2"), ("role", "admin"), ("store", "all")])
            #expect(group.status == .unprocessableContent)
            // Added without a store: a user of theirs.
            _ = try await b.get(client, "/admin/users")
            let added = try await b.post(client, "/admin/users", [("action", "add"), ("name", "n3"), ("role", "fi_manager")])
            #expect(added.status == .seeOther)
            #expect(try await f.s.db.users().first { $0.name == "n3" }?.stores == ["north"])
            // Their stores' settings only.
            let stores = String(buffer: try await b.get(client, "/admin/stores").body)
            #expect(stores.contains(#"id="store-north""#) && !stores.contains(#"id="store-main""#) && !stores.contains("(south)"))
            let mainSetting = try await b.post(
                client, "/admin/stores", [("store", "main"), ("key", "help_text"), ("value", "Main: reply STOP")])
            #expect(mainSetting.status == .notFound)
            _ = try await b.get(client, "/admin/stores")
            let own = try await b.post(client, "/admin/stores", [("store", "north"), ("key", "help_text"), ("value", "North: reply STOP")])
            #expect(own.status == .seeOther)
            #expect(try await f.s.db.storeSettings() == ["north": ["help_text": "North: reply STOP"]])
            // The group's admin names a new user's stores in a group, or says all.
            var root = TestBrowser()
            try await root.signIn(client, "root")
            _ = try await root.get(client, "/admin/users")
            let unnamed = try await root.post(client, "/admin/users", [("action", "add"), ("name", "x1"), ("role", "fi_manager")])
            #expect(unnamed.status == .unprocessableContent && String(buffer: unnamed.body).contains("name the user&#39;s stores"))
            _ = try await root.get(client, "/admin/users")
            let all = try await root.post(
                client, "/admin/users", [("action", "add"), ("name", "x2"), ("role", "fi_manager"), ("store", "all")])
            #expect(all.status == .seeOther)
            #expect(try await f.s.db.users().first { $0.name == "x2" }?.stores == [])
        }
    }

    @Test(arguments: TestBackend.all) func anAdminOfAStoreKeepsTheOptOutsOfItsCustomers(backend: TestBackend) async throws {
        let f = try await Self.fixture(backend)
        let now = f.clock.clock.now()
        // Maria is main's alone; Ana's phone is main's (D-3) and north's (N-1).
        _ = try await f.s.db.addOptOut(address: "maria@example.com", channel: nil, detail: "asked", by: "root", now: now)
        _ = try await f.s.db.addOptOut(address: "(512) 555-0123", channel: .sms, detail: "asked", by: "root", now: now)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.signIn(client, "nadmin")
            let page = String(buffer: try await b.get(client, "/admin/opt-outs").body)
            #expect(page.contains("+15125550123") && !page.contains("maria@example.com"))
            #expect(try await b.get(client, "/admin/opt-outs?address=maria@example.com").status == .notFound)
            _ = try await b.get(client, "/admin/opt-outs")
            let consent = [("action", "consent"), ("channel", "sms"), ("evidence", "signed form"), ("date", "2026-10-02")]
            let shared = try await b.post(client, "/admin/opt-outs", consent + [("address", "(512) 555-0123")])
            #expect(shared.status == .unprocessableContent && String(buffer: shared.body).contains("an admin of the whole group"))
            let stopMaria = try await b.post(client, "/admin/opt-outs", [("action", "stop"), ("address", "(512) 555-0142")])
            #expect(stopMaria.status == .unprocessableContent)
            _ = try await b.get(client, "/admin/opt-outs")
            let stopAna = try await b.post(client, "/admin/opt-outs", [("action", "stop"), ("address", "ana@example.com")])
            #expect(stopAna.status == .seeOther)
            var root = TestBrowser()
            try await root.signIn(client, "root")
            #expect(String(buffer: try await root.get(client, "/admin/opt-outs").body).contains("maria@example.com"))
        }
        #expect(try await f.s.db.optOutHistory(address: "+15125550142").isEmpty)
        #expect(try await f.s.db.optOutHistory(address: "ana@example.com").count == 1)
    }

    /// Every action of `/admin/users` on a user an admin of north may not manage is refused as if the user did not
    /// exist, whatever the spelling: a user is found as the database finds names (SQLite's NOCASE folds A-Z only, so
    /// "JOSÉ" is not "josé" there, and PostgreSQL refuses the second spelling as a name taken).
    @Test(arguments: TestBackend.all) func anAdminOfAStoreCannotActOnAnotherStoresPeople(backend: TestBackend) async throws {
        let f = try await Self.fixture(backend)
        try await f.s.db.addUser(
            NewUser(name: "josé", role: .admin, staffCode: nil, stores: []), passwordHash: "$2b$04$josé", now: Date())
        let rootToken = try await Self.token(f, "root")
        let rootTokenID = try #require(try await f.s.db.tokens().first { $0.user == "root" }?.id)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.signIn(client, "nadmin")
            _ = try await b.get(client, "/admin/users")
            // A user of north spelled like the group's admin: SQLite adds it (another name to it), PostgreSQL does not.
            let twin = try await b.post(client, "/admin/users", [("action", "add"), ("name", "JOSÉ"), ("role", "admin")])
            #expect(twin.status == (backend == .postgres ? .unprocessableContent : .seeOther))
            let refused: [[(String, String)]] = [
                [("action", "password"), ("user", "josé"), ("password", "a much longer password")],
                [("action", "password"), ("user", "kliu"), ("password", "a much longer password")],
                [("action", "token"), ("user", "josé")], [("action", "token"), ("user", "root")],
                [("action", "disable"), ("user", "kliu")], [("action", "role"), ("user", "fd"), ("role", "sales")],
                [("action", "revoke"), ("token", "\(rootTokenID)")],
            ]
            for form in refused {
                _ = try await b.get(client, "/admin/users")
                let r = try await b.post(client, "/admin/users", form)
                #expect(r.status == .unprocessableContent, "\(form)")
            }
            #expect(try await f.s.db.signInUser(name: "josé")?.passwordHash == "$2b$04$josé")
            #expect(try await f.s.db.users().filter { ["josé", "root", "kliu"].contains($0.name) }.allSatisfy { $0.active })
            #expect(try await f.s.db.tokens().filter { $0.user == "josé" }.isEmpty)
            #expect(try await f.s.db.tokens().first { $0.id == rootTokenID }?.revokedAt == nil)
            #expect(try await client.execute(uri: "/api/v1/deals", method: .get, headers: rootToken).status == .ok)
            // Their own people they manage: north1's token.
            _ = try await b.get(client, "/admin/users")
            #expect(try await b.post(client, "/admin/users", [("action", "token"), ("user", "north1")]).status == .ok)
            // A task of main, done through the API by north's F&I manager with a good body: it does not exist for them.
            let north = try await Self.token(f, "north1")
            let done = try await client.execute(
                uri: "/api/v1/tasks/\(f.taskID)/done", method: .post, headers: north, body: ByteBuffer(string: #"{"outcome": "no_answer"}"#)
            )
            #expect(done.status == .notFound)
            #expect(try await f.s.db.tasks(now: f.clock.now).contains { $0.id == f.taskID })
            // The same body from the group's F&I manager closes it: the refusal above was the store's.
            let kliu = try await Self.token(f, "kliu")
            let closed = try await client.execute(
                uri: "/api/v1/tasks/\(f.taskID)/done", method: .post, headers: kliu, body: ByteBuffer(string: #"{"outcome": "no_answer"}"#))
            #expect(closed.status == .ok)
        }
    }
}
