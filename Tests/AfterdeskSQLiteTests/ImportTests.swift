import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDemo
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

let fixedNow = Date(timeIntervalSince1970: 1_795_440_000)  // 2026-11-23T13:20:00Z

/// A temporary folder holding copies of the fixtures and a fresh database file.
final class Workspace {
    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("afterdesk-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        for name in try FileManager.default.contentsOfDirectory(atPath: fixtures.path) {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
    }
    deinit { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func database(_ name: String = "test.sqlite") throws -> AfterdeskDatabase {
        try AfterdeskDatabase(path: path(name), clock: .fixed(fixedNow))
    }

    /// A fresh storage of `backend` (SQLite: `<name>.sqlite` here), its clock at `fixedNow`.
    func storage(_ backend: TestBackend, _ name: String = "test") async throws -> any Storage {
        try await backend.make(clock: .fixed(fixedNow), directory: dir, name: name)
    }

    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }
}

func menu() throws -> Menu { try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml") }

/// Every stored fact that an import decides, without ids of runs and times: two databases with the same
/// snapshot hold the same deals.
let snapshotQueries = [
    "SELECT s.code, d.deal_number, d.status, d.contract_date, d.delivery_date, d.deal_type, d.vehicle_condition, d.odometer, d.selling_price_cents, d.vehicle_value_cents, d.amount_financed_cents, d.apr_milli, d.term_months, d.first_payment_date, d.lender, d.fingerprint, c.match_key, v.vin, sp.staff_code, fi.staff_code FROM deals d JOIN stores s ON s.id = d.store_id JOIN customers c ON c.id = d.customer_id JOIN vehicles v ON v.id = d.vehicle_id LEFT JOIN staff sp ON sp.id = d.salesperson_id LEFT JOIN staff fi ON fi.id = d.fi_manager_id ORDER BY s.code, d.deal_number",
    "SELECT d.deal_number, p.product_code, p.outcome, p.price_cents, p.cost_cents, p.reason, p.presumed FROM deal_products p JOIN deals d ON d.id = p.deal_id ORDER BY d.deal_number, p.product_code",
    "SELECT store_id, match_key, first_name, last_name, email, phone, state, zip, consent_sms, consent_email, consent_phone, consent_source, consent_sms_source, consent_email_source, consent_phone_source, last_deal_on FROM customers ORDER BY store_id, match_key",
    "SELECT vin, year, make, model, in_service_date, in_service_estimated FROM vehicles ORDER BY vin",
    "SELECT d.deal_number, e.product_code, e.kind, e.occurred_on, e.price_cents, e.cost_cents FROM events e JOIN deals d ON d.id = e.deal_id ORDER BY d.deal_number, e.kind, e.product_code",
    "SELECT store_id, staff_code, name, role FROM staff ORDER BY store_id, staff_code",
]

/// The snapshot of the SQLite file at `path`.
func snapshot(_ path: String) throws -> [String] {
    try DatabaseQueue(path: path).read { db in
        try snapshotQueries.flatMap { sql in try Row.fetchAll(db, sql: sql).map(\.description) + ["--"] }
    }
}

/// The snapshot of a storage of either backend.
func snapshot(_ storage: any Storage) async throws -> [String] {
    var lines: [String] = []
    for sql in snapshotQueries { lines += try await StoredSQL(storage).rows(sql).map(\.description) + ["--"] }
    return lines
}

@Suite(.talliedByBackend) struct CanonicalImportTests {
    @Test(arguments: TestBackend.all) func goodRowsLandAndEveryBadFieldIsReported(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let s = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: ImportOptions(menu: try menu()))
        #expect(s.read == 8 && s.inserted == 4 && s.updated == 0 && s.unchanged == 0 && s.rejected == 4)
        #expect(s.inserted + s.updated + s.unchanged + s.rejected == s.read)
        #expect(s.declines == 3 + 2 + 1 + 2)
        var linda = ImportReject(
            file: "canonical-good-and-bad.csv", line: 4, field: "buyer_email", value: "linda@example",
            error: "the domain after @ needs a dot (example.com)", dealNumber: "D-10003")
        linda.declines = 1  // the refused row's declined product still counts in the capture rate's denominator
        #expect(s.rejects.contains(linda))
        #expect(s.rejects.allSatisfy { $0.declines == 1 })
        #expect(s.rejects.contains { $0.line == 6 && $0.field == "buyer_state" && $0.value == "ZZ" })
        #expect(s.rejects.contains { $0.line == 7 && $0.field == "selling_price" && $0.value == "$24,99.00" })
        #expect(s.rejects.contains { $0.line == 7 && $0.field == "amount_financed" })
        #expect(s.rejects.contains { $0.line == 8 && $0.field == "gap_outcome" && $0.value == "maybe" })
        #expect(s.warnings == ["canonical-good-and-bad.csv: columns not imported (unknown to the canonical profile): trade_in_vin"])
        // The rejects file lists the same rows beside the input.
        let rejects = try String(contentsOfFile: w.path("canonical-good-and-bad.rejects.csv"), encoding: .utf8)
        #expect(rejects.hasPrefix("file,line,deal_number,field,value,error,kind\n"))
        #expect(
            rejects.contains(
                "canonical-good-and-bad.csv,7,D-10006,selling_price,\"$24,99.00\",thousands separators in the wrong place,refused"))
        #expect(s.rejectsFiles == [w.path("canonical-good-and-bad.rejects.csv")])

        let counts = try await db.counts()
        #expect(counts["deals"] == 4 && counts["declines"] == 8 && counts["rejects"] == s.rejects.count)
        let lopez = try #require(try await db.deal(number: "D-10001"))
        #expect(lopez.phone == "••••••••0142" && lopez.email == "m•••@example.com")
        #expect(
            lopez.products.first { $0.code == "tire_wheel" }
                == .init(
                    code: "tire_wheel", outcome: .sold, price: Money(cents: 79_900), cost: Money(cents: 26_000), reason: nil,
                    presumed: false))
        #expect(
            lopez.consent.first
                == .init(channel: .sms, granted: true, source: "import canonical-good-and-bad.csv line 2", at: "2026-11-23T13:20:00Z"))
        let smith = try #require(try await db.deal(number: "D-10002"))
        #expect(
            smith.contractDate.description == "2026-06-03" && smith.amountFinanced == nil
                && smith.inServiceDate.description == "2022-11-02")
        #expect(try await db.deal(number: "D-10008")?.events.map(\.kind) == [.unwound])
    }

    @Test(arguments: TestBackend.all) func theSameFileAgainChangesNothing(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let options = ImportOptions(menu: try menu())
        let first = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: options)
        let before = try await snapshot(db)
        let again = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: options)
        #expect(again.unchanged == again.read - again.rejected)
        #expect(again.inserted == 0 && again.updated == 0 && again.declines == 0 && again.rejected == first.rejected)
        #expect(try await snapshot(db) == before)
    }

    @Test(arguments: TestBackend.all) func changesAreUpdatesAndADeclineTurnedSoldIsARecovery(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let options = ImportOptions(menu: try menu())
        _ = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: options)
        let s = try await db.importDeals(files: [w.path("canonical-update.csv")], options: options)
        // D-10001 bought the VSC, D-10002 unwound, D-10003's email was fixed so it lands now.
        #expect(s.updated == 2 && s.inserted == 1 && s.unchanged == 2 && s.rejected == 3)
        #expect(s.recoveries == 1 && s.unwinds == 1)
        let lopez = try #require(try await db.deal(number: "D-10001"))
        let recoveredOn = try #require(LocalDate("2026-11-23"))
        #expect(
            lopez.events == [
                .init(
                    kind: .recovered, product: "vsc", occurredOn: recoveredOn,
                    price: Money(cents: 229_500), detail: "declined at the desk, now sold")
            ])
        #expect(lopez.products.first { $0.code == "vsc" }?.outcome == .sold)
        #expect(try await db.deal(number: "D-10002")?.events.map(\.kind) == [.unwound])
        // Importing the older file again reverses the sale: recorded as a cancellation, never silently.
        let back = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: options)
        #expect(back.updated == 2)
        #expect(try await db.deal(number: "D-10001")?.events.map(\.kind) == [.recovered, .cancelled])
        #expect(try await db.deal(number: "D-10002")?.events.map(\.kind) == [.unwound, .reinstated])
    }

    @Test(arguments: TestBackend.all) func aDealTwiceInOneImportKeepsTheFirst(backend: TestBackend) async throws {
        let w = try Workspace()
        let text = try String(contentsOfFile: w.path("canonical-good-and-bad.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        let file = try w.write(
            "dupes.csv",
            [String(lines[0]), String(lines[1]), lines[1].replacingOccurrences(of: "Maria", with: "Mary")].joined(separator: "\n") + "\n")
        let s = try await w.storage(backend).importDeals(files: [file], options: ImportOptions(menu: try menu()))
        #expect(s.inserted == 1 && s.rejected == 1)
        #expect(s.rejects.first?.error == "deal D-10001 of store main appears earlier in this import; only the first is kept")
        #expect(s.rejects.first?.line == 3)
    }

    @Test(arguments: TestBackend.all) func anUnusableFileIsRefusedAsAWhole(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let options = ImportOptions(menu: try menu())
        let header = try w.write("header.csv", "deal,date\nD-1,2026-01-01\n")
        let binary = w.path("sheet.csv")
        _ = FileManager.default.createFile(atPath: binary, contents: Data([0x50, 0x4B, 0x03, 0x04, 0, 0, 1, 2]))
        let empty = try w.write("empty.csv", "")
        let broken = try w.write("broken-header.csv", "deal_number,\"contract_date\n")
        let s = try await db.importDeals(
            files: [header, binary, empty, w.path("missing.csv"), broken, w.path("canonical-good-and-bad.csv")],
            options: options)
        #expect(s.failedFiles.count == 5)
        #expect(s.failedFiles[4] == "\(broken): the header row cannot be read: line 1: a quoted field opened here is never closed")
        #expect(s.failedFiles[0].contains("line 1: required columns missing from the header: deal_number, contract_date"))
        #expect(s.failedFiles[1].contains("not a CSV or JSON text file"))
        #expect(s.failedFiles[2].contains("the file is empty"))
        #expect(s.failedFiles[3].contains("cannot open"))
        #expect(s.inserted == 4, "the good file of the same command still lands")
    }

    /// The defect: a refused value such as =HYPERLINK(…) went into the rejects file unchanged, and the F&I manager
    /// opens that file in Excel.
    @Test(arguments: TestBackend.all) func theRejectsFileRunsNoFormula(backend: TestBackend) async throws {
        let w = try Workspace()
        let text = try String(contentsOfFile: w.path("canonical-good-and-bad.csv"), encoding: .utf8)
        let evil = text.replacingOccurrences(of: "linda@example,", with: "\"=HYPERLINK(\"\"http://evil.example\"\",\"\"fix\"\")\",")
            .replacingOccurrences(of: ",ZZ,", with: ",@SUM(1+1),")
        #expect(evil != text)
        let file = try w.write("evil.csv", evil)
        _ = try await w.storage(backend).importDeals(files: [file], options: ImportOptions(menu: try menu()))
        let rejects = try String(contentsOfFile: w.path("evil.rejects.csv"), encoding: .utf8)
        #expect(rejects.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"fix\"\")\","))
        #expect(rejects.contains(",'@SUM(1+1),"))
        for line in rejects.split(separator: "\n") {
            for cell in line.split(separator: ",") { #expect(!cell.hasPrefix("=") && !cell.hasPrefix("@") && !cell.hasPrefix("\"=")) }
        }
    }

    @Test(arguments: TestBackend.all) func aBrokenQuoteAtTheEndCostsOnlyItsRow(backend: TestBackend) async throws {
        let w = try Workspace()
        let text = try String(contentsOfFile: w.path("canonical-good-and-bad.csv"), encoding: .utf8)
        let file = try w.write("cut.csv", text + "D-99,\"never closed\n")
        let s = try await w.storage(backend).importDeals(files: [file], options: ImportOptions(menu: try menu()))
        #expect(s.inserted == 4 && s.read == 9 && s.rejected == 5)
        #expect(s.failedFiles.isEmpty)
        #expect(
            s.rejects.contains(
                ImportReject(
                    file: "cut.csv", line: 10, field: "(row)", value: "",
                    error: "line 10: a quoted field opened here is never closed", dealNumber: nil)))
    }

    /// A month's export with one stray quote: the row with it is refused and every other row lands; `read` is the
    /// number of data rows a person counts in the file.
    @Test(arguments: TestBackend.all) func aStrayQuoteInA400RowExportCostsOneRow(backend: TestBackend) async throws {
        let w = try Workspace()
        let m = try menu()
        let gen = SyntheticDealership(
            seed: 4, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 1)!, days: 100, dealsPerDay: 4, errorRate: 0)
        var lines = gen.csv(limit: 400).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count >= 401)
        // Row 120's first name gets a quote that never closes, as a hand edit in a spreadsheet leaves it.
        var cells = lines[120].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let first = try #require(gen.header.firstIndex(of: "buyer_first_name"))
        cells[first] = "\"" + cells[first]
        lines[120] = cells.joined(separator: ",")
        let file = try w.write("stray.csv", lines.joined(separator: "\n"))
        let s = try await w.storage(backend).importDeals(files: [file], options: ImportOptions(menu: m))
        #expect(s.read == 400)
        #expect(s.rejected == 1 && s.inserted == 399, "\(s.rejects)")
        #expect(s.rejects.map(\.line) == [121])
        #expect(s.rejects.first?.error == "line 121: a quoted field opened here is never closed")
    }
}

