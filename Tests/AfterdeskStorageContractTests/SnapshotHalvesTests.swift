import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO
import Testing

@testable import AfterdeskPostgres

/// PostgreSQL's report reads its ledger in two halves at once (`snapshotInHalves`): on two connections, both in the
/// snapshot the first exported, whatever commits while they read.
@Suite struct SnapshotHalvesTests {
    /// The first half commits a row on a third connection, then lets the second half look: the second half, on a
    /// connection of its own, must not see it (it reads in the first half's snapshot, taken before the commit). Without
    /// `SET TRANSACTION SNAPSHOT` its own snapshot, taken at its first query after the commit, would see the row.
    @Test func theSecondHalfReadsOnItsOwnConnectionInTheFirstsSnapshot() async throws {
        let f = try Fixture()
        let s = try await PostgresTestDatabases.shared.fresh(clock: .fixed(f.now), uploads: f.directory.path)
        defer { s.close() }
        let csv = try f.write("deals.csv", f.dealershipCSV(days: 10))
        #expect(try await s.importDeals(files: [csv], options: f.importOptions()).inserted > 10)
        try await s.withDirectConnection { conn in try await conn.run("CREATE TABLE probe (x integer)", s.logger) }
        let (committed, commit) = AsyncStream<Void>.makeStream()
        let halves = try await s.snapshotInHalves(contracted: LocalDate.first, through: LocalDate(year: 2100, month: 1, day: 1)!) {
            conn, range, firstHalf in
            if firstHalf {
                try await s.withDirectConnection { other in try await other.run("INSERT INTO probe VALUES (1)", s.logger) }
                commit.yield()
                commit.finish()
            } else {
                for await _ in committed { break }
            }
            // The second half's first query: its snapshot, had it not imported one, would be taken here.
            let seen = try await conn.one(Int64.self, "SELECT count(*) FROM probe", s.logger)
            let pid = try await conn.one(Int32.self, "SELECT pg_backend_pid()", s.logger)
            let deals = try await conn.one(
                Int64.self, "SELECT count(*) FROM deals WHERE id >= \(range.lowerBound) AND id <= \(range.upperBound)", s.logger)
            return (pid, seen, deals ?? 0)
        }
        try #require(halves.count == 2)
        #expect(halves[0].0 != halves[1].0, "both halves ran on one connection")
        #expect(halves[0].1 == 0 && halves[1].1 == 0, "a half saw a row committed after the snapshot")
        #expect(halves[0].2 > 0 && halves[1].2 > 0, "a half had no deals: \(halves.map(\.2))")
        let after = try await s.withDirectConnection { conn in try await conn.one(Int64.self, "SELECT count(*) FROM probe", s.logger) }
        #expect(after == 1)
    }

    /// The middle halves the deals of the report's period: none or one gives no split, a sample too small for the
    /// period falls back to all of them.
    @Test func theMiddleHalvesTheDealsOfThePeriod() async throws {
        let f = try Fixture()
        let s = try await PostgresTestDatabases.shared.fresh(clock: .fixed(f.now), uploads: f.directory.path)
        defer { s.close() }
        let csv = try f.write("deals.csv", f.dealershipCSV(days: 20))
        #expect(try await s.importDeals(files: [csv], options: f.importOptions()).inserted > 20)
        let (middle, none, counts) = try await s.withDirectConnection { conn in
            let far = LocalDate(year: 2100, month: 1, day: 1)!
            let middle = try await PostgresStorage.middleDeal(conn, contracted: LocalDate.first, through: far, s.logger)
            let none = try await PostgresStorage.middleDeal(conn, contracted: far, through: far, s.logger)
            let counts = try await conn.rows(
                """
                SELECT count(*) FILTER (WHERE id <= \(middle ?? 0)), count(*) FILTER (WHERE id > \(middle ?? 0)) FROM deals
                WHERE status = 'finalized'
                """, s.logger
            ).first?.decode((Int64, Int64).self)
            return (middle, none, counts)
        }
        #expect(middle != nil && none == nil)
        let (low, high) = try #require(counts)
        #expect(abs(low - high) <= 1, "halves of \(low) and \(high) deals")
    }
}

/// A deal import gathers the statistics of the tables it grows (`PostgresDealImport.analyzeIfGrown`): PostgreSQL plans
/// the look-ups of the next import from them, and a database's first import leaves them at an empty table's counts
/// until autovacuum gets there.
@Suite struct ImportStatisticsTests {
    @Test func anImportOfManyDealsLeavesTheirCountsInTheStatistics() async throws {
        let f = try Fixture()
        let s = try await PostgresTestDatabases.shared.fresh(clock: .fixed(f.now), uploads: f.directory.path)
        defer { s.close() }
        let counted = """
            SELECT reltuples::int8 FROM pg_class WHERE oid = 'deals'::regclass
            """
        let before = try await s.withDirectConnection { try await $0.one(Int64.self, PostgresQuery(unsafeSQL: counted), s.logger) }
        #expect(before ?? -1 <= 0, "a new database's deals were counted already")
        let csv = try f.write("deals.csv", f.dealershipCSV(days: 400, dealsPerDay: 30))
        let inserted = try await s.importDeals(files: [csv], options: f.importOptions()).inserted
        #expect(inserted > PostgresDealImport.analyzeFrom)
        let after = try await s.withDirectConnection { try await $0.one(Int64.self, PostgresQuery(unsafeSQL: counted), s.logger) }
        #expect(after ?? 0 >= Int64(PostgresDealImport.analyzeFrom), "the statistics count \(after ?? -1) deals of \(inserted)")
    }
}
