import AfterdeskCore
import AfterdeskDatabases
import AfterdeskDelivery
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

@main
struct Afterdesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "afterdesk",
        abstract: "Follow up every F&I product a customer declined at the desk — timed, compliant, measured.",
        subcommands: [
            Demo.self, Import.self, ImportReadings.self, Deals.self, Plan.self, Explain.self, Run.self, Tasks.self, TaskCommand.self,
            StaffCommand.self, UsersCommand.self, TokensCommand.self, Preview.self, DoNotCall.self, StopCommand.self, Outbox.self,
            OptOutsCommand.self, ConsentCommand.self,
            Report.self, ScorecardCommand.self, ImportContracts.self, ImportCancellations.self, Serve.self, MenuCommand.self, Backup.self,
            ComplianceCommand.self, CopyDatabase.self, StoresCommand.self,
        ]
    )

    /// Runs the command; an error it ends with leaves through `Exit.finish`, the one place errors become exit codes.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            await closeConnections()
            exit(withError: Exit.finish(error))
        }
        await closeConnections()
    }

    /// The SMS and webhook client, if the command used it, and the PostgreSQL pools: their connections close before the
    /// process ends, within `Stopping.closing` (a connection that will not close is left to the exit, and said).
    static func closeConnections() async {
        let closed = await Stopping.closed {
            await OutboundHTTP.shared.shutdown()
            await DatabaseLocation.closeAll()
        }
        if !closed {
            FileHandle.standardError.write(
                Data("afterdesk: connections still open \(Stopping.closing) after the command ended: exiting\n".utf8))
        }
    }
}

/// Options every command that touches the database takes: where it is, and the settings file that may say so.
struct DatabaseOptions: ParsableArguments {
    @Option(
        help: """
            The database: a SQLite file, or postgres://user@host:port/database (the password from AFTERDESK_DB_PASSWORD, \
            AFTERDESK_DB_PASSWORD_FILE, PGPASSWORD or ~/.pgpass). Default: $AFTERDESK_DB, else the settings file's `database`, else afterdesk.sqlite \
            here. Created and migrated on first use.
            """)
    var db: String?

    @Option(help: "Configuration file (default: $AFTERDESK_CONFIG, else afterdesk.yaml here when present). See docs/settings.md.")
    var config: String?

    /// The database's location: --db, else $AFTERDESK_DB, else the settings file's `database`, else afterdesk.sqlite.
    func location() throws -> String {
        try Settings.databaseLocation(option: db, environment: ProcessInfo.processInfo.environment) { try settings() }
    }

    /// The location as people may see it (a PostgreSQL URL without password or query).
    var path: String { DatabaseLocation.forPeople((try? location()) ?? db ?? Settings.defaultDatabase) }

    /// The settings file's settings (the environment on top); a file that cannot be used ends the command (65).
    func settings() throws -> Settings {
        do { return try DispatchSetup.settings(path: config) } catch let e as SettingsError {
            printError(e.description)
            throw Exit.unusableInput
        }
    }

    /// Opens the database (closed by `Afterdesk.main` when the command ends). `uploads`: on PostgreSQL, the folder of
    /// uploads (default: `afterdesk-uploads` here).
    /// `connections`: on PostgreSQL, the pool's size at most (a command's default of 10; `serve` gives its setting).
    func open(uploads: String? = nil, connections: Int = 10) async throws -> any Storage {
        try await DatabaseLocation.open(try location(), clock: CommandClock.clock, uploads: uploads, maximumConnections: connections)
    }
}

/// Options of the commands that plan: the menu in force and the instant to plan at.
struct PlanningOptions: ParsableArguments {
    @Option(help: "Menu file (default: menus/default.yaml, or the menu stored with the database).") var menu: String?
    @Option(help: "Plan as of this instant (ISO 8601, e.g. 2026-06-02T15:00:00Z); default: now.") var now: String?

    /// The instant to plan at.
    func instant() throws -> Date { try parseNow(now) }

    /// The planner for the menu in force (stored with the database as a side effect, like every menu read).
    func planner(_ db: any Storage) async throws -> Planner {
        let inForce = try await loadMenu(menu, db)
        return inForce.planner
    }
}

/// The one clock of a command: every workflow takes its time from here (through the database it opens, the server
/// and scheduler it starts, or a `--now` option). Live, unless `AFTERDESK_NOW` (ISO 8601) fixes it for a scripted run,
/// or starts it there when `AFTERDESK_CLOCK=running` (time then passes as it does: leases run out).
enum CommandClock {
    static let clock: Clock = {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["AFTERDESK_NOW"], let start = ISO8601DateFormatter().date(from: text) {
            return environment["AFTERDESK_CLOCK"] == "running" ? .running(from: start) : .fixed(start)
        }
        return .live
    }()

    static func now() -> Date { clock.now() }
}

/// The instant of a `--now` option: the clock when absent.
func parseNow(_ now: String?) throws -> Date {
    guard let now else { return CommandClock.now() }
    guard let parsed = ISO8601DateFormatter().date(from: now) else {
        throw ValidationError("--now '\(now)' is not an ISO 8601 instant such as 2026-06-02T15:00:00Z")
    }
    return parsed
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

func jsonString<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// Loads the menu in force, turning menu errors into exit code 65 with every problem listed.
func loadMenu(_ path: String?, _ database: (any Storage)?) async throws -> MenuInForce {
    do { return try await MenuFiles.resolve(path: path, database: database) } catch let e as MenuErrors {
        printError(e.description)
        throw Exit.unusableInput
    }
}
