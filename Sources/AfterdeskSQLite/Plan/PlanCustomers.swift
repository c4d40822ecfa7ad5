import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Plans customers — all of them, or those given — and stores the result: each declined product's plan,
    /// and the customer's touches. Touches not yet sent are replaced; sent and cancelled ones stay as history.
    /// Running it again with the same facts and clock gives the same plans.
    ///
    /// Customers go in chunks of `rangeSize`, through a pipeline: on a file, one thread reads the chunks' facts on a
    /// reader connection, another plans, and this one writes (`planThreeStage`); in memory, this thread reads and
    /// writes while another plans (`planTwoStage`). Either way a chunk's plans are written only when no other
    /// connection has committed anything since the facts were read (`PRAGMA data_version`, read under the write
    /// lock); otherwise its facts are read again and planned anew inside the writing transaction. So a stored plan
    /// always matches the facts as they were when it was written.
    public func planCustomers(
        planner: Planner, now: Date, customerIDs: [Int64]? = nil, rangeSize: Int = 2_000,
        transactionSize: Int = 50_000, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> PlanSummary {
        try await onOwnThread {
            try self.planCustomers(
                planner: planner, now: now, customerIDs: customerIDs, rangeSize: rangeSize, transactionSize: transactionSize,
                progress: progress, betweenTransactions: nil)
        }
    }

    /// `planCustomers` on the calling thread, which it blocks until every chunk is written: for the imports, which
    /// plan what they changed on their own thread.
    func planCustomersOnThisThread(planner: Planner, now: Date, customerIDs: [Int64]?) throws -> PlanSummary {
        try planCustomers(
            planner: planner, now: now, customerIDs: customerIDs, rangeSize: 2_000, transactionSize: 50_000, progress: nil,
            betweenTransactions: nil)
    }

    /// `betweenTransactions` runs after each commit but the last: tests commit from another connection there.
    /// `threeStage` chooses the pipeline (nil: three stages over a pool, two over an in-memory queue), for tests.
    func planCustomers(
        planner: Planner, now: Date, customerIDs: [Int64]?, rangeSize: Int, transactionSize: Int,
        progress: ((Int, Int) -> Void)?, betweenTransactions: (() throws -> Void)?, threeStage: Bool? = nil
    ) throws -> PlanSummary {
        let nowText = Instant.iso8601(now)
        return try writer.writeWithoutTransaction { db in
            try withPlanningSettings(db)
            defer { try? db.execute(sql: "PRAGMA cache_size = -2000; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 1000") }
            let replanAll = try Self.replanAllAsked(db)
            let (chunks, total) = try PlanChunkSpec.chunks(db, customerIDs: replanAll ? nil : customerIDs, rangeSize: rangeSize)
            let context = PlanContext(
                plan: { PlannedChunk($0, planner: planner, now: now) }, nowText: nowText, transactionSize: transactionSize,
                total: total, progress: progress)
            let summary: PlanSummary
            if let pool = writer as? DatabasePool, threeStage ?? true {
                summary = try planThreeStage(chunks, pool: pool, db: db, context: context, betweenTransactions: betweenTransactions)
            } else {
                summary = try planTwoStage(chunks, db: db, context: context, betweenTransactions: betweenTransactions)
            }
            if replanAll { try db.execute(sql: "DELETE FROM settings WHERE key = 'replan_all'") }
            return summary
        }
    }

    /// The two-stage pipeline (for an in-memory database, which has no reader connections): this thread reads a chunk's
    /// facts and writes the plans of the chunk before it while the worker plans. A transaction reads a run of chunks and
    /// writes their plans, the last one's in the next transaction, and only when no other connection committed in
    /// between (`PRAGMA data_version`); otherwise its facts are read again and planned anew inside that transaction.
    private func planTwoStage(
        _ chunks: [PlanChunkSpec], db: Database, context: PlanContext, betweenTransactions: (() throws -> Void)?
    ) throws -> PlanSummary {
        var summary = PlanSummary()
        let worker = DispatchQueue(label: "afterdesk.plan")
        let plan = context.plan
        var inFlight: (spec: PlanChunkSpec, result: Pending<PlannedChunk>)?
        // data_version changes with others' commits only: read at each start, under the write lock, it misses none.
        var versionAtStart: Int?
        var nextChunk = 0
        while nextChunk < chunks.count || inFlight != nil {
            // Few commits, because each rewrites every page it changed, and the index of touches by due time changes all over.
            try db.inTransaction(.immediate) {
                let version = try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
                defer { versionAtStart = version }
                var stale = inFlight != nil && versionAtStart != version
                var read = 0
                repeat {
                    var started: (PlanChunkSpec, Pending<PlannedChunk>)?
                    if nextChunk < chunks.count {
                        let spec = chunks[nextChunk]
                        nextChunk += 1
                        let facts = try PlanChunkFacts.read(spec, db: db)
                        let pending = Pending<PlannedChunk>()
                        worker.async { pending.fulfil(plan(facts)) }
                        started = (spec, pending)
                        read += spec.size
                    }
                    if let (spec, result) = inFlight {
                        var planned = result.take()
                        if stale {
                            // Another connection committed since the chunk's facts were read: read them again.
                            planned = plan(try PlanChunkFacts.read(spec, db: db))
                            stale = false
                        }
                        try write(planned, spec: spec, nowText: context.nowText, db: db)
                        summary.add(planned.summary)
                        // Freed where it was made: freeing across threads contends for the allocator's locks.
                        worker.async { [planned] in withExtendedLifetime(planned) {} }
                        context.progress?(spec.done, context.total)
                    }
                    inFlight = started
                } while read < context.transactionSize && nextChunk < chunks.count
                return .commit
            }
            if inFlight != nil { try betweenTransactions?() }
        }
        return summary
    }

    /// True when a migration that changes what plans mean (v7: the holdout by deal) asked for every plan to be made
    /// again, once: the first planning after it plans every customer, whatever it was asked for.
    static func replanAllAsked(_ db: Database) throws -> Bool {
        try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'replan_all'") != nil
    }

    /// The importer's settings for bulk writes (see DealImporter), until the caller puts them back: the plans written
    /// point only at deals and customers read in the same transaction, and at touches inserted just before their items.
    /// (A checkpointing thread was tried: it never catches up with a writer that never pauses, so the log only grows.)
    private func withPlanningSettings(_ db: Database) throws {
        try db.execute(sql: "PRAGMA cache_size = -\(DealImporter.cacheKiB); PRAGMA foreign_keys = OFF; PRAGMA wal_autocheckpoint = 20000")
    }

    /// Replaces what was planned for a chunk's customers with `planned`, in a few statements for the chunk.
    func write(_ planned: PlannedChunk, spec: PlanChunkSpec, nowText: String, db: Database) throws {
        func bound(_ sql: String) throws -> RawStatement { try RawStatement(db, sql, binding: spec.ids) }
        let cancel = try RawStatement(db, "UPDATE touches SET status = 'cancelled', status_reason = ?1 WHERE id = ?2")
        for (touch, why) in planned.cancelled {
            cancel.bind(1, why)
            cancel.bind(2, touch)
            try cancel.run()
        }
        if planned.hadPlannedTouches {
            try bound(
                """
                DELETE FROM touch_items WHERE touch_id IN (SELECT id FROM touches WHERE +status = 'planned' AND \(spec.condition))
                """
            ).run()
            try bound("DELETE FROM touches WHERE +status = 'planned' AND \(spec.condition)").run()
        }
        try bound("DELETE FROM plans WHERE deal_id IN (SELECT id FROM deals WHERE \(spec.condition))").run()
        try insertPlans(planned.plans, db: db)
        try writeHorizons(planned.plans, db: db)
        try insertArms(planned.arms, nowText: nowText, db: db)
        // Touch ids are given here (the next after the largest, as SQLite would), so items can be written in bulk too:
        // this transaction holds the write lock.
        let firstID = (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM touches") ?? 0) + 1
        let touches = planned.touches
        let items = planned.items
        try RawStatement.insertRows(
            db, into: "touches (id, customer_id, due_at, due_on, action, status, planned_at)",
            columns: 7, count: touches.count
        ) { s, row, at in
            let t = touches[row]
            s.bind(at, firstID + Int64(row))
            s.bind(at + 1, t.customer)
            s.bind(at + 2, t.dueAt)
            s.bind(at + 3, t.dueOn)
            s.bind(at + 4, t.action)
            s.bind(at + 5, "planned")
            s.bind(at + 6, nowText)
        }
        try RawStatement.insertRows(
            db, into: "touch_items (touch_id, deal_id, product_code, touch_name, template, reason, carries_cost)",
            columns: 7, count: items.count
        ) { s, row, at in
            let item = items[row]
            s.bind(at, firstID + Int64(item.touchIndex))
            s.bind(at + 1, item.dealID)
            s.bind(at + 2, item.product)
            s.bind(at + 3, item.touch)
            s.bind(at + 4, item.template)
            s.bind(at + 5, item.reason)
            s.bind(at + 6, item.carriesCost)
        }
    }

    /// Records the arms drawn for deals planned for the first time; a deal already drawn keeps its arm.
    private func insertArms(_ arms: [(dealID: Int64, heldOut: Bool, bucket: UInt64, percent: Int)], nowText: String, db: Database) throws {
        let s = try RawStatement(
            db, "INSERT OR IGNORE INTO deal_arms (deal_id, held_out, bucket, percent, assigned_at) VALUES (?1, ?2, ?3, ?4, ?5)")
        for a in arms {
            s.bind(1, a.dealID)
            s.bind(2, a.heldOut)
            s.bind(3, Int64(a.bucket))
            s.bind(4, a.percent)
            s.bind(5, nowText)
            try s.run()
        }
    }

    private func insertPlans(_ plans: [PlannedChunk.Plan], db: Database) throws {
        try RawStatement.insertRows(
            db,
            into: """
                plans (deal_id, product_code, holdout, eligible_until, eligibility_rule, no_follow_up, basic_expires_on, basic_limit,
                       miles_per_year, gap_exposure_ends_on, plan_classes, powertrain_expires_on, powertrain_limit,
                       free_maintenance_ends_on)
                """, columns: 14, count: plans.count
        ) { s, row, at in
            let p = plans[row]
            s.bind(at, p.dealID)
            s.bind(at + 1, p.product)
            s.bind(at + 2, p.holdout)
            s.bind(at + 3, p.eligibleUntil)
            s.bind(at + 4, p.eligibilityRule)
            s.bind(at + 5, p.noFollowUp)
            s.bind(at + 6, p.basicExpiresOn)
            s.bind(at + 7, p.basicLimit)
            s.bind(at + 8, p.milesPerYear)
            s.bind(at + 9, p.gapExposureEndsOn)
            s.bind(at + 10, p.planClasses)
            s.bind(at + 11, p.powertrainExpiresOn)
            s.bind(at + 12, p.powertrainLimit)
            s.bind(at + 13, p.freeMaintenanceEndsOn)
        }
    }

    /// Planned touches, soonest first, for `afterdesk plan`.
    public func plannedTouches(dealNumber: String? = nil, store: String? = nil, limit: Int = 100) async throws -> [PlannedTouchRow] {
        try await writer.read { db in
            var condition = "t.status = 'planned'"
            var args: [any DatabaseValueConvertible] = []
            if let dealNumber {
                guard let deal = try AfterdeskDatabase.findDeal(db, number: dealNumber, store: store) else { return [] }
                condition += " AND t.customer_id = ?"
                args.append(deal.customerID)
            }
            args.append(limit)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT t.id, t.due_at, t.due_on, t.action, t.status, c.first_name || ' ' || c.last_name AS customer,
                           group_concat(d.deal_number || ':' || i.product_code, ' ') AS products,
                           group_concat(i.reason, ' | ') AS reasons, MIN(i.template) AS template
                    FROM touches t JOIN customers c ON c.id = t.customer_id
                    JOIN touch_items i ON i.touch_id = t.id JOIN deals d ON d.id = i.deal_id
                    WHERE \(condition)
                    GROUP BY t.id ORDER BY t.due_at, t.id LIMIT ?
                    """, arguments: StatementArguments(args)
            ).map {
                try PlannedTouchRow(
                    id: $0["id"], dueAt: $0.instant("due_at", of: "touches"), dueOn: $0.localDate("due_on", of: "touches"),
                    action: $0.stored("action", of: "touches"), status: $0.stored("status", of: "touches"),
                    customer: $0["customer"], products: ($0["products"] as String).split(separator: " ").map(String.init),
                    template: $0["template"], reasons: ($0["reasons"] as String).components(separatedBy: " | "))
            }
        }
    }

    /// Customer ids of the given deals of `store` (or of the only store holding each number).
    public func customerIDs(ofDeals numbers: [String], store: String? = nil) async throws -> [Int64] {
        try await writer.read { db in
            try Array(Set(numbers.compactMap { try AfterdeskDatabase.findDeal(db, number: $0, store: store)?.customerID })).sorted()
        }
    }
}
