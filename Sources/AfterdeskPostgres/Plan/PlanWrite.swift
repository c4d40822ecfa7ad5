import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// Writes a chunk's plans: what was planned for its customers is replaced, in a few statements for the chunk.
enum PlanWriter {
    /// Replaces what was planned for `spec`'s customers with `planned`: touches no longer followed up are cancelled
    /// (kept, with why), the other pending ones deleted (items first: PostgreSQL checks every foreign key), the plans
    /// rewritten, horizons and first arms recorded, and the new touches and their items inserted.
    /// The touches' ids are drawn first, in the chunk's `turn` when it has one: after the chunk before has drawn its own.
    static func write(
        _ planned: PlannedChunk, spec: PlanChunkSpec, now: Date, conn: PostgresConnection, logger: Logger, turn: PlanTurn?
    ) async throws {
        await turn?.previousDrawn.wait()
        let ids = try await conn.drawIDs(planned.touches.count, of: "touches", logger)
        turn?.drawn.open()
        if !planned.cancelled.isEmpty {
            try await conn.run(
                """
                UPDATE touches t SET status = 'cancelled', status_reason = c.why
                FROM unnest(\(planned.cancelled.map(\.touch))::bigint[], \(planned.cancelled.map(\.why))::text[]) AS c(id, why)
                WHERE t.id = c.id
                """, logger)
        }
        if planned.hadPlannedTouches {
            try await conn.run(
                """
                DELETE FROM touch_items WHERE touch_id IN (
                    SELECT id FROM touches WHERE status = 'planned' AND customer_id = ANY(\(spec.ids)))
                """, logger)
            try await conn.run("DELETE FROM touches WHERE status = 'planned' AND customer_id = ANY(\(spec.ids))", logger)
        }
        try await conn.run(
            "DELETE FROM plans WHERE deal_id IN (SELECT id FROM deals WHERE customer_id = ANY(\(spec.ids)))", logger)
        try await insertPlans(planned.plans, conn: conn, logger: logger)
        try await writeHorizons(planned.plans, conn: conn, logger: logger)
        try await insertArms(planned.arms, now: now, conn: conn, logger: logger)
        try await insertTouches(planned, ids: ids, now: now, conn: conn, logger: logger)
    }

    /// The touches and their items, with `ids`: drawn from the touches' identity first, so the items can be written
    /// in bulk too (and other servers' touches never take them); drawn in one statement, they ascend in plan order.
    private static func insertTouches(
        _ planned: PlannedChunk, ids: [Int64], now: Date, conn: PostgresConnection, logger: Logger
    ) async throws {
        let touches = planned.touches
        guard !touches.isEmpty else { return }
        let plannedAt = now.wholeSecond
        try await insertRows(
            conn, into: "touches (id, customer_id, due_at, due_on, action, status, planned_at)", columns: 7, count: touches.count,
            logger: logger
        ) { b, row in
            let t = touches[row]
            b.append(ids[row])
            b.append(t.customer)
            b.append(t.dueAt.wholeSecond)
            b.append(t.dueOn)
            b.append(t.action)
            b.append("planned")
            b.append(plannedAt)
        }
        let items = planned.items
        try await insertRows(
            conn, into: "touch_items (touch_id, deal_id, product_code, touch_name, template, reason, carries_cost)", columns: 7,
            count: items.count, logger: logger
        ) { b, row in
            let item = items[row]
            b.append(ids[item.touchIndex])
            b.append(item.dealID)
            b.append(item.product)
            b.append(item.touch)
            b.append(item.template)
            b.append(item.reason)
            b.append(item.carriesCost)
        }
    }

