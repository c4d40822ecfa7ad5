import AfterdeskCore
import AfterdeskDemo
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

#if canImport(Glibc)
    import Glibc
#endif

/// The in-memory multimap of a bulk import.
@Suite struct KeyMapTests {
    @Test func everyIdUnderAKeyIsFoundAfterGrowing() throws {
        let map = KeyMap()
        var expected: [UInt32: Set<Int64>] = [:]
        var rng = SeededRandom(seed: 3)
        // 5,000 ids under 600 keys: many keys hold several ids, and the map grows several times.
        for id in 1...5_000 {
            let key = UInt32(rng.int(0...599)) &* 2_654_435_761
            try map.insert(key, id: Int64(id))
            expected[key, default: []].insert(Int64(id))
        }
        #expect(map.count == 5_000)
        for (key, ids) in expected {
            var found = Set<Int64>()
            map.forEach(key) {
                found.insert($0)
                return true
            }
            #expect(found == ids)
        }
        var none = 0
        map.forEach(12_345) { _ in
            none += 1
            return true
        }
        #expect(none == 0 || expected[12_345] != nil)
    }

    @Test func theSearchStopsWhenAskedTo() throws {
        let map = KeyMap()
        for id in 1...10 { try map.insert(7, id: Int64(id)) }
        var seen = 0
        map.forEach(7) { _ in
            seen += 1
            return seen < 3
        }
        #expect(seen == 3)
    }

    @Test func idsOutsideThirtyTwoBitsAreRefused() {
        let map = KeyMap()
        #expect { try map.insert(1, id: 0) } throws: { ($0 as? StoreError)?.kind == .integrity }
        #expect { try map.insert(1, id: KeyMap.maxID + 1) } throws: { ($0 as? StoreError)?.kind == .integrity }
        #expect(map.count == 0)
    }
}

/// The probe chain that keeps two keys with one 64-bit hash apart.
@Suite struct HashChainTests {
    @Test func attemptsDifferAndTheFirstIsThePlainHash() {
        let key = "p:+15125550123"
        #expect(StableHash.of(key, attempt: 0) == StableHash.of(key))
        let all = (0..<StableHash.maxAttempts).map { StableHash.of(key, attempt: $0) }
        #expect(Set(all).count == all.count)
    }

    @Test func theChainSkipsOtherKeysAndStopsAtTheKeyOrAFreeHash() throws {
        let key = "e:pat@example.com"
        let h = (0..<StableHash.maxAttempts).map { StableHash.of(key, attempt: $0) }
        // Two other keys hold the first two hashes: the key goes (or is) at the third.
        let free = try StableHash.probe(key) { $0 == h[0] || $0 == h[1] ? .taken : .free }
        #expect(free.hash == h[2] && !free.found)
        let mine = try StableHash.probe(key) { $0 == h[0] ? .taken : ($0 == h[1] ? .mine : .free) }
        #expect(mine.hash == h[1] && mine.found)
        #expect { try StableHash.probe(key) { _ in .taken } } throws: { ($0 as? StoreError)?.kind == .integrity }
    }
}

@Suite struct KeyIndexTests {
    /// Deals in canonical CSV with the facts the tests need: number, phone, VIN.
    func dealsCSV(_ deals: [(number: String, phone: String, vin: String, first: String, contract: String)]) -> String {
        var text =
            "deal_number,contract_date,deal_type,buyer_first_name,buyer_last_name,buyer_phone,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,odometer,selling_price,vehicle_value,vsc_outcome,vsc_price\n"
        for d in deals {
            text +=
                "\(d.number),\(d.contract),cash,\(d.first),Rivera,\(d.phone),\(d.vin),2026,Honda,Accord,new,12,31000,29000,declined,2400\n"
        }
        return text
    }

    static let vinA = "1HGCM82633A004352", vinB = "1FTFW1ET9DFC10312", vinC = "2T1BURHEXJC074258"

