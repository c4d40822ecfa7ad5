import AfterdeskCore
import Foundation
import GRDB

/// A chunk's plans, and the writing transaction at whose start its facts were read.
struct TaggedChunk: Sendable {
    let spec: PlanChunkSpec
    let planned: PlannedChunk
    /// Plans computed from facts as they stood when writing transaction `transaction` began.
    let transaction: Int
}

/// Feeds the planning writer the plans of its chunks, in order, made ahead on other threads.
///
/// On a database file, a reader thread reads each chunk's facts on a connection of its own and a planning thread
/// turns them into plans, while the writer writes the chunks before: the three parts of the work overlap. A reader
/// takes its snapshot only while the writer holds a write transaction (`SnapshotGate`), so no other connection can
/// commit between the snapshot and that transaction's start: the facts are those the writer would have read there.
/// In memory (one connection), the writer reads each chunk's facts itself, one chunk ahead of the one it writes.
final class PlanFeed: @unchecked Sendable {
    // @unchecked: `read` and `deliveredCount` are used on the writer's thread only; the queues and gate lock themselves.
    private let chunks: [PlanChunkSpec]
    private let plannedQueue = BoundedQueue<Result<TaggedChunk, any Error>>(capacity: 2)
    /// On a file: the facts read, on their way to the planning thread.
    private let factsQueue = BoundedQueue<Result<(PlanChunkFacts, Int), any Error>>(capacity: 2)
    /// The work started on other threads, waited for by `stop`.
    private let threads = DispatchGroup()
    private let gate = SnapshotGate()
    private let planning = DispatchQueue(label: "afterdesk.plan")
    private let pooled: Bool
    private let make: @Sendable (PlanChunkFacts) -> PlannedChunk
    /// In memory: the next chunk whose facts the writer reads.
    private var read = 0
    private var deliveredCount = 0

    init(chunks: [PlanChunkSpec], pool: DatabasePool?, make: @escaping @Sendable (PlanChunkFacts) -> PlannedChunk) {
        self.chunks = chunks
        pooled = pool != nil
        self.make = make
        if let pool { startReading(pool) }
    }

    /// The writer began transaction `number`: readers may take their snapshots.
    func began(_ number: Int) { gate.open(number) }

    /// The writer is about to commit: waits for any reader taking its snapshot, and lets none start.
    func committing() { gate.close() }

    /// The next chunk's plans (nil after the last). `db` is the writer's connection, inside transaction `number`.
    func next(db: Database, transaction number: Int) throws -> TaggedChunk? {
        if !pooled {
            // One chunk ahead: read the next chunk's facts while the current one is planned on the other thread.
            while read < chunks.count && read <= deliveredCount + 1 {
                let spec = chunks[read]
                read += 1
                let facts = try PlanChunkFacts.read(spec, db: db)
                let make = make
                planning.async(group: threads) { [plannedQueue] in
                    _ = plannedQueue.send(.success(TaggedChunk(spec: spec, planned: make(facts), transaction: number)))
                }
            }
        }
        guard deliveredCount < chunks.count else { return nil }
        guard let result = plannedQueue.receive() else {
            throw StoreError("planning stopped after \(deliveredCount) of \(chunks.count) chunks", kind: .io)
        }
        deliveredCount += 1
        return try result.get()
    }

    /// Stops the threads and waits for them (after the last chunk, or when the writer gives up).
    func stop() {
        gate.stop()
        factsQueue.close()
        plannedQueue.close()
        threads.wait()
    }

    /// Frees a chunk's plans on the thread that made them: freeing across threads contends for the allocator's locks.
    func free(_ chunk: TaggedChunk) {
        if pooled {
            written.put(chunk)
        } else {
            planning.async { withExtendedLifetime(chunk) {} }
        }
    }

    /// Chunks written, for the planning thread to free between two chunks.
    private let written = Handoff<TaggedChunk>()

    private func startReading(_ pool: DatabasePool) {
        DispatchQueue(label: "afterdesk.plan.read").async(group: threads) { [chunks, gate, factsQueue] in
            defer { factsQueue.close() }
            for spec in chunks {
                guard let number = gate.enter() else { return }
                let facts = Result { try PlanFeed.read(spec, pool: pool, gate: gate) }.map { ($0, number) }
                guard factsQueue.send(facts) else { return }
            }
        }
        planning.async(group: threads) { [plannedQueue, factsQueue, make, written] in
            defer {
                factsQueue.close()
                plannedQueue.close()
            }
            while let next = factsQueue.receive() {
                withExtendedLifetime(written.takeAll()) {}
                let planned = next.map { facts, number in TaggedChunk(spec: facts.spec, planned: make(facts), transaction: number) }
                guard plannedQueue.send(planned) else { return }
            }
        }
    }

    /// Reads a chunk's facts on a reader connection, having entered `gate`: leaves it once the snapshot is taken.
    private static func read(_ spec: PlanChunkSpec, pool: DatabasePool, gate: SnapshotGate) throws -> PlanChunkFacts {
        var inGate = true
        defer { if inGate { gate.leave() } }
        return try pool.read { db in
            // The transaction's first read fixes its snapshot; from then on the writer may commit.
            _ = try Int.fetchOne(db, sql: "SELECT 1 FROM customers LIMIT 1")
            gate.leave()
            inGate = false
            return try PlanChunkFacts.read(spec, db: db)
        }
    }
}

/// When a reader may take its snapshot: only while the planning writer holds a write transaction, so that no other
/// connection commits between the snapshot and the transaction's start.
final class SnapshotGate: @unchecked Sendable {
    // @unchecked: every access to the state holds `condition`.
    private let condition = NSCondition()
    private var transaction: Int?
    private var taking = 0
    private var stopped = false

    /// Blocks until the writer is inside a transaction; its number, or nil once stopped.
    func enter() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while transaction == nil && !stopped { condition.wait() }
        guard !stopped, let transaction else { return nil }
        taking += 1
        return transaction
    }

    /// The snapshot is taken (or the attempt failed).
    func leave() {
        condition.lock()
        taking -= 1
        condition.broadcast()
        condition.unlock()
    }

    func open(_ number: Int) {
        condition.lock()
        transaction = number
        condition.broadcast()
        condition.unlock()
    }

    /// Lets no reader start, and waits for those taking their snapshot.
    func close() {
        condition.lock()
        transaction = nil
        while taking > 0 { condition.wait() }
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Values handed from one thread to another without waiting.
final class Handoff<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `values` is accessed only under `lock`.
    private let lock = NSLock()
    private var values: [Value] = []

    func put(_ value: Value) { lock.withLock { values.append(value) } }
    func takeAll() -> [Value] {
        lock.withLock {
            defer { values = [] }
            return values
        }
    }
}
