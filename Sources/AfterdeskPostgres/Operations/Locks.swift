import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The named locks of `LockStorage` as PostgreSQL advisory locks of the session: every server and command on the
/// database sees them, and the server frees them when the session ends, so a process killed (even by kill -9) never
/// blocks the next dispatch or import.
///
/// A session lock belongs to its connection, and taking it again on that connection succeeds (they are re-entrant):
/// so each lock held keeps the connection that took it leased from the pool, in a task of its own, until the lock is
/// released; no other work of this process can get that connection meanwhile, and a second try here, on another
/// connection, is refused like anyone else's.
///
/// Letting a lock go is a query, so it ends a moment after `release()` returns; a lock taken in this process meanwhile
/// waits for it (`ReleasingLocks`), so here a released lock is free at once, as a file's lock is.
extension PostgresStorage {
    public func tryLock(_ name: LockName) async throws -> HeldLock? {
        try await takeLock(name, wait: false)
    }

    public func lock(_ name: LockName) async throws -> HeldLock {
        guard let held = try await takeLock(name, wait: true) else { throw StoreError.io("cannot take the \(name.rawValue) lock") }
        return held
    }

    /// The advisory lock's key of each name: "Aftrdsk" and a byte of its own (the migrations' lock is 0x01), stable
    /// across releases, since servers of two releases may share a database while it is upgraded.
    static func lockKey(_ name: LockName) -> Int64 {
        switch name {
        case .dispatch: 0x4166_7472_6473_6B10
        case .importing: 0x4166_7472_6473_6B11
        }
    }

    /// Takes `name` on a connection leased for as long as it is held: nil when `wait` is false and someone holds it.
    /// The lease's task reports whether it took the lock, then waits for the release; a taker that stopped waiting
    /// (cancelled) before hearing it was taken is no longer listening, so the task lets the lock go at once. The task
    /// holds the storage, so its pool runs until the lock is let go even when nothing else uses the storage.
    private func takeLock(_ name: LockName, wait: Bool) async throws -> HeldLock? {
        let key = Self.lockKey(name)
        let releasing = ReleasingLocks.Lock(database: location ?? "", key: key)
        await ReleasingLocks.shared.settled(releasing)
        let (taken, report) = AsyncThrowingStream<Bool, any Error>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        let id = UUID()
        Task { [self] in
            defer { ReleasingLocks.shared.remove(releasing, id) }
            do {
                try await client.withConnection(within: connectionWait) { conn -> Void in
                    guard try await Self.take(conn, key: key, wait: wait, logger) else {
                        report.yield(false)
                        return
                    }
                    if case .enqueued = report.yield(true) {
                        for await _ in released {}  // until the HeldLock lets go
                    }
                    await Self.unlock(conn, key: key, logger)
                }
                report.finish()
            } catch {
                report.finish(throwing: PostgresErrors.mapped(error))
            }
        }
        for try await got in taken {
            guard got else { return nil }
            return HeldLock(name) {
                ReleasingLocks.shared.add(releasing, id)
                release.finish()
            }
        }
        throw StoreError.io("cannot take the \(name.rawValue) lock")
    }

    /// Takes the lock of `key` on `conn`, waiting for it or not: whether it is taken.
    private static func take(_ conn: PostgresConnection, key: Int64, wait: Bool, _ logger: Logger) async throws -> Bool {
        guard wait else { return try await conn.one(Bool.self, "SELECT pg_try_advisory_lock(\(key))", logger) ?? false }
        try await conn.run("SELECT pg_advisory_lock(\(key))", logger)
        return true
    }

    /// Lets the lock of `key` go. A connection that cannot say it did is closed, which ends its session and so every
    /// lock of it: a connection still holding a lock must never go back to the pool (it would take the lock again
    /// for whoever gets it next).
    private static func unlock(_ conn: PostgresConnection, key: Int64, _ logger: Logger) async {
        let unlocked = try? await conn.one(Bool.self, "SELECT pg_advisory_unlock(\(key))", logger)
        if unlocked != true { try? await conn.close() }
    }
}

/// The locks of this process being let go, by database and key: a release under way (its unlock query not yet
/// answered) is waited for by a new take here, for a few seconds at most (an unlock that cannot finish closes its
/// connection, which frees the lock anyway).
final class ReleasingLocks: Sendable {
    struct Lock: Hashable, Sendable {
        let database: String
        let key: Int64
    }

    static let shared = ReleasingLocks()
    private let releasing = Mutex<[Lock: Set<UUID>]>([:])

    func add(_ lock: Lock, _ id: UUID) {
        releasing.withLock { _ = $0[lock, default: []].insert(id) }
    }

    func remove(_ lock: Lock, _ id: UUID) {
        releasing.withLock { all in
            all[lock]?.remove(id)
            if all[lock]?.isEmpty == true { all[lock] = nil }
        }
    }

    /// Returns once no release of `lock` is under way, or after five seconds. Releases are rare and quick, so a short
    /// poll is all it takes.
    func settled(_ lock: Lock) async {
        let deadline = ContinuousClock.now + .seconds(5)
        while releasing.withLock({ $0[lock] != nil }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}
