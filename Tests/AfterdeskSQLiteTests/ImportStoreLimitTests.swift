import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// Issue 23, item 4: a user limited to store `north` wrote `main`'s rows through an import (a `main` customer's email
/// changed to an attacker's, a product marked sold) and imported contracts and cancellations of any store. The rule
/// is the store layer's (`allowedStores`), so the command line (unlimited) and both HTTP doors share it.
@Suite(.talliedByBackend) struct ImportStoreLimitTests {
    static let header =
        "deal_number,store,contract_date,deal_type,buyer_first_name,buyer_last_name,buyer_email,buyer_phone,buyer_state,consent_sms,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,odometer,selling_price,vehicle_value,amount_financed,apr,term_months,first_payment_date,vsc_outcome,vsc_price"

    static func row(_ number: String, _ store: String, email: String, vin: String, vsc: String = "declined") -> String {
        "\(number),\(store),2026-06-01,finance,Maria,Lopez,\(email),(512) 555-0142,TX,Y,\(vin),2026,Toyota,Camry,new,12,31000,29000,30000,6.9,72,2026-07-15,\(vsc),2495"
    }

    /// `main`'s D-1 and `north`'s D-2, imported from the command line (no limit).
    func group(_ backend: TestBackend) async throws -> (Workspace, any Storage) {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let file = try w.write(
            "group.csv",
            [
                Self.header, Self.row("D-1", "main", email: "maria@example.com", vin: "4T1B11HK7RU000001"),
                Self.row("D-2", "north", email: "north@example.com", vin: "1FTFW1E5XPFA00002"),
            ].joined(separator: "\n") + "\n")
        let s = try await db.importDeals(files: [file], options: ImportOptions(menu: try menu()))
        #expect(s.inserted == 2, "\(s.rejects)")
        return (w, db)
    }

    func northOnly() throws -> ImportOptions {
        var options = ImportOptions(menu: try menu(), defaultStore: "north")
        options.allowedStores = ["north"]
        return options
    }

    @Test(arguments: TestBackend.all) func aNorthImportRefusesEveryRowOfAnotherStoreAndTheGoodRowsLand(backend: TestBackend) async throws {
        let (w, db) = try await group(backend)
        let file = try w.write(
            "attack.csv",
            [
                Self.header,
                Self.row("D-1", "main", email: "attacker@evil.example", vin: "4T1B11HK7RU000001", vsc: "sold"),
                Self.row("D-2", "north", email: "new@example.com", vin: "1FTFW1E5XPFA00002"),
                Self.row("D-3", "", email: "empty@example.com", vin: "1HGCV1F36RA000003"),
                Self.row("D-4", "Main", email: "attacker@evil.example", vin: "1HGCV1F36RA000003"),
            ].joined(separator: "\n") + "\n")
        let s = try await db.importDeals(files: [file], options: try northOnly())
        #expect(s.read == 4 && s.rejected == 2 && s.updated == 1 && s.inserted == 1, "\(s)")
        #expect(s.rejects.map(\.line) == [2, 5])
        #expect(s.rejects.allSatisfy { $0.field == "store" })
        #expect(s.rejects.first?.error == "store main is not one of the stores this import may write (north)")
        #expect(s.rejects.last?.value == "Main")
        #expect(s.storesTouched == ["main", "north", "Main"])
        // main's deal is as it was; the row without a store went to north.
        let emails = try await [String: String](
            uniqueKeysWithValues: StoredSQL(db).rows(
                "SELECT d.deal_number, c.email FROM deals d JOIN customers c ON c.id = d.customer_id"
            ).map { ($0[0], $0[1]) })
        // (D-2 and D-3 are one customer of north's: same name and phone.)
        #expect(emails["D-1"] == "maria@example.com" && emails["D-3"] == "empty@example.com")
        let main = try #require(try await db.deal(number: "D-1", store: "main"))
        #expect(main.products.first { $0.code == "vsc" }?.outcome == .declined)
        #expect(try await db.deal(number: "D-3", store: "north") != nil)
        #expect(try await db.deal(number: "D-3", store: "main") == nil)
    }

    /// Vehicles are one per VIN across stores. A north deal carrying main's VIN is linked to that vehicle but cannot
    /// rewrite it: its in-service date and model time main's follow-up.
    @Test(arguments: TestBackend.all) func aNorthImportCannotRewriteAVehicleOfMainsDeal(backend: TestBackend) async throws {
        let (w, db) = try await group(backend)
        let sameVIN = Self.row("D-5", "north", email: "north@example.com", vin: "4T1B11HK7RU000001")
            .replacingOccurrences(of: "2026,Toyota,Camry", with: "2019,Toyota,Corolla")
        let file = try w.write("vin.csv", Self.header + "\n" + sameVIN + "\n")
        let s = try await db.importDeals(files: [file], options: try northOnly())
        #expect(s.inserted == 1 && s.rejected == 0, "\(s.rejects)")
        let vehicles = try await StoredSQL(db).rows(
            "SELECT d.deal_number, v.id, v.model, v.year FROM deals d JOIN vehicles v ON v.id = d.vehicle_id ORDER BY d.deal_number")
        let d1 = try #require(vehicles.first { ($0[0] as String) == "D-1" })
        let d5 = try #require(vehicles.first { ($0[0] as String) == "D-5" })
        #expect((d1[1] as Int64) == (d5[1] as Int64))
        #expect((d1[2] as String) == "Camry" && (d1[3] as Int) == 2026)
    }

