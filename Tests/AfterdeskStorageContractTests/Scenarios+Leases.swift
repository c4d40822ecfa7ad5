import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

/// Several servers on one database: the scheduler's lease, and limits every server counts against together.
extension Scenarios {
    static let leasesArea: [(name: String, run: Scenario)] = [
        ("leases: one holder at a time, renewed by it, taken over once it runs out, let go", leaseHolds),
        ("leases: of servers claiming at once, one holds the lease", leaseClaimedAtOnce),
        ("leases: a counted limit in a fixed window, every caller together; old windows tidied", countedHits),
        ("leases: a live server's message in flight is not in doubt; once its lease runs out it is", claimsOfLiveServers),
        ("leases: a message claimed alone to go at once is in flight for its time, then in doubt", claimedAloneInFlight),
    ]

    @Sendable static func leaseHolds(_ s: any Storage, _ f: Fixture) async throws {
        #expect(try await s.lease("scheduler") == nil)
        let a = try await s.claimLease("scheduler", holder: "a", duration: 30, now: f.now)
        #expect(a.holder == "a" && sameInstant(a.acquiredAt, f.now) && sameInstant(a.expiresAt, f.at(30)))
        // Another server finds it held, before and up to the last second of its time.
        for t in [0.0, 10, 29] {
            let b = try await s.claimLease("scheduler", holder: "b", duration: 30, now: f.at(t))
            #expect(b.holder == "a", "at \(t) s")
        }
        // Its holder renews it: the time moves on, the taking stays.
        let renewed = try await s.claimLease("scheduler", holder: "a", duration: 30, now: f.at(20))
        #expect(renewed.holder == "a" && sameInstant(renewed.acquiredAt, f.now) && sameInstant(renewed.expiresAt, f.at(50)))
        #expect(try await s.claimLease("scheduler", holder: "b", duration: 30, now: f.at(49)).holder == "a")
        // Its holder went silent: at the end of its time the next claim takes it, and the old holder's renewal is refused.
        let taken = try await s.claimLease("scheduler", holder: "b", duration: 30, now: f.at(50))
        #expect(taken.holder == "b" && sameInstant(taken.acquiredAt, f.at(50)) && sameInstant(taken.expiresAt, f.at(80)))
        #expect(try await s.claimLease("scheduler", holder: "a", duration: 30, now: f.at(51)).holder == "b")
        // Another name is another lease.
        #expect(try await s.claimLease("other", holder: "a", duration: 30, now: f.at(51)).holder == "a")
        // Only its holder lets it go; then the next claim takes it at once.
        try await s.releaseLease("scheduler", holder: "a")
        #expect(try await s.lease("scheduler")?.holder == "b")
        try await s.releaseLease("scheduler", holder: "b")
        #expect(try await s.lease("scheduler") == nil)
        #expect(try await s.claimLease("scheduler", holder: "a", duration: 30, now: f.at(52)).holder == "a")
        // A holder whose clock ran an hour ahead: its lease, renewed "in the future", is taken at once, not an hour later.
        _ = try await s.claimLease("ahead", holder: "fast", duration: 30, now: f.at(3_600))
        #expect(try await s.claimLease("ahead", holder: "b", duration: 30, now: f.at(60)).holder == "b")
        // A clock a little ahead (within a lease) is a live holder's.
        _ = try await s.claimLease("near", holder: "fast", duration: 30, now: f.at(80))
        #expect(try await s.claimLease("near", holder: "b", duration: 30, now: f.at(60)).holder == "fast")
    }

