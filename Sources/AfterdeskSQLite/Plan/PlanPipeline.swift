import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

/// What the reading thread of a three-stage planning sends the writing thread, in order: for each batch, `snapshot`
/// (its read transaction has begun) and then a planning per chunk of the batch.
enum PlanReaderMessage: Sendable {
    case snapshot
    case chunk(Pending<PlannedChunk>)
    case failed(any Error)
}

/// The reading thread of a three-stage planning: for each batch of chunks, one read transaction on a reader connection
/// of the pool, begun when the writer says so (`mayStart`: its transaction T_j holds the write lock), whose first read
/// (the snapshot) it reports before reading the batch's chunks one by one and handing each to `worker` to plan.
/// `messages` is bounded: the reader stays a few chunks ahead of the writer, so memory stays bounded.
final class PlanReader: @unchecked Sendable {
    // @unchecked: the semaphores and the queue are thread-safe; the rest is immutable.
    let messages = BoundedQueue<PlanReaderMessage>(capacity: 3)
    let mayStart = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let batches: [[PlanChunkSpec]]
    private let pool: DatabasePool
    private let worker: DispatchQueue
    private let plan: @Sendable (PlanChunkFacts) -> PlannedChunk

    init(
        batches: [[PlanChunkSpec]], pool: DatabasePool, worker: DispatchQueue, plan: @escaping @Sendable (PlanChunkFacts) -> PlannedChunk
    ) {
        self.batches = batches
        self.pool = pool
        self.worker = worker
        self.plan = plan
    }

    func start() {
        Thread {
            defer { self.finished.signal() }
            do {
                try self.run()
            } catch {
                _ = self.messages.send(.failed(error))
            }
        }.start()
    }

    /// Stops the reader wherever it is (the writer failed, or is done) and waits for its thread to end.
    func stop() {
        messages.close()
        mayStart.signal()
        finished.wait()
    }

    private func run() throws {
        for batch in batches {
            mayStart.wait()
            let more = try pool.read { db -> Bool in
                _ = try Int.fetchOne(db, sql: "SELECT 1 FROM deals LIMIT 1")  // the snapshot is taken here
                guard messages.send(.snapshot) else { return false }
                for spec in batch {
                    let facts = try PlanChunkFacts.read(spec, db: db)
                    let pending = Pending<PlannedChunk>()
                    worker.async { [plan] in pending.fulfil(plan(facts)) }
                    guard messages.send(.chunk(pending)) else { return false }
                }
                return true
            }
            if !more { return }
        }
    }

    /// The next message, which must be `snapshot`; throws the reader's error.
    func awaitSnapshot() throws {
        switch messages.receive() {
        case .snapshot: return
        case .failed(let error): throw error
        case .chunk, nil: throw DatabaseError(message: "planning: the reading thread is out of step")
        }
    }

    /// The next chunk's plans, waited for; throws the reader's error.
    func nextChunk() throws -> PlannedChunk {
        switch messages.receive() {
        case .chunk(let pending): return pending.take()
        case .failed(let error): throw error
        case .snapshot, nil: throw DatabaseError(message: "planning: the reading thread is out of step")
        }
    }
}

extension PlanChunkSpec {
    /// The chunks in runs of at least `customers` customers (the last run may be shorter): one transaction's worth.
    static func batches(_ chunks: [PlanChunkSpec], customers: Int) -> [[PlanChunkSpec]] {
        PlanBatches.of(chunks, customers: customers, size: \.size)
    }
}

extension AfterdeskDatabase {
    /// The three-stage pipeline over a pool (see `planCustomers`): a reading thread reads batch j's facts on a reader
    /// connection in one read transaction whose snapshot is taken while this thread's transaction T_j holds the write
    /// lock (T_j does not commit before), so it sees the facts as they were when T_j began — nothing else can commit
    /// during T_j, and T_j writes only plans of other customers. The worker plans each chunk; this thread writes batch
    /// j's plans in T_{j+1}, when no other connection committed between T_j's and T_{j+1}'s starts (`data_version`,
    /// read under the write lock), or else reads and plans each of its chunks again here, inside T_{j+1}.
    func planThreeStage(
        _ chunks: [PlanChunkSpec], pool: DatabasePool, db: Database, context: PlanContext,
        betweenTransactions: (() throws -> Void)?
    ) throws -> PlanSummary {
        let batches = PlanChunkSpec.batches(chunks, customers: context.transactionSize)
        let worker = DispatchQueue(label: "afterdesk.plan")
        let plan = context.plan
        let reader = PlanReader(batches: batches, pool: pool, worker: worker, plan: plan)
        reader.start()
        defer { reader.stop() }
        var summary = PlanSummary()
        var versionAtStart = 0
        for j in 0...batches.count {
            try db.inTransaction(.immediate) {
                let version = try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
                if j < batches.count { reader.mayStart.signal() }
                if j > 0 {
                    let stale = version != versionAtStart
                    for spec in batches[j - 1] {
                        var planned = try reader.nextChunk()
                        if stale {
                            // Another connection committed since the batch's snapshot: read the chunk's facts again.
                            worker.async { [planned] in withExtendedLifetime(planned) {} }
                            planned = plan(try PlanChunkFacts.read(spec, db: db))
                        }
                        try write(planned, spec: spec, nowText: context.nowText, db: db)
                        summary.add(planned.summary)
                        // Freed where it was made: freeing across threads contends for the allocator's locks.
                        worker.async { [planned] in withExtendedLifetime(planned) {} }
                        context.progress?(spec.done, context.total)
                    }
                }
                // T_j commits only once batch j's snapshot is taken, under its write lock.
                if j < batches.count { try reader.awaitSnapshot() }
                versionAtStart = version
                return .commit
            }
            if j < batches.count { try betweenTransactions?() }
        }
        return summary
    }
}

/// What both planning pipelines need besides the chunks.
struct PlanContext {
    let plan: @Sendable (PlanChunkFacts) -> PlannedChunk
    let nowText: String
    let transactionSize: Int
    let total: Int
    let progress: ((Int, Int) -> Void)?
}
