import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite

/// PostgreSQL's import writes runs of new, independent deals together (`DealChunk`) and everything else row by row;
/// SQLite writes row by row. The same files in the same order, at several batch sizes, must leave both databases
/// holding the same: every reason a chunk ends and every fallback is exercised, and the whole stored state compared.
@Suite(.talliedByBackend) struct ChunkedImportParityTests {
    static let header =
        "deal_number,store,status,contract_date,deal_type,buyer_first_name,buyer_last_name,buyer_email,buyer_phone,consent_sms,consent_email,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,odometer,selling_price,vehicle_value,salesperson_id,salesperson_name,vsc_outcome,vsc_price,gap_outcome,gap_price"

    /// One canonical row. `phone` picks the customer (its match key), `vin` the vehicle.
    static func row(
        _ number: String, phone: String, vin: String, date: String = "2026-06-01", first: String = "Ana", status: String = "finalized",
        sms: String = "Y", store: String = "main", sales: String = "S1", vsc: String = "declined", gap: String = "sold"
    ) -> String {
        "\(number),\(store),\(status),\(date),cash,\(first),Rivera,,512-555-\(phone),\(sms),N,\(vin),2024,Honda,Accord,new,\(number.count * 1000),"
            + "31000,29000,\(sales),Sam \(sales),\(vsc),2400,\(gap),900"
    }

    /// The n-th VIN of the tests, its check digit put right.
    static func vin(_ n: Int) -> String {
        var bytes = Array("1HGCM8263\(String(format: "%08d", n))".utf8)
        guard let digit = VIN.checkDigit(bytes), let ascii = digit.asciiValue else { return "" }
        bytes[8] = ascii
        return String(decoding: bytes, as: UTF8.self)
    }

    /// What both databases must hold alike: every row an import writes, in id order (customers and vehicles by their
    /// order, since PostgreSQL's upserts draw ids they do not use), without the import's times of day.
    static let stateQueries = [
        """
        SELECT s.code, c.match_key, c.match_hash, c.first_name, c.last_name, c.email, c.phone, c.customer_number, c.consent_sms,
               c.consent_email, c.consent_phone, c.consent_source, c.consent_at, c.consent_sms_source, c.consent_sms_at,
               c.consent_email_source, c.consent_phone_source, c.last_deal_on, c.created_at, c.updated_at
        FROM customers c JOIN stores s ON s.id = c.store_id ORDER BY c.id
        """,
        "SELECT vin, vin_hash, year, make, model, in_service_date, in_service_estimated FROM vehicles ORDER BY id",
        """
        SELECT d.id, s.code, d.deal_number, c.match_key, v.vin, d.status, d.contract_date, d.delivery_date, d.odometer,
               d.selling_price_cents, d.fingerprint, sp.staff_code, d.import_run_id, d.created_at, d.updated_at
        FROM deals d JOIN stores s ON s.id = d.store_id JOIN customers c ON c.id = d.customer_id JOIN vehicles v ON v.id = d.vehicle_id
        LEFT JOIN staff sp ON sp.id = d.salesperson_id ORDER BY d.id
        """,
        "SELECT deal_id, product_code, outcome, price_cents, cost_cents, reason, presumed FROM deal_products ORDER BY deal_id, product_code",
        "SELECT id, deal_id, product_code, kind, occurred_on, price_cents, cost_cents, source, detail FROM events ORDER BY id",
        "SELECT deal_id, product_code, source, reference, price_cents, quoted_cents, reason, sold_by FROM recoveries ORDER BY deal_id, product_code",
        "SELECT id, import_run_id, line, deal_number, field, value, error, severity, declines FROM rejects ORDER BY id",
        "SELECT store_id, product_code, sold_on, contracts FROM desk_sales WHERE contracts <> 0 ORDER BY store_id, product_code, sold_on",
        "SELECT id, read_count, inserted, updated, unchanged, rejected, declines, status FROM import_runs ORDER BY id",
        "SELECT id, store_id, staff_code, name, role FROM staff ORDER BY id",
        "SELECT id, address, channel, action, source, detail, reference FROM opt_outs ORDER BY id",
    ]

    static func state(_ db: any Storage) async throws -> [String] {
        var lines: [String] = []
        for sql in stateQueries { lines += try await StoredSQL(db).rows(sql).map(\.description) + ["--"] }
        return lines
    }

    /// The summary's figures an import reports.
    static func figures(_ s: ImportSummary) -> [Int] {
        [s.read, s.inserted, s.updated, s.unchanged, s.rejected, s.declines, s.unwinds, s.recoveries, s.rejects.count]
    }

