import AfterdeskCore
import AfterdeskStorage
import Foundation
import Synchronization

/// The requirement keys a run exercised, as `Checklist` names them: `claimOutbox(now:limit:)`, `location`.
final class Notes: Sendable {
    private let keys = Mutex<Set<String>>([])
    func note(_ key: String) { keys.withLock { _ = $0.insert(key) } }
    var all: Set<String> { keys.withLock { $0 } }
}

/// A storage that forwards every requirement to `base` and notes which were called: the checklist runs every
/// scenario through one to find the requirements no scenario exercises.
final class RecordingStorage: Sendable {
    let base: any Storage
    let notes: Notes

    init(_ base: any Storage, notes: Notes) {
        self.base = base
        self.notes = notes
    }

    func note(_ key: String) { notes.note(key) }
}

/// The sent log a recording storage hands out: its appends are noted too.
final class RecordingSentLog: SentLog {
    let base: any SentLog
    let notes: Notes

    init(base: any SentLog, notes: Notes) {
        self.base = base
        self.notes = notes
    }

    func append(id: Int64, providerID: String?) throws {
        notes.note("append(id:providerID:)")
        try base.append(id: id, providerID: providerID)
    }

    func clear() throws {
        notes.note("clear()")
        try base.clear()
    }
}