    /// The same file from the command line (no limit) writes every store, as before.
    @Test(arguments: TestBackend.all) func theCommandLineIsNotLimited(backend: TestBackend) async throws {
        let (w, db) = try await group(backend)
        let file = try w.write(
            "all.csv", Self.header + "\n" + Self.row("D-1", "main", email: "changed@example.com", vin: "4T1B11HK7RU000001") + "\n")
        let s = try await db.importDeals(files: [file], options: ImportOptions(menu: try menu()))
        #expect(s.updated == 1 && s.rejected == 0)
        #expect(s.storesTouched == ["main"])
    }

    @Test(arguments: TestBackend.all) func contractsAndCancellationsOfAnotherStoreAreRefused(backend: TestBackend) async throws {
        let (w, db) = try await group(backend)
        let m = try menu()
        // main's contract, imported from the command line.
        let mainContract = try w.write(
            "main-contracts.csv", "contract_number,store,deal_number,product,sale_date,price,cost\nAS-1,main,D-1,vsc,2026-07-01,2495,900\n")
        #expect(try await db.importContracts(file: mainContract, menu: m, planner: nil).inserted == 1)

        let contracts = try w.write(
            "contracts.csv",
            "contract_number,store,deal_number,product,sale_date,price,cost\n"
                + "AS-2,main,D-1,gap,2026-07-01,895,300\n"  // another store: refused
                + "AS-3,north,D-2,vsc,2026-07-01,2495,900\n"  // the user's store
                + "AS-4,,D-2,gap,2026-07-01,895,300\n")  // no store: the user's, although two stores hold deals
        let c = try await db.importContracts(
            file: contracts, menu: m, planner: nil, now: nil, writeRejectsFile: true, allowedStores: ["north"])
        #expect(c.read == 3 && c.inserted == 2 && c.rejected == 1, "\(c.rejects)")
        #expect(c.rejects.first?.field == "store" && c.rejects.first?.line == 2)
        #expect(c.rejects.first?.error == "store main is not one of the stores this import may write (north)")

        let cancellations = try w.write(
            "cancellations.csv",
            "contract_number,store,cancel_date,chargeback\n"
                + "AS-1,main,2026-08-01,500\n"  // main's contract: refused
                + "AS-1,,2026-08-01,500\n"  // no store: looked for in north only
                + "AS-3,north,2026-08-01,500\n")
        let k = try await db.importCancellations(file: cancellations, menu: m, writeRejectsFile: true, allowedStores: ["north"])
        #expect(k.read == 3 && k.inserted == 1 && k.rejected == 2, "\(k.rejects)")
        #expect(k.rejects.map(\.field) == ["store", "contract_number"])
        #expect(k.rejects.first?.error == "store main is not one of the stores this import may write (north)")
        // Unlimited, the same main row is taken.
        let again = try w.write("main-cancel.csv", "contract_number,store,cancel_date,chargeback\nAS-1,main,2026-08-01,500\n")
        #expect(try await db.importCancellations(file: again, menu: m).inserted == 1)
    }
}

/// Who sees an upload, by the stores it touched (`web_imports.stores`).
@Suite(.talliedByBackend) struct WebImportVisibilityTests {
    @Test(arguments: TestBackend.all) func anUploadThatTouchedNoStoreIsSeenOnlyByItsUploaderAndTheWholeGroup(backend: TestBackend)
        async throws
    {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let uploader = try await db.addUser(name: "kliu", role: .fiManager, staffCode: nil, store: nil, now: now)
        let id = try await db.createWebImport(userID: uploader, fileName: "empty.csv", path: "", profile: "canonical", now: now)
        try await db.updateWebImport(id: id, status: .failed, error: "empty.csv: the file is empty", stores: [], now: now)
        let north = Principal(userID: 99, name: "north1", role: .fiManager, staffID: nil, store: "north")
        let group = Principal(userID: 98, name: "gfd", role: .fiManager, staffID: nil, store: nil)
        #expect(try await db.webImport(id: id, visibleTo: north) == nil)
        #expect(try await db.webImports(visibleTo: north).isEmpty)
        #expect(try await db.webImport(id: id, visibleTo: group) != nil)
        // Once it names north alone, north sees it.
        try await db.updateWebImport(id: id, status: .done, stores: ["north"], now: now)
        #expect(try await db.webImport(id: id, visibleTo: north) != nil)
    }
}

/// A JSON deal file nested too deep is refused whole: not even the good deals before the deep one land.
@Suite(.talliedByBackend) struct JSONNestingImportTests {
    @Test(arguments: TestBackend.all) func aDeepFileLandsNothing(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let good = #"{"deal_number": "D-1", "store": "main", "contract_date": "2026-06-01"}"#
        let deep =
            #"{"deal_number": "D-2", "products": "# + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "}"
        let file = try w.write("deep.json", "[\n" + good + ",\n" + deep + "\n]\n")
        let s = try await db.importDeals(files: [file], options: ImportOptions(menu: try menu()))
        #expect(s.read == 0 && s.inserted == 0 && s.rejected == 0, "\(s)")
        #expect(s.failedFiles.count == 1)
        #expect(
            s.failedFiles.first?.hasSuffix(
                "deep.json: line 3: not valid JSON: arrays and objects nested deeper than 10 levels "
                    + "(a deal file needs at most 5); nothing of the file was imported") == true, "\(s.failedFiles)")
    }
}
