import AfterdeskStorage
import Foundation

/// The results of sends that cannot be looked up at the provider again (email, ADF leads, webhooks), on a backend
/// without a sent log (`DispatchStorage.openSentLog()` is nil: PostgreSQL): each is committed as soon as the commit
/// before it has ended, without holding up the next send. While one commit is in flight the results sent meanwhile
/// wait, and go together in the next (one statement, `completeOutbox`), so the number of commits follows the
/// database's pace rather than one per message.
///
/// A crash loses only the results not yet committed: those messages stay `sending`, and the next dispatch sends them
/// again under the same idempotency key (for email the same Message-ID), as when a crash fell between a send and its
/// own commit. A commit that fails stops the page: `check` and `drain` throw its error.
actor SentCommits {
    /// Commits a batch of results (`completeOutbox`).
    typealias Commit = @Sendable ([(id: Int64, result: SendResult)]) async throws -> Void
    private let commit: Commit
    private var pending: [(id: Int64, result: SendResult)] = []
    private var writing: Task<Void, Never>?
    private var failure: (any Error)?

    init(commit: @escaping Commit) {
        self.commit = commit
    }

    /// Results committed through `database.completeOutbox` at `now`.
    init(database: any Storage, now: Date) {
        self.init { try await database.completeOutbox($0, now: now) }
    }

    /// Throws the error of a commit that failed, so no more is sent.
    func check() throws {
        if let failure { throw failure }
    }

    /// Queues a send's result for the next commit, which starts at once unless one is in flight.
    func add(id: Int64, result: SendResult) throws {
        try check()
        pending.append((id, result))
        startNext()
    }

    /// Waits until every result added is committed (or a commit failed: its error).
    func drain() async throws {
        while let current = writing { await current.value }
        try check()
    }

    private func startNext() {
        guard writing == nil, failure == nil, !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        let commit = commit
        writing = Task {
            var error: (any Error)?
            do { try await commit(batch) } catch let e { error = e }
            self.finished(error)
        }
    }

    private func finished(_ error: (any Error)?) {
        writing = nil
        if let error, failure == nil { failure = error }
        startNext()
    }
}
