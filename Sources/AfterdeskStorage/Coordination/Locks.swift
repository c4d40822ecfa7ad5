import Foundation
import Synchronization

/// The exclusive locks of `LockStorage`. A backend on files keeps each in a file beside the database, named after it
/// (`<database>.dispatch.lock`, `<database>-import.lock`): those names are shared with older releases, which lock the
/// same files, so they must not change.
public enum LockName: String, Sendable, CaseIterable {
    /// One dispatcher at a time: `afterdesk run` and the scheduler of every `serve`.
    case dispatch
    /// One import at a time: a bulk import's in-memory keys must see every customer and vehicle inserted meanwhile.
    case importing
}

/// A lock taken through `LockStorage`: held until `release()` is called or the value goes away, whichever is first.
public final class HeldLock: Sendable {
    public let name: LockName
    private let releaser: Mutex<(@Sendable () -> Void)?>

    /// `release` lets the lock go; it is called once, by `release()` or at the latest when the value goes away.
    public init(_ name: LockName, release: @escaping @Sendable () -> Void) {
        self.name = name
        self.releaser = Mutex(release)
    }

    /// Lets the lock go (again: nothing).
    public func release() {
        let body = releaser.withLock { current in
            defer { current = nil }
            return current
        }
        body?()
    }

    deinit { release() }
}
