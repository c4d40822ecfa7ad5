import AfterdeskCore
import AfterdeskStorage
import GRDBSQLite

/// SQLite's write lock on a database file, held by a connection of its own (GRDB forbids leaving a transaction open
/// across its accesses): while it is held no connection of any process can commit, so reads begun meanwhile all see
/// the same commit.
final class WriteLock {
    private var handle: OpaquePointer?

    /// Takes the lock (`BEGIN IMMEDIATE`), waiting up to `timeoutMilliseconds` for a writer to finish.
    init(path: String, timeoutMilliseconds: Int32 = 10_000) throws {
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw StoreError.io("cannot open \(path) for its write lock: \(message)")
        }
        sqlite3_busy_timeout(handle, timeoutMilliseconds)
        guard sqlite3_exec(handle, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(handle))
            sqlite3_close(handle)
            handle = nil
            throw StoreError.io("the write lock of \(path) was not free: \(message)")
        }
    }

    /// Gives the lock back; nothing was written.
    func release() {
        guard let handle else { return }
        sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
        sqlite3_close(handle)
        self.handle = nil
    }

    deinit { release() }
}
