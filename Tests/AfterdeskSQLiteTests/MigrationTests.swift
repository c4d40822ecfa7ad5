import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// Shipped migrations are history: editing one leaves every database that already ran it behind (v3 was edited, and
/// databases of the first dispatch release never got `outbox_due`). These hashes pin the SQL of each as shipped; a
/// change needs a new migration, not a new hash.
@Suite struct MigrationTests {
    static let pinned: [(name: String, sql: String, hash: UInt64)] = [
        ("v1-capture", Migrations.v1Capture, 0x1fbc_85d8_5ac2_cbcb),
        ("v2-plans", Migrations.v2Plans, 0xca88_14a1_c36a_c853),
        ("v3-dispatch", Migrations.v3Dispatch, 0x065f_a03a_f8af_19f1),
        ("v4-compact-plans", Migrations.v4CompactPlans, 0xa832_8a60_80b5_6ff7),
        ("v5-unique-hashes", Migrations.v5UniqueHashes, 0xdc54_b3b8_63db_5a45),
        ("v6-hardening", Migrations.v6Hardening, 0xb16b_7648_acce_74de),
        ("v7-outcomes", Migrations.v7Outcomes, 0x4d13_83ec_0659_b63b),
        ("v8-web", Migrations.v8Web, 0x4c98_92e3_8272_b575),
        ("v9-offers", Migrations.v9Offers, 0x1a6c_7e2e_9cb2_265d),
        ("v10-import-scope", Migrations.v10ImportScope, 0x8c29_ae2e_51bf_040e),
        ("v11-opt-outs", Migrations.v11OptOuts, 0xd311_450d_526c_07ac),
        ("v12-trade-facts", Migrations.v12TradeFacts, 0xc769_00f3_72de_da71),
        ("v13-run-heartbeats", Migrations.v13RunHeartbeats, 0xa2d6_7b1b_9b05_da52),
        ("v14-decline-horizons", Migrations.v14DeclineHorizons, 0xd2de_4c6c_a5a9_d7ed),
        ("v15-report-reads", Migrations.v15ReportReads, 0xff30_9fe7_b90c_98e2),
        ("v16-user-stores", Migrations.v16UserStores, 0x9d1b_4bf8_431d_99ba),
        ("v17-leases", Migrations.v17Leases, 0x9791_63d7_ec0c_2e06),
        ("v18-outbox-claims", Migrations.v18OutboxClaims, 0xfc48_a7b6_f174_29ab),
    ]

    static func hash(_ sql: String) -> UInt64 {
        var h = StableHasher()
        h.add(sql)
        return h.value
    }

