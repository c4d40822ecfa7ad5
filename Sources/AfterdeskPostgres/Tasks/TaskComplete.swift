import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// The task whose outcome's effects are applied, and by whom.
struct TaskEffectContext {
    var task: Int64
    var customer: Int64
    /// Who closed the task, when known; else the ledger names the task's assignee.
    var user: String?
    var now: Date
    var source: String { "task:\(task)" }
}

extension PostgresStorage {
    /// Records a task's outcome and applies what it means for the customer's follow-up (`TaskOutcome.effects`), in one
    /// transaction with the task's row locked: of two servers closing the same task, the second finds it done.
    /// Returns the customer, whose plans the caller re-plans. `product` picks the product sold or refused when the task
    /// covers several. A problem with what was given is a `StoreError` carrying the `TaskOutcomeProblem`.
    @discardableResult
    public func completeTask(
        id: Int64, outcome: TaskOutcome, product: String?, price: Money?, cost: Money?, note: String?, by user: String?, now: Date
    ) async throws -> Int64 {
        // One rule for every door (command line, API, task page): checked before anything is read or written.
        do { try TaskOutcome.checkAmounts(price: price, cost: cost) } catch { throw Self.outcomeError(error) }
        let at = now.wholeSecond
        return try await write { conn in
            var found: (customer: Int64, touch: Int64?, link: Int64?, status: String, store: Int64)?
            for try await row in try await conn.statement(
                "SELECT customer_id, touch_id, offer_link_id, status, store_id FROM tasks WHERE id = \(id) FOR UPDATE", logger: logger
            ).decode((Int64, Int64?, Int64?, String, Int64).self) {
                found = row
            }
            guard let task = found else { throw StoreError.notFound("no task \(id)") }
            guard task.status == "open" else { throw StoreError.conflict("task \(id) is already done") }
            var items: [TaskItem] = []
            for try await (deal, code) in try await conn.statement(
                """
                SELECT i.deal_id, i.product_code FROM touch_items i WHERE i.touch_id = \(task.touch)::int8
                UNION SELECT l.deal_id, l.product_code FROM offer_links l WHERE l.id = \(task.link)::int8
                ORDER BY 1, 2
                """, logger: logger
            ).decode((Int64, String).self) {
                items.append(TaskItem(deal: deal, product: code))
            }
            // Only a sale records a day (the store's): no other outcome waits on the store's zone, least of all a stop.
            let zone = outcome == .sold ? try await storeZone(conn, id: task.store) : .gmt
            let effects: [TaskEffect]
            do throws(TaskOutcomeProblem) {
                effects = try outcome.effects(
                    task: id, items: try TaskOutcome.items(items, task: id, product: product), price: price, cost: cost, note: note,
                    today: LocalDate(now, in: zone))
            } catch { throw Self.outcomeError(error) }
            let applying = TaskEffectContext(task: id, customer: task.customer, user: user, now: at)
            for effect in effects { try await apply(effect, applying, conn) }
            try await conn.run(
                """
                UPDATE tasks SET status = 'done', outcome = \(outcome.rawValue), price_cents = \(price?.cents), cost_cents = \(cost?.cents),
                    note = \(note), completed_at = \(at) WHERE id = \(id)
                """, logger)
            return task.customer
        }
    }

    /// A task outcome given wrongly, as SQLite's `StoreError(TaskOutcomeProblem)` says it: the command line's message,
    /// ambiguous for a task about several products, invalid otherwise, with the problem for the API and the page.
    static func outcomeError(_ problem: TaskOutcomeProblem) -> StoreError {
        var error = StoreError(problem.cliMessage, kind: problem.isAmbiguous ? .ambiguous : .invalid)
        error.outcomeProblem = problem
        return error
    }

    /// The time zone of the store with this id, checked: a name the system does not know is an integrity error.
    func storeZone(_ conn: PostgresConnection, id: Int64) async throws -> TimeZone {
        guard let name = try await conn.one(String.self, "SELECT time_zone FROM stores WHERE id = \(id)", logger) else {
            throw StoreError("no store with id \(id)", kind: .notFound)
        }
        return try Self.checkedZone(name)
    }

    /// The time zone of the store with this code, checked.
    func storeZone(_ conn: PostgresConnection, code: String) async throws -> TimeZone {
        guard let name = try await conn.one(String.self, "SELECT time_zone FROM stores WHERE code = \(code)", logger) else {
            throw StoreError("no store '\(code)'", kind: .notFound)
        }
        return try Self.checkedZone(name)
    }

    private static func checkedZone(_ name: String) throws -> TimeZone {
        do {
            return try TimeZone.store(name)
        } catch {
            throw StoreError("the stores table holds an \(error)", kind: .integrity)
        }
    }
}