    @Sendable static func leaseClaimedAtOnce(_ s: any Storage, _ f: Fixture) async throws {
        for round in 0..<3 {
            // Each round, the lease of the round before has run out: every server may take it, one does.
            let at = f.at(Double(round) * 100)
            let seen = try await withThrowingTaskGroup(of: String.self) { group in
                for server in 0..<8 {
                    group.addTask { try await s.claimLease("scheduler", holder: "server-\(server)", duration: 30, now: at).holder }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(seen).count == 1, "round \(round): \(seen)")
            #expect(try await s.lease("scheduler")?.holder == seen.first)
        }
    }

    @Sendable static func countedHits(_ s: any Storage, _ f: Fixture) async throws {
        #expect(try await s.countHit("k", limit: 2, window: 3_600, now: f.now) == (true, 0))
        #expect(try await s.countHit("k", limit: 2, window: 3_600, now: f.at(10)) == (true, 0))
        // The third in the hour is refused until the hour from the first ends.
        #expect(try await s.countHit("k", limit: 2, window: 3_600, now: f.at(100)) == (false, 3_500))
        #expect(try await s.countHit("other", limit: 2, window: 3_600, now: f.at(100)) == (true, 0))
        #expect(try await s.countHit("k", limit: 2, window: 3_600, now: f.at(3_599)) == (false, 1))
        // A new window: counted from its first hit.
        #expect(try await s.countHit("k", limit: 2, window: 3_600, now: f.at(3_600)) == (true, 0))
        // A clock set back starts the window again rather than refusing for hours.
        #expect(try await s.countHit("k", limit: 2, window: 3_600, now: f.at(-7_200)) == (true, 0))
        // A server whose clock is half a minute ahead started this window: it goes on, it does not start again.
        #expect(try await s.countHit("skew", limit: 1, window: 3_600, now: f.at(30)) == (true, 0))
        #expect(try await s.countHit("skew", limit: 1, window: 3_600, now: f.now).allowed == false)
        // Hits at once, from every caller: exactly the limit are allowed.
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<12 { group.addTask { try await s.countHit("burst", limit: 5, window: 60, now: f.now).allowed } }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(allowed == 5)
        // Windows that started before a time go: "k" (set back) and "burst"; "other" and "skew" started later.
        #expect(try await s.tidyHits(before: f.at(1)) == 2)
        #expect(try await s.countHit("burst", limit: 5, window: 60, now: f.at(2)) == (true, 0))
    }

    /// The storage's clock is `f.now`: a server lease taken before it and still running keeps its messages out of the
    /// doubtful; one that ran out by then, or a message no server claimed, is in doubt.
    @Sendable static func claimsOfLiveServers(_ s: any Storage, _ f: Fixture) async throws {
        try await s.enqueue((1...3).map { email("live-\($0)") }, customerID: nil, taskID: nil, now: f.at(-120))
        _ = try await s.claimLease(LeaseName.server("alive"), holder: "alive", duration: 30, now: f.at(-10))
        _ = try await s.claimLease(LeaseName.server("dead"), holder: "dead", duration: 30, now: f.at(-60))
        let alive = try await s.claimOutbox(now: f.at(-100), limit: 1, by: "alive")
        let dead = try await s.claimOutbox(now: f.at(-100), limit: 1, by: "dead")
        let nobody = try await s.claimOutbox(now: f.at(-100), limit: 1)
        #expect(alive.count == 1 && dead.count == 1 && nobody.count == 1)
        let doubtful = Set(try await s.inDoubtOutbox(before: f.now).map(\.id))
        #expect(doubtful == Set((dead + nobody).map(\.id)))
        // The live server's own view: its messages too (the database could not take their results); and as a
        // standby, its own alone.
        let held = Set(try await s.inDoubtOutbox(before: f.now, .held(mine: "alive")).map(\.id))
        #expect(held == Set((alive + dead + nobody).map(\.id)))
        #expect(try await s.inDoubtOutbox(before: f.now, .own("alive")).map(\.id) == alive.map(\.id))
        #expect(try await s.inDoubtOutbox(before: f.now, .own("dead")).map(\.id) == dead.map(\.id))
        #expect(try await s.inDoubtOutbox(before: f.now, .own("another")).isEmpty)
        // Its server gone (its lease let go or run out), the live one's message is in doubt too.
        try await s.releaseLease(LeaseName.server("alive"), holder: "alive")
        #expect(Set(try await s.inDoubtOutbox(before: f.now).map(\.id)) == Set((alive + dead + nobody).map(\.id)))
    }

    /// A text a person sends from a task page is claimed alone (`claimOutbox(id:now:)`, no server named) and sent within
    /// the request, on any server, while the dispatch lock's holder may reconcile: its reconciliation (`before` a second
    /// after its now, as dispatch gives it) must not take the text as left over and queue it again while it goes out.
    /// Once its time in flight has passed, the text is in doubt like any other.
    @Sendable static func claimedAloneInFlight(_ s: any Storage, _ f: Fixture) async throws {
        try await s.enqueue([email("alone-1"), email("alone-2")], customerID: nil, taskID: nil, now: f.at(-120))
        let queued = try await s.outbox(status: .queued, limit: 10)
        try #require(queued.count == 2)
        let alone = try #require(try await s.claimOutbox(id: queued[0].id, now: f.at(-60)))
        let paged = try await s.claimOutbox(now: f.at(-60), limit: 10)
        #expect(alone.status == .sending && paged.map(\.id) == [queued[1].id])
        // A page a process without a server lease claimed is in doubt at once; the text claimed alone is not.
        #expect(try await s.inDoubtOutbox(before: f.at(1)).map(\.id) == paged.map(\.id))
        #expect(try await s.inDoubtOutbox(before: f.at(1), .held(mine: "holder")).map(\.id) == paged.map(\.id))
        #expect(try await s.inDoubtOutbox(before: f.at(1), .own("holder")).isEmpty)
        let flight = TimeInterval(OutboxClaim.inFlightSeconds)
        #expect(try await s.inDoubtOutbox(before: f.at(-60 + flight)).map(\.id) == paged.map(\.id))
        // Its time in flight over, it was left by a process that stopped: in doubt.
        #expect(try await s.inDoubtOutbox(before: f.at(-59 + flight)).map(\.id) == [alone.id, paged[0].id].sorted())
        // Sent meanwhile, it is settled as sent, whatever the reconciliation would have said.
        try await s.completeOutbox([(alone.id, .sent(providerID: "SM1"))], now: f.at(-50))
        #expect(try await s.inDoubtOutbox(before: f.at(-59 + flight)).map(\.id) == paged.map(\.id))
    }
}
