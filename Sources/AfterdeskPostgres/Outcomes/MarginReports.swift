import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

extension PostgresStorage {
    /// Several reports of the same declines (the same dates, store and rules, grouped differently) from one pass over the
    /// ledger, in one snapshot: the ledger, the declines of refused rows and, when the reserve is left to the report,
    /// the cancellation histories its curves come from (the lines' reserves are settled after the pass).
    public func marginReports(_ given: [ReportParameters], now: Date) async throws -> [MarginReport] {
        guard let ps = ReportParameters.onePass(given) else { return try await marginReportsAlone(given, now: now) }
        guard let first = ps.first else { return [] }
        let defers = first.netToStore.defersReserve
        let logger = logger
        // The ledger in two halves by deal id, read at once on two connections in one snapshot; the first half also
        // reads the declines of refused rows and the cancellation histories.
        let halves = try await snapshotInHalves(contracted: first.from, through: min(first.to, first.asOf)) { conn, deals, firstHalf in
            // The first report's builder counts the total; the others only their groups.
            var builders = ps.enumerated().map { ReportBuilder($1, countsTotal: $0 == 0) }
            try await PostgresLedger.forEach(conn, first, now: now, deals: deals, logger: logger, deskDeals: nil) { line in
                ReportBuilder.add(line, unit: first.evaluationUnit(line), to: &builders)
            } _: { row in
                ReportBuilder.add(row, unit: first.evaluationUnit(row), to: &builders)
            }
            guard firstHalf else { return (builders, Int?.none, CancellationHistoryRows?.none) }
            let exported = try await PostgresLedger.declinesInExports(conn, first, logger: logger)
            let rows = defers ? try await CancellationHistoryRows(conn, asOf: first.asOf, logger: logger) : nil
            return (builders, exported, rows)
        }
        guard var builders = halves.first?.0 else { throw StoreError.integrity("a report read no half of the ledger") }
        for half in halves.dropFirst() {
            for j in builders.indices { builders[j].merge(half.0[j]) }
        }
        let (exported, rows) = (halves[0].1, halves[0].2)
        if defers {
            guard let rows else { throw StoreError.integrity("no cancellation history") }
            let histories = try rows.histories(stores: first.storeScope, asOf: first.asOf)
            ReportBuilder.settleReserves(&builders, histories: histories)
        }
        let offers = try await offerFunnel(from: first.from, to: min(first.to, first.asOf), stores: first.storeScope)
        return ReportBuilder.finish(builders, exported: exported, offers: offers)
    }

    /// The decline ledger (`report --by decline`), line by line in deal order, in constant memory.
    public func forEachLedgerRow(_ p: ReportParameters, now: Date, _ body: @Sendable (LedgerRow) throws -> Void) async throws {
        let p = try await withReserve(p)
        let logger = logger
        try await snapshot { conn in
            try await PostgresLedger.forEach(conn, p, now: now, logger: logger, deskDeals: nil, { try body(LedgerRow($0)) }, body)
        }
    }

    /// The F&I scorecard (docs/reporting.md): the deals in scope with the products sold at the desk, and the margin
    /// report's own ledger over the same deals for the recoveries, so the two agree.
    public func scorecard(_ p: ScorecardParameters, now: Date) async throws -> Scorecard {
        let logger = logger
        let built = try await snapshot { conn in
            var b = ScorecardBuilder(p)
            try await PostgresLedger.forEach(conn, p.report, now: now, logger: logger, deskDeals: { b.add($0) }) {
                b.add($0)
            } _: {
                b.add($0)
            }
            return b
        }
        return built.finish()
    }

    /// The store's contracts of each product and their cancellations as of `asOf`: after-sale contracts by their sale
    /// date, and products sold on finalized deals by the deal's contract date (or, for a product a later deal import
    /// showed sold, that recovery's date), as the deal import counts them (`desk_sales`).
    public func cancellationHistories(stores: [String]?, asOf: LocalDate) async throws -> [CancellationHistory] {
        let logger = logger
        let rows = try await snapshot { conn in try await CancellationHistoryRows(conn, asOf: asOf, logger: logger) }
        return try rows.histories(stores: stores, asOf: asOf)
    }
}