@Suite(.talliedByBackend) struct ProfileImportTests {
    @Test(arguments: TestBackend.all) func cdkExtract(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let s = try await db.importDeals(files: [w.path("cdk-extract.csv")], options: ImportOptions(profile: .cdk, menu: try menu()))
        #expect(s.read == 4 && s.inserted == 3 && s.rejected == 1)
        #expect(s.rejects.first?.field == "FiWipStatusCode" && s.rejects.first?.value == "O")
        let lopez = try #require(try await db.deal(number: "314403"))
        #expect(lopez.buyer == "Maria Lopez" && lopez.salesperson == "DANA WHITFIELD (1042)")
        #expect(lopez.products.filter { $0.outcome == .sold }.map(\.code).sorted() == ["tire_wheel", "vsc"])
        #expect(lopez.products.filter { $0.presumed }.map(\.code).sorted() == ["appearance", "gap", "maintenance"])
        let nguyen = try #require(try await db.deal(number: "314405"))
        #expect(nguyen.products.filter { $0.outcome == .sold }.map(\.code).sorted() == ["appearance", "gap"])
        #expect(s.warnings.first?.contains("HostItemID") == true)
        let again = try await db.importDeals(files: [w.path("cdk-extract.csv")], options: ImportOptions(profile: .cdk, menu: try menu()))
        #expect(again.unchanged == 3)
    }

