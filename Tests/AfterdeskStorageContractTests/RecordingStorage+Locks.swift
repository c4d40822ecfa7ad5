import AfterdeskCore
import AfterdeskStorage
import Foundation

extension RecordingStorage: LockStorage {
    func tryLock(_ name: LockName) async throws -> HeldLock? {
        notes.note("tryLock(_:)")
        return try await base.tryLock(name)
    }
    func lock(_ name: LockName) async throws -> HeldLock {
        notes.note("lock(_:)")
        return try await base.lock(name)
    }
}
