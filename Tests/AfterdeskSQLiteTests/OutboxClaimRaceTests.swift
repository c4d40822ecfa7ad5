import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskPostgres
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite

/// The outbox claim under a shared database (issue 26, the races): several processes on one file, each with claimers
/// of its own, drain the queue together and every message is claimed exactly once. On PostgreSQL: several servers'
/// pools on one database.
@Suite(.talliedByBackend) struct OutboxClaimRaceTests {
    /// `count` more storages on the database of `first`, each with a pool (SQLite: connections) of its own.
    func more(_ count: Int, like first: any Storage, _ w: Workspace) async throws -> [any Storage] {
        var more: [any Storage] = []
        for _ in 0..<count {
            if let postgres = first as? PostgresStorage {
                let location = try #require(postgres.location)
                more.append(
                    try await PostgresStorage.open(location, clock: .fixed(fixedNow), uploads: w.path("uploads"), maximumConnections: 4))
            } else {
                more.append(try w.database())
            }
        }
        return more
    }

    @Test(arguments: TestBackend.all) func claimersOfSeveralConnectionsToOneFileGetEveryMessageOnce(backend: TestBackend) async throws {
        let w = try Workspace()
        let first = try await w.storage(backend)
        try await first.enqueue(
            (1...120).map {
                NewOutboxMessage(channel: .email, idempotencyKey: "race-\($0)", recipient: "a\($0)@example.com", subject: "s", body: "b")
            }, customerID: nil, now: fixedNow)
        // Four "processes" (each its own pool of connections to the file), two claimers each.
        let databases = [first] + (try await more(3, like: first, w))
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for claimer in 0..<8 {
                let db = databases[claimer % databases.count]
                group.addTask {
                    var mine: [Int64] = []
                    while true {
                        let page = try await db.claimOutbox(now: fixedNow, limit: 1 + claimer % 4)
                        if page.isEmpty { return mine }
                        mine += page.map(\.id)
                    }
                }
            }
            var all: [Int64] = []
            for try await mine in group { all += mine }
            return all
        }
        #expect(claimed.count == 120)
        #expect(Set(claimed).count == 120)
        let rows = try await first.outbox(status: nil, limit: 500)
        #expect(Set(rows.map(\.id)) == Set(claimed))
        #expect(rows.allSatisfy { $0.status == .sending && $0.attempts == 1 })
    }
}
