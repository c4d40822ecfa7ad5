import AfterdeskStorage
import PostgresNIO
import Synchronization

/// How long a statement waits for a connection from the pool before it fails.
///
/// While PostgreSQL cannot be reached (restarting, failing over, the network gone) the pool queues every request until
/// it can connect again, and it fails the queue only once no connection at all is open. A connection held for a lock
/// (the dispatch lock) stays open, so a round holding the lock would wait for its own next statement for ever, and with
/// it every request of the server. Bounded, a request fails (503) and a round fails, lets its lock go and is tried again
/// on the next tick: the server comes back on its own once the database does. A minute, so that a burst of requests on
/// a loaded machine, queued behind each other for the pool's connections, still waits its turn.
public enum ConnectionWait {
    public static let `default`: Duration = .seconds(60)
}

extension PostgresClient {
    /// `body` on a connection of the pool, waited for at most `wait` (an `io` error after that). Once `body` has its
    /// connection it runs as long as it takes: only the wait is bounded.
    ///
    /// A connection the pool hands over already closed (PostgreSQL ended its session: restarted, failed over, or the
    /// connection was terminated, and the pool has not yet heard) goes back at once, and another is waited for within
    /// the same bound. PostgresNIO 1.33 loses a statement written to a connection whose channel has already closed: it
    /// writes without a promise, so the closed channel's failure reaches no one and the statement waits for ever; each
    /// statement also looks before it is written (`PostgresConnection.checkOpen`), and is watched (`StatementWatch`).
    func withConnection<T: Sendable>(
        within wait: Duration, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let deadline = ContinuousClock.now + wait
        while true {
            let (conn, handover) = try await lease(until: deadline, wait: wait)
            guard !conn.isClosed else {
                handover.done()
                guard ContinuousClock.now < deadline else {
                    throw StoreError.io("no open connection to PostgreSQL within \(wait.components.seconds) s (is the server running?)")
                }
                try await Task.sleep(for: .milliseconds(5))
                continue
            }
            defer { handover.done() }
            return try await body(conn)
        }
    }

    /// A connection of the pool, waited for until `deadline`: the connection and the handover that keeps its lease
    /// until `done()`.
    private func lease(until deadline: ContinuousClock.Instant, wait: Duration) async throws -> (PostgresConnection, ConnectionHandover) {
        let handover = ConnectionHandover()
        let holder = Task { [self] in
            do {
                try await withConnection { conn in await handover.offer(conn) }
            } catch {
                handover.fail(error)
            }
        }
        let timer = Task {
            try? await Task.sleep(until: deadline)
            guard !Task.isCancelled else { return }
            let seconds = wait.components.seconds
            if handover.giveUp(StoreError.io("no connection to PostgreSQL within \(seconds) s (is the server running?)")) {
                holder.cancel()
            }
        }
        defer { timer.cancel() }
        do {
            let conn = try await withTaskCancellationHandler {
                try await handover.take()
            } onCancel: {
                if handover.giveUp(CancellationError()) { holder.cancel() }
            }
            return (conn, handover)
        } catch {
            handover.done()
            throw error
        }
    }
}

/// A connection passed from the task that leased it to the one that waits for it: the leasing task keeps the lease
/// until the waiter is done with it, or lets it go at once when the waiter has given up.
final class ConnectionHandover: Sendable {
    private struct State {
        var connection: PostgresConnection?
        var taker: CheckedContinuation<PostgresConnection, any Error>?
        var holder: CheckedContinuation<Void, Never>?
        var handedOver = false
        var finished = false
        var failure: (any Error)?
    }
    private let state = Mutex(State())

    /// The leasing task: hands `conn` over and waits until the taker is done (at once when it gave up).
    func offer(_ conn: PostgresConnection) async {
        await withCheckedContinuation { (holder: CheckedContinuation<Void, Never>) in
            let (taker, releaseNow) = state.withLock { s -> (CheckedContinuation<PostgresConnection, any Error>?, Bool) in
                if s.finished || s.failure != nil { return (nil, true) }
                s.handedOver = true
                s.holder = holder
                if let taker = s.taker {
                    s.taker = nil
                    return (taker, false)
                }
                s.connection = conn
                return (nil, false)
            }
            if releaseNow { holder.resume() }
            taker?.resume(returning: conn)
        }
    }

    /// The leasing task could not lease a connection.
    func fail(_ error: any Error) {
        let taker = state.withLock { s -> CheckedContinuation<PostgresConnection, any Error>? in
            guard !s.handedOver, s.failure == nil else { return nil }
            s.failure = error
            defer { s.taker = nil }
            return s.taker
        }
        taker?.resume(throwing: PostgresErrors.mapped(error))
    }

    /// The waiter stops waiting (a timeout, a cancellation): whether it did before the connection was handed over
    /// (then the leasing task is to be cancelled).
    func giveUp(_ error: any Error) -> Bool {
        let (gaveUp, taker) = state.withLock { s -> (Bool, CheckedContinuation<PostgresConnection, any Error>?) in
            guard !s.handedOver, s.failure == nil else { return (false, nil) }
            s.failure = error
            defer { s.taker = nil }
            return (true, s.taker)
        }
        taker?.resume(throwing: error)
        return gaveUp
    }

    /// The waiter: the connection, or why there is none.
    func take() async throws -> PostgresConnection {
        try await withCheckedThrowingContinuation { (taker: CheckedContinuation<PostgresConnection, any Error>) in
            let ready = state.withLock { s -> Result<PostgresConnection, any Error>? in
                if let conn = s.connection {
                    s.connection = nil
                    return .success(conn)
                }
                if let failure = s.failure { return .failure(failure) }
                s.taker = taker
                return nil
            }
            if let ready { taker.resume(with: ready) }
        }
    }

    /// The waiter is done with the connection (or never got one): the leasing task lets it go.
    func done() {
        let holder = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.finished = true
            defer { s.holder = nil }
            return s.holder
        }
        holder?.resume()
    }
}
