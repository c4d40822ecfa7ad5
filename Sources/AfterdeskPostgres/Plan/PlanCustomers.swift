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
    /// Customers go in chunks of `rangeSize`, each chunk in its own `REPEATABLE READ` transaction (`transactionSize`
    /// is SQLite's: here a chunk is a transaction) that reads the chunk's facts in one snapshot, plans them and writes
    /// the plans; three chunks in flight (`planPipelined`), so one plans while two write. No customer row is written or
    /// locked. Instead, before its transaction begins, a chunk takes the session advisory locks of its customers'
    /// planning slots (`PlanLocks`: a slot covers ids in blocks of 1,024), in ascending order, and lets them go after
    /// its commit or rollback. So:
    /// - two servers planning the same customer take turns, and the second's snapshot, taken after it got the lock,
    ///   holds everything the first committed;
    /// - whoever changes a customer's facts plans that customer after committing them: that planning's snapshot holds
    ///   the new facts, and it writes after any planning holding the lock then (whose older plans it replaces);
    /// so the last plan written for a customer always follows the latest facts, new customers (no rows yet to conflict
    /// on) included. A writer that changes the touches being replaced without the lock (dispatch sending one) after
    /// the snapshot makes the chunk's delete fail with a serialization failure (40001); a deadlock (40P01) is
    /// PostgreSQL ending one of two writers. Either way the chunk is rolled back and run again, from a new snapshot.
    public func planCustomers(
        planner: Planner, now: Date, customerIDs: [Int64]?, rangeSize: Int, transactionSize: Int,
        progress: (@Sendable (Int, Int) -> Void)?
    ) async throws -> PlanSummary {
        try await planCustomers(planner: planner, now: now, customerIDs: customerIDs, rangeSize: rangeSize, progress: progress)
    }

    /// `planCustomers`, with `afterRead` run in each chunk's transaction between its read and its write (for tests).
    func planCustomers(
        planner: Planner, now: Date, customerIDs: [Int64]?, rangeSize: Int, progress: (@Sendable (Int, Int) -> Void)?,
        afterRead: (@Sendable () async throws -> Void)? = nil
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
                for try await (lo, hi) in try await conn.statement("SELECT MIN(id), MAX(id) FROM customers", logger: logger)
                    .decode((Int64?, Int64?).self)
                {
                    return (lo ?? 0, hi ?? -1)
                }
                return (0, -1)
            }
        }
        let (chunks, total) = PlanChunkSpec.chunks(customerIDs: asked, lo: lo, hi: hi, rangeSize: rangeSize)
        let summary = try await planPipelined(chunks, planner: planner, now: now, total: total, progress: progress, afterRead: afterRead)
        if replanAll { try await write { conn in try await conn.run("DELETE FROM settings WHERE key = 'replan_all'", logger) } }
        return summary
    }

    /// Plans `chunks` three in flight: while two write (PostgreSQL's work, on two connections), the next reads and plans
    /// (Swift's). A chunk takes its locks only once the one before holds its own, and draws its touches' ids only once
    /// that one has drawn its own, so touch ids still ascend chunk after chunk; then it writes beside it (their
    /// customers, deals and touches are their own: neither waits for the other's rows). One writer at a time left a
    /// core idle a third of the time: PostgreSQL's writing of a chunk takes longer than reading and planning the next.
    /// A chunk in flight that meets a serialization failure or a deadlock lets its locks
    /// go and is planned again at the end, alone, a few times at most: retried in flight, it could wait for a lock
    /// another server holds while that server waits for the next chunk's, which waits for it — a cycle PostgreSQL
    /// cannot see.
    private func planPipelined(
        _ chunks: [PlanChunkSpec], planner: Planner, now: Date, total: Int, progress: (@Sendable (Int, Int) -> Void)?,
        afterRead: (@Sendable () async throws -> Void)?
    ) async throws -> PlanSummary {
        var summary = PlanSummary()
        var again: [PlanChunkSpec] = []
        var inFlight: [(spec: PlanChunkSpec, task: Task<PlanSummary?, any Error>)] = []
        var before = (locked: PlanGate.opened, drawn: PlanGate.opened)
        func settle() async throws {
            let first = inFlight.removeFirst()
            if let done = try await first.task.value { summary.add(done) } else { again.append(first.spec) }
            progress?(first.spec.done, total)
        }
        func startAndSettle() async throws {
            for spec in chunks {
                let gates = (locked: PlanGate(), drawn: PlanGate())
                let turn = PlanTurn(
                    previousLocked: before.locked, locked: gates.locked, previousDrawn: before.drawn, drawn: gates.drawn)
                inFlight.append(
                    (
                        spec,
                        Task {
                            defer {
                                gates.locked.open()
                                gates.drawn.open()
                            }
                            await turn.previousLocked.wait()
                            return try await planChunk(spec, planner: planner, now: now, afterRead: afterRead, turn: turn)
                        }
                    ))
                before = gates
                if inFlight.count == Self.chunksInFlight { try await settle() }
            }
            while !inFlight.isEmpty { try await settle() }
        }
        do {
            try await startAndSettle()
        } catch {
            // The chunk still in flight ends before the error leaves (its queries cannot be called back): nothing of
            // this call goes on writing, or holds a connection and its locks, after it has said it failed.
            for f in inFlight { f.task.cancel() }
            for f in inFlight { _ = try? await f.task.value }
            throw error
        }
        for spec in again {
            var attempt = 1
            while true {
                if let done = try await planChunk(spec, planner: planner, now: now, afterRead: afterRead, turn: nil) {
                    summary.add(done)
                    break
                }
                attempt += 1
                guard attempt <= 5 else {
                    throw StoreError("planning: customers kept changing while they were planned; plan them again", kind: .conflict)
                }
            }
        }
        return summary
    }

    /// Chunks planned at once (`planPipelined`).
    static let chunksInFlight = 3

    /// Plans one chunk in its own transaction under its planning locks (see `planCustomers`), in its `turn` of the
    /// pipeline when it has one. Nil when a serialization failure or a deadlock rolled it back whole: it is to be run
    /// again.
    private func planChunk(
        _ spec: PlanChunkSpec, planner: Planner, now: Date, afterRead: (@Sendable () async throws -> Void)?, turn: PlanTurn?
    ) async throws -> PlanSummary? {
        do {
            return try await PlanLocks.holding(spec.ids, client: client, logger: logger, locked: turn?.locked) { conn in
                let deals = try await PlanDealReader.deals(conn, customers: spec.ids, logger: logger)
                let previous = try await Self.plannedTouches(conn, customers: spec.ids, logger: logger)
                try await afterRead?()
                let planned = PlannedChunk(
                    deals: deals, previous: previous, given: spec.given ? spec.ids : nil, planner: planner, now: now, dueAt: { $0 })
                try await PlanWriter.write(planned, spec: spec, now: now, conn: conn, logger: logger, turn: turn)
                return planned.summary
            }
        } catch  where ["40001", "40P01"].contains(PostgresErrors.sqlState(error)) {
            return nil
        } catch {
            throw PostgresErrors.mapped(error)
        }
    }

    /// The touches still planned for `customers`, by customer: each touch's items (touch, deal, product), in order.
    private static func plannedTouches(
        _ conn: PostgresConnection, customers: [Int64], logger: Logger
    ) async throws -> [Int64: [PlannedChunk.Previous]] {
        var previous: [Int64: [PlannedChunk.Previous]] = [:]
        let rows = try await conn.statement(
            """
            SELECT t.customer_id, t.id, i.deal_id, i.product_code FROM touches t JOIN touch_items i ON i.touch_id = t.id
            WHERE t.status = 'planned' AND t.customer_id = ANY(\(customers)) ORDER BY t.customer_id, t.id, i.deal_id, i.product_code
            """, logger: logger)
        for try await (customer, touch, deal, code) in rows.decode((Int64, Int64, Int64, String).self) {
            previous[customer, default: []].append((touch, deal, code))
        }
        return previous
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
            let rows = try await conn.statement(
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
