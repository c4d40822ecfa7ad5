import Foundation

/// Named exclusive locks shared by every process on one database: one dispatcher at a time (the command line's `run`
/// and every server's scheduler), one import at a time. A lock is held until its `HeldLock` is released or goes away,
/// and the backend frees it when the process holding it dies, even by kill -9, so a crash never blocks the next run.
public protocol LockStorage: Sendable {
    /// Takes `name` if no one holds it; nil, at once, when it is held (another dispatch is running).
    func tryLock(_ name: LockName) async throws -> HeldLock?
    /// Takes `name`, waiting for whoever holds it to let it go (another import).
    func lock(_ name: LockName) async throws -> HeldLock
}
