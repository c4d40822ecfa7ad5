import AfterdeskCore
import AfterdeskStorage
import Foundation
import Synchronization
import Testing

/// Coordination between processes sharing the storage: named locks, and the heartbeats of running imports.
extension Scenarios {
    static let coordinationArea: [(name: String, run: Scenario)] = [
        ("locks: a held lock is refused to a second try until released; names are independent", locksExclude),
        ("locks: a lock that waits gets it once the holder lets go", lockWaits),
        ("web imports: a beating import survives a second server's start; a silent one is failed", webImportHeartbeats),
    ]

    @Sendable static func locksExclude(_ s: any Storage, _ f: Fixture) async throws {
        let dispatch = try #require(try await s.tryLock(.dispatch))
        #expect(try await s.tryLock(.dispatch) == nil)
        // Another name is another lock.
        let importing = try #require(try await s.tryLock(.importing))
        #expect(try await s.tryLock(.importing) == nil)
        dispatch.release()
        dispatch.release()  // again: nothing
        let again = try #require(try await s.tryLock(.dispatch))
        #expect(try await s.tryLock(.importing) == nil)
        again.release()
        importing.release()
        // A lock that goes away is released with it.
        do { _ = try #require(try await s.tryLock(.importing)) }
        #expect(try await s.tryLock(.importing) != nil)
    }

    @Sendable static func lockWaits(_ s: any Storage, _ f: Fixture) async throws {
        let held = try await s.lock(.importing)
        let order = Mutex<[String]>([])
        let waiter = Task {
            let second = try await s.lock(.importing)
            order.withLock { $0.append("second holds") }
            second.release()
        }
        try await Task.sleep(for: .milliseconds(100))
        order.withLock { $0.append("first lets go") }
        held.release()
        try await waiter.value
        #expect(order.withLock { $0 } == ["first lets go", "second holds"])
        // A dispatch meanwhile was never blocked by the import.
        #expect(try await s.tryLock(.dispatch) != nil)
    }

    @Sendable static func webImportHeartbeats(_ s: any Storage, _ f: Fixture) async throws {
        let admin = try await s.addUser(name: "ada", role: .admin, staffCode: nil, store: nil, now: f.now)
        let beating = try await s.createWebImport(userID: admin, fileName: "a.csv", path: "/x/a.csv", profile: "canonical", now: f.now)
        let silent = try await s.createWebImport(userID: admin, fileName: "b.csv", path: "/x/b.csv", profile: "canonical", now: f.now)
        try await s.updateWebImport(id: beating, status: .running, now: f.now)
        try await s.updateWebImport(id: silent, status: .running, now: f.now)
        // Within the threshold nothing is failed: both may be another server's, alive.
        #expect(try await s.interruptWebImports(now: f.at(RunLiveness.staleAfter)) == 0)
        // A beat says how far the import is, for its page on any server; one that does not know keeps the last.
        try await s.beatWebImport(id: beating, rowsRead: 4_200, clock: .fixed(f.at(90)))
        try await s.beatWebImport(id: beating, clock: .fixed(f.at(100)))
        #expect(try await s.webImport(id: beating, visibleTo: nil)?.rowsRead == 4_200)
        // A second server starts: the silent one (last sign 121 s ago) failed, the one that beat 21 s ago goes on.
        #expect(try await s.interruptWebImports(now: f.at(RunLiveness.staleAfter + 1)) == 1)
        let failed = try #require(try await s.webImport(id: silent, visibleTo: nil))
        #expect(failed.status == .failed && failed.error?.contains("stopped during the import") == true)
        #expect(try await s.webImport(id: beating, visibleTo: nil)?.status == .running)
        // A beat on a finished import does not bring it back; it is not failed again.
        try await s.beatWebImport(id: silent, clock: .fixed(f.at(200)))
        #expect(try await s.webImport(id: silent, visibleTo: nil)?.status == .failed)
        // Once it stops beating, it is failed in its turn.
        #expect(try await s.interruptWebImports(now: f.at(100 + RunLiveness.staleAfter + 1)) == 1)
        #expect(try await s.webImport(id: beating, visibleTo: nil)?.status == .failed)
    }
}