    /// Imports each of `files` (with its options) into a SQLite and a PostgreSQL database, expecting the same summaries,
    /// then the same stored state; returns the state, for the test's own checks. `prepare` runs first on each.
    @discardableResult
    static func importIntoBoth(
        _ w: Workspace, _ files: [(String, ImportOptions)], prepare: (StoredSQL) async throws -> Void = { _ in }
    ) async throws -> [String] {
        let sqlite = try await w.storage(.sqlite, "reference")
        let postgres = try await w.storage(.postgres, "chunked")
        for db in [sqlite, postgres] { try await prepare(StoredSQL(db)) }
        for (file, options) in files {
            let a = try await sqlite.importDeals(files: [file], options: options)
            let b = try await postgres.importDeals(files: [file], options: options)
            #expect(figures(a) == figures(b), "\(file)")
            #expect(a.rejects == b.rejects, "\(file)")
        }
        let (a, b) = (try await state(sqlite), try await state(postgres))
        #expect(a == b)
        for (x, y) in zip(a, b) where x != y {
            Issue.record("first difference:\nSQLite:     \(x)\nPostgreSQL: \(y)")
            break
        }
        return b
    }

    static func options(batch: Int, stores: Set<String>? = nil) throws -> ImportOptions {
        var o = ImportOptions(menu: try menu(), writeRejectsFile: false)
        o.batchSize = batch
        o.allowedStores = stores
        return o
    }

    /// Repeat customers within and across chunks, a VIN twice, a deal first imported as unwound, an older deal of a
    /// returning customer, a consent change, a repeated deal number, a refused row, a customer whose first hash another
    /// key holds, then the same file again (unchanged) and a file that changes deals and adds new ones.
    @Test(arguments: [1, 3, 50_000])
    func everyReasonAChunkEndsGivesWhatRowByRowGives(batch: Int) async throws {
        let w = try Workspace()
        let rows = [
            Self.row("D-1", phone: "0101", vin: Self.vin(1)),
            Self.row("D-2", phone: "0102", vin: Self.vin(2), status: "unwound", sales: "S2"),
            Self.row("D-3", phone: "0101", vin: Self.vin(3), date: "2026-06-05", first: "Anna"),  // repeat customer
            Self.row("D-4", phone: "0103", vin: Self.vin(2)),  // the same VIN
            Self.row("D-5", phone: "0199", vin: Self.vin(5), sales: "S3"),  // a collision (prepared below)
            Self.row("D-1", phone: "0104", vin: Self.vin(6)),  // a repeated number: refused
            Self.row("D-6", phone: "0102", vin: Self.vin(7), date: "2026-05-01", first: "Old", sms: "N"),  // older deal
            Self.row("D-7", phone: "0105", vin: "BAD"),  // refused
            Self.row("D-8", phone: "0103", vin: Self.vin(8), date: "2026-06-09", status: "unwound", sms: "N"),
            Self.row("D-9", phone: "0106", vin: Self.vin(9)),
        ]
        let first = try w.write("first.csv", ([Self.header] + rows).joined(separator: "\n") + "\n")
        let changed = [
            Self.row("D-1", phone: "0101", vin: Self.vin(1), vsc: "sold"),  // changed: a recovery
            Self.row("D-10", phone: "0101", vin: Self.vin(10), date: "2026-07-01"),  // repeat customer across chunks
            Self.row("D-2", phone: "0102", vin: Self.vin(2), sales: "S2"),  // reinstated
            Self.row("D-11", phone: "0107", vin: Self.vin(1), date: "2026-07-02"),  // a stored VIN
            Self.row("D-9", phone: "0106", vin: Self.vin(9)),  // unchanged
            Self.row("D-12", phone: "0199", vin: Self.vin(12)),  // the collided customer again
        ]
        let second = try w.write("second.csv", ([Self.header] + changed).joined(separator: "\n") + "\n")
        let o = try Self.options(batch: batch)
        let state = try await Self.importIntoBoth(w, [(first, o), (first, o), (second, o)]) { sql in
            try await Self.holdFirstHash(of: "p:+15125550199", sql)
        }
        // The collided customer lives at the next hash of its chain; the chunks and fallbacks wrote events.
        let next = String(StableHash.of("p:+15125550199", attempt: 1))
        #expect(state.contains { $0.contains("p:+15125550199") && $0.contains(next) })
        #expect(state.contains { $0.contains("kind=") && $0.contains("unwound") } && state.contains { $0.contains("recovered") })
    }

    /// Puts another key's customer at `key`'s first hash (store `main`, created here), as two keys colliding would.
    static func holdFirstHash(of key: String, _ sql: StoredSQL) async throws {
        try await sql.execute(
            "INSERT INTO stores (code, name, time_zone, created_at) VALUES ('main', 'Main', 'America/Chicago', '2026-01-01T00:00:00Z')")
        try await sql.execute(
            """
            INSERT INTO customers (store_id, match_key, match_hash, first_name, last_name, consent_sms, consent_email, consent_phone,
                consent_source, consent_at, last_deal_on, created_at, updated_at)
            VALUES ((SELECT id FROM stores WHERE code = 'main'), 'n:OTHER', ?, 'Other', 'Person', ?, ?, ?, 'test', '2026-01-01T00:00:00Z',
                '2026-01-01', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
            """, [StableHash.of(key), false, false, false])
    }

