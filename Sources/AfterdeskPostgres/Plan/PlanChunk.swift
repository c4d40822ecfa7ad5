import AfterdeskCore
import AfterdeskStorage
import Foundation

/// Which customers one planning chunk covers: their ids (a range of ids, or those asked for).
struct PlanChunkSpec: Sendable {
    let ids: [Int64]
    /// True when the customers were asked for by id (planned even when they have no deals any more); false for a
    /// range, which covers the customers with deals in it and those with touches planned.
    let given: Bool
    /// Customers covered up to and including this chunk, for progress.
    let done: Int

    /// The chunks of `rangeSize` customers to plan — those given, or every customer id from the lowest to the highest
    /// (`lo`…`hi`) — and how many customers that is, for progress.
    static func chunks(customerIDs: [Int64]?, lo: Int64, hi: Int64, rangeSize: Int) -> (chunks: [PlanChunkSpec], total: Int) {
        let size = max(rangeSize, 1)
        if let ids = customerIDs {
            let chunks = stride(from: 0, to: ids.count, by: size).map { start in
                let part = Array(ids[start..<min(ids.count, start + size)])
                return PlanChunkSpec(ids: part, given: true, done: start + part.count)
            }
            return (chunks, ids.count)
        }
        guard lo <= hi else { return ([], 0) }
        let chunks = stride(from: lo, through: hi, by: size).map { from in
            let to = min(from + Int64(size) - 1, hi)
            return PlanChunkSpec(ids: Array(from...to), given: false, done: Int(clamping: to - lo + 1))
        }
        return (chunks, Int(clamping: hi - lo + 1))
    }

    /// The chunks in runs of at least `customers` customers (the last run may be shorter): one transaction's worth.
    static func batches(_ chunks: [PlanChunkSpec], customers: Int) -> [[PlanChunkSpec]] {
        PlanBatches.of(chunks, customers: customers, size: \.ids.count)
    }
}

/// A chunk's plans (`ChunkPlans`, shared with SQLite), each touch's due instant as the `Date` PostgreSQL stores.
typealias PlannedChunk = ChunkPlans<Date>
