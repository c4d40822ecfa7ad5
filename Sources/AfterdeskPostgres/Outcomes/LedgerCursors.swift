import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// The deals in a report's scope (finalized, contracted within its dates), in id order, each with its recorded arm and
/// its products at the desk, read without postgres-nio's generic decoding. The store is checked by the reader, as on
/// SQLite. Read a page at a time by `page()`, which holds no state of its own (the cursor is the server's), so the
/// reader fetches and decodes the next page while it works through the one before.
///
/// A report (its declines alone) reads its deals as `DealLines`: the deals of each block of 256 ids as one text cell,
/// a line each, so a million deals are about four thousand rows. Read a row per deal, PostgreSQL's answer was a million
/// rows of eight cells, and receiving and decoding them (each row a message postgres-nio parses, queues and hands over,
/// each cell a value of its own) was about 40% of the report's own time. The scorecard (every product of the deal, with
/// its outcome and cost) reads a row per deal, the products as arrays.
struct DeskDealCursor: Sendable {
    /// A deal of the report's scope.
    struct Deal: Sendable, Equatable {
        var id: Int64, store: Int64, number: String, contract: LocalDate, fiManager: Int64?
        /// The arm recorded for the deal (true: held out), nil when none was.
        var heldOut: Bool?
        /// Its declines (with `withSold`, its products sold at the desk too), by product code in byte order.
        var products: [Product]
    }

    /// A product of the deal at the desk.
    struct Product: Sendable, Equatable {
        var code: String
        var priceCents: Int64?
        var outcome: ProductOutcome
        var costCents: Int64?
    }

    private let conn: PostgresConnection
    private let logger: Logger
    /// Whether the rows carry the products' outcomes and costs (else every product is a decline, its cost unread).
    private let withSold: Bool

    /// The deals with ids in `range`. `withSold` (the scorecard): every product of the deal, with its outcome and cost;
    /// else its declines alone.
    init(_ conn: PostgresConnection, _ p: ReportParameters, deals range: ClosedRange<Int64>, withSold: Bool, logger: Logger)
        async throws
    {
        // The arms and the products of the deals in `range` alone (PostgreSQL does not carry the deals' range into the
        // joined tables on its own).
        let (low, high) = (range.lowerBound, range.upperBound)
        (self.conn, self.logger, self.withSold) = (conn, logger, withSold)
        try await PagedCursor.declare(
            conn, name: "ledger_deals",
            withSold ? Self.scorecard(p, low: low, high: high) : DealLines.query(p, low: low, high: high), logger: logger)
    }

    /// The scorecard's deals with ids from `low` to `high` in the report's scope, a row each with its products as arrays.
    /// Each deal's products are read by its key (a lateral look-up), not grouped over the range and joined: on tables
    /// not yet analyzed (a copy or a small import just written, before autovacuum), PostgreSQL took the range for a row
    /// and aggregated every product in it once per deal (minutes for 14,000 deals). The look-ups cost a million deals'
    /// scorecard about 0.8 s more (9.8–9.9 s against 8.9–9.1 s).
    static func scorecard(_ p: ReportParameters, low: Int64, high: Int64) -> PostgresQuery {
        """
        SELECT d.id, d.store_id, d.deal_number, d.contract_date, d.fi_manager_id, a.held_out, p.codes, p.prices, p.outcomes, p.costs
        FROM deals d LEFT JOIN deal_arms a ON a.deal_id = d.id AND a.deal_id >= \(low) AND a.deal_id <= \(high)
        LEFT JOIN LATERAL (
            SELECT array_agg(product_code) AS codes, array_agg(price_cents) AS prices, array_agg(outcome) AS outcomes,
                array_agg(cost_cents) AS costs
            FROM deal_products WHERE deal_id = d.id
        ) p ON true
        WHERE d.status = 'finalized' AND d.contract_date >= \(p.from) AND d.contract_date <= \(p.to)
            AND d.contract_date <= \(p.asOf) AND d.id >= \(low) AND d.id <= \(high)
        ORDER BY d.id
        """
    }

