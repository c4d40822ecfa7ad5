import Foundation

/// `work` on a thread of its own, awaited. The SQLite backend's long jobs block their thread — an import's and a
/// plan's pipeline threads wait on each other, a report reads two halves at once, a backup copies page runs — so they
/// run here, and Swift's cooperative threads, which serve requests, never wait on them.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    let result: Result<T, any Error> = await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: Result { try work() }) }
        thread.name = "afterdesk.storage"
        thread.stackSize = 8 << 20
        thread.start()
    }
    return try result.get()
}
