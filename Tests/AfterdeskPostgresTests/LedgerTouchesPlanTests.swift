import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO
import Testing

@testable import AfterdeskPostgres

/// The margin report's stream of delivered touches (`AfterDeskCursors.touches`, a cursor) reads two indexes alone
/// (migration p10-ledger-touches): the items of its deals from `touch_items_deal`, with their touch's id, and each
/// touch's sending from `touches_sent_id`, the touches sent. Before it, every item of the run was looked up in
/// `touches` itself, sent or not (2.9 s of PostgreSQL's time in a million-deal report, 1.7 s after). The queries by
/// customer keep to `touches_sent`, even on statistics gathered before any touch was sent.
@Suite struct LedgerTouchesPlanTests {
    /// A migrated database with 60,000 touches of as many customers and deals, each with an item, a third of them sent;
    /// its statistics gathered while `analyzedSent` were (all, or none: a store's first dispatch).
    func database(analyzedSent: Bool) async throws -> (PostgresServer, String, PostgresStorage) {
        let (server, name) = try await PostgresMigratorTests.emptyDatabase()
        let storage = try await PostgresStorage.open(server.location(of: name), clock: PostgresMigratorTests.clock, maximumConnections: 1)
        try await storage.write { conn in
            // The rows alone matter here, not what they refer to: the foreign keys' triggers are off for this transaction.
            try await conn.run("SET LOCAL session_replication_role = replica", storage.logger)
            try await conn.run("ALTER TABLE touches SET (autovacuum_enabled = off)", storage.logger)
            try await conn.run(
                """
                INSERT INTO touches (id, customer_id, due_at, due_on, action, status, planned_at, sent_at)
                SELECT n, n, '2026-01-01', '2026-01-01', 'sms', 'planned', '2025-12-01', NULL FROM generate_series(1, 60000) AS n
                """, storage.logger)
            try await conn.run(
                """
                INSERT INTO touch_items (touch_id, deal_id, product_code, touch_name, template, reason, carries_cost)
                SELECT n, n, 'vsc', 'warranty_end', 'vsc_warranty_end', 'warranty', true FROM generate_series(1, 60000) AS n
                """, storage.logger)
            let send = "UPDATE touches SET status = 'sent', sent_at = '2026-01-01' WHERE id % 3 = 0"
            if analyzedSent { try await conn.run(PostgresQuery(unsafeSQL: send), storage.logger) }
            try await conn.run("ANALYZE touches", storage.logger)
            try await conn.run("ANALYZE touch_items", storage.logger)
            if !analyzedSent { try await conn.run(PostgresQuery(unsafeSQL: send), storage.logger) }
        }
        return (server, name, storage)
    }

    func plan(_ storage: PostgresStorage, _ query: PostgresQuery, cursor: Bool = false) async throws -> [String] {
        try await storage.read { conn in
            try await conn.all(
                String.self,
                PostgresQuery(unsafeSQL: "EXPLAIN " + (cursor ? "DECLARE c NO SCROLL CURSOR FOR " : "") + query.sql, binds: query.binds),
                storage.logger)
        }
    }

    @Test func theDeliveredTouchesAreReadFromTheIndexesAlone() async throws {
        let (server, name, storage) = try await database(analyzedSent: true)
        let plan = try await plan(storage, AfterDeskCursors.touches(1, 30_000), cursor: true)
        let shown = plan.joined(separator: "\n")
        #expect(plan.contains { $0.contains("Index Only Scan using touch_items_deal on touch_items") }, "\(shown)")
        #expect(plan.contains { $0.contains("Index Only Scan using touches_sent_id on touches") }, "\(shown)")
        await storage.shutdown()
        try await server.dropDatabase(name)
    }

    /// Dispatch's recent touches of a page's customers and planning's sent touches are read by customer: never by reading
    /// the report's index of the touches sent whole, which statistics gathered before the first touch was sent make look
    /// empty (partial on being sent alone, it was read so: 35 ms a page of due touches instead of 0.4 ms).
    @Test(arguments: [false, true])
    func theQueriesByCustomerNeverReadTheReportsIndex(analyzedSent: Bool) async throws {
        let (server, name, storage) = try await database(analyzedSent: analyzedSent)
        let customers = Array(Int64(1)...1_000)
        for query in [
            PostgresStorage.recentTouches(customers, since: Date(timeIntervalSince1970: 1_700_000_000)),
            PlanDealReader.sentQuery(customers),
        ] {
            let plan = try await plan(storage, query)
            let shown = plan.joined(separator: "\n")
            #expect(!plan.contains { $0.contains("touches_sent_id") }, "\(shown)")
        }
        await storage.shutdown()
        try await server.dropDatabase(name)
    }

    /// Every touch's id is positive (`touches_id_positive`): the report's index of the touches sent, and its query, rely
    /// on it, so a touch of another id is refused when written, never left out of the report.
    @Test func aTouchWhoseIdIsNotPositiveIsRefused() async throws {
        let (server, name, storage) = try await database(analyzedSent: true)
        let error = await #expect(throws: (any Error).self) {
            try await storage.write { conn in
                try await conn.run("SET LOCAL session_replication_role = replica", storage.logger)
                try await conn.run(
                    """
                    INSERT INTO touches (id, customer_id, due_at, due_on, action, status, planned_at, sent_at)
                    VALUES (0, 1, '2026-01-01', '2026-01-01', 'sms', 'sent', '2025-12-01', '2026-01-01')
                    """, storage.logger)
            }
        }
        #expect(
            String(reflecting: error).contains("touches_id_positive") || error.flatMap(PostgresErrors.sqlState) == "23514",
            "\(String(describing: error))")
        await storage.shutdown()
        try await server.dropDatabase(name)
    }
}
