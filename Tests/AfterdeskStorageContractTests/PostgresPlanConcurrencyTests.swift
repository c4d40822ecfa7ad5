import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Synchronization
import Testing

@testable import AfterdeskPostgres

/// Planning on PostgreSQL with two servers (two storages on one database): whatever the interleaving, the last plan
/// written for a customer follows the latest facts, new customers (nothing planned yet to conflict on) included.
@Suite struct PostgresPlanConcurrencyTests {
    /// Two storages opened on one new database, the fixture's dealership imported (not planned).
    func twoServers(_ f: Fixture) async throws -> (PostgresStorage, PostgresStorage, String) {
        let name = try await PostgresTestDatabases.shared.freshDatabase()
        let location = try await PostgresTestDatabases.shared.location(of: name)
        let a = try await PostgresStorage.open(location, clock: .fixed(f.now), uploads: f.path("a"), maximumConnections: 4)
        let b = try await PostgresStorage.open(location, clock: .fixed(f.now), uploads: f.path("b"), maximumConnections: 4)
        let csv = f.dealershipCSV(days: 25)
        let imported = try await a.importDeals(files: [try f.write("deals.csv", csv)], options: f.importOptions())
        #expect(imported.inserted > 20 && imported.rejected == 0)
        return (a, b, csv)
    }

    /// The touches planned (those of deal `number`'s customer, when given), without their ids (planning again draws new
    /// ones), sorted.
    func touches(_ s: PostgresStorage, ofDeal number: String? = nil) async throws -> [String] {
        try await s.plannedTouches(dealNumber: number, store: nil, limit: -1).map {
            "\($0.dueAt) \($0.action) \($0.customer) \($0.products) \($0.reasons)"
        }.sorted()
    }

    /// Planning again (every customer, or deal `number`'s), from the facts as they are now, changes nothing: what is
    /// stored follows the latest facts.
    func expectFollowsLatestFacts(_ s: PostgresStorage, _ f: Fixture, ofDeal number: String? = nil) async throws {
        let stored = try await touches(s, ofDeal: number)
        let customers = number == nil ? nil : try await s.customerIDs(ofDeals: [number ?? ""], store: nil)
        _ = try await s.planCustomers(planner: f.planner, now: f.now, customerIDs: customers)
        #expect(try await touches(s, ofDeal: number) == stored)
    }

    @Test func twoPlannersOnTheSameCustomersAtOnceEndWithOnePlanOfTheLatestFacts() async throws {
        let f = try Fixture()
        let (a, b, _) = try await twoServers(f)
        defer {
            a.close()
            b.close()
        }
        // Small chunks, so the two planners' chunks interleave; nothing was planned before (no rows to conflict on).
        async let first = a.planCustomers(planner: f.planner, now: f.now, customerIDs: nil, rangeSize: 3, progress: nil)
        async let second = b.planCustomers(planner: f.planner, now: f.now, customerIDs: nil, rangeSize: 5, progress: nil)
        let (x, y) = try await (first, second)
        #expect(x == y && x.touches > 20)
        // Each customer's touches are there once, not once per planner.
        #expect(try await touches(a).count == x.touches)
        try await expectFollowsLatestFacts(a, f)
    }

    @Test func anImportBetweenAPlannersReadAndWriteEndsWithThePlanOfItsFacts() async throws {
        let f = try Fixture()
        let (a, b, csv) = try await twoServers(f)
        defer {
            a.close()
            b.close()
        }
        // A finalized deal with a decline; the import unwinds it (no follow-up for an unwound deal).
        var lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let row = try #require(lines.indices.first { $0 > 0 && lines[$0].contains(",finalized,") && lines[$0].contains(",declined,") })
        let number = String(lines[row].prefix { $0 != "," })
        lines[row] = lines[row].replacingOccurrences(of: ",finalized,", with: ",unwound,")
        let changed = try f.write("unwound.csv", lines.joined(separator: "\n"))
        let customer = try #require(try await a.customerIDs(ofDeals: [number], store: nil).first)
        let options = {
            var o = f.importOptions()
            o.planner = f.planner
            o.planAt = f.now
            return o
        }()
        let sql = StoredSQL(b)
        let importing = Mutex<Task<ImportSummary, any Error>?>(nil)
        // A plans the customer (never planned: no rows yet) and, between its read and its write, B imports the change and
        // plans it; A waits until B's change is committed, then writes the plans of what it read.
        let planned = try await a.planCustomers(
            planner: f.planner, now: f.now, customerIDs: [customer], rangeSize: 2_000, progress: nil,
            afterRead: {
                let started = importing.withLock { task -> Bool in
                    guard task == nil else { return false }
                    task = Task { try await b.importDeals(files: [changed], options: options) }
                    return true
                }
                guard started else { return }
                for _ in 0..<600 {
                    let status = try await sql.value("SELECT status FROM deals WHERE deal_number = ?", [number], as: String.self)
                    if status == "unwound" { return }
                    try await Task.sleep(for: .milliseconds(50))
                }
                Issue.record("the import's change was not committed within 30 s")
            })
        #expect(planned.customers == 1)
        let summary = try await #require(importing.withLock { $0 }).value
        #expect(summary.updated == 1 && summary.planned != nil, "\(summary)")
        // The unwound deal is followed up no more, although A read it finalized and wrote its plans after B committed.
        #expect(
            try await a.plannedTouches(dealNumber: number, store: nil, limit: -1).allSatisfy {
                !$0.products.contains { $0.hasPrefix("\(number):") }
            })
        try await expectFollowsLatestFacts(a, f, ofDeal: number)
    }
}
