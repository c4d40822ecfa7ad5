import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO
import Testing

@testable import AfterdeskPostgres

/// Each page of due touches reads its customers' texts (`staffTexts`, `texts`) through `outbox_customer` keyed on
/// (customer, channel) (migration p9-outbox-customer-channel), even on an outbox whose statistics were gathered while it
/// was empty, as a store's first dispatch finds it: keyed on the customer alone, PostgreSQL took `channel = 'sms'` for
/// rare and read every text's entry of `outbox_recipient` besides, for every page.
@Suite struct OutboxCustomerPlanTests {
    @Test func aPagesTextsAreReadByCustomerAndChannel() async throws {
        let (server, name) = try await PostgresMigratorTests.emptyDatabase()
        let clock = PostgresMigratorTests.clock
        let now = clock.now().wholeSecond
        let storage = try await PostgresStorage.open(server.location(of: name), clock: clock, maximumConnections: 1)
        try await storage.write { conn in
            // Autovacuum could gather real statistics between the insert and the plans (its threshold is 50 rows), and on
            // them any index by customer looks right: these messages have none.
            try await conn.run("ALTER TABLE outbox SET (autovacuum_enabled = off)", storage.logger)
            try await conn.run("ANALYZE outbox", storage.logger)
            try await conn.run(
                """
                INSERT INTO outbox (idempotency_key, channel, recipient, body, status, next_attempt_at, created_at, updated_at)
                SELECT 'k' || n, CASE WHEN n % 3 = 0 THEN 'email' ELSE 'sms' END, '+1512555' || lpad((n % 10000)::text, 4, '0'),
                    repeat('x', 300), 'sent', \(now), \(now), \(now)
                FROM generate_series(1, 60000) AS n
                """, storage.logger)
        }
        let customers = Array(Int64(1)...1_000)
        for query in [PostgresStorage.staffTexts(customers, since: now), PostgresStorage.texts(customers, now: now)] {
            let plan = try await storage.write { conn in
                try await conn.all(String.self, PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds), storage.logger)
            }
            let shown = plan.joined(separator: "\n")
            #expect(plan.contains { $0.contains("on outbox_customer") }, "\(shown)")
            #expect(plan.contains { $0.contains("Index Cond") && $0.contains("customer_id") && $0.contains("channel") }, "\(shown)")
            #expect(!plan.contains { $0.contains("outbox_recipient") }, "\(shown)")
        }
        await storage.shutdown()
        try await server.dropDatabase(name)
    }
}
