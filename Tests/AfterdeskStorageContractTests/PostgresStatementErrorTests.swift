import AfterdeskBackendTestSupport
import AfterdeskStorage
import Foundation
import PostgresNIO
import Testing

@testable import AfterdeskPostgres

/// A statement run for its effect alone (`run`, its rows not wanted) fails with its own error, where PostgreSQL raised
/// it: a statement's rows, and so its errors, come after postgres-nio has returned it, and one left unread would fail
/// the next statement with "current transaction is aborted" (25P02) instead — or none at all when the next is the
/// COMMIT, which PostgreSQL answers for an aborted transaction by rolling it back, without an error.
@Suite struct PostgresStatementErrorTests {
    @Test func aStatementRunForItsEffectFailsWithItsOwnError() async throws {
        let f = try Fixture()
        let name = try await PostgresTestDatabases.shared.freshDatabase()
        let location = try await PostgresTestDatabases.shared.location(of: name)
        let s = try await PostgresStorage.open(location, clock: .fixed(f.now), uploads: f.path("u"), maximumConnections: 2)
        defer { s.close() }
        // Division by zero when the row is made (count(*) is 0), not when the statement is planned.
        let failing: PostgresQuery = "SELECT 1 / count(*)::int FROM pg_class WHERE false"
        await #expect {
            try await s.write { conn in try await conn.run(failing, s.logger) }
        } throws: { error in
            "\(error)".contains("22012") || "\(error)".contains("division by zero")
        }
        await #expect {
            try await s.write { conn in
                try await conn.run(failing, s.logger)
                try await conn.run("SELECT 1", s.logger)
            }
        } throws: { error in
            "\(error)".contains("22012") || "\(error)".contains("division by zero")
        }
        // A statement whose rows are left unread (as a caller of `statement` may leave them), its failure met by the
        // COMMIT alone: PostgreSQL rolls back, and that is said, never taken for a commit.
        await #expect {
            try await s.write { conn in _ = try await conn.statement(failing, logger: s.logger) }
        } throws: { error in
            "\(error)".contains("the transaction was rolled back")
        }
    }
}
