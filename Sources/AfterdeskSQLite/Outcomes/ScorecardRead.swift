import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The F&I scorecard (docs/reporting.md): the deals in scope with the products sold at the desk, and the margin
    /// report's own ledger over the same deals for the recoveries, so the two agree. Read in two halves by deal id, as
    /// the report is.
    public func scorecard(_ p: ScorecardParameters, now: Date) async throws -> Scorecard {
        let halves = try await onOwnThread {
            try self.readInHalves { db, deals, _ in
                var b = ScorecardBuilder(p)
                try ScorecardReader.deals(db, p, deals: deals) { b.add($0) }
                try LedgerReader.forEach(db, p.report, now: now, deals: deals) {
                    b.add($0)
                } _: {
                    b.add($0)
                }
                return b
            }
        }
        guard var b = halves.first else { throw StoreError.integrity("no scorecard") }
        for half in halves.dropFirst() { b.merge(half) }
        return b.finish()
    }
}

/// The scorecard's deals: those the margin report's ledger covers (finalized, contracted from `from` to `to` and no
/// later than `as_of`, in the store when one is named), each with the products sold at the desk. A product a later deal
/// import shows sold (a recovery by deal import) was declined at the desk: the ledger counts it, not the desk.
enum ScorecardReader {
    static func deals(
        _ db: Database, _ p: ScorecardParameters, deals range: ClosedRange<Int64>, _ body: (ScorecardDeal) throws -> Void
    ) throws {
        let (stores, staff, onlyStore) = try LedgerReader.names(db, store: p.store)
        let rows = try RawStatement(
            db,
            """
            SELECT d.id, d.store_id, d.deal_number, d.contract_date, d.fi_manager_id, s.product_code, s.price_cents, s.cost_cents
            FROM deals d LEFT JOIN deal_products s ON s.deal_id = d.id AND s.outcome = 'sold' AND NOT EXISTS (
                SELECT 1 FROM recoveries r WHERE r.deal_id = s.deal_id AND r.product_code = s.product_code AND r.source = 'deal_import')
            WHERE d.id BETWEEN ?4 AND ?5 AND d.status = 'finalized'
              AND d.contract_date >= ?1 AND d.contract_date <= ?2 AND d.contract_date <= ?3
            ORDER BY d.id
            """)
        rows.bind(1, p.from)
        rows.bind(2, p.to)
        rows.bind(3, p.asOf)
        rows.bind(4, range.lowerBound)
        rows.bind(5, range.upperBound)
        let costs = p.report.dealerCosts
        var codes = CodeTable()
        var current: (id: Int64, deal: ScorecardDeal)?
        while try rows.step() {
            let id = rows.int64(0)
            if current?.id != id {
                if let c = current { try body(c.deal) }
                current = nil
                guard onlyStore == nil || onlyStore == rows.int64(1), let (code, _) = stores[rows.int64(1)],
                    let date = LocalDate.parse(rows.bytes(3))
                else { continue }
                current = (
                    id,
                    ScorecardDeal(
                        store: code, dealNumber: String(decoding: rows.bytes(2), as: UTF8.self), contractDate: date,
                        fiManager: rows.isNull(4) ? nil : staff[rows.int64(4)], desk: [])
                )
            }
            guard current != nil, !rows.isNull(5) else { continue }
            let product = codes.code(rows.bytes(5))
            let price = rows.optionalInt64(6) ?? 0
            let cost = rows.optionalInt64(7) ?? costs[product] ?? 0
            current?.deal.desk.append(ScorecardDeal.DeskSale(product: product, grossCents: price - cost))
        }
        if let c = current { try body(c.deal) }
    }
}