    @Test(arguments: TestBackend.all) func dealervaultExtract(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let s = try await db.importDeals(
            files: [w.path("dealervault-extract.csv")], options: ImportOptions(profile: .dealervault, menu: try menu()))
        #expect(s.read == 4 && s.inserted == 4 && s.rejected == 0)
        let lopez = try #require(try await db.deal(number: "55001"))
        #expect(lopez.products.filter { $0.outcome == .sold }.map(\.code).sorted() == ["gap", "maintenance"])
        // "Not blocked" is an existing business relationship: a person's call, never email or SMS consent (issue 24).
        #expect(lopez.consent.map(\.granted) == [false, false, true])
        let nguyen = try #require(try await db.deal(number: "55003"))
        #expect(nguyen.inServiceDate.description == "2022-11-02" && nguyen.consent.map(\.granted) == [false, false, false])
        #expect(nguyen.optOuts?.map(\.channel) == ["sms", "phone"], "Block Phone Y: an opt-out entry")
        #expect(nguyen.products.map(\.code).contains("gap") == false)
    }

    @Test(arguments: TestBackend.all) func jsonDeals(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let s = try await db.importDeals(files: [w.path("deals.json")], options: ImportOptions(menu: try menu()))
        #expect(s.read == 2 && s.inserted == 1 && s.rejected == 1)
        #expect(s.rejects.first?.field == "vin" && s.rejects.first?.line == 9)
        #expect(s.warnings == ["deals.json: fields not imported (unknown): favorite_color"])
        let j1 = try #require(try await db.deal(number: "J-1"))
        #expect(j1.products.map(\.code) == ["gap", "vsc"] && j1.products.map(\.outcome) == [.sold, .declined])
        #expect(j1.consent.first?.granted == true)
    }
}

