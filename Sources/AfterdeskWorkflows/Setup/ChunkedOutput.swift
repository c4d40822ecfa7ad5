import Foundation
import Synchronization

/// Text written to a file in pieces of 64 KiB: the ledger's lines, which the storage hands over one at a time from a
/// thread of its own (`OutcomeStorage.forEachLedgerRow`).
public final class ChunkedOutput: Sendable {
    private let handle: FileHandle
    private let buffer = Mutex("")
    /// Lines written so far.
    public var lines: Int { count.withLock { $0 } }
    private let count = Mutex(0)

    public init(_ handle: FileHandle) { self.handle = handle }

    /// Appends `text` (one line, ending in a newline), writing out what is buffered past 64 KiB.
    public func write(_ text: String) {
        count.withLock { $0 += 1 }
        let full: String? = buffer.withLock { b in
            b += text
            guard b.utf8.count > 1 << 16 else { return nil }
            defer { b.removeAll(keepingCapacity: true) }
            return b
        }
        if let full { handle.write(Data(full.utf8)) }
    }

    /// Writes out what is left.
    public func flush() {
        let rest = buffer.withLock { b in
            defer { b.removeAll() }
            return b
        }
        if !rest.isEmpty { handle.write(Data(rest.utf8)) }
    }
}
