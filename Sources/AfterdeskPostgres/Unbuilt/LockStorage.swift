import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func tryLock(_ name: LockName) async throws -> HeldLock? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func lock(_ name: LockName) async throws -> HeldLock {
        throw PostgresStorage.unbuilt(#function)
    }
}
