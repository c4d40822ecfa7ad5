import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

/// Importing deals and readings, reading deals back, and the web imports' records.
extension Scenarios {
    static let importArea: [(name: String, run: Scenario)] = [
        ("import: good rows land once, each bad field is a reject naming file, line, field and value", importRejects),
        ("import: the same file twice changes nothing", importTwice),
        ("import: a changed row updates its deal", importUpdates),
        ("import: deals are listed, read one by one, summed and grouped by customer", dealsRead),
        ("import: readings land once and the file again changes nothing", readings),
        ("import: web imports are recorded, updated, listed and interrupted", webImports),
    ]

    @Sendable static func importRejects(_ s: any Storage, _ f: Fixture) async throws {
        let r = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        #expect(r.read == 8 && r.inserted == 4 && r.updated == 0 && r.unchanged == 0 && r.rejected == 4)
        let linda = try #require(r.rejects.first { $0.line == 4 })
        #expect(linda.file == "canonical-good-and-bad.csv" && linda.field == "buyer_email" && linda.value == "linda@example")
        #expect(linda.dealNumber == "D-10003")
        #expect(r.rejects.contains { $0.line == 6 && $0.field == "buyer_state" && $0.value == "ZZ" })
        #expect(r.rejects.contains { $0.line == 8 && $0.field == "gap_outcome" && $0.value == "maybe" })
        #expect(try await s.deal(number: "D-10003") == nil)
        #expect(try await s.deal(number: "D-10001") != nil)
    }

    @Sendable static func importTwice(_ s: any Storage, _ f: Fixture) async throws {
        let file = try f.write("deals.csv", f.dealershipCSV(days: 20))
        let first = try await s.importDeals(files: [file], options: f.importOptions())
        #expect(first.inserted > 20 && first.rejected == 0)
        // Every table but the record of import runs: a run is recorded, nothing else changes.
        let counts = try await s.counts().filter { $0.key != "import_runs" }
        let deals = try await s.listDeals(DealFilter(limit: 1_000))
        let told = Counter()
        let again = try await s.importDeals(files: [file], options: f.importOptions(), progress: { _ in told.add(1) })
        #expect(told.value > 0)
        #expect(again.read == first.read && again.unchanged == first.inserted && again.inserted == 0 && again.updated == 0)
        #expect(try await s.counts().filter { $0.key != "import_runs" } == counts)
        #expect(try await s.listDeals(DealFilter(limit: 1_000)) == deals)
    }

    @Sendable static func importUpdates(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        let r = try await s.importDeals(files: [try f.copy("canonical-update.csv")], options: f.importOptions())
        // D-10001 bought the VSC, D-10002 unwound, D-10003's email was fixed so it lands now.
        #expect(r.updated == 2 && r.inserted == 1 && r.unchanged == 2 && r.rejected == 3)
        let lopez = try #require(try await s.deal(number: "D-10001"))
        #expect(lopez.products.first { $0.code == "vsc" }?.outcome == .sold)
        #expect(lopez.events.map(\.kind) == [.recovered])
        #expect(try await s.deal(number: "D-10002")?.status == .unwound)
        #expect(try await s.deal(number: "D-10003")?.email != nil)
    }

    @Sendable static func dealsRead(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        let all = try await s.listDeals(DealFilter(limit: 100))
        #expect(Set(all.map(\.dealNumber)) == ["D-10001", "D-10002", "D-10004", "D-10008"])
        let june3 = try await s.listDeals(DealFilter(from: LocalDate(year: 2026, month: 6, day: 3), limit: 100))
        #expect(!june3.map(\.dealNumber).contains("D-10001") && june3.contains { $0.dealNumber == "D-10002" })
        let one = try #require(try await s.deal(number: "D-10002", store: "main"))
        #expect("\(one.contractDate)" == "2026-06-03" && one.store == "main")
        #expect(try await s.deal(number: "D-10002", store: "elsewhere") == nil)
        let capture = try await s.captureSummary()
        #expect(capture.deals == 4)
        let deals = try #require(try await s.customerDeals(ofDeal: "D-10001", store: nil))
        #expect(deals.dealNumber == "D-10001" && deals.store == "main" && !deals.deals.isEmpty)
        let ids = try await s.customerIDs(ofDeals: ["D-10001", "D-10002", "D-99999"], store: "main")
        #expect(ids.count == 2 && Set(ids).count == 2)
    }

    @Sendable static func readings(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        let file = try f.write(
            "readings.csv", "vin,date,odometer\n4T1B11HK7RU000001,2026-10-01,9000\nNOTAVIN,2026-10-01,abc\n")
        let zone = f.menu.dealership.timeZone
        let first = try await s.importReadings(
            file: file, dealershipTimeZone: zone, planner: f.planner, now: f.now, writeRejectsFile: false)
        #expect(first.read == 2 && first.inserted == 1 && first.rejected == 1)
        #expect(first.rejects.first?.line == 3)
        let again = try await s.importReadings(
            file: file, dealershipTimeZone: zone, planner: f.planner, now: f.now, writeRejectsFile: false)
        #expect(again.inserted == 0 && again.unchanged == 1)
    }

    @Sendable static func webImports(_ s: any Storage, _ f: Fixture) async throws {
        let admin = try await s.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: f.now)
        let id = try await s.createWebImport(userID: admin, fileName: "deals.csv", path: "/x/1.csv", profile: "canonical", now: f.now)
        let other = try await s.createWebImport(userID: admin, fileName: "b.csv", path: "/x/2.csv", profile: "canonical", now: f.now)
        try await s.updateWebImport(
            id: id, status: .done, rowsRead: 12, summary: "12 read", error: nil, stores: ["main"], now: f.at(60))
        try await s.setWebImportPath(id: id, path: "/y/1.csv")
        let row = try #require(try await s.webImport(id: id, visibleTo: nil))
        #expect(row.status == .done && row.rowsRead == 12 && row.summary == "12 read" && row.path == "/y/1.csv")
        #expect(row.user == "ada" && row.stores == ["main"] && row.finishedAt != nil)
        let listed = try await s.webImports(id: nil, limit: 10, visibleTo: nil)
        #expect(Set(listed.map(\.id)) == [id, other])
        #expect(try await s.webImports(id: other, limit: 10, visibleTo: nil).map(\.id) == [other])
        // The one still queued is what a stopped server left, once its heartbeat is old: interrupted, once.
        #expect(try await s.interruptWebImports(now: f.at(60)) == 0)
        #expect(try await s.interruptWebImports(now: f.at(RunLiveness.staleAfter + 1)) == 1)
        #expect(try await s.interruptWebImports(now: f.at(RunLiveness.staleAfter + 60)) == 0)
        #expect(try await s.webImport(id: other, visibleTo: nil)?.status != .running)
        #expect(try await s.webImport(id: id, visibleTo: nil)?.status == .done)
    }
}
