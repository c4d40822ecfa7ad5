import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

extension PostgresStorage {
    /// Plans customers — all of them, or those given — and stores the result: each declined product's plan, and the
    /// customer's touches. Touches not yet sent are replaced; sent and cancelled ones stay as history. Running it again
    /// with the same facts and clock gives the same plans.
    ///
    /// Customers go in chunks of `rangeSize`, and chunks in transactions of about `transactionSize` customers. Each
    /// chunk first locks its customers' rows (`FOR NO KEY UPDATE`, in id order), then reads their facts, plans and
    /// writes, all in its transaction: two servers planning the same customer take turns, and the second reads what
    /// the first wrote (READ COMMITTED: each statement sees what committed before it). Whoever changes a customer's
    /// facts plans that customer after committing them, so the last plan written always follows the latest facts.
    public func planCustomers(
        planner: Planner, now: Date, customerIDs: [Int64]?, rangeSize: Int, transactionSize: Int,
        progress: (@Sendable (Int, Int) -> Void)?
    ) async throws -> PlanSummary {
        // A migration that changes what plans mean may ask for every plan to be made again, once.
        let replanAll =
            try await read { conn in
                try await conn.one(String.self, "SELECT value FROM settings WHERE key = 'replan_all'", logger)
            } != nil
        let asked = replanAll ? nil : customerIDs
        var (lo, hi): (Int64, Int64) = (0, -1)
        if asked == nil {
            (lo, hi) = try await read { conn in
                for try await (lo, hi) in try await conn.query("SELECT MIN(id), MAX(id) FROM customers", logger: logger)
                    .decode((Int64?, Int64?).self)
                {
                    return (lo ?? 0, hi ?? -1)
                }
                return (0, -1)
            }
        }
        let (chunks, total) = PlanChunkSpec.chunks(customerIDs: asked, lo: lo, hi: hi, rangeSize: rangeSize)
        var summary = PlanSummary()
        for batch in PlanChunkSpec.batches(chunks, customers: transactionSize) {
            summary.add(try await planBatch(batch, planner: planner, now: now, total: total, progress: progress))
        }
        if replanAll { try await write { conn in try await conn.run("DELETE FROM settings WHERE key = 'replan_all'", logger) } }
        return summary
    }

    /// Plans a run of chunks in one transaction. A deadlock with another writer that locks customers in another
    /// order (PostgreSQL ends one of the two) rolls it back whole; it is then run again, a few times at most.
    private func planBatch(
        _ batch: [PlanChunkSpec], planner: Planner, now: Date, total: Int, progress: (@Sendable (Int, Int) -> Void)?
    ) async throws -> PlanSummary {
        var attempt = 1
        while true {
            do {
                return try await write { conn in
                    var written = PlanSummary()
                    for spec in batch {
                        written.add(try await planChunk(spec, planner: planner, now: now, conn: conn))
                        progress?(spec.done, total)
                    }
                    return written
                }
            } catch  where PostgresErrors.sqlState(error) == "40P01" && attempt < 3 {
                attempt += 1
            }
        }
    }

    /// Plans one chunk inside the caller's transaction: locks its customers, reads their facts, plans and writes.
    private func planChunk(_ spec: PlanChunkSpec, planner: Planner, now: Date, conn: PostgresConnection) async throws -> PlanSummary {
        try await conn.run("SELECT id FROM customers WHERE id = ANY(\(spec.ids)) ORDER BY id FOR NO KEY UPDATE", logger)
        let deals = try await PlanDealReader.deals(conn, customers: spec.ids, logger: logger)
        var previous: [Int64: [PlannedChunk.Previous]] = [:]
        let rows = try await conn.query(
            """
            SELECT t.customer_id, t.id, i.deal_id, i.product_code FROM touches t JOIN touch_items i ON i.touch_id = t.id
            WHERE t.status = 'planned' AND t.customer_id = ANY(\(spec.ids)) ORDER BY t.customer_id, t.id, i.deal_id, i.product_code
            """, logger: logger)
        for try await (customer, touch, deal, code) in rows.decode((Int64, Int64, Int64, String).self) {
            previous[customer, default: []].append((touch, deal, code))
        }
        let planned = PlannedChunk(
            deals: deals, previous: previous, given: spec.given ? spec.ids : nil, planner: planner, now: now, dueAt: { $0 })
        try await PlanWriter.write(planned, spec: spec, now: now, conn: conn, logger: logger)
        return planned.summary
    }

    /// Planned touches, soonest first, for `afterdesk plan`: all of them, or those of deal `dealNumber`'s customer.
    public func plannedTouches(dealNumber: String?, store: String?, limit: Int) async throws -> [PlannedTouchRow] {
        try await snapshot { conn in
            var customer: Int64?
            if let dealNumber {
                guard let deal = try await Self.planFindDeal(conn, number: dealNumber, store: store, logger: logger) else { return [] }
                customer = deal.customerID
            }
            // As SQLite's LIMIT: a negative one is no limit.
            let cap: Int64? = limit < 0 ? nil : Int64(limit)
            let rows = try await conn.query(
                """
                SELECT t.id, t.due_at, t.due_on, t.action, t.status, c.first_name || ' ' || c.last_name,
                       string_agg(d.deal_number || ':' || i.product_code, ' ' ORDER BY i.deal_id, i.product_code),
                       string_agg(i.reason, ' | ' ORDER BY i.deal_id, i.product_code), MIN(i.template)
                FROM touches t JOIN customers c ON c.id = t.customer_id
                JOIN touch_items i ON i.touch_id = t.id JOIN deals d ON d.id = i.deal_id
                WHERE t.status = 'planned' AND (\(customer)::bigint IS NULL OR t.customer_id = \(customer)::bigint)
                GROUP BY t.id, c.id ORDER BY t.due_at, t.id LIMIT \(cap)::bigint
                """, logger: logger)
            var out: [PlannedTouchRow] = []
            for try await (id, dueAt, dueOn, action, status, name, products, reasons, template) in rows.decode(
                (Int64, Date, LocalDate, String, String, String, String, String, String).self)
            {
                out.append(
                    PlannedTouchRow(
                        id: id, dueAt: dueAt, dueOn: dueOn, action: try Self.planStored(action, "touches", "action"),
                        status: try Self.planStored(status, "touches", "status"), customer: name,
                        products: products.split(separator: " ").map(String.init), template: template,
                        reasons: reasons.components(separatedBy: " | ")))
            }
            return out
        }
    }

    /// The value of a closed set stored as its raw text; one that does not read is an integrity error naming where it is.
    static func planStored<E: RawRepresentable>(_ text: String, _ table: String, _ column: String) throws -> E
    where E.RawValue == String {
        guard let e = E(rawValue: text) else {
            throw StoreError.integrity("\(table).\(column) holds \"\(text)\", which is not a known \(E.self)")
        }
        return e
    }
}