    /// The next page of deals (`PagedCursor.pageSize` of them, or `DealLines.blocksPerPage` blocks of them), and whether
    /// it is the last (after the last, none).
    func page() async throws -> (deals: [Deal], last: Bool) {
        guard !withSold else {
            let rows = try await PagedCursor.fetch(conn, name: "ledger_deals", logger: logger)
            return (try rows.map { try DeskDealCursor.deal($0) }, rows.count < PagedCursor.pageSize)
        }
        let rows = try await PagedCursor.fetch(conn, name: "ledger_deals", rows: DealLines.blocksPerPage, logger: logger)
        var deals: [Deal] = []
        deals.reserveCapacity(rows.count << DealLines.blockBits)
        for row in rows {
            var cells = BinaryCells(row)
            try DealLines.parse(try cells.textBytes(), into: &deals)
        }
        return (deals, rows.count < DealLines.blocksPerPage)
    }

    /// The deal of a scorecard's `row`.
    private static func deal(_ row: PostgresRow) throws -> Deal {
        var cells = BinaryCells(row)
        var deal = Deal(
            id: try cells.int64(), store: try cells.int64(), number: try cells.string(), contract: try cells.date(),
            fiManager: try cells.int64OrNil(), heldOut: try cells.boolOrNil(), products: [])
        let codes = try cells.strings()
        let prices = try cells.int64s()
        let outcomes = try cells.strings()
        let costs = try cells.int64s()
        guard prices.count == codes.count, outcomes.count == codes.count, costs.count == codes.count
        else { throw BinaryCells.error("deal \(deal.id)'s product arrays differ in length") }
        deal.products.reserveCapacity(codes.count)
        for (i, code) in codes.enumerated() {
            // A row of neither outcome, which nothing writes, is passed over.
            let outcome = ProductOutcome(rawValue: outcomes[i]) ?? .notOffered
            guard outcome != .notOffered else { continue }
            deal.products.append(Product(code: code, priceCents: prices[i], outcome: outcome, costCents: costs[i]))
        }
        deal.putInCodeOrder()
        return deal
    }
}

extension DeskDealCursor.Deal {
    /// Its products by code in byte order. The aggregates keep the order of the index they read, (deal_id, product_code);
    /// a plan that read them otherwise is put right here rather than trusted.
    mutating func putInCodeOrder() {
        let products = self.products
        if zip(products, products.dropFirst()).contains(where: { LedgerKey.codeBefore($1.code, $0.code) }) {
            self.products.sort { LedgerKey.codeBefore($0.code, $1.code) }
        }
    }
}

/// A report's deals as text lines, those of a block of `1 << blockBits` ids in one cell, in id order: its id, store id,
/// contract date (days after 2000-01-01), F&I manager's id, recorded arm (1 held out, 0 treated), the deal number's
/// length in bytes and the deal number, then its number of declines and each decline's product code (its length in
/// bytes, then the code) and quoted price. Fields are separated by one space, a missing value is `-`, lines by a new
/// line:
///
///     1041 3 9453 17 0 6 D-1041 2 3 gap 89500 3 vsc 129900
///
/// Every field is a number but the deal number and the product codes, each read by its length (they may hold anything,
/// spaces and new lines too). Anything out of place is an error naming the byte, never a guess.
enum DealLines {
    /// 256 ids a block: about 4,000 rows for a million deals, each cell about 25 KB.
    static let blockBits = 8
    /// Blocks a page holds: about 10,000 deals, as the other streams' pages.
    static let blocksPerPage = 40

