import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// The deals in a report's scope (finalized, contracted within its dates), by id, sought as the declines go by. The store
/// is checked by the reader, as on SQLite.
struct DealCursor {
    struct Deal {
        var id: Int64, store: Int64, number: String, contract: LocalDate, fiManager: Int64?
    }
    private var rows: PagedCursor
    private var head: Deal?
    /// The id of the row `seek` last returned.
    private var returned: Int64?

    init(_ conn: PostgresConnection, _ p: ReportParameters, logger: Logger) async throws {
        rows = try await PagedCursor(
            conn, name: "ledger_deals",
            """
            SELECT id, store_id, deal_number, contract_date, fi_manager_id FROM deals
            WHERE status = 'finalized' AND contract_date >= \(p.from) AND contract_date <= \(p.to) AND contract_date <= \(p.asOf)
            ORDER BY id
            """, logger: logger)
        try await advance()
    }

    private mutating func advance() async throws {
        head = try await rows.next().map { row in
            let (id, store, number, contract, fi) = try row.decode((Int64, Int64, String, LocalDate, Int64?).self)
            return Deal(id: id, store: store, number: number, contract: contract, fiManager: fi)
        }
    }

    /// Deal `id`, or nil when it is out of scope; ids must come in increasing order. `passing` is given the deals passed
    /// over (but the one returned before).
    mutating func seek(_ id: Int64, passing: ((Deal) throws -> Void)? = nil) async throws -> Deal? {
        while let d = head, d.id < id {
            if d.id != returned { try passing?(d) }
            try await advance()
        }
        guard let d = head, d.id == id else { return nil }
        returned = id
        return d
    }

    /// Every deal left to `passing` (but the one returned last).
    mutating func drain(_ passing: ((Deal) throws -> Void)?) async throws { _ = try await seek(.max, passing: passing) }
}

/// The declines in (deal, product) order: those declined at the desk merged with the products a later deal import showed
/// sold (their rows say `sold` now), with the desk's quote the recovery kept. With `withSold` (the scorecard), the
/// products sold at the desk come too, marked, with their price and cost (those sold since among them: both are given).
struct DeclineCursor {
    /// A decline, or (`withSold`) a product sold at the desk.
    typealias Product = LedgerProduct
    private var declined: PagedCursor
    private var head: (product: Product, outcome: ProductOutcome?)?
    private var soldSinceDesk: KeyedCursor<Int64?>

    init(_ conn: PostgresConnection, withSold: Bool, logger: Logger) async throws {
        declined = try await PagedCursor(
            conn, name: "ledger_declines",
            withSold
                ? "SELECT deal_id, product_code, price_cents, outcome, cost_cents FROM deal_products ORDER BY deal_id, product_code"
                : """
                SELECT deal_id, product_code, price_cents, outcome, NULL::bigint FROM deal_products WHERE outcome = 'declined'
                ORDER BY deal_id, product_code
                """, logger: logger)
        let sold = try await PagedCursor(
            conn, name: "ledger_sold_since_desk",
            """
            SELECT r.deal_id, r.product_code, r.quoted_cents FROM recoveries r
            JOIN deal_products p ON p.deal_id = r.deal_id AND p.product_code = r.product_code
            WHERE r.source = 'deal_import' AND p.outcome <> 'declined' ORDER BY 1, 2
            """, logger: logger)
        soldSinceDesk = try await KeyedCursor(sold) { try $0.decode((Int64, String, Int64?).self).2 }
        try await advance()
    }

    /// The next row of `declined` of either outcome (a row of neither, which nothing writes, is passed over).
    private mutating func advance() async throws {
        head = nil
        while let row = try await declined.next() {
            let (deal, product, price, outcome, cost) = try row.decode((Int64, String, Int64?, String, Int64?).self)
            guard let o = ProductOutcome(rawValue: outcome), o != .notOffered else { continue }
            head = (Product(deal: deal, product: product, priceCents: price, costCents: cost), o)
            return
        }
    }

    /// The next decline (or product sold at the desk); nil after the last.
    mutating func next() async throws -> Product? {
        let nextDeclined = head.map { LedgerKey(deal: $0.product.deal, product: $0.product.product) }
        let desk = soldSinceDesk.head(atOrBefore: nextDeclined?.deal ?? .max)
        if let desk, nextDeclined.map({ desk < $0 }) ?? true {
            let quoted = try await soldSinceDesk.next() ?? nil
            return Product(deal: desk.deal, product: desk.product, priceCents: quoted)
        }
        guard let key = nextDeclined, var row = head?.product else { return nil }
        if head?.outcome == .sold {
            row.sold = true
            row.soldSinceDesk = desk.map { $0 == key } ?? false
        } else {
            row.costCents = nil
        }
        try await advance()
        return row
    }
}
