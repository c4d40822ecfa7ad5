import AfterdeskCore
import Foundation
import GRDB
import Testing

@testable import AfterdeskStore

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
        ("v7-outcomes", Migrations.v7Outcomes, 0x0),
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
        #expect(Migrations.sqlOnly.map(\.name) == ["v6-hardening", "v7-outcomes"])
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
}
