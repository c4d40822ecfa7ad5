import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite

/// A deal's customer and vehicle found by their key's hash on either backend (PostgreSQL's import walks the same probe
/// chains, `DealWriter+Keys`), and the newest deal's facts kept. SQLite's key indexes and its bulk load are
/// `KeyIndexTests`'.
@Suite(.talliedByBackend) struct KeyChainTests {
    typealias K = KeyIndexTests

    func customers(_ sql: StoredSQL) async throws -> [(key: String, hash: Int64, first: String)] {
        try await sql.rows("SELECT match_key, match_hash, first_name FROM customers ORDER BY id").map { ($0[0], $0[1], $0[2]) }
    }

    func vehicles(_ sql: StoredSQL) async throws -> [(vin: String, hash: Int64)] {
        try await sql.rows("SELECT vin, vin_hash FROM vehicles ORDER BY id").map { ($0[0], $0[1]) }
    }

    /// SQLite's key indexes are unique (the bulk load drops and rebuilds them); PostgreSQL's never change.
    func expectUniqueKeyIndexes(_ db: any Storage) throws {
        guard let path = (db as? AfterdeskDatabase)?.path else { return }
        #expect(try K().keyIndexes(path) == ["customers_match:1", "vehicles_vin:1"])
    }

    /// Another key already holds a deal's customer hash and VIN hash (as two keys colliding on 64 bits would):
    /// the deal's customer and vehicle get rows of their own at the next hash of their chains, and the next
    /// imports find them there, with the index and in a bulk import alike.
    @Test(arguments: TestBackend.all, [BulkMode.off, .on])
    func aKeyWhoseHashIsTakenGetsTheNextHashOfItsChain(backend: TestBackend, bulk: BulkMode) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let sql = StoredSQL(db)
        var options = ImportOptions(menu: try menu(), writeRejectsFile: false)
        options.bulk = bulk
        // A first deal creates the store.
        let first = try w.write("first.csv", K().dealsCSV([("D-1", "512-555-0101", K.vinB, "Ana", "2026-10-01")]))
        _ = try await db.importDeals(files: [first], options: options)
        let key = "p:+15125550123"
        try await sql.execute(
            """
            INSERT INTO customers (store_id, match_key, match_hash, first_name, last_name, consent_sms, consent_email, consent_phone,
                consent_source, consent_at, last_deal_on, created_at, updated_at)
            VALUES ((SELECT id FROM stores WHERE code = 'main'), 'n:OTHER', ?, 'Other', 'Person', ?, ?, ?, 'test', '2026-01-01T00:00:00Z',
                '2026-01-01', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
            """, [StableHash.of(key), false, false, false])
        try await sql.execute(
            """
            INSERT INTO vehicles (vin, vin_hash, year, make, model, in_service_date, in_service_estimated)
            VALUES ('OTHERVIN000000000', ?, 2020, 'Ford', 'F-150', '2020-01-01', ?)
            """, [StableHash.of(K.vinA), false])

        let deals = try w.write("deals.csv", K().dealsCSV([("D-2", "512-555-0123", K.vinA, "Sam", "2026-10-02")]))
        let s = try await db.importDeals(files: [deals], options: options)
        #expect(s.inserted == 1)
        var c = try await customers(sql)
        #expect(c.count == 3)
        #expect(c[1].key == "n:OTHER" && c[1].first == "Other")
        #expect(c[2].key == key && c[2].hash == StableHash.of(key, attempt: 1) && c[2].first == "Sam")
        var v = try await vehicles(sql)
        #expect(v.count == 3)
        #expect(v[2].vin == K.vinA && v[2].hash == StableHash.of(K.vinA, attempt: 1))

        // The same file again finds both where the chain put them.
        let again = try await db.importDeals(files: [deals], options: options)
        #expect(again.unchanged == 1)
        // A newer deal of the same customer and vehicle updates those rows, not the other key's.
        let newer = try w.write("newer.csv", K().dealsCSV([("D-3", "512-555-0123", K.vinA, "Samuel", "2026-10-20")]))
        #expect(try await db.importDeals(files: [newer], options: options).inserted == 1)
        c = try await customers(sql)
        v = try await vehicles(sql)
        #expect(c.count == 3 && v.count == 3)
        #expect(c[1].first == "Other" && c[2].first == "Samuel")
        let sameParties = try await sql.value(
            "SELECT COUNT(DISTINCT customer_id) * 10 + COUNT(DISTINCT vehicle_id) FROM deals WHERE deal_number IN ('D-2', 'D-3')",
            as: Int.self)
        #expect(sameParties == 11)
        try expectUniqueKeyIndexes(db)
    }

    /// A returning customer takes the facts of the newest deal, whatever the order of the files; a consent that
    /// changes records where the change came from, the other channels keep theirs. The same through the
    /// indexes (upsert) and in a bulk import (update).
    @Test(arguments: TestBackend.all, [BulkMode.off, .on])
    func theNewestDealSetsTheCustomersFacts(backend: TestBackend, bulk: BulkMode) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let sql = StoredSQL(db)
        var options = ImportOptions(menu: try menu(), writeRejectsFile: false)
        options.bulk = bulk
        func deal(_ number: String, _ date: String, _ first: String, sms: String) throws -> String {
            try w.write(
                "\(number).csv",
                """
                deal_number,contract_date,deal_type,buyer_first_name,buyer_last_name,buyer_phone,consent_sms,consent_email,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,odometer,selling_price,vehicle_value
                \(number),\(date),cash,\(first),Rivera,512-555-0123,\(sms),Y,\(K.vinA),2026,Honda,Accord,new,12,31000,29000

                """)
        }
        /// Customers, first name, SMS consent, last deal date, consent sources (all, SMS, email).
        func customer() async throws -> [String?] {
            let count = try await sql.value("SELECT COUNT(*) FROM customers", as: Int.self)
            let rows = try await sql.rows(
                "SELECT first_name, consent_sms, last_deal_on, consent_source, consent_sms_source, consent_email_source FROM customers")
            return [count.map(String.init)]
                + rows.flatMap { r in
                    [r.optional(0, as: String.self), r.optional(1, as: Int.self).map(String.init)]
                        + [2, 3, 4, 5].map { r.optional($0, as: String.self) }
                }
        }
        _ = try await db.importDeals(files: [deal("D-10", "2026-10-20", "New", sms: "Y")], options: options)
        _ = try await db.importDeals(files: [deal("D-5", "2026-09-01", "Old", sms: "N")], options: options)
        #expect(try await customer() == ["1", "New", "1", "2026-10-20", "import D-10.csv line 2", nil, nil])
        _ = try await db.importDeals(files: [deal("D-11", "2026-10-25", "Newer", sms: "N")], options: options)
        #expect(try await customer() == ["1", "Newer", "0", "2026-10-25", "import D-10.csv line 2", "import D-11.csv line 2", nil])
        let parties = try await sql.value(
            "SELECT COUNT(DISTINCT customer_id) * 10 + COUNT(DISTINCT vehicle_id) FROM deals", as: Int.self)
        #expect(parties == 11)
    }
}
