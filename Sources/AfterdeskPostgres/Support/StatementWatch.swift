import Foundation
import PostgresNIO
import Synchronization

/// Watches the statements in flight for one that can never end: PostgresNIO 1.33 writes a statement to its connection's
/// channel without a promise, so a statement written just as PostgreSQL ended the session (a restart, a failover, a
/// terminated backend) is dropped by the closed channel and its caller waits for ever. Nothing can resume that caller;
/// left alone it would hold what it holds (a dispatch page, the dispatch lock's round, a server's stop) for good.
///
/// Every statement is registered with its connection from just before it is written until PostgreSQL has answered it
/// (`PostgresConnection.watched`; a long statement on an open connection is never in question). Once a second, a task
/// looks at them: one whose connection has been closed for `grace` and that is still unanswered is such a statement,
/// since one whose connection's end reached it fails within milliseconds. Then `wedged`
/// runs: by default it says so on standard error and ends the process with `exitStatus`, so its service manager starts
/// it again (`Restart=on-failure`, docs/operations.md); what it had in flight is reconciled as after `kill -9`.
public final class StatementWatch: Sendable {
    /// The process's watch, with the default grace and exit.
    public static let shared = StatementWatch()
    /// The exit status of a process ended because a statement could not end: 1, "anything else" of every command's
    /// exit codes (docs/INTERFACES: 0, 64, 65, 1); its line on standard error says why.
    public static let exitStatus: Int32 = 1

    private struct Entry {
        let isClosed: @Sendable () -> Bool
        let what: String
        var closedSince: ContinuousClock.Instant?
    }
    private struct State {
        var next = 0
        var entries: [Int: Entry] = [:]
        var looking = false
        var wedged = false
    }
    private let state = Mutex(State())
    let grace: Duration
    let every: Duration
    /// Called once, with the grace and what the stuck statement is (`watch(_:what:)`).
    let wedged: @Sendable (Duration, String) -> Void

    public init(
        grace: Duration = .seconds(15), every: Duration = .seconds(1),
        wedged: @escaping @Sendable (Duration, String) -> Void = StatementWatch.exit
    ) {
        self.grace = grace
        self.every = every
        self.wedged = wedged
    }

    /// Says why on standard error, naming the statement by its first words, and ends the process with `exitStatus`.
    public static let exit: @Sendable (Duration, String) -> Void = { grace, what in
        FileHandle.standardError.write(
            Data(
                """
                afterdesk: a statement on a PostgreSQL connection that closed \(grace.components.seconds) s ago has not ended \
                (PostgresNIO loses a statement written as its connection closes): exiting with status \(exitStatus) to be \
                started again; what was in flight is reconciled as after kill -9 (the statement: \(what))

                """.utf8))
        Foundation.exit(exitStatus)
    }

    /// Registers `conn`'s statement, `what` (its SQL: only its first words are ever said, `firstWords`), until the
    /// returned token is cancelled.
    func watch(_ conn: PostgresConnection, what: String = "") -> Token {
        watch(what: what) { conn.isClosed }
    }

    /// Registers a statement whose connection is closed when `isClosed` says so, until the token is cancelled.
    func watch(what: String = "", isClosed: @escaping @Sendable () -> Bool) -> Token {
        let (id, start) = state.withLock { s -> (Int, Bool) in
            s.next += 1
            s.entries[s.next] = Entry(isClosed: isClosed, what: what)
            defer { s.looking = true }
            return (s.next, !s.looking)
        }
        if start { Task.detached { [self] in await look() } }
        return Token(watch: self, id: id)
    }

    /// A statement's registration: `cancel()` when its body has ended.
    struct Token: Sendable {
        let watch: StatementWatch
        let id: Int
        func cancel() { _ = watch.state.withLock { $0.entries.removeValue(forKey: id) } }
    }

    /// A statement's first words, to name it where it is said to be stuck: up to its first quote, dollar sign or
    /// parenthesis (where values could begin), 60 characters at most, on one line. Nothing of a customer's.
    static func firstWords(_ sql: String) -> String {
        let head = sql.prefix { !"'$(\"".contains($0) }.prefix(60)
        return head.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Statements registered now.
    var watched: Int { state.withLock { $0.entries.count } }

    /// Looks every `every` while anything is registered; stops when nothing is (the next `watch` starts it again).
    private func look() async {
        while true {
            try? await Task.sleep(for: every)
            let now = ContinuousClock.now
            let (stop, stuck) = state.withLock { s -> (Bool, String?) in
                if s.entries.isEmpty {
                    s.looking = false
                    return (true, nil)
                }
                var stuck: String?
                for (id, var e) in s.entries {
                    guard e.isClosed() else { continue }
                    let since = e.closedSince ?? now
                    e.closedSince = since
                    s.entries[id] = e
                    if now - since >= grace, !s.wedged { stuck = Self.firstWords(e.what) }
                }
                if stuck != nil { s.wedged = true }
                return (false, stuck)
            }
            if let stuck { wedged(grace, stuck) }
            if stop { return }
        }
    }
}
