import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// What happened after the desk, as cursors beside the declines, each in (deal, product) order: sales reported after the desk, cancellations, delivered touches and the tasks they created.
struct AfterDeskCursors {
    struct SentTouch {
        var id: Int64
        var sentAt: Date
        var channel: String
        var template: String
        /// The touch's first item (by deal, then product): the decline its cost is charged to.
        var carriesCost: Bool
        func touch(in zone: LocalDays) -> DeclineHistory.Touch {
            DeclineHistory.Touch(
                id: id, sentAt: Instant.iso8601(sentAt), sentOn: zone.day(of: sentAt), channel: channel, template: template,
                carriesCost: carriesCost)
        }
    }

    var sales: KeyedCursor<DeclineHistory.Sale>
    var cancellations: KeyedCursor<DeclineHistory.Cancellation>
    var touches: KeyedCursor<SentTouch>
    var tasks: KeyedCursor<DeclineHistory.TaskState>

    /// The first deal any of the streams of what happened after the desk has something for.
    var nextDeal: Int64 { min(touches.headDeal, sales.headDeal, cancellations.headDeal, tasks.headDeal) }

    /// The streams of the deals with ids in `range`.
    init(_ conn: PostgresConnection, now: Date, deals range: ClosedRange<Int64>, logger: Logger) async throws {
        func cursor(_ name: String, _ query: PostgresQuery) async throws -> PagedCursor {
            try await PagedCursor(conn, name: name, query, logger: logger)
        }
        let (low, high) = (range.lowerBound, range.upperBound)
        sales = try await KeyedCursor(cursor("ledger_sales", AfterDeskCursors.sales(low, high))) { cells in
            let (source, soldOn, price, cost, number) = (
                try cells.string(), try cells.date(), try cells.int64(), try cells.int64OrNil(), try cells.stringOrNil()
            )
            return DeclineHistory.Sale(
                source: RecoverySource(rawValue: source) ?? .task, soldOn: soldOn, priceCents: price, costCents: cost,
                contractNumber: number)
        }
        cancellations = try await KeyedCursor(
            cursor(
                "ledger_cancellations",
                """
                SELECT c.deal_id, c.product_code, k.contract_number, c.cancel_date, c.chargeback_cents
                FROM cancellations c LEFT JOIN contracts k ON k.id = c.contract_id
                WHERE c.deal_id >= \(low) AND c.deal_id <= \(high) ORDER BY 1, 2
                """)
        ) { cells in
            let (number, date, chargeback) = (try cells.stringOrNil(), try cells.date(), try cells.int64())
            return DeclineHistory.Cancellation(contractNumber: number, cancelDate: date, chargebackCents: chargeback)
        }
        touches = try await KeyedCursor(cursor("ledger_touches", AfterDeskCursors.touches(low, high))) { cells in
            SentTouch(
                id: try cells.int64(), sentAt: try cells.instant(), channel: try cells.string(), template: try cells.string(),
                carriesCost: try cells.bool())
        }
        // A task counts once, with the first product of the touch it came from.
        let overdueBefore = now.wholeSecond
        tasks = try await KeyedCursor(
            cursor(
                "ledger_tasks",
                """
                SELECT i.deal_id, i.product_code, t.status, t.sla_at, t.completed_at FROM tasks t
                JOIN touch_items i ON i.touch_id = t.touch_id WHERE \(unescaped: AfterDeskCursors.carriesCost)
                    AND i.deal_id >= \(low) AND i.deal_id <= \(high)
                ORDER BY 1, 2
                """)
        ) { cells in
            let (status, sla, completed) = (try cells.string(), try cells.instant(), try cells.instantOrNil())
            let done = status == "done"
            return DeclineHistory.TaskState(
                done: done, onTime: done && (completed.map { $0 <= sla } ?? true), overdue: !done && sla < overdueBefore)
        }
    }

    /// Sales reported after the desk: recoveries (deal imports, tasks) and after-sale contracts. Within a decline their
    /// order does not matter (the ledger line picks its sale by source, date and contract number), nor does the touches'.
    /// Of the deals with ids from `low` to `high`.
    static func sales(_ low: Int64, _ high: Int64) -> PostgresQuery {
        """
        SELECT deal_id, product_code, source, sold_on, price_cents, cost_cents, NULL::text AS contract_number FROM recoveries
        WHERE deal_id >= \(low) AND deal_id <= \(high)
        UNION ALL
        SELECT deal_id, product_code, 'contract', sale_date, price_cents, cost_cents, contract_number FROM contracts
        WHERE deal_id >= \(low) AND deal_id <= \(high)
        ORDER BY 1, 2
        """
    }

    /// The delivered touches' items, in (deal, product) order, of the deals with ids from `low` to `high`: read from
    /// `touch_items_deal` and `touches_sent_id` alone (migration p10-ledger-touches; `t.id > 0`, true of every touch, is
    /// that index's condition).
    static func touches(_ low: Int64, _ high: Int64) -> PostgresQuery {
        """
        SELECT i.deal_id, i.product_code, t.id, t.sent_at, t.action, i.template, \(unescaped: carriesCost)
        FROM touch_items i JOIN touches t ON t.id = i.touch_id
        WHERE t.sent_at IS NOT NULL AND t.id > 0 AND i.deal_id >= \(low) AND i.deal_id <= \(high)
        ORDER BY 1, 2
        """
    }

    /// Whether item `i` is its touch's first by deal, then product: as planning wrote it (v15), else looked up.
    static let carriesCost = """
        COALESCE(i.carries_cost, NOT EXISTS (SELECT 1 FROM touch_items j WHERE j.touch_id = i.touch_id
            AND (j.deal_id < i.deal_id OR (j.deal_id = i.deal_id AND j.product_code < i.product_code))))
        """
}

/// The declines' stored horizons (`decline_horizons`) in (deal, product) order, merged with the declines as they go: read
/// by a report that measures by horizon only, and only those that can end a decline's measurement (before
/// `to + holdout_months`). A product whose horizon follows from the contract date (`ContractHorizons`) is computed
/// instead, planned or not.
struct HorizonCursor {
    private var rows: KeyedCursor<LocalDate?>
    private let computed: ContractHorizons

    init(_ conn: PostgresConnection, _ p: ReportParameters, deals range: ClosedRange<Int64>, logger: Logger) async throws {
        computed = p.contractHorizons
        let until = MeasurementRule.heldOutUntil(contract: p.to, months: p.holdoutMonths)
        let cursor = try await PagedCursor(
            conn, name: "ledger_horizons",
            """
            SELECT deal_id, product_code, horizon_until FROM decline_horizons
            WHERE horizon_until < \(until) AND product_code <> ALL(\(computed.codes))
                AND deal_id >= \(range.lowerBound) AND deal_id <= \(range.upperBound)
            ORDER BY deal_id, product_code
            """, logger: logger)
        rows = try await KeyedCursor(cursor) { try $0.dateOrNil() }
    }

    /// The horizon of the decline of `product` on deal `deal` contracted on `contract`: computed when the product's
    /// follows from the contract date, else as stored (nil: never planned, or no rule closes it). Declines must come in
    /// (deal, product) order.
    mutating func horizon(deal: Int64, product: String, contract: LocalDate) async throws -> LocalDate? {
        if let i = computed.index(of: product) { return computed.horizon(i, contract: contract) }
        return try await rows.first(LedgerKey(deal: deal, product: product)) ?? nil
    }
}
