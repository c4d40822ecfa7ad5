import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDemo
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite

/// decode → plan → explain on a real database, with implausible values mixed in (odometers of 1 and 999,999, quotes
/// of a cent): nothing traps, and for every deal `explain` promises exactly the touches planning stored — no more
/// (it used to ignore stops), no fewer.
@Suite(.talliedByBackend) struct ExplainPropertyTests {
    @Test(arguments: TestBackend.all, [11, 12] as [UInt64])
    func explainAgreesWithTheStoredPlanForEveryDeal(backend: TestBackend, seed: UInt64) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let m = try menu()
        let gen = SyntheticDealership(
            seed: seed, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 1)!, days: 150, dealsPerDay: 2,
            errorRate: 0)
        var lines = gen.csv(limit: 300).split(separator: "\n").map(String.init)
        let header = gen.header
        let odometer = try #require(header.firstIndex(of: "odometer"))
        let price = try #require(header.firstIndex(of: "vsc_price"))
        let outcome = try #require(header.firstIndex(of: "vsc_outcome"))
        for i in 1..<lines.count {
            var cells = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == header.count else { continue }  // a quoted comma: leave the row as it is
            if i % 5 == 0 { cells[odometer] = "1" }
            if i % 7 == 0 { cells[odometer] = "999999" }
            if i % 3 == 0, cells[outcome] == "declined" { cells[price] = i % 2 == 0 ? "0.01" : "99999" }
            lines[i] = cells.joined(separator: ",")
        }
        let file = try w.write("deals.csv", lines.joined(separator: "\n") + "\n")
        let summary = try await db.importDeals(files: [file], options: ImportOptions(menu: m))
        #expect(summary.inserted > 250 && summary.warned > 50, "\(summary.rejects.prefix(3))")
        let warranties = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
        let planner = Planner(menu: m, warranties: warranties)
        // A few stops, which planning honours and explain must too.
        let numbers = lines.dropFirst().compactMap { $0.split(separator: ",").first.map(String.init) }
        for n in numbers.prefix(40) where n.hasSuffix("3") {
            _ = try await db.addStop(dealNumber: n, store: nil, product: "vsc", kind: .notInterested, source: "test", now: fixedNow)
        }
        _ = try await db.planCustomers(planner: planner, now: fixedNow)
        var compared = 0
        for number in Set(numbers) {
            let found = try #require(try await db.customerDeals(ofDeal: number))
            let e = try #require(Explain.explain(found, planner: planner, now: fixedNow))
            let explained = Set(e.products.flatMap { p in p.touches.map { "\($0.dueAt) \(number):\(p.code)" } })
            let stored = await Set(
                try db.plannedTouches(dealNumber: number, limit: 10_000).flatMap { t in
                    t.products.filter { $0.hasPrefix("\(number):") }.map { "\(Instant.iso8601(t.dueAt)) \($0)" }
                })
            #expect(explained == stored, "\(number)")
            compared += explained.count
        }
        #expect(compared > 100)
    }
}