    private static func insertPlans(_ plans: [PlannedChunk.Plan], conn: PostgresConnection, logger: Logger) async throws {
        try await insertRows(
            conn,
            into: """
                plans (deal_id, product_code, holdout, eligible_until, eligibility_rule, no_follow_up, basic_expires_on, basic_limit,
                       miles_per_year, gap_exposure_ends_on, plan_classes, powertrain_expires_on, powertrain_limit,
                       free_maintenance_ends_on)
                """, columns: 14, count: plans.count, logger: logger
        ) { b, row in
            let p = plans[row]
            b.append(p.dealID)
            b.append(p.product)
            b.append(p.holdout)
            b.append(p.eligibleUntil)
            b.append(p.eligibilityRule)
            b.append(p.noFollowUp)
            b.append(p.basicExpiresOn)
            b.append(p.basicLimit)
            b.append(p.milesPerYear)
            b.append(p.gapExposureEndsOn)
            b.append(p.planClasses)
            b.append(p.powertrainExpiresOn)
            b.append(p.powertrainLimit)
            b.append(p.freeMaintenanceEndsOn)
        }
    }

    /// Records the horizon of every decline planned (`decline_horizons`, v14), held-out ones too, but for a product
    /// whose horizon follows from the contract date, which the report computes as it reads. A decline no longer
    /// planned (bought since, stopped) keeps the horizon it was last planned with: its facts at contract have not changed.
    private static func writeHorizons(_ plans: [PlannedChunk.Plan], conn: PostgresConnection, logger: Logger) async throws {
        let stored = plans.filter(\.storesHorizon)
        try await insertRows(
            conn, into: "decline_horizons (deal_id, product_code, horizon_until)", columns: 3, count: stored.count,
            then: "ON CONFLICT (deal_id, product_code) DO UPDATE SET horizon_until = excluded.horizon_until", logger: logger
        ) { b, row in
            b.append(stored[row].dealID)
            b.append(stored[row].product)
            b.append(stored[row].horizon)
        }
    }

    /// Records the arms drawn for deals planned for the first time; a deal already drawn keeps its arm (never re-drawn:
    /// another server may have drawn it first).
    private static func insertArms(
        _ arms: [(dealID: Int64, heldOut: Bool, bucket: UInt64, percent: Int)], now: Date, conn: PostgresConnection,
        logger: Logger
    ) async throws {
        let at = now.wholeSecond
        try await insertRows(
            conn, into: "deal_arms (deal_id, held_out, bucket, percent, assigned_at)", columns: 5, count: arms.count,
            then: "ON CONFLICT (deal_id) DO NOTHING", logger: logger
        ) { b, row in
            let a = arms[row]
            b.append(a.dealID)
            b.append(a.heldOut)
            b.append(Int64(clamping: a.bucket))
            b.append(a.percent)
            b.append(at)
        }
    }

    /// Inserts `count` rows of `columns` values into `table` (with its column list), each row's values bound in order
    /// by `bind`, in statements of at most 1,000 rows (PostgreSQL takes up to 65,535 parameters). `then` follows the
    /// values (an `ON CONFLICT` clause).
    static func insertRows(
        _ conn: PostgresConnection, into table: String, columns: Int, count: Int, then suffix: String = "", logger: Logger,
        bind: (inout PostgresBindings, Int) -> Void
    ) async throws {
        let perStatement = max(1, min(1_000, 60_000 / max(columns, 1)))
        for start in stride(from: 0, to: count, by: perStatement) {
            let end = min(count, start + perStatement)
            var bindings = PostgresBindings(capacity: (end - start) * columns)
            var sql = "INSERT INTO \(table) VALUES "
            for row in start..<end {
                let first = (row - start) * columns
                sql += (row == start ? "(" : ", (") + (1...columns).map { "$\(first + $0)" }.joined(separator: ", ") + ")"
                bind(&bindings, row)
            }
            guard bindings.count == (end - start) * columns else {
                throw StoreError("planning: a row of \(table) bound the wrong number of values", kind: .integrity)
            }
            try await conn.run(PostgresQuery(unsafeSQL: sql + " " + suffix, binds: bindings), logger)
        }
    }
}