    /// The blocks of the deals with ids from `low` to `high` in the report's scope, one row each, in id order. Each
    /// block's deals, arms and declines are read by a range of their indexes (a nested loop over the blocks, which keeps
    /// their order); grouped by `d.id >> 8` instead, PostgreSQL sorted every deal's line by it first, 0.3 s more a half.
    /// The blocks are found one from the next by the deals' key (`blocks`), so ids far apart cost no empty blocks.
    static func query(_ p: ReportParameters, low: Int64, high: Int64) -> PostgresQuery {
        let (bits, last) = (String(blockBits), String((1 << blockBits) - 1))
        // The last block's end, (b << 8) + 255, is at most Int64.max: b is at most Int64.max >> 8.
        return """
            WITH RECURSIVE blocks(b) AS (
                SELECT min(id) >> \(unescaped: bits) FROM deals WHERE id >= \(low) AND id <= \(high)
                UNION ALL
                SELECT (SELECT min(id) >> \(unescaped: bits) FROM deals WHERE id > (b << \(unescaped: bits)) + \(unescaped: last) AND id <= \(high))
                FROM blocks WHERE b IS NOT NULL
            )
            SELECT c FROM (SELECT b FROM blocks WHERE b IS NOT NULL ORDER BY b) AS found, LATERAL (
                SELECT string_agg(
                    concat_ws(' ', d.id, d.store_id, d.contract_date - DATE '2000-01-01', COALESCE(d.fi_manager_id::text, '-'),
                        COALESCE(a.held_out::int::text, '-'), octet_length(d.deal_number), d.deal_number, COALESCE(p.n, 0))
                    || COALESCE(p.declines, ''),
                    E'\\n' ORDER BY d.id) AS c
                FROM deals d
                LEFT JOIN deal_arms a ON a.deal_id = d.id
                    AND a.deal_id >= greatest(\(low), b << \(unescaped: bits)) AND a.deal_id <= least(\(high), (b << \(unescaped: bits)) + \(unescaped: last))
                LEFT JOIN (
                    SELECT deal_id, count(*) AS n,
                        string_agg(' ' || octet_length(product_code) || ' ' || product_code || ' ' || COALESCE(price_cents::text, '-'), '')
                            AS declines
                    FROM deal_products
                    WHERE outcome = 'declined'
                        AND deal_id >= greatest(\(low), b << \(unescaped: bits)) AND deal_id <= least(\(high), (b << \(unescaped: bits)) + \(unescaped: last))
                    GROUP BY deal_id
                ) p ON p.deal_id = d.id
                WHERE d.status = 'finalized' AND d.contract_date >= \(p.from) AND d.contract_date <= \(p.to)
                    AND d.contract_date <= \(p.asOf)
                    AND d.id >= greatest(\(low), b << \(unescaped: bits)) AND d.id <= least(\(high), (b << \(unescaped: bits)) + \(unescaped: last))
            ) AS s
            WHERE c IS NOT NULL
            ORDER BY b
            """
    }

    /// Appends the deals of `cell`, a block's lines, to `deals`, checking their ids ascend.
    static func parse(_ cell: ByteBuffer, into deals: inout [DeskDealCursor.Deal]) throws {
        try cell.withUnsafeReadableBytes { bytes in
            var r = Reader(bytes: bytes)
            var previous = deals.last?.id ?? .min
            while true {
                let id = try r.number()
                guard id > previous else { throw r.failure("deal \(id) comes after deal \(previous)") }
                previous = id
                try r.space()
                let store = try r.number()
                try r.space()
                let days = try r.number()
                // A day LocalDate holds (years 1 to 9999), never clamped into one.
                let offset = Int64(LocalDate.postgresEpochOffset)
                guard days >= Int64(LocalDate.first.daysSinceEpoch) - offset, days <= Int64(LocalDate.last.daysSinceEpoch) - offset
                else { throw r.failure("a contract date is out of range") }
                try r.space()
                let fi = try r.numberOrNil()
                try r.space()
                let arm = try r.numberOrNil()
                guard arm == nil || arm == 0 || arm == 1 else { throw r.failure("an arm is neither 0 nor 1") }
                try r.space()
                let length = try r.number()
                try r.space()
                let number = try r.text(length: length)
                try r.space()
                let count = try r.number()
                // Each decline takes 5 bytes at least (" 0  -"): a count past that is no count.
                guard count >= 0, count <= r.remaining / 5 else { throw r.failure("a deal's count of declines is out of range") }
                var deal = DeskDealCursor.Deal(
                    id: id, store: store, number: number,
                    contract: LocalDate(daysSinceEpoch: Int(days) + LocalDate.postgresEpochOffset), fiManager: fi,
                    heldOut: arm.map { $0 == 1 }, products: [])
                deal.products.reserveCapacity(Int(count))
                for _ in 0..<count {
                    try r.space()
                    let length = try r.number()
                    try r.space()
                    let code = try r.text(length: length)
                    try r.space()
                    deal.products.append(.init(code: code, priceCents: try r.numberOrNil(), outcome: .declined, costCents: nil))
                }
                deal.putInCodeOrder()
                deals.append(deal)
                if r.atEnd { return }
                try r.newline()
            }
        }
    }

