import AfterdeskCore
import AfterdeskStorage
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Messages a provider accepted that the outbox does not yet say are sent: one line per message appended to
/// `<database>-sent.journal` the moment the provider answers, so results can be committed a page at a time.
///
/// A line is a single `write(2)`, in the kernel's page cache as soon as it returns: a killed process loses none
/// (like the database's own log in `synchronous = NORMAL`, only a power loss could). The next dispatch reads the
/// journal before anything else and marks what it lists as sent, so a message whose commit was lost in a crash
/// is not sent again. Only the dispatcher, which holds the dispatch lock, writes it.
public final class SentJournal: Sendable {
    public let path: String
    private let fd: Int32

    /// Opens (creating) the journal at `path`; nil when it cannot be opened.
    public init?(path: String) {
        let fd = open(path, O_CREAT | O_RDWR | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Notes that outbox message `id` was accepted by its provider under `providerID`.
    public func append(id: Int64, providerID: String?) throws {
        let clean = (providerID ?? "").map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 }
        let line = Array("\(id)\t\(String(clean))\n".utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else { throw StoreError.io("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    /// Every complete line: (outbox id, provider id). A line cut short by a crash is not one.
    public func entries() throws -> [(id: Int64, providerID: String?)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var out: [(Int64, String?)] = []
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            let fields = line.split(separator: UInt8(ascii: "\t"), maxSplits: 1, omittingEmptySubsequences: false)
            guard let first = fields.first, let id = Int64(String(decoding: first, as: UTF8.self)) else { continue }
            let provider = fields.count > 1 ? String(decoding: fields[1], as: UTF8.self) : ""
            out.append((id, provider.isEmpty ? nil : provider))
        }
        return out
    }

    /// Empties the journal, once what it lists is committed.
    public func clear() throws {
        guard ftruncate(fd, 0) == 0 else { throw StoreError.io("cannot truncate \(path): \(String(cString: strerror(errno)))") }
    }
}

extension AfterdeskDatabase {
    /// The journal of sends not yet committed, beside the database file; nil for an in-memory database.
    func openSentJournal() -> SentJournal? {
        path.flatMap { SentJournal(path: $0 + "-sent.journal") }
    }

    /// The journal, as the dispatcher writes it.
    public func openSentLog() -> (any SentLog)? { openSentJournal() }

    /// Marks as sent what the journal lists and the outbox still has `sending`, then empties the journal; 0 for an
    /// in-memory database, which keeps none. Returns how many messages it settled.
    @discardableResult
    public func settleSentLog(now: Date) async throws -> Int {
        guard let journal = openSentJournal() else { return 0 }
        let entries = try journal.entries()
        guard !entries.isEmpty else { return 0 }
        let settled = try await writer.write { db -> Int in
            let sent = try db.cachedStatement(
                sql: """
                    UPDATE outbox SET status = 'sent', provider_id = ?, sent_at = ?, last_error = NULL, updated_at = ? WHERE id = ? AND status = 'sending'
                    """)
            let nowText = Instant.iso8601(now)
            var n = 0
            for e in entries {
                try sent.execute(arguments: [e.providerID, nowText, nowText, e.id])
                if db.changesCount == 1 {
                    n += 1
                    try self.redactOfferLinks(db, id: e.id)
                }
            }
            return n
        }
        try journal.clear()
        return settled
    }
}
