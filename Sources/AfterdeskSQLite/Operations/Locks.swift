import AfterdeskStorage
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension AfterdeskDatabase {
    public func tryLock(_ name: LockName) async throws -> HeldLock? {
        try takeLock(name, wait: false)  // never waits: fine on a cooperative thread
    }

    public func lock(_ name: LockName) async throws -> HeldLock {
        try await onOwnThread { try self.waitForLock(name) }
    }

    /// Runs `body` holding the import lock: one import at a time per database, so a bulk import's in-memory keys see
    /// every customer and vehicle inserted while it runs. Another import waits (on the calling thread, an import's own).
    func withImportLock<T>(_ body: () throws -> T) throws -> T {
        let held = try waitForLock(.importing)
        defer { held.release() }
        return try body()
    }

    /// `name`, waiting for it on the calling thread.
    func waitForLock(_ name: LockName) throws -> HeldLock {
        guard let held = try takeLock(name, wait: true) else { throw StoreError.io("cannot take the \(name.rawValue) lock") }
        return held
    }

    /// The file of lock `name` beside the database: the names older releases lock too (see `LockName`).
    static func lockFile(_ name: LockName, database path: String) -> String {
        switch name {
        case .dispatch: path + ".dispatch.lock"
        case .importing: path + "-import.lock"
        }
    }

    /// Takes `name`: an advisory lock (`flock`) on its file for a database on a file, which the kernel releases when
    /// the process dies, even by kill -9, so a crashed dispatch or import never blocks the next; for a private
    /// in-memory database, which no other process can open, a lock of this process. Nil when `wait` is false and the
    /// lock is held.
    func takeLock(_ name: LockName, wait: Bool) throws -> HeldLock? {
        guard let path else { return localLocks.take(name, wait: wait) }
        let file = Self.lockFile(name, database: path)
        let fd = open(file, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io("cannot open \(file): \(String(cString: strerror(errno)))") }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            let error = errno
            if error == EINTR { continue }
            close(fd)
            if !wait && error == EWOULDBLOCK { return nil }
            throw StoreError.io("cannot lock \(file): \(String(cString: strerror(error)))")
        }
        return HeldLock(name) { close(fd) }  // closing the file releases its lock
    }
}

/// The locks of a private in-memory database: held in this process, as only this process can reach the database.
final class LocalLocks: @unchecked Sendable {
    // @unchecked: every access to `held` holds `condition`.
    private let condition = NSCondition()
    private var held: Set<LockName> = []

    func take(_ name: LockName, wait: Bool) -> HeldLock? {
        condition.lock()
        defer { condition.unlock() }
        while held.contains(name) {
            guard wait else { return nil }
            condition.wait()
        }
        held.insert(name)
        return HeldLock(name) { self.release(name) }
    }

    private func release(_ name: LockName) {
        condition.lock()
        held.remove(name)
        condition.broadcast()
        condition.unlock()
    }
}
