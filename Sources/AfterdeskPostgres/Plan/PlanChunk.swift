import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO
import Synchronization

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
            var chunks: [PlanChunkSpec] = []
            var start = 0
            while start < ids.count {
                var end = min(ids.count, start + size)
                // A chunk of a block or more goes on to the end of its last id's block, so chunks of ascending ids (an
                // import's customers) never share a lock slot with the next: two can write at once, as ranges do.
                if Int64(size) >= PlanLocks.block {
                    while end < ids.count, ids[end] / PlanLocks.block == ids[end - 1] / PlanLocks.block { end += 1 }
                }
                chunks.append(PlanChunkSpec(ids: Array(ids[start..<end]), given: true, done: end))
                start = end
            }
            return (chunks, ids.count)
        }
        guard lo <= hi else { return ([], 0) }
        // A range of a block or more starts at a block's first id and spans whole blocks, so two chunks never share a
        // lock slot (`PlanLocks`): the next chunk in flight does not wait for the one before to commit.
        let (start, span) = aligned(lo: lo, size: Int64(size))
        let chunks = stride(from: start, through: hi, by: Int(span)).map { from in
            let to = min(from + span - 1, hi)
            return PlanChunkSpec(ids: Array(max(from, lo)...to), given: false, done: Int(clamping: to - lo + 1))
        }
        return (chunks, Int(clamping: hi - lo + 1))
    }

    /// Where a range's chunks start and how many ids each spans: `lo` and `size` as they are when `size` is under a
    /// lock slot's block, else aligned to blocks.
    static func aligned(lo: Int64, size: Int64) -> (start: Int64, span: Int64) {
        let block = PlanLocks.block
        guard size >= block, lo >= 0 else { return (lo, size) }
        return (lo / block * block, (size + block - 1) / block * block)
    }

}

/// A chunk's plans (`ChunkPlans`, shared with SQLite), each touch's due instant as the `Date` PostgreSQL stores.
typealias PlannedChunk = ChunkPlans<Date>

/// Planning's locks: session advisory locks (class 2902) on planning slots, a slot per block of 1,024 customer ids
/// (folded onto 256 slots, so a chunk never holds more than 256 locks). A chunk takes its customers' slots before its
/// `REPEATABLE READ` transaction takes its snapshot — a lock taken inside it would come after the snapshot, which is
/// taken at the transaction's first query — and lets them go after it ended. Slots are taken in ascending order and
/// all let go between chunks, so planners never deadlock on them. No row is written to take them.
enum PlanLocks {
    /// The slots of `customers`, ascending, once each.
    static func slots(_ customers: [Int64]) -> [Int32] {
        Array(Set(customers.map { Int32(truncatingIfNeeded: ($0 / block) & 255) })).sorted()
    }

    /// The customer ids of one slot's block.
    static let block: Int64 = 1_024

    /// Runs `body` in one `REPEATABLE READ` transaction on one connection, holding the slots of `customers` (`locked`
    /// opens once they are held): committed when it returns, rolled back when it throws. The locks go after the commit
    /// or rollback; a connection that cannot say it let them go is closed (which lets them go), never returned to the
    /// pool holding them.
    static func holding<T: Sendable>(
        _ customers: [Int64], client: PostgresClient, logger: Logger, locked: PlanGate? = nil,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let slots = slots(customers)
        return try await client.withConnection(within: ConnectionWait.default) { conn in
            do {
                try await conn.run("SELECT pg_advisory_lock(2902, s) FROM (SELECT unnest(\(slots)::int[]) AS s ORDER BY 1) o", logger)
                locked?.open()
                try await conn.run("BEGIN ISOLATION LEVEL REPEATABLE READ", logger)
                try await conn.run(PostgresStorage.keyedWork, logger)
                let result = try await body(conn)
                try await conn.commit(logger)
                await unlock(conn, logger)
                return result
            } catch {
                _ = try? await conn.run("ROLLBACK", logger)
                await unlock(conn, logger)
                throw error
            }
        }
    }

    private static func unlock(_ conn: PostgresConnection, _ logger: Logger) async {
        do { try await conn.run("SELECT pg_advisory_unlock_all()", logger) } catch { try? await conn.close() }
    }
}

/// A one-way signal between two planning chunks in flight: waits return once it is open (at once, when it already is).
final class PlanGate: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    /// A gate already open: what the first chunk waits on.
    static let opened: PlanGate = {
        let gate = PlanGate()
        gate.open()
        return gate
    }()

    func open() {
        let waiting = state.withLock { s in
            s.open = true
            defer { s.waiting = [] }
            return s.waiting
        }
        for w in waiting { w.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s in
                if !s.open { s.waiting.append(c) }
                return s.open
            }
            if now { c.resume() }
        }
    }
}

/// A chunk's turn in the pipeline: it takes its locks once the chunk before holds its own (`previousLocked`), says when
/// it holds them (`locked`), draws its touches' ids once the chunk before has drawn its own (`previousDrawn`), and
/// says when it has (`drawn`).
struct PlanTurn: Sendable {
    let previousLocked: PlanGate
    let locked: PlanGate
    let previousDrawn: PlanGate
    let drawn: PlanGate
}
