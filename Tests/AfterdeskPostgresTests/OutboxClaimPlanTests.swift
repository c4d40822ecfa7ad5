import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO
import Testing

@testable import AfterdeskPostgres

/// The outbox's claim on PostgreSQL walks `outbox_due` (migration p5-outbox-order) in its order and stops after the
/// page, even on an outbox never analyzed (as dispatch fills it, then claims it at once): no sort of every queued
/// message for each page.
@Suite struct OutboxClaimPlanTests {
    @Test func theClaimWalksOutboxDueWithoutSorting() async throws {
        let (server, name) = try await PostgresMigratorTests.emptyDatabase()
        let clock = PostgresMigratorTests.clock
        let storage = try await PostgresStorage.open(server.location(of: name), clock: clock, maximumConnections: 1)
        let messages = (0..<500).map {
            NewOutboxMessage(channel: .sms, idempotencyKey: "k\($0)", recipient: "+15125550142", subject: nil, body: "hello", html: nil)
        }
        try await storage.enqueue(messages, customerID: nil, taskID: nil, now: clock.now())
        let query = PostgresStorage.claimQuery(now: clock.now().wholeSecond, limit: 200)
        let plan = try await storage.write { conn in
            try await conn.run(PostgresStorage.claimPlan, storage.logger)
            return try await conn.all(String.self, PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds), storage.logger)
        }
        #expect(plan.contains { $0.contains("Index Scan using outbox_due") }, "\(plan.joined(separator: "\n"))")
        #expect(!plan.contains { $0.contains("Sort") }, "\(plan.joined(separator: "\n"))")
        // The claim itself: the first 200, in id order.
        let claimed = try await storage.claimOutbox(now: clock.now(), limit: 200)
        #expect(claimed.map(\.idempotencyKey) == (0..<200).map { "k\($0)" })
        await storage.shutdown()
        try await server.dropDatabase(name)
    }
}
