import AfterdeskCore
import AfterdeskDatabases
import AfterdeskDelivery
import AfterdeskServer
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "The HTTP server: the web pages, SMS webhooks, unsubscribe links, the task API, health and metrics; dispatches every minute.")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var dispatch: DispatchOptions
    @Option var host: String = "127.0.0.1"
    @Option var port: Int = 8080
    @Option(help: "Seconds between dispatch runs.") var every: Int = 60
    @Option(help: "Seconds a claim of the scheduler's lease lasts: of several servers on one database, its holder runs the ticks.")
    var schedulerLease: Int = 30
    @Option(help: "Seconds between claims of the scheduler's lease (its holder renews it; the others stand by).")
    var schedulerRenew: Int = 10
    @Option(help: "Log lines as text (default) or json (one object per line, for a log collector).") var logFormat: String = "text"
    @Option(
        help: """
            On PostgreSQL, the folder uploads are kept in, shared by every server of the group (default: the settings \
            file's uploads_dir, else ./afterdesk-uploads). On SQLite uploads are kept beside the database file.
            """)
    var uploads: String?

    func validate() throws {
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format must be text or json") }
        guard every >= 1 else { throw ValidationError("--every must be at least 1 second") }
        guard schedulerRenew >= 1, schedulerLease >= 2 * schedulerRenew, schedulerLease <= 3_600 else {
            throw ValidationError(
                "--scheduler-lease must be at least twice --scheduler-renew (a holder renews it twice before it runs out), at most 3600")
        }
    }

    func run() async throws {
        if logFormat == "json" { LoggingSystem.bootstrap { JSONLogHandler(label: $0) } }
        let settings = try database.settings()
        if uploads != nil, !DatabaseLocation.isPostgres(try database.location()) {
            throw ValidationError("--uploads is for PostgreSQL: on SQLite uploads are kept in afterdesk-uploads beside the database file")
        }
        // On PostgreSQL the pool outlives the service group: Afterdesk.main closes it after the group ends, so the
        // scheduler's last page in flight commits.
        let db = try await database.open(uploads: uploads ?? settings.uploadsDir, connections: settings.databasePoolSize)
        let dispatcher = try await dispatch.dispatcher(db, settings: settings)
        let logger = Logger(label: "afterdesk")
        // The schema the server runs on, once its open has run what this release adds (an upgrade's check: the release
        // notes name its newest migration).
        let migrations = try await db.appliedMigrations()
        let shown = DatabaseLocation.forPeople(try database.location())
        logger.info(
            "database",
            metadata: [
                "location": "\(shown)", "migrations": "\(migrations.count)",
                "newest": "\(migrations.last ?? "none")",
            ])
        let clock = CommandClock.clock
        // Uploads whose import stopped beating (a server stopped in the middle) say so; another server's uploads, still
        // beating, go on. Expired sessions go.
        let interrupted = try await ImportService.failStoppedUploads(db, now: clock.now())
        if interrupted > 0 { logger.warning("uploads interrupted by a stop", metadata: ["count": "\(interrupted)"]) }
        let forgotten = try await db.sweepUploads(olderThan: dispatcher.settings.server.forgottenUpload).count
        if forgotten > 0 { logger.info("forgotten upload files removed", metadata: ["count": "\(forgotten)"]) }
        try await db.persistTidy(now: clock.now())
        let context = ServerContext(dispatcher: dispatcher, clock: clock, logger: logger, schedulerInterval: .seconds(self.every))
        let app = try buildApplication(context, host: host, port: port)
        var scheduler = Scheduler.counted(
            every: .seconds(self.every), dispatcher: dispatcher, clock: clock, logger: logger, metrics: context.metrics)
        scheduler.lease = SchedulerLease(duration: .seconds(schedulerLease), renewEvery: .seconds(schedulerRenew))
        scheduler.standbyDelivers = DatabaseLocation.isPostgres(try database.location())
        logger.info("scheduler", metadata: ["holder": "\(scheduler.lease.holder)", "lease": "\(schedulerLease) s"])
        // One service group: SIGTERM or SIGINT shuts the scheduler down first (its dispatch page in flight ends whole),
        // then the HTTP application, then the outbound HTTP client (SMS, webhooks). A stop is bounded (`Stopping`): the
        // watchdog, last, hears the signal first and times the whole stop.
        var configuration = ServiceGroupConfiguration(
            services: [OutboundHTTPService(), app, scheduler, StopWatchdog(logger: logger)], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = Stopping.gracefully
        configuration.maximumCancellationDuration = Stopping.cancelled
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch let e as IOError where e.errnoCode == EADDRINUSE || e.errnoCode == EACCES {
            // Said in one line with the address, not as the socket call's error.
            let why = e.errnoCode == EADDRINUSE ? "it is in use (another server, or an earlier one still stopping?)" : "permission denied"
            throw StoreError.io("cannot listen on \(host):\(port): \(why)")
        }
        // Each stage of a stop said, so a stop that is slow shows where: then Afterdesk.main closes the connections.
        logger.info("services stopped: closing connections")
    }
}
