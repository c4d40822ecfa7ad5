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
    /// (cancelled) before hearing it was taken is no longer listening, so the task lets the lock go at once.
    private func takeLock(_ name: LockName, wait: Bool) async throws -> HeldLock? {
        let key = Self.lockKey(name)
        await ReleasingLocks.shared.settled(key)
        let (taken, report) = AsyncThrowingStream<Bool, any Error>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        let (client, logger) = (self.client, self.logger)
        let id = UUID()
        let lease = Task {
            defer { ReleasingLocks.shared.remove(key, id) }
            do {
                try await client.withConnection { conn -> Void in
                    let got: Bool
                    if wait {
                        try await conn.run("SELECT pg_advisory_lock(\(key))", logger)
                        got = true
                    } else {
                        got = try await conn.one(Bool.self, "SELECT pg_try_advisory_lock(\(key))", logger) ?? false
                    }
                    guard got else {
                        report.yield(false)
                        return
                    }
                    if case .enqueued = report.yield(true) {
                        for await _ in released {}  // until the HeldLock lets go
                    }
                    try await Self.unlock(conn, key: key, logger)
                }
                report.finish()
            } catch {
                report.finish(throwing: PostgresErrors.mapped(error))
            }
        }
        for try await got in taken {
            guard got else { return nil }
            return HeldLock(name) {
                ReleasingLocks.shared.add(key, id, lease)
                release.finish()
            }
        }
        throw StoreError.io("cannot take the \(name.rawValue) lock")
    }

    /// Lets the lock of `key` go. A connection that cannot say it did is closed, which ends its session and so every
    /// lock of it: a connection still holding a lock must never go back to the pool (it would take the lock again
    /// for whoever gets it next).
    private static func unlock(_ conn: PostgresConnection, key: Int64, _ logger: Logger) async throws {
        let unlocked = try? await conn.one(Bool.self, "SELECT pg_advisory_unlock(\(key))", logger)
        if unlocked != true { try? await conn.close() }
    }
}

/// The locks of this process being let go: the leases' tasks, which end once the unlock is done, by lock key.
final class ReleasingLocks: Sendable {
    static let shared = ReleasingLocks()
    private let leases = Mutex<[Int64: [UUID: Task<Void, Never>]]>([:])

    func add(_ key: Int64, _ id: UUID, _ lease: Task<Void, Never>) {
        leases.withLock { $0[key, default: [:]][id] = lease }
    }

    func remove(_ key: Int64, _ id: UUID) {
        leases.withLock { all in
            all[key]?[id] = nil
            if all[key]?.isEmpty == true { all[key] = nil }
        }
    }

    /// Returns once every release of `key` begun before the call is done.
    func settled(_ key: Int64) async {
        for lease in leases.withLock({ Array(($0[key] ?? [:]).values) }) { await lease.value }
    }
}
