import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

/// Users, tokens, sign-in limits and sessions.
extension Scenarios {
    static let accessArea: [(name: String, run: Scenario)] = [
        ("access: users are added, found, given roles and passwords, and disabled", accessUsers),
        ("access: a token finds its user until it expires or is revoked", accessTokens),
        ("access: sign-in attempts are limited and tidied", accessSignIns),
        ("access: guesses at one user at once, its name written every way it is found, get one check", signInNameWritings),
        ("access: sessions persist, expire, are removed and tidied", accessSessions),
        ("access: a new password ends the user's other sessions", passwordEndsSessions),
        ("access: a user is added with its password in one write, and a refused one stores nothing", accessAddUserWhole),
        ("access: a user of several stores, of one, or of the group; lists read by the stores a person may see", accessStores),
    ]

    /// Sessions are kept as the server's JSON, whose `userID` names the user (`WebSession`).
    @Sendable static func passwordEndsSessions(_ s: any Storage, _ f: Fixture) async throws {
        let ada = try await s.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: f.now)
        let fin = try await s.addUser(name: "fin", role: .fiManager, staffCode: nil, store: nil, now: f.now)
        for (key, user) in [("fin-1", fin), ("fin-2", fin), ("ada-1", ada)] {
            let value = Data(#"{"userID":\#(user),"csrf":"x"}"#.utf8)
            #expect(try await s.persistSet(key: key, value: value, expiresAt: f.at(3_600), keepExpiry: false, onlyNew: true, now: f.now))
        }
        try await s.setPassword(name: "fin", bcryptHash: "$2b$12$new", keepingSession: "fin-2")
        #expect(try await s.persistGet(key: "fin-1", now: f.now) == nil)
        #expect(try await s.persistGet(key: "fin-2", now: f.now) != nil)
        #expect(try await s.persistGet(key: "ada-1", now: f.now) != nil)
        try await s.setPassword(name: "fin", bcryptHash: "$2b$12$newer", keepingSession: nil)
        #expect(try await s.persistGet(key: "fin-2", now: f.now) == nil)
        await #expect(throws: (any Error).self) { try await s.setPassword(name: "nobody", bcryptHash: "h", keepingSession: nil) }
    }

