import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension PlanChunkSpec {
    /// The chunks of `rangeSize` customers to plan — those given, or every customer id from the lowest to the highest —
    /// and how many customers that is, for progress.
    static func chunks(_ db: Database, customerIDs: [Int64]?, rangeSize: Int) throws -> (chunks: [PlanChunkSpec], total: Int) {
        var chunks: [PlanChunkSpec] = []
        if let ids = customerIDs {
            for start in stride(from: 0, to: ids.count, by: rangeSize) {
                let part = Array(ids[start..<min(ids.count, start + rangeSize)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                chunks.append(PlanChunkSpec(condition: "customer_id IN (\(marks))", ids: part, given: part, done: start + part.count))
            }
            return (chunks, ids.count)
        }
        let lo = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM customers") ?? 0
        let hi = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM customers") ?? -1
        for from in stride(from: lo, through: hi, by: rangeSize) {
            let to = from + Int64(rangeSize) - 1
            chunks.append(PlanChunkSpec(condition: "customer_id BETWEEN ? AND ?", ids: [from, to], given: nil, done: Int(to - lo + 1)))
        }
        return (chunks, Int(hi - lo + 1))
    }
}

/// Which customers one planning chunk covers: SQL over a `customer_id` column, with `ids` bound.
struct PlanChunkSpec: Sendable {
    let condition: String
    let ids: [Int64]
    /// The customers asked for by id (planned even when they have no deals any more); nil for a range.
    let given: [Int64]?
    /// Customers covered up to and including this chunk, for progress.
    let done: Int
    /// Customers (or customer ids) the chunk spans.
    var size: Int { given?.count ?? Int(ids[1] - ids[0] + 1) }
}

/// A chunk's facts, read in one transaction (its deals, and the touches planned for it now), as rows copied out
/// of SQLite: the planning thread makes values of them.
struct PlanChunkFacts: Sendable {
    let spec: PlanChunkSpec
    let deals: DealLoader.Rows
    /// (customer, touch, deal, product code) of every item of a touch planned now.
    let previous: RawRows

    static func read(_ spec: PlanChunkSpec, db: Database) throws -> PlanChunkFacts {
        let deals = try DealLoader.read(db, customers: spec.condition, ids: spec.ids)
        // (`+status` keeps SQLite on the index by customer: the index by status would scan every planned touch
        // of every customer.)
        let old = try RawStatement(
            db,
            """
            SELECT t.customer_id, t.id, i.deal_id, i.product_code FROM touches t JOIN touch_items i ON i.touch_id = t.id
            WHERE +t.status = 'planned' AND t.\(spec.condition)
            """, binding: spec.ids)
        var previous = RawRows(columns: 4, integers: [0, 1, 2])
        try previous.appendAll(old)
        return PlanChunkFacts(spec: spec, deals: deals, previous: previous)
    }
}

/// A chunk's plans (`ChunkPlans`, shared with PostgreSQL), each touch's due instant as the text SQLite stores.
typealias PlannedChunk = ChunkPlans<String>

extension PlannedChunk {
    /// Plans a chunk from the rows read for it, decoded here, on the planning thread.
    init(_ facts: PlanChunkFacts, planner: Planner, now: Date) {
        let deals = DealLoader.decode(facts.deals)
        var previous: [Int64: [Previous]] = [:]
        let old = facts.previous
        for i in 0..<old.count { previous[old.int64(i, 0), default: []].append((old.int64(i, 1), old.int64(i, 2), old.text(i, 3))) }
        self.init(deals: deals, previous: previous, given: facts.spec.given, planner: planner, now: now, dueAt: Instant.iso8601)
    }
}
