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
    public var assigneeID: Int64?
    public var taskID: Int64?

    public init(
        assignee: String? = nil, status: TaskStatus? = .open, limit: Int = 200, store: String? = nil, assigneeID: Int64? = nil,
        taskID: Int64? = nil
    ) {
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
/// any other connection, of this process or another, commits). An answer also ends when the first of its open tasks'
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
        guard capacity > 0, let version else {
            madeCount.withLock { $0 += 1 }
            return try make().value
        }
        let slot = Slot(connection: connection, key: key)
        if let e = entries.withLock({ $0[slot] }), e.version == version, e.validThrough.map({ now <= $0 }) ?? true {
            return e.value
        }
        let (value, validThrough) = try make()
        madeCount.withLock { $0 += 1 }
        entries.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0[slot] = Entry(version: version, validThrough: validThrough, value: value)
        }
        return value
    }
}
