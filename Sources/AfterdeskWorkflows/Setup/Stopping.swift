import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// How long `serve` may take to stop. A graceful stop (SIGTERM, SIGINT) lets the page in flight end whole and the
/// requests in progress answer, which takes seconds; past `gracefully` whatever is still running is cancelled, and a
/// task that ignores its cancellation for `cancelled` more ends the process (ServiceLifecycle's fatal error,
/// "Cancellation took longer than allowed"). Then the command (`Afterdesk.main`) closes the connections, for `closing`
/// at most (`Stopping.closed`). Whatever else holds the stop up, `StopWatchdog` ends the process `deadline` after the
/// signal, saying so. A server that stops uncleanly loses nothing: what a page in flight left `sending` is reconciled
/// as after `kill -9` (docs/operations.md).
public enum Stopping {
    public static let gracefully: Duration = .seconds(40)
    public static let cancelled: Duration = .seconds(15)
    public static let closing: Duration = .seconds(10)
    /// The whole stop, from the signal to the exit: past it, `StopWatchdog` exits.
    public static let deadline: Duration = .seconds(75)
    /// The exit status of a stop the watchdog ended (EX_SOFTWARE).
    public static let watchdogStatus: Int32 = 70

    /// Runs `work` (closing connections, letting leases go), waiting `limit` at most: whether it finished. The wait does
    /// not end early when the caller is cancelled (a stop cancels its callers; what they close must still close). Work
    /// still running after the limit is cancelled and left to the process's exit, which closes its sockets (PostgreSQL
    /// then ends their sessions and frees their locks).
    public static func closed(within limit: Duration = closing, _ work: @escaping @Sendable () async -> Void) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let first = FirstAnswer(continuation)
            let closing = Task {
                await work()
                first.answer(true)
            }
            Task {
                try? await Task.sleep(for: limit)
                if first.answer(false) { closing.cancel() }
            }
        }
    }

    /// The first of two answers resumes the waiter; the other is dropped.
    final class FirstAnswer: Sendable {
        private let waiter: Mutex<CheckedContinuation<Bool, Never>?>
        init(_ continuation: CheckedContinuation<Bool, Never>) { waiter = Mutex(continuation) }

        /// Whether this answer was the first.
        @discardableResult
        func answer(_ finished: Bool) -> Bool {
            guard
                let waiter = waiter.withLock({ w -> CheckedContinuation<Bool, Never>? in
                    defer { w = nil }
                    return w
                })
            else { return false }
            waiter.resume(returning: finished)
            return true
        }
    }
}

/// A service of `serve`'s group, listed last so that it hears the stop first (a group stops its services in reverse
/// order, each after the one before has ended), that does nothing until the group begins to stop, then starts a timer outside the
/// group (no cancellation of the group reaches it): `Stopping.deadline` later, if the process is still there, it says
/// so and exits with `Stopping.watchdogStatus`. The bounds of the group and of closing come first; this is the one
/// that holds whatever path a stop takes (a service that throws while stopping cancels the group with no bound of its
/// own).
public struct StopWatchdog: Service {
    let deadline: Duration
    let logger: Logger
    let exit: @Sendable () -> Void

    public init(deadline: Duration = Stopping.deadline, logger: Logger, exit: @escaping @Sendable () -> Void = StopWatchdog.exitNow) {
        self.deadline = deadline
        self.logger = logger
        self.exit = exit
    }

    public func run() async throws {
        try? await gracefulShutdown()
        logger.info("stopping", metadata: ["deadline": "\(deadline.components.seconds) s"])
        let (deadline, logger, exit) = (deadline, logger, exit)
        Task.detached {
            try? await Task.sleep(for: deadline)
            logger.error("still running \(deadline.components.seconds) s after the signal to stop: exiting")
            exit()
        }
    }

    /// Ends the process at once with `Stopping.watchdogStatus`, after a line on stderr.
    public static let exitNow: @Sendable () -> Void = {
        FileHandle.standardError.write(Data("afterdesk: the stop took too long: exiting\n".utf8))
        Foundation.exit(Stopping.watchdogStatus)
    }
}
