import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// The deals in a report's scope (finalized, contracted within its dates), in id order, each in one row with its
/// recorded arm and its products at the desk as arrays: a million deals are a million rows, not the four or five
/// million of a row per product and per arm, read without postgres-nio's generic decoding (`BinaryCells`). The store is
/// checked by the reader, as on SQLite. Read a page at a time by `page()`, which holds no state of its own (the cursor
/// is the server's), so the reader fetches and decodes the next page while it works through the one before.
struct DeskDealCursor: Sendable {
    /// A deal of the report's scope.
    struct Deal: Sendable {
        var id: Int64, store: Int64, number: String, contract: LocalDate, fiManager: Int64?
        /// The arm recorded for the deal (true: held out), nil when none was.
        var heldOut: Bool?
        /// Its declines (with `withSold`, its products sold at the desk too), by product code in byte order.
        var products: [Product]
    }

    /// A product of the deal at the desk.
    struct Product: Sendable {
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
        // The arms and the products of the deals in `range` alone, the products as arrays (PostgreSQL does not carry
        // the deals' range into the joined tables on its own).
        let (low, high) = (range.lowerBound, range.upperBound)
        let aggregates =
            "array_agg(product_code) AS codes, array_agg(price_cents) AS prices"
            + (withSold ? ", array_agg(outcome) AS outcomes, array_agg(cost_cents) AS costs" : "")
        (self.conn, self.logger, self.withSold) = (conn, logger, withSold)
        try await PagedCursor.declare(
            conn, name: "ledger_deals",
            """
            SELECT d.id, d.store_id, d.deal_number, d.contract_date, d.fi_manager_id, a.held_out, p.codes, p.prices
                \(unescaped: withSold ? ", p.outcomes, p.costs" : "")
            FROM deals d LEFT JOIN deal_arms a ON a.deal_id = d.id AND a.deal_id >= \(low) AND a.deal_id <= \(high)
            LEFT JOIN (
                SELECT deal_id, \(unescaped: aggregates) FROM deal_products
                WHERE \(unescaped: withSold ? "" : "outcome = 'declined' AND ")deal_id >= \(low) AND deal_id <= \(high)
                GROUP BY deal_id
            ) p ON p.deal_id = d.id
            WHERE d.status = 'finalized' AND d.contract_date >= \(p.from) AND d.contract_date <= \(p.to)
                AND d.contract_date <= \(p.asOf) AND d.id >= \(low) AND d.id <= \(high)
            ORDER BY d.id
            """, logger: logger)
    }

    /// The next page of deals (`PagedCursor.pageSize` of them, fewer on the last page); empty after the last.
    func page() async throws -> [Deal] {
        let rows = try await PagedCursor.fetch(conn, name: "ledger_deals", logger: logger)
        return try rows.map { try DeskDealCursor.deal($0, withSold: withSold) }
    }

    /// The deal of `row`.
    private static func deal(_ row: PostgresRow, withSold: Bool) throws -> Deal {
        var cells = BinaryCells(row)
        var deal = Deal(
            id: try cells.int64(), store: try cells.int64(), number: try cells.string(), contract: try cells.date(),
            fiManager: try cells.int64OrNil(), heldOut: try cells.boolOrNil(), products: [])
        let codes = try cells.strings()
        let prices = try cells.int64s()
        let outcomes = withSold ? try cells.strings() : []
        let costs = withSold ? try cells.int64s() : []
        guard prices.count == codes.count, !withSold || (outcomes.count == codes.count && costs.count == codes.count)
        else { throw BinaryCells.error("deal \(deal.id)'s product arrays differ in length") }
        deal.products.reserveCapacity(codes.count)
        for (i, code) in codes.enumerated() {
            // Declines alone come without outcomes; a row of neither outcome, which nothing writes, is passed over.
            let outcome = withSold ? ProductOutcome(rawValue: outcomes[i]) ?? .notOffered : .declined
            guard outcome != .notOffered else { continue }
            deal.products.append(Product(code: code, priceCents: prices[i], outcome: outcome, costCents: withSold ? costs[i] : nil))
        }
        // array_agg keeps the order of the index it reads, (deal_id, product_code); a plan that read them otherwise is
        // put right here rather than trusted.
        let products = deal.products
        if zip(products, products.dropFirst()).contains(where: { LedgerKey.codeBefore($1.code, $0.code) }) {
            deal.products.sort { LedgerKey.codeBefore($0.code, $1.code) }
        }
        return deal
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