    /// DMS blocks mid-file (their rows written row by row, the rows around them in chunks), in batches of 1, 3 and all.
    @Test(arguments: [1, 3, 50_000])
    func rowsWithDMSBlocksMidFile(batch: Int) async throws {
        let w = try Workspace()
        func dv(_ number: Int, phone: String, block: String) -> String {
            "\(number),Finalized,05/02/2026,05/02/2026,Cash,N,Maria,Lopez,m\(number)@example.com,(512) 555-\(phone),TX,78701,C-\(number),"
                + "\(block),\(block),,,N,N,\(Self.vin(number)),2026,Toyota,Camry,11,31250.00,,,,"
        }
        let rows = [
            dv(1, phone: "0142", block: "N"), dv(2, phone: "0143", block: "Y"), dv(3, phone: "0142", block: "N"),
            dv(4, phone: "0144", block: "N"),
        ]
        let file = try w.write("dv.csv", ([DMSBlockTests.header] + rows).joined(separator: "\n") + "\n")
        var o = try Self.options(batch: batch)
        o.profile = .dealervault
        let state = try await Self.importIntoBoth(w, [(file, o), (file, o)])
        #expect(state.contains { $0.contains("dms_block") })
    }

    /// An import limited to some stores goes row by row; a vehicle another store's deal holds is linked, not rewritten.
    @Test(arguments: [1, 3, 50_000])
    func anImportLimitedToSomeStores(batch: Int) async throws {
        let w = try Workspace()
        let north = try w.write(
            "north.csv", [Self.header, Self.row("N-1", phone: "0101", vin: Self.vin(1), store: "north")].joined(separator: "\n") + "\n")
        let rows = [
            Self.row("M-1", phone: "0101", vin: Self.vin(1)), Self.row("M-2", phone: "0102", vin: Self.vin(2)),
            Self.row("N-2", phone: "0102", vin: Self.vin(3), store: "north"), Self.row("M-3", phone: "0103", vin: Self.vin(4)),
        ]
        let main = try w.write("main.csv", ([Self.header] + rows).joined(separator: "\n") + "\n")
        try await Self.importIntoBoth(
            w, [(north, try Self.options(batch: batch)), (main, try Self.options(batch: batch, stores: ["main"]))])
    }

    /// Property: a generated file (customers and VINs drawn from small pools, so repeats are common; some rows again,
    /// some refused), shuffled by a seed, imported, imported again, then a changed copy: both databases equal.
    @Test(arguments: [(11 as UInt64, 1), (12, 3), (13, 7), (14, 50_000), (15, 40)])
    func aShuffledGeneratedFileGivesTheSameOnBoth(seed: UInt64, batch: Int) async throws {
        let w = try Workspace()
        var rng = SeededGenerator(seed: seed)
        var rows: [String] = []
        for n in 1...120 {
            let day = 1 + Int.random(in: 0..<28, using: &rng)
            rows.append(
                Self.row(
                    "G-\(n)", phone: String(format: "%04d", 100 + Int.random(in: 0..<25, using: &rng)),
                    vin: Int.random(in: 0..<20, using: &rng) == 0 ? "BAD" : Self.vin(Int.random(in: 0..<40, using: &rng)),
                    date: String(format: "2026-06-%02d", day), first: ["Ana", "Bo", "Cy"].randomElement(using: &rng) ?? "Ana",
                    status: Int.random(in: 0..<8, using: &rng) == 0 ? "unwound" : "finalized",
                    sms: Bool.random(using: &rng) ? "Y" : "N", store: Int.random(in: 0..<4, using: &rng) == 0 ? "north" : "main",
                    sales: "S\(Int.random(in: 0..<6, using: &rng))", vsc: Bool.random(using: &rng) ? "sold" : "declined"))
        }
        rows += (0..<15).compactMap { _ in rows.randomElement(using: &rng) }
        rows.shuffle(using: &rng)
        let file = try w.write("gen.csv", ([Self.header] + rows).joined(separator: "\n") + "\n")
        let changedRows = rows.map {
            Int.random(in: 0..<5, using: &rng) == 0 ? $0.replacingOccurrences(of: ",declined,", with: ",sold,") : $0
        }
        let changed = try w.write("gen2.csv", ([Self.header] + changedRows.shuffled(using: &rng)).joined(separator: "\n") + "\n")
        let o = try Self.options(batch: batch)
        try await Self.importIntoBoth(w, [(file, o), (file, o), (changed, o)])
    }
}

/// A small deterministic random number generator (SplitMix64), for generated files that are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
