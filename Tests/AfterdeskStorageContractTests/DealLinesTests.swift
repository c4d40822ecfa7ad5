import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import NIOCore
import PostgresNIO
import Testing

@testable import AfterdeskPostgres

/// A report's deals read as text lines, a block of ids a row (`DealLines`): parsed field by field, anything out of place
/// an error naming the byte, never a trap or a guess; and, on PostgreSQL, the same deals, numbers, dates, managers, arms
/// and declines as the row-per-deal read the scorecard keeps (`withSold`), whatever the deal numbers hold.
@Suite struct DealLinesTests {
    func parse(_ text: String) throws -> [DeskDealCursor.Deal] {
        var deals: [DeskDealCursor.Deal] = []
        try DealLines.parse(ByteBuffer(string: text), into: &deals)
        return deals
    }

    @Test func linesAreReadFieldByField() throws {
        let deals = try parse(
            "7 3 9453 17 0 6 D-1041 2 3 gap 89500 3 vsc 129900\n9 1 -3 - - 9 A 1\nB 2é 0\n12 2 0 5 1 0  1 10 tire_wheel -")
        #expect(deals.count == 3)
        #expect(
            deals[0]
                == DeskDealCursor.Deal(
                    id: 7, store: 3, number: "D-1041", contract: LocalDate(year: 2025, month: 11, day: 18)!, fiManager: 17,
                    heldOut: false,
                    products: [
                        .init(code: "gap", priceCents: 89_500, outcome: .declined, costCents: nil),
                        .init(code: "vsc", priceCents: 129_900, outcome: .declined, costCents: nil),
                    ]))
        // A deal number holds what it holds: spaces, a new line, letters of any script, read by its length in bytes.
        #expect(deals[1].number == "A 1\nB 2é" && deals[1].fiManager == nil && deals[1].heldOut == nil && deals[1].products.isEmpty)
        #expect(deals[1].contract == LocalDate(year: 1999, month: 12, day: 29))
        #expect(
            deals[2].number == "" && deals[2].heldOut == true
                && deals[2].products == [.init(code: "tire_wheel", priceCents: nil, outcome: .declined, costCents: nil)])
    }

    @Test func aDealsDeclinesComeInTheCodesByteOrder() throws {
        let deals = try parse("1 1 0 - - 1 x 3 3 vsc 1 3 gap 2 1 Z 3")
        #expect(deals.map { $0.products.map(\.code) } == [["Z", "gap", "vsc"]])
    }

    /// A product code, like a deal number, is read by its length: spaces and new lines in it are its own.
    @Test func aCodeHoldsWhatItHolds() throws {
        let deals = try parse("5 1 0 - - 1 x 1 30 gap 100\n6 1 9000 - - 1 x 1 vsc -")
        #expect(deals.count == 1 && deals[0].products.map(\.code) == ["gap 100\n6 1 9000 - - 1 x 1 vsc"])
    }

    @Test(arguments: [
        "",  // no deal at all
        "1 1 0 - - 1 x 2 3 gap 5555555555",  // fewer declines than its count
        "1 1 0 - - 1 x 1 9 gap 5",  // a code longer than the cell
        "1 1 0 - - 1 x 1 -3 gap 5",  // a code's negative length
        "1 1 0 - - 9 x 0",  // a deal number longer than the cell
        "1 1 0 - - -1 x 0",  // a negative length
        "1 1 0 - - 1 x 0\n1 1 0 - - 1 y 0",  // ids that do not ascend
        "1 1 0 - 2 1 x 0",  // an arm neither 0 nor 1
        "1 1 99999999999 - - 1 x 0",  // a date out of range
        "1 1 3000000 - - 1 x 0",  // a date past the year 9999
        "99999999999999999999 1 0 - - 1 x 0",  // a number past Int64
        "- 1 0 - - 1 x 0",  // a missing id
        "1 1 0 - - 1 x 1 3 gap 12x",  // a price that is not a number
        "1 1 0 - - 1 x 0 ",  // a trailing space
        "1 1 0 - - 1 x 0\n",  // a trailing new line
        "1  1 0 - - 1 x 0",  // two spaces
        "1 1 0 - - 1 x 9223372036854775807",  // a count past what the cell could hold
        "1 1 0 - - 1 x -1",  // a negative count
    ])
    func anythingOutOfPlaceIsAnError(_ text: String) {
        let error = #expect(throws: StoreError.self) { try parse(text) }
        #expect(error?.message.contains("a report's deal lines:") == true, "\(String(describing: error))")
    }

    /// 14,000 ids' worth of deals of every kind the lines must carry (more blocks than a page holds), and two far beyond
    /// them, the last at the largest id there is (see `theLinesGiveWhatARowPerDealGives`).
    static func messyDeals(_ s: PostgresStorage) async throws {
        try await s.withDirectConnection { conn in
            for sql in [
                "SET session_replication_role = replica",  // the rows alone matter here, not what they refer to
                """
                INSERT INTO deals (id, store_id, deal_number, customer_id, vehicle_id, status, contract_date, delivery_date, deal_type,
                    vehicle_condition, odometer, selling_price_cents, vehicle_value_cents, fi_manager_id, fingerprint, import_run_id,
                    created_at, updated_at)
                OVERRIDING SYSTEM VALUE
                SELECT n, 1 + n % 3, CASE n % 7 WHEN 0 THEN 'A ' || n || E'\\nB' WHEN 1 THEN 'Ω-' || n ELSE 'D' || n END, 1, 1,
                    CASE WHEN n % 17 = 0 THEN 'unwound' ELSE 'finalized' END, DATE '2026-01-01' + (n % 200), DATE '2026-01-01',
                    'cash', 'new', 10, 1, 1, CASE WHEN n % 5 = 0 THEN NULL ELSE 100 + n % 7 END, n, 1, now(), now()
                FROM generate_series(1, 14000) AS n WHERE n % 11 <> 0 AND n NOT BETWEEN 520 AND 800
                UNION ALL SELECT 9000000000000000000, 1, 'far', 1, 1, 'finalized', DATE '2026-03-01', DATE '2026-03-01', 'cash', 'new', 10, 1,
                    1, NULL, 1, 1, now(), now()
                UNION ALL SELECT 9223372036854775807, 1, 'last', 1, 1, 'finalized', DATE '2026-03-02', DATE '2026-03-02', 'cash', 'new', 10, 1,
                    1, NULL, 1, 1, now(), now()
                """,
                """
                INSERT INTO deal_products (deal_id, product_code, outcome, price_cents, cost_cents, presumed)
                SELECT id, code, CASE WHEN (id % 1000000 + k) % 4 = 0 THEN 'sold' ELSE 'declined' END,
                    CASE WHEN (id % 1000000 * k) % 6 = 0 THEN NULL ELSE id % 1000000 * 10 + k END, 7, false
                FROM deals, unnest(ARRAY['vsc', 'gap', 'tire_wheel', 'Z_9', E'gap 100\\n6 1 9000 - - 1 x 1 vsc']) WITH ORDINALITY AS u(code, k)
                WHERE (id % 1000000 + k) % 5 <> 0
                """,
                """
                INSERT INTO deal_arms (deal_id, held_out, bucket, percent, assigned_at)
                SELECT id, id % 3 = 0, 0, 10, now() FROM deals WHERE id % 3 <> 2
                """,
                "RESET session_replication_role",
            ] {
                try await conn.run(PostgresQuery(unsafeSQL: sql), s.logger)
            }
        }
    }

    /// The deals of `range` as `DeskDealCursor` reads them, by lines or (`withSold`) a row per deal.
    static func read(
        _ s: PostgresStorage, _ p: ReportParameters, _ range: ClosedRange<Int64>, withSold: Bool
    ) async throws -> [DeskDealCursor.Deal] {
        try await s.withDirectConnection { conn in
            try await conn.run("BEGIN", s.logger)
            let cursor = try await DeskDealCursor(conn, p, deals: range, withSold: withSold, logger: s.logger)
            var all: [DeskDealCursor.Deal] = []
            while true {
                let (deals, last) = try await cursor.page()
                all += deals
                if last { break }
            }
            try await conn.run("COMMIT", s.logger)
            return all
        }
    }

    /// Deals spread over several blocks of ids, with gaps, unwound deals, dates out of the period, deal numbers with
    /// spaces, new lines and accents, no manager, no arm, products sold and declined, prices missing: read by lines (the
    /// report), by every range's edge, they are the deals and declines the row-per-deal read gives.
    @Test func theLinesGiveWhatARowPerDealGives() async throws {
        let s = try await PostgresTestDatabases.shared.fresh(clock: .fixed(Date(timeIntervalSince1970: 0)), uploads: "/tmp")
        defer { s.close() }
        let menu = try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
        let p = ReportParameters(
            asOf: LocalDate(year: 2026, month: 12, day: 1)!, from: LocalDate(year: 2026, month: 1, day: 10)!,
            to: LocalDate(year: 2026, month: 6, day: 30)!, menu: menu)
        try await Self.messyDeals(s)
        // A report made later than its period, and one made within it (its as-of date ends the deals it counts).
        var early = p
        early.asOf = LocalDate(year: 2026, month: 4, day: 1)!
        var seen = 0
        for (range, q): (ClosedRange<Int64>, ReportParameters) in [
            (.min ... .max, p), (.min ... .max, early), (150...900, p), (256...511, p), (255...256, p), (1_100...5_000, p),
            (2_000...3_000, early), (13_000 ... .max, p),
        ] {
            let lines = try await Self.read(s, q, range, withSold: false)
            var rows = try await Self.read(s, q, range, withSold: true)
            for i in rows.indices {
                rows[i].products = rows[i].products.filter { $0.outcome == .declined }.map {
                    var d = $0
                    d.costCents = nil
                    return d
                }
            }
            #expect(lines == rows, "\(range)")
            #expect(lines.allSatisfy { range.contains($0.id) && $0.contract >= q.from && $0.contract <= min(q.to, q.asOf) })
            seen += lines.count
        }
        let all = try await Self.read(s, p, .min ... .max, withSold: false)
        let earlyDeals = try await Self.read(s, early, .min ... .max, withSold: false)
        // More blocks than a page holds, so the deals come in pages.
        #expect(Set(all.map { $0.id >> DealLines.blockBits }).count > DealLines.blocksPerPage)
        #expect(earlyDeals.count < all.count && seen > all.count)
        #expect(all.suffix(2).map(\.number) == ["far", "last"])
        #expect(all.contains { $0.number.contains("\n") && $0.number.contains(" ") } && all.contains { $0.number.hasPrefix("Ω") })
        #expect(all.contains { $0.fiManager == nil } && all.contains { $0.heldOut == nil } && all.contains { $0.heldOut == true })
        #expect(
            all.contains { $0.products.contains { $0.priceCents == nil } }
                && all.contains { $0.products.count >= 2 && $0.products.first?.code == "Z_9" })
        #expect(all.contains { $0.products.contains { $0.code == "gap 100\n6 1 9000 - - 1 x 1 vsc" } })
    }

    /// On tables never analyzed (a copy or a small import just written), both reads look each block's or each deal's
    /// rows up by key: the scorecard's grouped read aggregated every product of the range once per deal instead.
    @Test func bothReadsLookUpByKeyOnTablesNeverAnalyzed() async throws {
        let s = try await PostgresTestDatabases.shared.fresh(clock: .fixed(Date(timeIntervalSince1970: 0)), uploads: "/tmp")
        defer { s.close() }
        let p = ReportParameters(
            asOf: LocalDate(year: 2026, month: 12, day: 1)!, from: LocalDate(year: 2026, month: 1, day: 10)!,
            to: LocalDate(year: 2026, month: 6, day: 30)!, menu: try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml"))
        try await Self.messyDeals(s)
        let plans = try await s.withDirectConnection { conn in
            try await conn.run("BEGIN", s.logger)
            var plans: [String] = []
            for query in [DeskDealCursor.scorecard(p, low: .min, high: .max), DealLines.query(p, low: .min, high: .max)] {
                let plan = try await conn.all(
                    String.self, PostgresQuery(unsafeSQL: "EXPLAIN DECLARE c NO SCROLL CURSOR FOR " + query.sql, binds: query.binds),
                    s.logger)
                plans.append(plan.joined(separator: "\n"))
            }
            try await conn.run("COMMIT", s.logger)
            return plans
        }
        #expect(plans[0].contains("(deal_id = d.id)"), "\(plans[0])")
        #expect(plans[1].contains("Nested Loop") && !plans[1].contains("Seq Scan on deal_products"), "\(plans[1])")
        let rows = try await Self.read(s, p, .min ... .max, withSold: true)
        #expect(rows.count > 10_000)
    }
}