    func customers(_ path: String) throws -> [(key: String, hash: Int64, first: String)] {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT match_key, match_hash, first_name FROM customers ORDER BY id").map { ($0[0], $0[1], $0[2]) }
        }
    }

    func vehicles(_ path: String) throws -> [(vin: String, hash: Int64)] {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT vin, vin_hash FROM vehicles ORDER BY id").map { ($0[0], $0[1]) }
        }
    }

    func keyIndexes(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT name || ':' || (sql LIKE 'CREATE UNIQUE%') FROM sqlite_schema
                    WHERE name IN ('customers_match', 'vehicles_vin') ORDER BY name
                    """)
        }
    }

    /// A database from before v5 whose rows share a hash: the migration gives the later row the next hash of
    /// its chain, makes the indexes unique, and the importer then finds that row.
    @Test func migrationFiveRechainsRowsThatShareAHash() async throws {
        let w = try Workspace()
        let path = w.path("old.sqlite")
        let key = "p:+15125550123"
        do {
            let q = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(q, upTo: "v4-compact-plans")
            try await q.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO stores (id, code, name, time_zone, created_at) VALUES (1, 'main', 'Main', 'America/Chicago', '2026-01-01T00:00:00Z')"
                )
                for (k, first) in [("n:OTHER", "Other"), (key, "Sam")] {
                    try db.execute(
                        sql: """
                            INSERT INTO customers (store_id, match_key, match_hash, first_name, last_name, consent_sms, consent_email, consent_phone,
                                consent_source, consent_at, last_deal_on, created_at, updated_at)
                            VALUES (1, ?, ?, ?, 'Rivera', 0, 0, 0, 'test', '2026-01-01T00:00:00Z', '2026-01-01', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                            """, arguments: [k, StableHash.of(key), first])
                }
                for vin in ["OTHERVIN000000000", Self.vinA] {
                    try db.execute(
                        sql: """
                            INSERT INTO vehicles (vin, vin_hash, year, make, model, in_service_date, in_service_estimated)
                            VALUES (?, ?, 2020, 'Honda', 'Accord', '2020-01-01', 0)
                            """, arguments: [vin, StableHash.of(Self.vinA)])
                }
            }
        }
        let db = try AfterdeskDatabase(path: path, clock: .fixed(fixedNow))
        #expect(try await db.appliedMigrations().contains("v5-unique-hashes"))
        #expect(try keyIndexes(path) == ["customers_match:1", "vehicles_vin:1"])
        let c = try customers(path)
        #expect(c.map(\.hash) == [StableHash.of(key), StableHash.of(key, attempt: 1)])
        #expect(try vehicles(path).map(\.hash) == [StableHash.of(Self.vinA), StableHash.of(Self.vinA, attempt: 1)])

        let deals = try w.write("deals.csv", dealsCSV([("D-2", "512-555-0123", Self.vinA, "Samantha", "2026-10-02")]))
        _ = try await db.importDeals(files: [deals], options: ImportOptions(menu: try menu(), writeRejectsFile: false))
        let after = try customers(path)
        #expect(after.count == 2 && after[1].first == "Samantha" && after[0].first == "Other")
        #expect(try vehicles(path).count == 2)
    }

    /// A bulk import stores exactly what an import through the indexes stores: new deals, returning customers,
    /// vehicles sold twice, then a file of changes; and leaves the unique indexes in place.
    @Test func aBulkImportStoresWhatAnIndexedImportStores() async throws {
        let w = try Workspace()
        let m = try menu()
        let dealership = SyntheticDealership(
            seed: 21, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 1)!, days: 90, dealsPerDay: 4)
        var text = dealership.csv()
        // Returning customers and resold vehicles: the phones and VINs of earlier deals on new deal numbers.
        text += dealsCSV([
            ("R-1", "512-555-0101", Self.vinA, "Ana", "2026-10-01"), ("R-2", "512-555-0101", Self.vinB, "Ana", "2026-10-15"),
            ("R-3", "737-555-0199", Self.vinA, "Lee", "2026-10-20"),
        ]).split(separator: "\n", omittingEmptySubsequences: true)
            .dropFirst().map { padded($0, to: text) }.joined()
        let file = try w.write("deals.csv", text)
        let changes = try w.write(
            "changes.csv",
            dealsCSV([
                ("R-1", "512-555-0101", Self.vinA, "Anabel", "2026-10-01"),
                ("R-4", "737-555-0199", Self.vinC, "Lee", "2026-10-25"),
            ]))
        for (name, bulk) in [("indexed.sqlite", BulkMode.off), ("bulk.sqlite", .on)] {
            let db = try w.database(name)
            var options = ImportOptions(menu: m, batchSize: 100, writeRejectsFile: false)
            options.bulk = bulk
            let s = try await db.importDeals(files: [file], options: options)
            #expect(s.inserted > 300)
            #expect(try await db.importDeals(files: [changes], options: options).inserted == 1)
            #expect(try keyIndexes(w.path(name)) == ["customers_match:1", "vehicles_vin:1"])
        }
        #expect(try snapshot(w.path("bulk.sqlite")) == snapshot(w.path("indexed.sqlite")))
        let repeats = try await DatabaseQueue(path: w.path("bulk.sqlite")).read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM deals) - (SELECT COUNT(*) FROM customers)")
        }
        #expect((repeats ?? 0) >= 2)
    }

    /// The short rows of `dealsCSV` under the synthetic header: same columns, in that header's order.
    func padded(_ row: Substring, to text: String) -> String {
        let shortHeader = dealsCSV([]).split(separator: "\n")[0].split(separator: ",").map(String.init)
        let values = Dictionary(
            uniqueKeysWithValues: zip(shortHeader, row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        let header = text.prefix(while: { $0 != "\n" }).split(separator: ",").map(String.init)
        return header.map { values[$0] ?? "" }.joined(separator: ",") + "\n"
    }

    /// A bulk import killed midway leaves the key indexes dropped; the next import rebuilds them and ends in
    /// the state of one clean import.
    @Test(arguments: [1, 4])
    func aBulkImportKilledMidwayIsRepairedByTheNextImport(batches: Int) async throws {
        let w = try Workspace()
        let m = try menu()
        let dealership = SyntheticDealership(
            seed: 5, menu: m, endDate: LocalDate(year: 2026, month: 11, day: 1)!, days: 100, dealsPerDay: 4)
        let file = try w.write("deals.csv", dealership.csv())
        var options = ImportOptions(menu: m, batchSize: 60, writeRejectsFile: false)
        options.bulk = .on
        _ = try await w.database("clean.sqlite").importDeals(files: [file], options: options)

        let crashed = try w.database("crashed.sqlite")
        options.simulateCrashAfterBatches = batches
        await #expect(throws: SimulatedCrash.self) { try await crashed.importDeals(files: [file], options: options) }
        #expect(try keyIndexes(w.path("crashed.sqlite")) == [])
        options.simulateCrashAfterBatches = nil
        options.bulk = .off  // the repair does not depend on the next import being a bulk one
        _ = try await crashed.importDeals(files: [file], options: options)
        #expect(try keyIndexes(w.path("crashed.sqlite")) == ["customers_match:1", "vehicles_vin:1"])
        #expect(try snapshot(w.path("crashed.sqlite")) == snapshot(w.path("clean.sqlite")))
    }

    @Test func theDealsOfAFileAreEstimatedFromItsFirstBytes() throws {
        let w = try Workspace()
        let line = "D-100,2026-10-01,cash,Ana,Rivera,512-555-0101,\(Self.vinA),2026,Honda,Accord,new,12,31000,29000,declined,2400\n"
        let file = try w.write("d.csv", dealsCSV([]) + String(repeating: line, count: 120))
        #expect(abs(DealImporter.estimatedRows(file) - 120) <= 12)
        let json = try w.write(
            "d.json",
            "[" + Array(repeating: "{\"deal_number\": \"D-1\", \"vin\": \"\(Self.vinA)\"}", count: 50).joined(separator: ",\n") + "]")
        #expect(abs(DealImporter.estimatedRows(json) - 50) <= 5)
        #expect(DealImporter.estimatedRows(w.path("missing.csv")) == 0)
    }

    /// Automatic bulk mode: only for files of at least `BulkMode.minimumRows` deals that bring at least twice as
    /// many deals as the database has customers.
    @Test func automaticBulkNeedsEnoughDealsAndTwiceAsManyAsThereAreCustomers() throws {
        let w = try Workspace()
        let m = try menu()
        let db = try w.database()
        let line = "D-100,2026-10-01,cash,Ana,Rivera,512-555-0101,\(Self.vinA),2026,Honda,Accord,new,12,31000,29000,declined,2400\n"
        let small = try w.write("small.csv", dealsCSV([]) + String(repeating: line, count: 100))
        let large = try w.write("large.csv", dealsCSV([]) + String(repeating: line, count: BulkMode.minimumRows + 1_000))
        func bulkChosen(_ file: String, existingCustomers: Int64 = 0) throws -> Bool {
            if existingCustomers > 0 {
                try DatabaseQueue(path: w.path("test.sqlite")).write { db in
                    try db.execute(sql: "INSERT OR IGNORE INTO stores (id, code, time_zone, created_at) VALUES (1, 'main', 'UTC', 'now')")
                    try db.execute(
                        sql: """
                            INSERT INTO customers (id, store_id, match_key, match_hash, first_name, last_name, consent_sms, consent_email,
                                consent_phone, consent_source, consent_at, last_deal_on, created_at, updated_at)
                            VALUES (?1, 1, 'n:X' || ?1, ?1, 'X', 'Y', 0, 0, 0, 'test', 'now', '2026-01-01', 'now', 'now')
                            """, arguments: [existingCustomers])
                }
            }
            let importer = try DealImporter(database: db, options: ImportOptions(menu: m))
            try importer.prepare(files: [file])
            defer { try? importer.endBulk() }
            return importer.bulk != nil
        }
        #expect(try !bulkChosen(small))
        #expect(try bulkChosen(large))
        #expect(try keyIndexes(w.path("test.sqlite")) == ["customers_match:1", "vehicles_vin:1"])
        #expect(try bulkChosen(large, existingCustomers: Int64(BulkMode.minimumRows) / 2))
        #expect(try !bulkChosen(large, existingCustomers: Int64(BulkMode.minimumRows)))
    }

    /// One import at a time per database file: while one holds the lock, another cannot take it.
    @Test func importsTakeTurnsOnADatabase() throws {
        let w = try Workspace()
        let db = try w.database()
        var heldElsewhere = false
        try db.withImportLock {
            let fd = open(w.path("test.sqlite") + "-import.lock", O_RDWR)
            defer { close(fd) }
            heldElsewhere = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK
        }
        #expect(heldElsewhere)
        let fd = open(w.path("test.sqlite") + "-import.lock", O_RDWR)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
    }
}
