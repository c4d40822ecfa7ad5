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
        try await conn.run(
            """
            INSERT INTO touches (id, customer_id, due_at, due_on, action, status, planned_at)
            SELECT id, customer, due_at, due_on, action, 'planned', \(plannedAt)
            FROM unnest(\(ids)::int8[], \(touches.map(\.customer))::int8[], \(touches.map(\.dueAt.wholeSecond))::timestamptz[],
                        \(touches.map(\.dueOn))::date[], \(touches.map(\.action))::text[]) AS t(id, customer, due_at, due_on, action)
            """, logger)
        let items = planned.items
        guard !items.isEmpty else { return }
        // `drawIDs` gave one id per touch; an item names its touch by its place among them.
        guard items.allSatisfy({ ids.indices.contains($0.touchIndex) }) else {
            throw StoreError("planning: a touch item names a touch the chunk does not have", kind: .integrity)
        }
        let itemTouches = items.map { ids[$0.touchIndex] }
        try await conn.run(
            """
            INSERT INTO touch_items (touch_id, deal_id, product_code, touch_name, template, reason, carries_cost)
            SELECT * FROM unnest(\(itemTouches)::int8[], \(items.map(\.dealID))::int8[], \(items.map(\.product))::text[],
                                 \(items.map(\.touch))::text[], \(items.map(\.template))::text[], \(items.map(\.reason))::text[],
                                 \(items.map(\.carriesCost))::bool[])
            """, logger)
    }

    /// The plans, one statement for the chunk: each column one array parameter, read back row by row by `unnest`
    /// (PostgreSQL took about 7 ms to parse and analyse a statement of a thousand rows of fourteen parameters, before
    /// planning it: more than half of what writing the rows takes; a statement of fourteen arrays, a tenth of a
    /// millisecond).
    private static func insertPlans(_ plans: [PlannedChunk.Plan], conn: PostgresConnection, logger: Logger) async throws {
        guard !plans.isEmpty else { return }
        try await conn.run(
            """
            INSERT INTO plans (deal_id, product_code, holdout, eligible_until, eligibility_rule, no_follow_up, basic_expires_on,
                               basic_limit, miles_per_year, gap_exposure_ends_on, plan_classes, powertrain_expires_on,
                               powertrain_limit, free_maintenance_ends_on)
            SELECT * FROM unnest(
                \(plans.map(\.dealID))::int8[], \(plans.map(\.product))::text[], \(plans.map(\.holdout))::bool[],
                \(NullableArray(plans.map(\.eligibleUntil)))::date[], \(NullableArray(plans.map(\.eligibilityRule)))::text[],
                \(NullableArray(plans.map(\.noFollowUp)))::text[], \(NullableArray(plans.map(\.basicExpiresOn)))::date[],
                \(NullableArray(plans.map(\.basicLimit)))::text[], \(NullableArray(plans.map(\.milesPerYear)))::int8[],
                \(NullableArray(plans.map(\.gapExposureEndsOn)))::date[], \(NullableArray(plans.map(\.planClasses)))::text[],
                \(NullableArray(plans.map(\.powertrainExpiresOn)))::date[], \(NullableArray(plans.map(\.powertrainLimit)))::text[],
                \(NullableArray(plans.map(\.freeMaintenanceEndsOn)))::date[])
            """, logger)
    }

    /// Records the horizon of every decline planned (`decline_horizons`, v14), held-out ones too, but for a product
    /// whose horizon follows from the contract date, which the report computes as it reads. A decline no longer
    /// planned (bought since, stopped) keeps the horizon it was last planned with: its facts at contract have not changed.
    private static func writeHorizons(_ plans: [PlannedChunk.Plan], conn: PostgresConnection, logger: Logger) async throws {
        let stored = plans.filter(\.storesHorizon)
        guard !stored.isEmpty else { return }
        // A decline is planned once per chunk (the plans' key), so no row of the statement updates another's.
        try await conn.run(
            """
            INSERT INTO decline_horizons (deal_id, product_code, horizon_until)
            SELECT * FROM unnest(\(stored.map(\.dealID))::int8[], \(stored.map(\.product))::text[],
                                 \(NullableArray(stored.map(\.horizon)))::date[])
            ON CONFLICT (deal_id, product_code) DO UPDATE SET horizon_until = excluded.horizon_until
            """, logger)
    }

    /// Records the arms drawn for deals planned for the first time; a deal already drawn keeps its arm (never re-drawn:
    /// another server may have drawn it first).
    private static func insertArms(
        _ arms: [(dealID: Int64, heldOut: Bool, bucket: UInt64, percent: Int)], now: Date, conn: PostgresConnection,
        logger: Logger
    ) async throws {
        guard !arms.isEmpty else { return }
        try await conn.run(
            """
            INSERT INTO deal_arms (deal_id, held_out, bucket, percent, assigned_at)
            SELECT deal_id, held_out, bucket, percent, \(now.wholeSecond)
            FROM unnest(\(arms.map(\.dealID))::int8[], \(arms.map(\.heldOut))::bool[],
                        \(arms.map { Int64(clamping: $0.bucket) })::int8[], \(arms.map(\.percent))::int8[])
                AS a(deal_id, held_out, bucket, percent)
            ON CONFLICT (deal_id) DO NOTHING
            """, logger)
    }
}
