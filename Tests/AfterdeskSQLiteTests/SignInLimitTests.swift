import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite

/// The sign-in gate of the store: each limit of `SignInLimits`, with attempts reserved before the password is checked.
@Suite(.talliedByBackend) struct SignInLimitTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// The test's folder (a new one per test case: the suite is made again for each).
    let w: Workspace

    init() throws { w = try Workspace() }

    func database(_ backend: TestBackend) async throws -> any Storage {
        try await backend.make(clock: .fixed(start), directory: w.dir)
    }

    /// Reserves and settles one attempt; nil when it was refused.
    @discardableResult
    func attempt(_ db: any Storage, _ user: String, from address: String, right: Bool = false, at: Date) async throws -> Bool? {
        guard case .check(let id) = try await db.reserveSignIn(user: user, address: address, now: at) else { return nil }
        try await db.settleSignIn(attempt: id, succeeded: right)
        return right
    }

    @Test(arguments: TestBackend.all) func fiveFailuresLockTheNameFromThatAddressOnly(backend: TestBackend) async throws {
        let db = try await database(backend)
        for i in 0..<5 { #expect(try await attempt(db, "kliu", from: "10.0.0.1", at: start.addingTimeInterval(Double(i))) == false) }
        // The pair is locked, even for the right password; the same name from another address is not.
        #expect(try await attempt(db, "kliu", from: "10.0.0.1", right: true, at: start.addingTimeInterval(60)) == nil)
        #expect(try await attempt(db, "kliu", from: "10.0.0.2", at: start.addingTimeInterval(60)) == false)
        // Until the oldest failure is 15 minutes old.
        #expect(try await attempt(db, "kliu", from: "10.0.0.1", right: true, at: start.addingTimeInterval(15 * 60 + 1)) == true)
    }

    @Test(arguments: TestBackend.all) func reservedAttemptsCountBeforeTheyAreSettled(backend: TestBackend) async throws {
        let db = try await database(backend)
        var held: [Int64] = []
        for _ in 0..<5 {
            guard case .check(let id) = try await db.reserveSignIn(user: "kliu", address: "10.0.0.1", now: start) else {
                Issue.record("refused too early")
                return
            }
            held.append(id)
        }
        // Five checks in flight: a sixth is refused before its password is looked at.
        #expect(try await db.reserveSignIn(user: "kliu", address: "10.0.0.1", now: start) == .refused(until: start.addingTimeInterval(900)))
        for id in held { try await db.settleSignIn(attempt: id, succeeded: false) }
    }

    @Test(arguments: TestBackend.all) func twentyFailuresFromOneAddressRefuseEveryName(backend: TestBackend) async throws {
        let db = try await database(backend)
        for i in 0..<20 { try await attempt(db, "user\(i % 5)", from: "10.0.0.9", at: start.addingTimeInterval(Double(i))) }
        #expect(try await attempt(db, "fresh", from: "10.0.0.9", right: true, at: start.addingTimeInterval(30)) == nil)
        #expect(try await attempt(db, "fresh", from: "10.0.0.8", right: true, at: start.addingTimeInterval(30)) == true)
    }

    @Test(arguments: TestBackend.all) func aNameGuessedFromManyAddressesIsSlowedNotLocked(backend: TestBackend) async throws {
        let db = try await database(backend)
        // Twenty failures of one name from twenty addresses, one every ten seconds (no address reaches its limit).
        for i in 0..<20 { try await attempt(db, "fd", from: "10.1.0.\(i)", at: start.addingTimeInterval(Double(i * 10))) }
        let last = start.addingTimeInterval(190)
        // Now one check per 30 seconds, for anyone, from anywhere: refused 29 s after the last, allowed at 30 s.
        #expect(try await db.reserveSignIn(user: "fd", address: "10.2.0.1", now: last.addingTimeInterval(29)) == .refused(until: last + 30))
        #expect(try await attempt(db, "fd", from: "10.2.0.1", right: true, at: last.addingTimeInterval(30)) == true)
        // The right password ended the run of failures: no slow-down after it.
        #expect(try await attempt(db, "fd", from: "10.2.0.2", at: last.addingTimeInterval(31)) == false)
        #expect(try await attempt(db, "fd", from: "10.2.0.3", right: true, at: last.addingTimeInterval(32)) == true)
    }

    /// The slow-down holds strangers back, not the person: an address the name signed in from within 30 days is not
    /// slowed, however many guesses come from elsewhere (its own limit of 5 still holds).
    @Test(arguments: TestBackend.all) func anAddressTheNameSignedInFromLatelyIsNotSlowed(backend: TestBackend) async throws {
        let db = try await database(backend)
        #expect(try await attempt(db, "fd", from: "10.9.9.9", right: true, at: start) == true)
        let later = start.addingTimeInterval(10 * 86_400)
        for i in 0..<20 { try await attempt(db, "fd", from: "10.1.0.\(i)", at: later.addingTimeInterval(Double(i))) }
        #expect(try await db.reserveSignIn(user: "fd", address: "10.2.0.1", now: later + 20) == .refused(until: later + 49))
        #expect(try await attempt(db, "fd", from: "10.9.9.9", right: true, at: later + 20) == true)
        // Thirty days after that success the address is a stranger's again.
        for i in 0..<20 { try await attempt(db, "fd", from: "10.3.0.\(i)", at: later.addingTimeInterval(Double(31 * 86_400 + i))) }
        #expect(try await attempt(db, "fd", from: "10.9.9.9", at: later.addingTimeInterval(Double(31 * 86_400 + 20))) == nil)
    }

    @Test(arguments: TestBackend.all) func theSlowDownEndsWithTheHour(backend: TestBackend) async throws {
        let db = try await database(backend)
        for i in 0..<20 { try await attempt(db, "fd", from: "10.1.0.\(i)", at: start.addingTimeInterval(Double(i))) }
        // Slowed at once, and a wrong guess each 30 s keeps it slowed; an hour after the failures it is free again.
        #expect(try await attempt(db, "fd", from: "10.3.0.1", at: start.addingTimeInterval(20)) == nil)
        #expect(try await attempt(db, "fd", from: "10.3.0.1", at: start.addingTimeInterval(49)) == false)
        #expect(try await attempt(db, "fd", from: "10.3.0.2", at: start.addingTimeInterval(50)) == nil)
        let later = start.addingTimeInterval(3_700)
        #expect(try await attempt(db, "fd", from: "10.3.0.2", at: later) == false)
        #expect(try await attempt(db, "fd", from: "10.3.0.3", at: later) == false)
    }

    @Test(arguments: TestBackend.all) func limitsAreSettable(backend: TestBackend) async throws {
        let db = try await database(backend)
        var limits = SignInLimits()
        limits.pairFailures = 2
        for _ in 0..<2 {
            guard case .check(let id) = try await db.reserveSignIn(user: "a", address: "x", limits: limits, now: start) else {
                Issue.record("refused too early")
                return
            }
            try await db.settleSignIn(attempt: id, succeeded: false)
        }
        #expect(try await db.reserveSignIn(user: "a", address: "x", limits: limits, now: start) == .refused(until: start + 900))
    }

    @Test(arguments: TestBackend.all) func oldAttemptsAreTidied(backend: TestBackend) async throws {
        let db = try await database(backend)
        try await attempt(db, "a", from: "x", at: start)
        try await attempt(db, "a", from: "x", right: true, at: start)
        try await attempt(db, "a", from: "x", at: start.addingTimeInterval(86_000))
        // The old failure goes after a day; the success stays for the known addresses' 30 days.
        #expect(try await db.tidySignIns(now: start.addingTimeInterval(86_401)) == 1)
        #expect(try await db.tidySignIns(now: start.addingTimeInterval(31 * 86_400)) == 2)
    }
}
