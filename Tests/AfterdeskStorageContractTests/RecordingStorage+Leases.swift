import AfterdeskCore
import AfterdeskStorage
import Foundation

extension RecordingStorage: LeaseStorage {
    func claimLease(_ name: String, holder: String, duration: TimeInterval, now: Date) async throws -> Lease {
        notes.note("claimLease(_:holder:duration:now:)")
        return try await base.claimLease(name, holder: holder, duration: duration, now: now)
    }
    func releaseLease(_ name: String, holder: String) async throws {
        notes.note("releaseLease(_:holder:)")
        try await base.releaseLease(name, holder: holder)
    }
    func lease(_ name: String) async throws -> Lease? {
        notes.note("lease(_:)")
        return try await base.lease(name)
    }
    func countHit(_ key: String, limit: Int, window: TimeInterval, now: Date) async throws -> (allowed: Bool, retryAfter: Int) {
        notes.note("countHit(_:limit:window:now:)")
        return try await base.countHit(key, limit: limit, window: window, now: now)
    }
    func tidyHits(before: Date) async throws -> Int {
        notes.note("tidyHits(before:)")
        return try await base.tidyHits(before: before)
    }
}
