import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Logging
import ServiceLifecycle

/// The scheduler of `serve`, a service of its service group beside the HTTP application: dispatches what is due every
/// `interval`, under the storage's dispatch lock (one dispatcher per database, whatever the number of servers), until
/// the group shuts down gracefully (SIGTERM, SIGINT) or its task is cancelled. Time comes from `clock`, the one the
/// server's routes use.
///
/// A graceful shutdown cancels the run in progress; the dispatcher's pages are delivered, decided and recorded in
/// tasks of their own, so a page in flight still ends whole before the process exits.
public struct Scheduler: Service {
    /// Setting: the instant its last dispatch run ended without an error (its record of itself, read by `/health`).
    public static let lastRunKey = "scheduler_last_run"

    public var interval: Duration
    public var dispatcher: Dispatcher
    public var clock: Clock
    public var logger: Logger
    /// Told of each dispatch run that ended without an error (the server counts them for `/metrics`).
    public var onRun: (@Sendable (DispatchSummary) -> Void)?

    public init(
        interval: Duration, dispatcher: Dispatcher, clock: Clock, logger: Logger, onRun: (@Sendable (DispatchSummary) -> Void)? = nil
    ) {
        self.interval = interval
        self.dispatcher = dispatcher
        self.clock = clock
        self.logger = logger
        self.onRun = onRun
    }

    /// Runs until the service group shuts down gracefully or the task is cancelled.
    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await runOnce()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One round: a dispatch run when no one else is dispatching, then the tidying that goes with each round.
    func runOnce() async {
        let storage = dispatcher.database
        do {
            if let lock = try await storage.tryLock(.dispatch) {
                defer { lock.release() }
                let s = try await dispatcher.run(now: clock.now())
                // A run that ended is recorded even if the shutdown came as it ended.
                let ended = Instant.iso8601(clock.now())
                try await Whole.run { try await storage.setSetting(Self.lastRunKey, ended) }
                onRun?(s)
                if s.due + s.delivered + s.failed + s.escalated + s.reconciled > 0 {
                    logger.info(
                        "dispatch",
                        metadata: [
                            "due": "\(s.due)", "sent": "\(s.delivered)", "retry": "\(s.failed)", "dead": "\(s.dead)",
                            "moved": "\(s.moved)", "skipped": "\(s.skipped)", "escalated": "\(s.escalated)",
                        ])
                }
            }
        } catch is CancellationError {
            // SIGTERM or SIGINT in the middle of a run: the page in flight ended whole, the rest waits for the next start.
            logger.info("dispatch stopped for the shutdown")
        } catch {
            // Provider and database errors can quote an address or a number: never logged as they come.
            logger.error("dispatch failed: \(Redact.contactData(in: String(describing: error)))")
        }
        // Expired sessions and sign-in attempts older than the limits look back go with each run, and uploads whose
        // import stopped beating (their server died) are failed, whichever server notices first.
        _ = try? await storage.persistTidy(now: clock.now())
        _ = try? await storage.tidySignIns(now: clock.now(), limits: dispatcher.settings.signInLimits)
        if let failed = try? await ImportService.failStoppedUploads(storage, now: clock.now()), failed > 0 {
            logger.warning("uploads whose import stopped were failed", metadata: ["count": "\(failed)"])
        }
    }
}