    @Sendable static func accessUsers(_ s: any Storage, _ f: Fixture) async throws {
        let ada = try await s.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: f.now)
        let fin = try await s.addUser(name: "fin", role: .fiManager, staffCode: nil, store: nil, now: f.now)
        await #expect(throws: (any Error).self) {
            _ = try await s.addUser(name: "ada", role: .sales, staffCode: nil, store: nil, now: f.now)
        }
        #expect(Set(try await s.users().map(\.name)) == ["ada", "fin"])
        #expect(try await s.principal(userID: ada) == Principal(userID: ada, name: "ada", role: .admin, staffID: nil, store: nil))
        try await s.setRole(name: "fin", role: .financeDirector)
        #expect(try await s.principal(userID: fin)?.role == .financeDirector)
        #expect(try await s.users().first { $0.name == "fin" }?.hasPassword == false)
        try await s.setPassword(name: "fin", bcryptHash: "$2b$12$hash", keepingSession: nil)
        let signIn = try #require(try await s.signInUser(name: "fin"))
        #expect(signIn.passwordHash == "$2b$12$hash" && signIn.principal.userID == fin)
        #expect(try await s.users().first { $0.name == "fin" }?.hasPassword == true)
        #expect(try await s.signInUser(name: "nobody") == nil)
        try await s.disableUser(name: "fin", now: f.now)
        #expect(try await s.users().first { $0.name == "fin" }?.active == false)
        #expect(try await s.principal(userID: fin) == nil)
        #expect(try await s.signInUser(name: "fin") == nil)
    }

    @Sendable static func accessAddUserWhole(_ s: any Storage, _ f: Fixture) async throws {
        let ada = try await s.addUser(
            NewUser(name: " ada ", role: .admin, staffCode: nil, store: nil), passwordHash: "$2b$12$ada", now: f.now)
        let signIn = try #require(try await s.signInUser(name: "ada"))
        #expect(signIn.principal.userID == ada && signIn.passwordHash == "$2b$12$ada")
        let before = try await s.users()
        // A name taken, a store or a staff member that does not exist: refused, with or without a password.
        let refused = [
            try NewUser(name: "ada", role: .fiManager, staffCode: nil, store: nil),
            try NewUser(name: "fin", role: .fiManager, staffCode: nil, store: "nowhere"),
            try NewUser(name: "sam", role: .sales, staffCode: "NOBODY", store: nil),
        ]
        for user in refused {
            await #expect(throws: (any Error).self, "\(user.name)") {
                _ = try await s.addUser(user, passwordHash: "$2b$12$other", now: f.now)
            }
        }
        #expect(try await s.users() == before)
        #expect(try await s.signInUser(name: "ada")?.passwordHash == "$2b$12$ada")
        #expect(try await s.signInUser(name: "fin") == nil)
        #expect(try await s.signInUser(name: "sam") == nil)
    }

    @Sendable static func accessTokens(_ s: any Storage, _ f: Fixture) async throws {
        let ada = try await s.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: f.now)
        let forever = try await s.addToken(user: "ada", tokenHash: "h1", label: "ci", expiresAt: nil, now: f.now)
        let hour = try await s.addToken(user: "ada", tokenHash: "h2", label: "laptop", expiresAt: f.at(3_600), now: f.now)
        #expect(try await s.principal(tokenHash: "h1", now: f.now)?.userID == ada)
        #expect(try await s.principal(tokenHash: "h2", now: f.at(3_599))?.userID == ada)
        #expect(try await s.principal(tokenHash: "h2", now: f.at(3_601)) == nil)
        #expect(try await s.principal(tokenHash: "nope", now: f.now) == nil)
        let tokens = try await s.tokens()
        #expect(Set(tokens.map(\.id)) == [forever, hour] && tokens.allSatisfy { $0.user == "ada" && $0.revokedAt == nil })
        #expect(try await s.users().first?.tokens == 2)
        try await s.revokeToken(id: forever, now: f.at(10))
        #expect(try await s.principal(tokenHash: "h1", now: f.at(11)) == nil)
        #expect(try await s.tokens().first { $0.id == forever }?.revokedAt != nil)
        try await s.disableUser(name: "ada", now: f.at(20))
        #expect(try await s.principal(tokenHash: "h2", now: f.at(21)) == nil)
    }

    @Sendable static func accessSignIns(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: f.now)
        let limits = SignInLimits()
        var t = f.now
        for _ in 0..<limits.pairFailures {
            t = t.addingTimeInterval(limits.nameInterval + 1)
            guard case .check(let attempt) = try await s.reserveSignIn(user: "ada", address: "10.0.0.1", limits: limits, now: t) else {
                Issue.record("refused before the limit")
                return
            }
            try await s.settleSignIn(attempt: attempt, succeeded: false)
        }
        t = t.addingTimeInterval(limits.nameInterval + 1)
        guard case .refused(let until) = try await s.reserveSignIn(user: "ada", address: "10.0.0.1", limits: limits, now: t) else {
            Issue.record("not refused after \(limits.pairFailures) failures")
            return
        }
        #expect(until > t)
        #expect(try await s.signInRefusedUntil(user: "ada", address: "10.0.0.1", limits: limits, now: t) != nil)
        #expect(try await s.signInRefusedUntil(user: "ada", address: "10.0.0.1", limits: limits, now: until.addingTimeInterval(1)) == nil)
        // Another address is not refused for this pair's failures.
        guard
            case .check = try await s.reserveSignIn(
                user: "ada", address: "10.0.0.2", limits: limits, now: t.addingTimeInterval(limits.nameInterval + 1))
        else {
            Issue.record("another address was refused")
            return
        }
        let far = f.at(Double(limits.knownAddressDays + 1) * 86_400)
        #expect(try await s.tidySignIns(now: far, limits: limits) > 0)
        #expect(try await s.tidySignIns(now: far, limits: limits) == 0)
    }

    /// Guesses at one user from many addresses at once, once its name has had its failures (one password check per
    /// interval): the name written in every case and width, ASCII or full width. Those that find the user (all of them
    /// on PostgreSQL, whose collation takes "ａｄａ" for "ada"; the ASCII ones on SQLite, whose NOCASE folds ASCII alone)
    /// get one check among them, however they are written.
    @Sendable static func signInNameWritings(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: f.now)
        var twoFailures = SignInLimits()
        twoFailures.nameFailures = 2
        let limits = twoFailures
        for i in 0..<2 {
            guard
                case .check(let attempt) = try await s.reserveSignIn(
                    user: "ada", address: "10.0.0.\(i)", limits: limits, now: f.at(Double(i)))
            else {
                Issue.record("refused before the name's failures")
                return
            }
            try await s.settleSignIn(attempt: attempt, succeeded: false)
        }
        // Each letter in ASCII or full width, lower or upper case: 64 ways of writing "ada".
        let forms: [[Character]] = [["a", "A", "ａ", "Ａ"], ["d", "D", "ｄ", "Ｄ"], ["a", "A", "ａ", "Ａ"]]
        let names = forms[0].flatMap { a in forms[1].flatMap { d in forms[2].map { String([a, d, $0]) } } }
        var findsAda: [String] = []
        for name in names where try await s.signInUser(name: name)?.principal.name == "ada" { findsAda.append(name) }
        #expect(findsAda.count == 64 || findsAda.count == 8)
        // Three rounds, an interval apart, each from new addresses: a race shows in any of them.
        for round in 1...3 {
            let t = f.at(Double(round) * (limits.nameInterval + 10))
            let checked = try await withThrowingTaskGroup(of: Int.self) { group in
                for (i, name) in findsAda.enumerated() {
                    group.addTask {
                        let gate = try await s.reserveSignIn(user: name, address: "10.\(round).\(i).1", limits: limits, now: t)
                        if case .check = gate { return 1 }
                        return 0
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(checked == 1, "round \(round)")
        }
    }

    @Sendable static func accessSessions(_ s: any Storage, _ f: Fixture) async throws {
        let value = Data("session".utf8)
        #expect(try await s.persistSet(key: "a", value: value, expiresAt: f.at(60), keepExpiry: false, onlyNew: true, now: f.now))
        #expect(
            try await s.persistSet(key: "a", value: Data("x".utf8), expiresAt: nil, keepExpiry: false, onlyNew: true, now: f.now) == false)
        let got = try #require(try await s.persistGet(key: "a", now: f.at(59)))
        #expect(got.value == value && sameInstant(got.expiresAt, f.at(60)))
        // Keeping the expiry: the value changes, the expiry stays.
        _ = try await s.persistSet(key: "a", value: Data("y".utf8), expiresAt: nil, keepExpiry: true, onlyNew: false, now: f.now)
        let kept = try #require(try await s.persistGet(key: "a", now: f.now))
        #expect(kept.value == Data("y".utf8) && sameInstant(kept.expiresAt, f.at(60)))
        #expect(try await s.persistGet(key: "a", now: f.at(61)) == nil)
        // `keepExpiry` keeps the expiry stored even when an expiry is given (the protocol's word).
        _ = try await s.persistSet(key: "k", value: value, expiresAt: f.at(60), keepExpiry: false, onlyNew: false, now: f.now)
        _ = try await s.persistSet(key: "k", value: value, expiresAt: f.at(999), keepExpiry: true, onlyNew: false, now: f.now)
        let keptGiven = try await s.persistGet(key: "k", now: f.now)?.expiresAt
        #expect(sameInstant(keptGiven, f.at(60)))
        _ = try await s.persistSet(key: "b", value: value, expiresAt: nil, keepExpiry: false, onlyNew: false, now: f.now)
        try await s.persistRemove(key: "b")
        #expect(try await s.persistGet(key: "b", now: f.now) == nil)
        _ = try await s.persistSet(key: "c", value: value, expiresAt: nil, keepExpiry: false, onlyNew: false, now: f.now)
        // Tidied: "a" and "k", both expired at 60 s; "c", which never expires, stays.
        #expect(try await s.persistTidy(now: f.at(61)) == 2)
        #expect(try await s.persistGet(key: "c", now: f.at(86_400))?.value == value)
    }

    @Sendable static func accessStores(_ s: any Storage, _ f: Fixture) async throws {
        for code in ["tulsa", "austin", "tampa"] {
            try await s.putStore(code: code, name: code.capitalized, timeZone: "America/Chicago", now: f.now)
        }
        let two = try await s.addUser(
            NewUser(name: "pair", role: .fiManager, staffCode: nil, stores: ["tulsa", "austin"]), passwordHash: "$2b$12$x", now: f.now)
        let one = try await s.addUser(name: "tul", role: .admin, staffCode: nil, store: "tulsa", now: f.now)
        let group = try await s.addUser(
            NewUser(name: "grp", role: .financeDirector, staffCode: nil, stores: []), passwordHash: nil, now: f.now)
        #expect(try await s.principal(userID: two)?.stores == ["austin", "tulsa"])
        #expect(try await s.principal(userID: one)?.stores == ["tulsa"])
        #expect(try await s.principal(userID: group)?.stores == nil)
        #expect(try await s.signInUser(name: "pair")?.principal.stores == ["austin", "tulsa"])
        _ = try await s.addToken(user: "pair", tokenHash: "pair-token", label: "pair", expiresAt: nil, now: f.now)
        #expect(try await s.principal(tokenHash: "pair-token", now: f.now)?.stores == ["austin", "tulsa"])
        let listed = Dictionary(try await s.users().map { ($0.name, $0.stores) }, uniquingKeysWith: { a, _ in a })
        #expect(listed == ["pair": ["austin", "tulsa"], "tul": ["tulsa"], "grp": []])
        // A user found by name as every action finds it: A-Z without case.
        #expect(try await s.user(named: "PAIR")?.id == two)
        #expect(try await s.user(named: "Grp")?.stores == [])
        #expect(try await s.user(named: "nobody") == nil)
        // A store that does not exist refuses the whole user.
        await #expect(throws: (any Error).self) {
            _ = try await s.addUser(
                NewUser(name: "bad", role: .fiManager, staffCode: nil, stores: ["austin", "nowhere"]), passwordHash: nil, now: f.now)
        }
        #expect(try await s.users().count == 3)
        // Lists read by the stores a person may see: the fixture's deals are main's.
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        func deals(_ stores: [String]?) async throws -> Int {
            var filter = DealFilter(limit: 1_000)
            filter.stores = stores
            return try await s.listDeals(filter).count
        }
        let all = try await deals(nil)
        #expect(all > 0)
        let (main, withMain, others, none) = (
            try await deals(["main"]), try await deals(["austin", "main"]), try await deals(["austin", "tulsa"]), try await deals([])
        )
        #expect(main == all && withMain == all && others == 0 && none == 0)
        // A task of main's customer: in main's list and the group's, in no other store's.
        let customer = try #require(try await s.customerIDs(ofDeals: ["D-10001"], store: "main").first)
        let task = try await s.createReplyTask(customerID: customer, title: "Reply", detail: "a reply", now: f.now, slaHours: 4)
        func tasks(_ stores: [String]?) async throws -> [Int64] {
            try await s.tasks(TaskQuery(status: nil, stores: stores), now: f.now).map(\.id)
        }
        let (everyTask, mainTasks, otherTasks, noTasks) = (
            try await tasks(nil), try await tasks(["main", "tampa"]), try await tasks(["tulsa"]), try await tasks([])
        )
        #expect(everyTask == [task] && mainTasks == [task] && otherTasks.isEmpty && noTasks.isEmpty)
        try await uploadsSeenByStores(s, f, uploader: group, viewers: (two: two, one: one))
    }

    /// Uploads whose rows named some stores are seen by the people of all of those stores, and by the group's.
    static func uploadsSeenByStores(_ s: any Storage, _ f: Fixture, uploader: Int64, viewers: (two: Int64, one: Int64)) async throws {
        var ids: [Set<String>: Int64] = [:]
        for stores: Set<String> in [["tulsa"], ["austin", "tulsa"], ["tampa"], ["austin"]] {
            let id = try await s.createWebImport(userID: uploader, fileName: "x.csv", path: "/x", profile: "canonical", now: f.now)
            try await s.updateWebImport(id: id, status: .done, stores: stores, now: f.now)
            ids[stores] = id
        }
        func seen(_ user: Int64?) async throws -> Set<Int64> {
            let viewer = try await user.asyncMap { try await s.principal(userID: $0) }
            return Set(try await s.webImports(id: nil, limit: 50, visibleTo: viewer ?? nil).map(\.id))
        }
        let (pair, tul) = (try await seen(viewers.two), try await seen(viewers.one))
        #expect(pair == Set([ids[["tulsa"]], ids[["austin", "tulsa"]], ids[["austin"]]].compactMap { $0 }))
        #expect(tul == Set([ids[["tulsa"]]].compactMap { $0 }))
        #expect(try await seen(uploader) == Set(ids.values))
    }
}

extension Optional {
    /// The value mapped by an async closure.
    fileprivate func asyncMap<T>(_ body: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await body(value)
    }
}
