import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskPostgres
import AfterdeskStorage
import Foundation
import Testing

/// The demo's `--reset` on PostgreSQL: every Afterdesk table emptied, and nothing else — another application's table in
/// the same schema keeps its rows, and one that references an Afterdesk table stops the reset whole.
@Suite struct ResetTests {
    func storage() async throws -> PostgresStorage {
        try await PostgresTestDatabases.shared.fresh(clock: .fixed(Date(timeIntervalSince1970: 1_795_000_000)), uploads: "/tmp/x")
    }

    @Test func aResetEmptiesAfterdeskAndLeavesAnotherApplicationsTable() async throws {
        let db = try await storage()
        let sql = StoredSQL(db)
        _ = try await db.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: db.clock.now())
        try await sql.execute("CREATE TABLE their_notes (id integer PRIMARY KEY, note text)")
        try await sql.execute("INSERT INTO their_notes VALUES (1, 'keep me')")
        #expect(try await db.contents().users == 1)
        try await db.resetAllTables()
        #expect(try await db.contents().isEmpty)
        #expect(try await sql.value("SELECT count(*) FROM their_notes", as: Int64.self) == 1)
        #expect(try await sql.value("SELECT count(*) FROM afterdesk_migrations", as: Int64.self) ?? 0 > 0)
        // Ids start again at 1.
        #expect(try await db.addUser(name: "bob", role: .admin, staffCode: nil, store: nil, now: db.clock.now()) == 1)
    }

    @Test func aTableReferencingAfterdeskStopsTheResetAndNothingChanges() async throws {
        let db = try await storage()
        let sql = StoredSQL(db)
        let id = try await db.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: db.clock.now())
        try await sql.execute("CREATE TABLE their_links (user_id bigint REFERENCES users(id))")
        try await sql.execute("INSERT INTO their_links VALUES (?)", [id])
        await #expect(
            throws: StoreError(
                "the reset stops: another application's tables refer to Afterdesk's (their_links refers to users); nothing was "
                    + "changed: drop those foreign keys, or use a database of Afterdesk's own", kind: .conflict)
        ) { try await db.resetAllTables() }
        #expect(try await db.contents().users == 1)
        #expect(try await sql.value("SELECT count(*) FROM their_links", as: Int64.self) == 1)
    }
}