    /// Reads a cell's bytes field by field.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        var atEnd: Bool { at == bytes.count }
        var remaining: Int { bytes.count - at }

        func failure(_ what: String) -> StoreError { BinaryCells.error("a report's deal lines: \(what) (byte \(at))") }

        mutating func space() throws { try expect(UInt8(ascii: " "), "a space") }
        mutating func newline() throws { try expect(UInt8(ascii: "\n"), "a new line") }

        private mutating func expect(_ byte: UInt8, _ what: String) throws {
            guard at < bytes.count, bytes[at] == byte else { throw failure("expected \(what)") }
            at += 1
        }

        /// A whole number, perhaps negative; never nil.
        mutating func number() throws -> Int64 {
            guard let n = try numberOrNil() else { throw failure("a value that may not be missing is") }
            return n
        }

        /// A whole number, perhaps negative, or nil for `-` alone.
        mutating func numberOrNil() throws -> Int64? {
            let minus = at < bytes.count && bytes[at] == UInt8(ascii: "-")
            if minus { at += 1 }
            var value: Int64 = 0
            var digits = 0
            while at < bytes.count, bytes[at] &- UInt8(ascii: "0") < 10 {
                let digit = Int64(bytes[at] &- UInt8(ascii: "0"))
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = minus ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
                guard !o1, !o2 else { throw failure("a number is out of range") }
                value = next
                digits += 1
                at += 1
            }
            if digits == 0 {
                guard minus else { throw failure("expected a number") }
                return nil
            }
            return value
        }

        /// `length` bytes of UTF-8 text.
        mutating func text(length: Int64) throws -> String {
            guard length >= 0, length <= remaining else { throw failure("a text's length is out of range") }
            let end = at + Int(length)
            let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<end]), as: UTF8.self)
            at = end
            return s
        }
    }
}

/// The declines of one deal, merged with the products a later deal import showed sold (their rows say `sold` now),
/// with the desk's quote the recovery kept, in product order. With a deal's products sold at the desk given (the
/// scorecard), those come too, marked, with their price and cost; one sold since the desk comes twice, sold (marked
/// so) and then as the decline it was.
struct DealDeclines {
    /// The products a later deal import showed sold, with their quote, for deals in id order.
    private var soldSinceDesk: KeyedCursor<Int64?>

    init(_ conn: PostgresConnection, deals range: ClosedRange<Int64>, logger: Logger) async throws {
        let sold = try await PagedCursor(
            conn, name: "ledger_sold_since_desk",
            """
            SELECT r.deal_id, r.product_code, r.quoted_cents FROM recoveries r
            JOIN deal_products p ON p.deal_id = r.deal_id AND p.product_code = r.product_code
            WHERE r.source = 'deal_import' AND p.outcome <> 'declined'
                AND r.deal_id >= \(range.lowerBound) AND r.deal_id <= \(range.upperBound)
            ORDER BY 1, 2
            """, logger: logger)
        soldSinceDesk = try await KeyedCursor(sold) { try $0.int64OrNil() }
    }

    /// The products of `deal` in the ledger's order (those of deals before it in the recoveries are passed over).
    mutating func of(_ deal: DeskDealCursor.Deal) async throws -> [LedgerProduct] {
        let recovered = try await soldSinceDesk.takeDeal(deal.id)
        var out: [LedgerProduct] = []
        out.reserveCapacity(deal.products.count + recovered.count)
        var r = 0
        for p in deal.products {
            while r < recovered.count, LedgerKey.codeBefore(recovered[r].product, p.code) {
                out.append(LedgerProduct(deal: deal.id, product: recovered[r].product, priceCents: recovered[r].item))
                r += 1
            }
            var row = LedgerProduct(deal: deal.id, product: p.code, priceCents: p.priceCents, costCents: p.costCents)
            if p.outcome == .sold {
                row.sold = true
                row.soldSinceDesk = r < recovered.count && recovered[r].product == p.code
            } else {
                row.costCents = nil
            }
            out.append(row)
        }
        for rest in recovered[r...] { out.append(LedgerProduct(deal: deal.id, product: rest.product, priceCents: rest.item)) }
        return out
    }
}