@Suite(.talliedByBackend) struct CrashTests {
    /// However many batches landed before the process died, importing the same file again ends in
    /// exactly the state of one clean import.
    @Test(arguments: TestBackend.all, [0, 1, 3, 7])
    func anInterruptedImportThenTheSameImportEqualsACleanOne(backend: TestBackend, batches: Int) async throws {
        let w = try Workspace()
        let m = try menu()
        let dealership = SyntheticDealership(
            seed: 9, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 1)!, days: 120, dealsPerDay: 4)
        let file = try w.write("deals.csv", dealership.csv())
        var options = ImportOptions(menu: m, batchSize: 50)

        let clean = try await w.storage(backend, "clean")
        let reference = try await clean.importDeals(files: [file], options: options)
        #expect(reference.inserted > 400)

        let crashed = try await w.storage(backend, "crashed")
        options.simulateCrashAfterBatches = batches
        await #expect(throws: SimulatedCrash.self) { try await crashed.importDeals(files: [file], options: options) }
        options.simulateCrashAfterBatches = nil
        let rerun = try await crashed.importDeals(files: [file], options: options)
        #expect(rerun.inserted + rerun.unchanged == reference.inserted)
        #expect(rerun.unchanged == batches * 50 - rerunRejectedBefore(batches: batches, file: file, menu: m))
        #expect(try await snapshot(crashed) == snapshot(clean))
    }

    /// Rows refused within the first batches (they count toward the batch size but are not stored).
    func rerunRejectedBefore(batches: Int, file: String, menu: Menu) -> Int {
        guard batches > 0, let text = try? String(contentsOfFile: file, encoding: .utf8) else { return 0 }
        let reader = CSVReader(source: BytesSource(text))
        _ = try? reader.nextRow()
        let layout = try! ImportLayout(header: (0..<reader.fieldCount).map { reader.string($0) }, profile: .canonical, menu: menu)
        let decoder = DealRowDecoder(layout: layout, menu: menu, today: LocalDate(year: 2026, month: 11, day: 23)!)
        var n = 0
        var bad = 0
        while n < batches * 50, (try? reader.nextRow()) == true {
            var e: [RowError] = []
            if decoder.decode(reader, errors: &e) == nil { bad += 1 }
            n += 1
        }
        return bad
    }
}

@Suite struct StoreTests {
    @Test func migrationsRunOnOpenAndAreNamed() async throws {
        let w = try Workspace()
        let db = try w.database()
        await #expect(
            try db.appliedMigrations() == [
                "v1-capture", "v2-plans", "v3-dispatch", "v4-compact-plans", "v5-unique-hashes", "v6-hardening", "v7-outcomes",
                "v8-web", "v9-offers", "v10-import-scope", "v11-opt-outs", "v12-trade-facts", "v13-run-heartbeats",
                "v14-decline-horizons", "v15-report-reads", "v16-user-stores", "v17-leases", "v18-outbox-claims",
            ])
        // Opening again is harmless.
        await #expect(
            try w.database().appliedMigrations() == [
                "v1-capture", "v2-plans", "v3-dispatch", "v4-compact-plans", "v5-unique-hashes", "v6-hardening", "v7-outcomes",
                "v8-web", "v9-offers", "v10-import-scope", "v11-opt-outs", "v12-trade-facts", "v13-run-heartbeats",
                "v14-decline-horizons", "v15-report-reads", "v16-user-stores", "v17-leases", "v18-outbox-claims",
            ])
        let mode = try await DatabaseQueue(path: w.path("test.sqlite")).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }
}
