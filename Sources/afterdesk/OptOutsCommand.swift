import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

/// The person running a command, for the ledger's "recorded by": `--by`, else the OS user.
func commandUser(_ by: String?) -> String {
    by ?? ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown"
}

func parseChannel(_ text: String?) throws -> ContactChannel? {
    guard let text else { return nil }
    guard let c = ContactChannel(rawValue: text.lowercased()) else { throw ValidationError("--channel must be sms, email or phone") }
    return c
}

/// One ledger entry as a line: "+15125550142  sms  stopped 2026-12-04  by the customer (STOP)  [message SM1]".
func optOutLine(_ e: OptOutEntry) -> String {
    "\(e.address)  \(e.channel.rawValue)  \(e.stop ? "stopped" : "restored") \(e.day(in: .gmt))  \(e.byWhom)"
        + (e.reference.map { "  [\($0)]" } ?? "")
}

struct OptOutsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opt-outs", abstract: "The opt-out ledger: who is stopped, on which channel, since when, by what.",
        discussion: "Append-only: a stop is lifted only by the customer's START or `afterdesk consent add`. See docs/compliance.md.",
        subcommands: [List.self, Show.self, Add.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every address and channel stopped now, newest first.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Also the channels restored since their stop.") var all = false
        @Option(help: "At most this many.") var limit = 500
        @Flag(help: "JSON.") var json = false

        func run() async throws {
            let entries = try await database.open().optOutsInForce(includeRestored: all, limit: limit)
            if json { return print(try jsonString(entries)) }
            if entries.isEmpty { return print("No opt-outs.") }
            for e in entries { print(optOutLine(e)) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every entry for one phone number or email address, oldest first.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "A phone number (any US format) or an email address.") var address: String
        @Flag(help: "JSON.") var json = false

        func run() async throws {
            let entries = try await database.open().optOutHistory(address: address)
            if json { return print(try jsonString(entries)) }
            if entries.isEmpty { return print("Nothing recorded for this address: not stopped.") }
            for e in entries { print(optOutLine(e)) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a phone number or email address (a customer's request by letter, phone or in person).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "A phone number (any US format) or an email address.") var address: String
        @Option(help: "sms, email or phone (default: every channel of the address).") var channel: String?
        @Option(help: "Why, in a few words (e.g. \"asked at the service desk\").") var reason = "stop requested"
        @Option(help: "Who records it (default: the OS user).") var by: String?

        func run() async throws {
            let db = try await database.open()
            let entries = try await db.addOptOut(
                address: address, channel: try parseChannel(channel), detail: reason, by: commandUser(by), now: CommandClock.now())
            for e in entries.suffix(2) where e.stop { print(optOutLine(e)) }
        }
    }
}

struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent", abstract: "Consent recorded by staff with its evidence.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Record a customer's consent on one channel, with its evidence: the only way, besides the customer's START, to restore a stopped channel."
        )
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var planning: PlanningOptions
        @Argument(help: "A phone number (any US format) or an email address.") var address: String
        @Option(help: "sms, email or phone.") var channel: String
        @Option(help: "What proves it (\"signed consent form, deal D-10442\").") var evidence: String
        @Option(help: "The date the customer consented (YYYY-MM-DD).") var date: String
        @Option(help: "Who records it (default: the OS user).") var by: String?

        func run() async throws {
            guard let channel = try parseChannel(channel) else { return }
            guard let day = LocalDate(date) else { throw ValidationError("--date must be YYYY-MM-DD") }
            let db = try await database.open()
            let now = try planning.instant()
            let entry = try await db.recordConsent(
                address: address, channel: channel, evidence: evidence, date: day, by: commandUser(by), now: now)
            let customers = try await db.customers(holdingAddress: entry.address)
            if !customers.isEmpty { _ = try await db.planCustomers(planner: try planning.planner(db), now: now, customerIDs: customers) }
            print(optOutLine(entry))
        }
    }
}