    @Test func theSQLOfEveryShippedMigrationIsPinned() {
        for m in Self.pinned {
            #expect(Self.hash(m.sql) == m.hash, "\(m.name) was edited: \(String(Self.hash(m.sql), radix: 16))")
        }
        // Every migration the migrator runs is pinned here, in order.
        #expect(Migrations.migrator.migrations == Self.pinned.map(\.name))
        #expect(
            Migrations.sqlOnly.map(\.name) == [
                "v6-hardening", "v7-outcomes", "v8-web", "v9-offers", "v10-import-scope", "v11-opt-outs", "v12-trade-facts",
                "v13-run-heartbeats", "v14-decline-horizons", "v15-report-reads", "v16-user-stores", "v17-leases", "v18-outbox-claims",
            ])
    }

    /// v16: a user limited to a store before v16 is a user of that one store after it; a user of every store stays the
    /// group's.
    @Test func aStoreLimitedUserOfV15IsAUserOfThatStore() async throws {
        let w = try Workspace()
        let path = w.path("v15.sqlite")
        do {
            let q = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(q, upTo: "v15-report-reads")
            try await q.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO stores (id, code, time_zone, created_at) VALUES (1, 'main', 'America/Chicago', '2026-01-01T00:00:00Z'),
                            (2, 'north', 'America/Chicago', '2026-01-01T00:00:00Z');
                        INSERT INTO users (id, name, role, store_id, created_at) VALUES (1, 'nora', 'fi_manager', 2, '2026-01-01T00:00:00Z'),
                            (2, 'gina', 'finance_director', NULL, '2026-01-01T00:00:00Z');
                        """)
            }
        }
        let db = try AfterdeskDatabase(path: path, clock: .fixed(Date(timeIntervalSince1970: 1_790_000_000)))
        #expect(try await db.principal(userID: 1)?.stores == ["north"])
        #expect(try await db.principal(userID: 2)?.stores == nil)
        #expect(try await db.users().map(\.stores) == [[], ["north"]])  // gina, nora
    }

    /// A database made by the first dispatch release (v3 as it then read: other outbox indexes) is repaired.
    @Test func aDatabaseFromBeforeTheEditGetsTheOutboxIndexes() throws {
        let w = try Workspace()
        let path = w.path("old.sqlite")
        do {
            let q = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(q, upTo: "v5-unique-hashes")
            try q.write { db in
                try db.execute(
                    sql: """
                        DROP INDEX outbox_due; DROP INDEX outbox_sending; DROP INDEX outbox_provider; DROP INDEX outbox_customer;
                        CREATE INDEX outbox_pending ON outbox(status, next_attempt_at);
                        CREATE INDEX outbox_provider ON outbox(provider_id) WHERE provider_id IS NOT NULL;
                        CREATE INDEX outbox_customer ON outbox(customer_id, channel, status);
                        """)
            }
        }
        _ = try AfterdeskDatabase(path: path, clock: .fixed(Date(timeIntervalSince1970: 1_790_000_000)))
        let q = try DatabaseQueue(path: path)
        let indexes = try q.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'outbox' AND sql IS NOT NULL ORDER BY name"
            )
            .map { "\($0[0] as String): \($0[1] as String)" }
        }
        #expect(
            indexes == [
                "outbox_customer: CREATE INDEX outbox_customer ON outbox(customer_id)",
                "outbox_due: CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'queued'",
                "outbox_provider: CREATE INDEX outbox_provider ON outbox(provider_id) WHERE channel = 'sms' AND provider_id IS NOT NULL",
                "outbox_recipient: CREATE INDEX outbox_recipient ON outbox(recipient, channel)",
                "outbox_sending: CREATE INDEX outbox_sending ON outbox(id) WHERE status = 'sending'",
            ])
    }

    /// One deal of a v6 database: its VSC sold by a task (written into the deal's product row, as v6 did), its GAP
    /// recovered by a deal import, its tire & wheel still declined.
    static let v6DealSoldByATask = """
        INSERT INTO stores (id, code, time_zone, created_at) VALUES (1, 'main', 'America/Chicago', 'x');
        INSERT INTO customers (id, store_id, match_key, match_hash, first_name, last_name, consent_sms, consent_email,
            consent_phone, consent_source, consent_at, last_deal_on, created_at, updated_at)
            VALUES (1, 1, 'd:D-1', 1, 'Ana', 'Ruiz', 0, 0, 0, 'import:1', 'x', '2026-01-01', 'x', 'x');
        INSERT INTO vehicles (id, vin, vin_hash, year, make, model, in_service_date, in_service_estimated)
            VALUES (1, '1HGCV1F36RA000003', 1, 2026, 'Honda', 'Accord', '2026-01-01', 0);
        INSERT INTO import_runs (id, file, profile, started_at, status, pid) VALUES (1, 'deals.csv', 'canonical', 'x', 'completed', 1);
        INSERT INTO deals (id, store_id, deal_number, customer_id, vehicle_id, status, contract_date, delivery_date, deal_type,
            vehicle_condition, odometer, selling_price_cents, vehicle_value_cents, fingerprint, import_run_id, created_at, updated_at)
            VALUES (1, 1, 'D-1', 1, 1, 'finalized', '2026-01-01', '2026-01-01', 'cash', 'new', 8, 3300000, 3100000, 7, 1, 'x', 'x');
        INSERT INTO deal_products VALUES (1, 'vsc', 'sold', 299500, 115000, NULL, 0), (1, 'gap', 'sold', 89500, 30000, NULL, 0),
            (1, 'tire_wheel', 'declined', 79900, NULL, 'price', 0);
        INSERT INTO events (deal_id, product_code, kind, occurred_on, recorded_at, price_cents, cost_cents, source)
            VALUES (1, 'vsc', 'recovered', '2026-02-01', '2026-02-01T20:00:00Z', 299500, 115000, 'task:4'),
                   (1, 'gap', 'recovered', '2026-02-03', '2026-02-03T20:00:00Z', 89500, 30000, 'import:1');
        INSERT INTO plans (deal_id, product_code, holdout) VALUES (1, 'vsc', 0);
        """

    /// A database from before v7, where a task's sale was written into the imported deal's product row: v7 puts the
    /// desk's outcome back, keeps the sale as a recovery that stops follow-up, and asks for every plan to be made again.
    @Test func v7RepairsTaskSalesAndAsksForOneReplan() async throws {
        // Setup: a v6 database with one deal whose VSC a task sold, whose GAP a deal import recovered, and whose tire &
        // wheel is still declined.
        let w = try Workspace()
        let path = w.path("v6.sqlite")
        do {
            let q = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(q, upTo: "v6-hardening")
            try await q.write { db in
                try db.execute(sql: Self.v6DealSoldByATask)
            }
        }

        // Action: open it with this release.
        let opened = try AfterdeskDatabase(path: path, clock: .fixed(Date(timeIntervalSince1970: 1_790_000_000)))

        // Check.
        let q = try DatabaseQueue(path: path)
        try await q.read { db in
            let products = try Row.fetchAll(db, sql: "SELECT product_code, outcome, price_cents FROM deal_products ORDER BY 1")
                .map { "\($0[0] as String) \($0[1] as String) \(($0[2] as Int?).map(String.init) ?? "-")" }
            // The import's sale stays: it is the deal as exported.
            #expect(products == ["gap sold 89500", "tire_wheel declined 79900", "vsc declined -"])
            let recoveries = try Row.fetchAll(
                db, sql: "SELECT product_code, source, reference, sold_on, price_cents FROM recoveries ORDER BY 1"
            )
            .map { "\($0[0] as String) \($0[1] as String) \($0[2] as String) \($0[3] as String) \($0[4] as Int)" }
            #expect(recoveries == ["gap deal_import import:1 2026-02-03 89500", "vsc task task:4 2026-02-01 299500"])
            #expect(try String.fetchAll(db, sql: "SELECT product_code || ' ' || kind FROM follow_up_stops") == ["vsc purchased"])
            // v7 asked for one replan, and v12 (plan classes) and v14 (decline horizons) ask for the same one.
            #expect(
                try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'replan_all'")
                    == "v14: decline horizons and the holdout that ends")
        }
        // The next planning, even of no customer in particular, plans them all once, drawing the deal's arm.
        let warranties = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
        let planned = try await opened.planCustomers(
            planner: Planner(menu: try menu(), warranties: warranties), now: Date(timeIntervalSince1970: 1_790_000_000), customerIDs: [])
        #expect(planned.customers == 1)
        let after = try await q.read { db in
            (
                try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'replan_all'"),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deal_arms")
            )
        }
        #expect(after.0 == nil && after.1 == 1)
    }
}