extension PostgresLedger {
    /// The declines on refused rows of deal imports started from `from` to `to` (UTC days) whose deal number was never
    /// stored since, for the capture rate: the report adds its stored declines. Nil with `--store`: a refused row's
    /// store is not known.
    static func declinesInExports(_ conn: PostgresConnection, _ p: ReportParameters, logger: Logger) async throws -> Int? {
        guard p.storeScope == nil else { return nil }
        let refused = try await conn.one(
            Int64.self,
            """
            SELECT COALESCE(SUM(declines), 0)::bigint FROM (
                SELECT MAX(r.declines) AS declines FROM rejects r JOIN import_runs i ON i.id = r.import_run_id
                WHERE r.severity = 'refused' AND i.profile NOT IN ('contracts', 'cancellations')
                  AND (i.started_at AT TIME ZONE 'UTC')::date >= \(p.from) AND (i.started_at AT TIME ZONE 'UTC')::date <= \(p.to)
                  AND (r.deal_number IS NULL OR NOT EXISTS (
                      SELECT 1 FROM stores s JOIN deals d ON d.store_id = s.id AND d.deal_number = r.deal_number))
                GROUP BY r.import_run_id, r.line) AS refused
            """, logger)
        return Int(clamping: refused ?? 0)
    }
}

extension CancellationHistoryRows {
    /// The rows of the history as of `asOf`, read from PostgreSQL (dates as `YYYY-MM-DD`, as the counting takes them).
    init(_ conn: PostgresConnection, asOf: LocalDate, logger: Logger) async throws {
        self.init()
        for row in try await conn.rows("SELECT id, code FROM stores", logger) {
            let (id, code) = try row.decode((Int64, String).self)
            stores.append((id, code))
        }
        let sold = try await conn.statement(
            "SELECT store_id, product_code, sold_on, contracts FROM desk_sales WHERE sold_on <= \(asOf) AND contracts > 0",
            logger: logger)
        for try await (store, product, day, n) in sold.decode((Int64, String, LocalDate, Int64).self) {
            desk[Key(store: store, product: product, soldOn: day), default: 0] += Int(min(n, 1 << 40))
        }
        func quads(_ q: PostgresQuery) async throws -> [(Int64, String, LocalDate, LocalDate)] {
            try await conn.rows(q, logger).map { try $0.decode((Int64, String, LocalDate, LocalDate).self) }
        }
        let counted = try await conn.rows(
            """
            SELECT store_id, product_code, sale_date, count(*) FROM contracts WHERE sale_date <= \(asOf) GROUP BY 1, 2, 3
            """, logger)
        contracts = try counted.map {
            let (store, product, day, n) = try $0.decode((Int64, String, LocalDate, Int64).self)
            return (store, product, day.description, Int(clamping: n))
        }
        moved = try await quads(CancellationHistoryRows.soldSinceDesk(asOf)).map { ($0.0, $0.1, $0.2.description, $0.3.description) }
        cancellations = try await quads(CancellationHistoryRows.cancellations(asOf)).map {
            ($0.0, $0.1, $0.2.description, $0.3.description)
        }
    }

    /// (store, product, contract date, sold on) of each product a later deal import showed sold on a finalized deal.
    static func soldSinceDesk(_ asOf: LocalDate) -> PostgresQuery {
        """
        SELECT d.store_id, r.product_code, d.contract_date, r.sold_on FROM recoveries r JOIN deals d ON d.id = r.deal_id
        JOIN deal_products p ON p.deal_id = r.deal_id AND p.product_code = r.product_code
        WHERE r.source = 'deal_import' AND p.outcome = 'sold' AND d.status = 'finalized' AND d.contract_date <= \(asOf)
        """
    }

    /// Each cancellation dated on or before the day, with its sale's store, product and date.
    static func cancellations(_ asOf: LocalDate) -> PostgresQuery {
        """
        SELECT k.store_id, k.product_code, k.sale_date, c.cancel_date FROM cancellations c JOIN contracts k ON k.id = c.contract_id
        WHERE c.cancel_date <= \(asOf)
        UNION ALL
        SELECT d.store_id, c.product_code, COALESCE(r.sold_on, d.contract_date), c.cancel_date
        FROM cancellations c JOIN deals d ON d.id = c.deal_id
        LEFT JOIN recoveries r ON r.deal_id = c.deal_id AND r.product_code = c.product_code AND r.source = 'deal_import'
        WHERE c.contract_id IS NULL AND c.cancel_date <= \(asOf)
        """
    }
}
