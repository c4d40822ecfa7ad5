import AfterdeskCore
import Foundation
import Synchronization

/// Which tasks a list shows: `assignee` is a staff code or id as typed; `assigneeID` and `store` narrow the list to
/// what a signed-in person may see.
public struct TaskQuery: Sendable, Hashable {
    public var assignee: String?
    public var status: TaskStatus?
    public var limit: Int
    public var store: String?
    /// The stores the reader may see (nil: every store); an empty list finds nothing.
    public var stores: [String]?
    public var assigneeID: Int64?
    public var taskID: Int64?

    public init(
        assignee: String? = nil, status: TaskStatus? = .open, limit: Int = 200, store: String? = nil, assigneeID: Int64? = nil,
        taskID: Int64? = nil, stores: [String]? = nil
    ) {
        self.stores = stores
        self.assignee = assignee
        self.status = status
        self.limit = limit
        self.store = store
        self.assigneeID = assigneeID
        self.taskID = taskID
    }
}

/// What a polled list answered, kept per connection for as long as nothing was committed to the database since: the
/// backend reads a version the database maintains (SQLite's `PRAGMA data_version` on a connection changes whenever
/// any other connection, of this process or another, commits; PostgreSQL's listener counts the notifications its
/// triggers send at every commit to the tables the queue reads, `TaskQueueListener`). An answer also ends when the first of its open tasks'
/// SLA passes (its `overdue` would change).
public final class PolledAnswers<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    struct Slot: Hashable {
        var connection: String
        var key: Key
    }
    struct Entry {
        var version: Int64
        var validThrough: Date?
        var value: Value
    }
    private let entries = Mutex<[Slot: Entry]>([:])
    /// Answers kept at most; past it, all are dropped (a store's people times its readers is far fewer). With 0,
    /// none is kept: every answer is made (the benchmark's measure of the queue after each commit).
    let capacity: Int

    public init(capacity: Int = 2_000) { self.capacity = capacity }

    /// The number of answers made rather than reused, for tests.
    public var made: Int { madeCount.withLock { $0 } }
    private let madeCount = Mutex(0)

    /// The answer kept for `key` on `connection` if nothing was committed since it was made (`version`, which the
    /// backend reads from the database) and it is still valid at `now`; otherwise `make`'s, kept. A nil `version`
    /// (a connection that cannot tell) keeps nothing.
    package func answer(
        connection: String, version: Int64?, key: Key, now: Date, make: () throws -> (value: Value, validThrough: Date?)
    ) throws -> Value {
        if let kept = kept(connection: connection, version: version, key: key, now: now) { return kept }
        let (value, validThrough) = try make()
        keep(value, connection: connection, version: version, key: key, validThrough: validThrough)
        return value
    }

    /// `answer`, for a backend whose `make` queries the database as it goes (PostgreSQL): `version` must be read
    /// before `make` starts, so that a commit `make` may not have seen moves the version past the one kept.
    package func answer(
        connection: String, version: Int64?, key: Key, now: Date, make: () async throws -> (value: Value, validThrough: Date?)
    ) async throws -> Value {
        if let kept = kept(connection: connection, version: version, key: key, now: now) { return kept }
        let (value, validThrough) = try await make()
        keep(value, connection: connection, version: version, key: key, validThrough: validThrough)
        return value
    }

    /// The answer kept for the slot under `version`, still valid at `now`; nil when there is none to reuse.
    private func kept(connection: String, version: Int64?, key: Key, now: Date) -> Value? {
        guard capacity > 0, let version else { return nil }
        let slot = Slot(connection: connection, key: key)
        guard let e = entries.withLock({ $0[slot] }), e.version == version, e.validThrough.map({ now <= $0 }) ?? true else {
            return nil
        }
        return e.value
    }

    /// Counts an answer made, and keeps it unless `version` is nil (or nothing is kept at all).
    private func keep(_ value: Value, connection: String, version: Int64?, key: Key, validThrough: Date?) {
        madeCount.withLock { $0 += 1 }
        guard capacity > 0, let version else { return }
        entries.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0[Slot(connection: connection, key: key)] = Entry(version: version, validThrough: validThrough, value: value)
        }
    }
}
