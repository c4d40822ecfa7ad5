import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The scheduler of `serve`, a service of its service group beside the HTTP application. Any number of servers may run
/// on one database; **one runs the ticks**, the holder of the scheduler's lease (`LeaseStorage`, docs/operations.md):
/// every `lease.renewEvery` each server claims it — the holder renews it for `lease.duration`, the others find it held
/// and wait — so when its holder dies the lease runs out and another server takes it at its next claim, within
/// `duration + renewEvery` (30 s + 10 s by default) of the holder's last renewal. While it holds the lease a server
/// dispatches what is due every `interval`, under the storage's dispatch lock too (one dispatcher per database, with
/// `afterdesk run` as well), until the group shuts down gracefully (SIGTERM, SIGINT) or its task is cancelled; it then
/// lets the lease go, so another server takes it at once. Time comes from `clock`, the one the server's routes use.
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
    /// The scheduler's lease: who this server is, how long a claim holds and how often it is renewed.
    public var lease = SchedulerLease()
    /// Told of each dispatch run that ended without an error (the server counts them for `/metrics`).
    public var onRun: (@Sendable (DispatchSummary) -> Void)?
    /// Told whether this server holds the lease, after each claim (`/metrics`).
    public var onLease: (@Sendable (Bool) -> Void)?
    /// Whether a server that does not hold the lease delivers what is queued beside the holder (PostgreSQL, whose
    /// claims are row locks and which keeps no file log of sends: `serve` sets it there). Not on SQLite: one server.
    public var standbyDelivers = false
    /// Whether a stop lets the lease go (false: a test's stand-in for `kill -9`).
    var releasesOnStop = true
    /// Rounds in a row that found another dispatcher holding the dispatch lock (said once it lasts).
    let skipped = SkippedRounds()

    public init(
        interval: Duration, dispatcher: Dispatcher, clock: Clock, logger: Logger, onRun: (@Sendable (DispatchSummary) -> Void)? = nil
    ) {
        self.interval = interval
        self.dispatcher = dispatcher
        self.clock = clock
        self.logger = logger
        self.onRun = onRun
    }

    /// Runs until the service group shuts down gracefully or the task is cancelled: the lease kept beside the rounds,
    /// a round every `interval` while it is held; the lease let go at the end.
    public func run() async {
        let held = LeaseHeld()
        await cancelWhenGracefulShutdown {
            await claim(held)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: lease.renewEvery)
                        if !Task.isCancelled { await claim(held) }
                    }
                }
                group.addTask {
                    var lastDelivery: ContinuousClock.Instant?
                    while !Task.isCancelled {
                        guard held.until.map({ $0 > clock.now() }) ?? false else {
                            // A standby delivers what is queued every `interval` (its claims are its own), and looks
                            // again every second (a read of this process's memory): its first round follows the claim
                            // that takes the lease at once.
                            if standbyDelivers, lastDelivery.map({ ContinuousClock.now - $0 >= interval }) ?? true {
                                lastDelivery = ContinuousClock.now
                                await deliverOnce()
                            }
                            try? await Task.sleep(for: min(interval, .seconds(1)))
                            continue
                        }
                        await runOnce()
                        try? await Task.sleep(for: interval)
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        // Let go on the way out (not inside the cancelled task: the release must run), whatever the last claim said: a
        // claim that committed but whose answer the cancellation cut off holds it too. Nothing when another holds it.
        logger.info("scheduler stopped")
        guard releasesOnStop else { return }
        let (storage, holder) = (dispatcher.database, lease.holder)
        // A few seconds at most: a lease not let go runs out on its own (the database slow or away at the stop).
        let released = await Stopping.closed(within: .seconds(5)) {
            try? await storage.releaseLease(LeaseName.scheduler, holder: holder)
            // This server's own: its messages left in flight (none, after a graceful stop) are in doubt at once.
            try? await storage.releaseLease(LeaseName.server(holder), holder: holder)
        }
        if !released { logger.warning("the scheduler lease was not let go within 5 s: it runs out on its own") }
        if held.until != nil { logger.info("scheduler lease let go", metadata: ["holder": "\(holder)"]) }
    }

    /// One claim of the lease: until when this server holds it (nil: another server does). A claim that fails (the
    /// database away) keeps what the last one said until it runs out.
    @discardableResult
    func claim(_ held: LeaseHeld) async -> Date? {
        let now = clock.now()
        do {
            // This server's own lease first: while it runs, the messages it claims are its own.
            _ = try await dispatcher.database.claimLease(
                LeaseName.server(lease.holder), holder: lease.holder, duration: lease.duration.seconds, now: now)
            let l = try await dispatcher.database.claimLease(
                LeaseName.scheduler, holder: lease.holder, duration: lease.duration.seconds, now: now)
            let mine = l.isHeld(by: lease.holder) ? l.expiresAt : nil
            if (mine == nil) != (held.until == nil) {
                logger.info(
                    mine == nil ? "scheduler lease held elsewhere: standing by" : "scheduler lease taken: this server runs the ticks",
                    metadata: ["holder": "\(l.holder)"])
            }
            held.until = mine
        } catch {
            if let until = held.until, until <= now { held.until = nil }
            logger.warning("the scheduler lease could not be claimed: \(Redact.contactData(in: String(describing: error)))")
        }
        onLease?(held.until != nil)
        return held.until
    }

    /// The dispatcher as this server's: its claims carry the lease's holder.
    var serving: Dispatcher {
        var d = dispatcher
        d.claimer = lease.holder
        return d
    }

    /// A standby's round: the queued messages due, delivered by this server beside the holder.
    func deliverOnce() async {
        do {
            let s = try await serving.deliverOnly(now: clock.now())
            if s.delivered + s.failed > 0 {
                logger.info("delivery", metadata: ["sent": "\(s.delivered)", "retry": "\(s.failed)", "dead": "\(s.dead)"])
            }
        } catch is CancellationError {
            logger.info("delivery stopped for the shutdown")
        } catch {
            logger.error("delivery failed: \(Redact.contactData(in: String(describing: error)))")
        }
    }

    /// One round: a dispatch run when no one else is dispatching, then the tidying that goes with each round.
    func runOnce() async {
        let storage = dispatcher.database
        do {
            guard let lock = try await storage.tryLock(.dispatch) else {
                // Another dispatcher: `afterdesk run`, or a server that lost the lease mid-run. For long, a dead
                // server's connection PostgreSQL has not noticed yet (docs/operations.md, "Several servers": keepalives).
                if skipped.add() == 5 { logger.warning("the dispatch lock has been held elsewhere for 5 rounds in a row") }
                return await tidy(storage)
            }
            skipped.reset()
            do {
                defer { lock.release() }
                let s = try await serving.run(now: clock.now())
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
        await tidy(storage)
    }

    /// Expired sessions, sign-in attempts older than the limits look back and counted limits' windows of a day ago go
    /// with each round, and uploads whose import stopped beating (their server died) are failed.
    func tidy(_ storage: any Storage) async {
        _ = try? await storage.persistTidy(now: clock.now())
        _ = try? await storage.tidySignIns(now: clock.now(), limits: dispatcher.settings.signInLimits)
        _ = try? await storage.tidyHits(before: clock.now().addingTimeInterval(-86_400))
        if let failed = try? await ImportService.failStoppedUploads(storage, now: clock.now()), failed > 0 {
            logger.warning("uploads whose import stopped were failed", metadata: ["count": "\(failed)"])
        }
    }
}

/// The scheduler's lease as a server holds it: who it is, how long a claim lasts, how often it is renewed.
public struct SchedulerLease: Sendable {
    /// This server, in the lease's row: its host, its process and a random part (two processes never share one).
    public var holder: String
    public var duration: Duration
    public var renewEvery: Duration

    public init(holder: String = SchedulerLease.defaultHolder(), duration: Duration = .seconds(30), renewEvery: Duration = .seconds(10)) {
        self.holder = holder
        self.duration = duration
        self.renewEvery = renewEvery
    }

    public static func defaultHolder() -> String {
        let host = ProcessInfo.processInfo.hostName.prefix(64)
        return "\(host):\(ProcessInfo.processInfo.processIdentifier):\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }
}

/// Until when this server holds the lease, shared by the scheduler's claims and its rounds.
final class LeaseHeld: Sendable {
    private let state = Mutex<Date?>(nil)
    var until: Date? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

extension Duration {
    /// In seconds, as a `TimeInterval`.
    var seconds: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Rounds in a row that found the dispatch lock held elsewhere.
final class SkippedRounds: Sendable {
    private let count = Mutex(0)
    /// One more: how many in a row now.
    func add() -> Int {
        count.withLock {
            $0 += 1
            return $0
        }
    }
    func reset() { count.withLock { $0 = 0 } }
}
