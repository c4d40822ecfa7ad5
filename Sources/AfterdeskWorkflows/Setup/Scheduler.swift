import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Logging

/// The scheduler of `serve`: dispatches what is due every `interval`, under the dispatch lock, until cancelled. Time
/// comes from `clock`, the one the server's routes use. The server starts it beside the HTTP application.
public struct Scheduler: Sendable {
    /// Setting: the instant its last dispatch run ended without an error (its record of itself, read by `/health`).
    public static let lastRunKey = "scheduler_last_run"

    public var interval: Duration
    public var dispatcher: Dispatcher
    public var databasePath: String
    public var clock: Clock
    public var logger: Logger
    /// Told of each dispatch run that ended without an error (the server counts them for `/metrics`).
    public var onRun: (@Sendable (DispatchSummary) -> Void)?

    public init(
        interval: Duration, dispatcher: Dispatcher, databasePath: String, clock: Clock, logger: Logger,
        onRun: (@Sendable (DispatchSummary) -> Void)? = nil
    ) {
        self.interval = interval
        self.dispatcher = dispatcher
        self.databasePath = databasePath
        self.clock = clock
        self.logger = logger
        self.onRun = onRun
    }

    /// Runs until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            if let lock = DispatchLock.acquire(databasePath: databasePath) {
                do {
                    let s = try await dispatcher.run(now: clock.now())
                    try await dispatcher.database.setSetting(Self.lastRunKey, Instant.iso8601(clock.now()))
                    onRun?(s)
                    if s.due + s.delivered + s.failed + s.escalated + s.reconciled > 0 {
                        logger.info(
                            "dispatch",
                            metadata: [
                                "due": "\(s.due)", "sent": "\(s.delivered)", "retry": "\(s.failed)", "dead": "\(s.dead)",
                                "moved": "\(s.moved)", "skipped": "\(s.skipped)", "escalated": "\(s.escalated)",
                            ])
                    }
                } catch {
                    // Provider and database errors can quote an address or a number: never logged as they come.
                    logger.error("dispatch failed: \(Redact.contactData(in: String(describing: error)))")
                }
                withExtendedLifetime(lock) {}
            }
            // Expired sessions and sign-in attempts older than the limits look back go with each run.
            _ = try? await dispatcher.database.persistTidy(now: clock.now())
            _ = try? await dispatcher.database.tidySignIns(now: clock.now(), limits: dispatcher.settings.signInLimits)
            try? await Task.sleep(for: interval)
        }
    }
}
