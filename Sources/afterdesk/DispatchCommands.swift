import AfterdeskCore
import AfterdeskDatabases
import AfterdeskDelivery
import AfterdeskServer
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// Options of the commands that send: templates, menu, clock (the settings file is `DatabaseOptions.config`).
struct DispatchOptions: ParsableArguments {
    @Option(help: "Message templates directory.") var templates: String = "templates"
    @Option(help: "Menu file (default: menus/default.yaml, or the menu stored with the database).") var menu: String?
    @Option(help: "Act as of this instant (ISO 8601, e.g. 2026-06-02T15:00:00Z); default: now.") var now: String?

    func instant() throws -> Date { try parseNow(now) }

    /// The dispatcher with live channels (or `channels` when given), with `settings` (the settings file's).
    func dispatcher(_ db: any Storage, settings: Settings, channels: Channels? = nil) async throws -> Dispatcher {
        let inForce = try await loadMenu(menu, db)
        let templates: MessageTemplates
        do { templates = try DispatchSetup.templates(directory: self.templates, menu: inForce.menu) } catch let e as TemplateErrors {
            printError(e.description)
            throw Exit.unusableInput
        } catch {
            printError("\(self.templates): \(error.localizedDescription)")
            throw Exit.unusableInput
        }
        return Dispatcher(
            database: db, menu: inForce.menu, warranties: inForce.warranties, templates: templates, settings: settings,
            channels: channels ?? .live(settings), signingSecret: try await Dispatcher.signingSecret(settings: settings, database: db))
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Dispatch what is due: each touch through the compliance gate, then messages to the providers and tasks to staff.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var dispatch: DispatchOptions
    @Flag(help: "Decide without recording or sending anything.") var dryRun = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let db = try await database.open()
        let dispatcher = try await dispatch.dispatcher(db, settings: try database.settings())
        let at = try dispatch.instant()
        guard let lock = try await db.tryLock(.dispatch) else {
            printError("Another dispatch is running on \(database.path); nothing done.")
            throw ExitCode(1)
        }
        var decisions: [DispatchDecision] = []
        let summary = try await dispatcher.run(now: at, dryRun: dryRun) { decisions.append($0) }
        lock.release()
        if json {
            struct Output: Encodable {
                let dryRun: Bool
                let summary: DispatchSummary
                let decisions: [DispatchDecision]
            }
            print(try jsonString(Output(dryRun: dryRun, summary: summary, decisions: decisions)))
            return
        }
        print(
            "\(dryRun ? "Would dispatch" : "Dispatched") \(summary.due.grouped) due touches: \(summary.sms.grouped) SMS, "
                + "\(summary.email.grouped) email, \(summary.tasks.grouped) tasks; \(summary.moved.grouped) moved, \(summary.skipped.grouped) skipped."
        )
        if !dryRun {
            print(
                "Outbox: \(summary.delivered.grouped) sent, \(summary.failed.grouped) to retry, \(summary.dead.grouped) dead letters; "
                    + "\(summary.reconciled.grouped) reconciled after an interruption; \(summary.escalated.grouped) overdue tasks escalated."
            )
        }
        let shown = decisions.filter { $0.result != "send" || dryRun }.prefix(30)
        if !shown.isEmpty {
            print("")
            print(
                Table.render(
                    header: ["touch", "action", "result", "detail"], rows: shown.map { ["\($0.touch)", $0.action, $0.result, $0.detail] }))
        }
    }
}

struct Tasks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The task queue: follow-up calls and replies to answer.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Only this staff member's tasks (staff code or id).") var assignee: String?
    @Option(help: "open (default), done or all.") var status: String = "open"
    @Flag(help: "Print JSON.") var json = false

    /// A status that names none is a mistake said at once (exit 64), not an empty list.
    func validate() throws {
        guard status == "all" || TaskStatus(rawValue: status) != nil else {
            throw ValidationError("--status is open, done or all, not '\(status)'")
        }
    }

    func run() async throws {
        let db = try await database.open()
        let only = status == "all" ? nil : TaskStatus(rawValue: status)
        let rows = try await db.tasks(assignee: assignee, status: only, now: CommandClock.now())
        if json {
            print(try jsonString(rows))
            return
        }
        if rows.isEmpty {
            print("No \(status == "all" ? "" : status + " ")tasks.")
            return
        }
        print(
            Table.render(
                header: ["id", "due (UTC)", "assignee", "task", "phone", "status"],
                rows: rows.map {
                    [
                        "\($0.id)", Instant.iso8601($0.dueAt),
                        ($0.assignee ?? "unassigned") + ($0.escalatedTo.map { " → \($0) (overdue)" } ?? ""), $0.title,
                        $0.phone ?? "", $0.outcome?.rawValue ?? ($0.overdue ? "overdue" : $0.status.rawValue),
                    ]
                }))
    }
}

struct TaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task", abstract: "Record a task's outcome, or reschedule it.",
        subcommands: [Done.self, Reschedule.self])

    struct Done: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record the outcome of a task.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var planning: PlanningOptions
        @Argument(help: "Task id.") var id: Int64
        @Option(help: "sold, booked, not_interested, no_answer, wrong_number or stop_contacting.") var outcome: String
        @Option(help: "For sold: the product code, when the task covers several.") var product: String?
        @Option(help: "For sold: the price.") var price: String?
        @Option(help: "For sold: the dealer cost.") var cost: String?
        @Option(help: "A note.") var note: String?

        func run() async throws {
            guard let o = TaskOutcome(rawValue: outcome) else {
                throw ValidationError(
                    "--outcome '\(outcome)' is not one of \(TaskOutcome.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            func money(_ text: String?, _ name: String) throws -> Money? {
                guard let text else { return nil }
                guard let m = Money(text) else { throw ValidationError("--\(name) '\(text)' is not an amount such as 1295.00") }
                return m
            }
            let db = try await database.open()
            let at = try planning.instant()
            let customer = try await db.completeTask(
                id: id, outcome: o, product: product, price: try money(price, "price"),
                cost: try money(cost, "cost"), note: note, by: commandUser(nil), now: at)
            let summary = try await db.planCustomers(planner: try planning.planner(db), now: at, customerIDs: [customer])
            print("Task \(id): \(o.rawValue). The customer's follow-up was re-planned: \(summary.touches) touches planned.")
        }
    }

    struct Reschedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move an open task to a new due time.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Task id.") var id: Int64
        @Option(help: "New due time (ISO 8601).") var to: String
        @Option(help: "Hours after the due time before it escalates.") var slaHours: Int = 24

        func run() async throws {
            guard let at = ISO8601DateFormatter().date(from: to) else { throw ValidationError("--to '\(to)' is not an ISO 8601 instant") }
            try await database.open().rescheduleTask(id: id, to: at, slaHours: slaHours)
            print("Task \(id) is now due \(Instant.iso8601(at)).")
        }
    }
}

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "The people tasks are routed to.",
        subcommands: [Add.self, List.self, Deactivate.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add (or reactivate and update) a member of staff.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Staff code, as in the deal exports (salesperson_id, fi_manager_id).") var code: String
        @Option(help: "Full name.") var name: String?
        @Option(help: "sales, fi, manager or bdc.") var role: String
        @Option(help: "Store code.") var store: String = "main"
        @Option(help: "The store's time zone, when the store is new.") var timeZone: String = "America/Chicago"

        func run() async throws {
            guard let staffRole = StaffRole(rawValue: role) else { throw StoreError(StaffRole.problem(role) ?? "no such role") }
            let id = try await database.open().addStaff(
                store: store, code: code, name: name, role: staffRole, timeZone: timeZone, now: CommandClock.now())
            print("Staff \(code) (\(role)) in store \(store): id \(id), active.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List staff with their open tasks.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Store code.") var store: String?
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            let rows = try await database.open().staff(store: store)
            if json {
                print(try jsonString(rows))
                return
            }
            print(
                Table.render(
                    header: ["id", "store", "code", "name", "role", "active", "open tasks"],
                    rows: rows.map {
                        ["\($0.id)", $0.store, $0.code, $0.name ?? "", $0.role.rawValue, $0.active ? "yes" : "no", "\($0.openTasks)"]
                    }))
        }
    }

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deactivate a member of staff; their open tasks are reassigned.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Staff code.") var code: String
        @Option(help: "Store code.") var store: String = "main"
        func run() async throws {
            let moved = try await database.open().deactivateStaff(store: store, code: code, now: CommandClock.now())
            print("Staff \(code) deactivated; \(moved) open tasks reassigned.")
        }
    }
}

struct Preview: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the messages a deal's declined product would get, each as of its planned day (or --now), as they would be sent.")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var dispatch: DispatchOptions
    @Argument(help: "Deal number.") var deal: String
    @Argument(help: "Product code (vsc, gap, ...).") var product: String
    @Option(help: "Only this touch (e.g. expiry-90); default: every touch of the product.") var touch: String?
    @Option(help: "The deal's store, when several stores use the deal number.") var store: String?

    func run() async throws {
        let db = try await database.open()
        let dispatcher = try await dispatch.dispatcher(db, settings: try database.settings(), channels: .recording(RecordingChannels()))
        // Without --now each touch is rendered as of its planned moment; with it, every touch as of that instant.
        let asOf = dispatch.now == nil ? nil : try dispatch.instant()
        let previews = try await dispatcher.preview(
            dealNumber: deal, store: store, product: product, touch: touch, now: try dispatch.instant(), asOf: asOf)
        for p in previews {
            let when = [p.planned.map { "planned \($0)" }, p.asOf.map { "as of \($0)" }].compactMap { $0 }.joined(separator: ", ")
            print("=== \(p.template) — \(p.channel)\(when.isEmpty ? "" : " (\(when))")")
            if let n = p.note, p.channel != "none" { print("[\(n)]") }
            if let s = p.subject { print("Subject: \(s)") }
            print(p.body)
            if let e = p.encoding { print("[\(e)]") }
            print("")
        }
    }
}

struct DoNotCall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dnc", abstract: "The do-not-call list: numbers a person may call only within 18 months of a purchase.",
        subcommands: [Add.self])
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add numbers, or a file of numbers (one per line).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Phone numbers.") var phones: [String] = []
        @Option(help: "A file with one number per line (e.g. the national registry extract).") var file: String?
        @Option(help: "Where the numbers come from.") var source: String = "internal"

        func run() async throws {
            var raw = phones
            if let file { raw += try String(contentsOfFile: file, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init) }
            var good: [String] = []
            for (i, p) in raw.enumerated() where !p.trimmingCharacters(in: .whitespaces).isEmpty {
                if let e = Phone.e164(p) {
                    good.append(e)
                } else {
                    printError("\(file ?? "argument") \(i + 1): '\(p)' is not a US phone number")
                }
            }
            let added = try await database.open().addDoNotCall(good, source: source, now: CommandClock.now())
            print("\(added) numbers added to the do-not-call list (\(good.count - added) already there).")
        }
    }
}

struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop follow-up for good: vehicle sold or traded, loan paid off, not interested.")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var planning: PlanningOptions
    @Argument(help: "Deal number.") var deal: String
    @Option(help: "vehicle_sold, loan_paid_off or not_interested.") var reason: String
    @Option(help: "Only this product (default: every product of the deal).") var product: String?
    @Option(help: "Store code.") var store: String?

    func run() async throws {
        guard let kind = StopKind(rawValue: reason) else {
            throw ValidationError("--reason '\(reason)' is not one of \(StopKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let db = try await database.open()
        let at = try planning.instant()
        let customer = try await db.addStop(dealNumber: deal, store: store, product: product, kind: kind, source: "cli", now: at)
        let s = try await db.planCustomers(planner: try planning.planner(db), now: at, customerIDs: [customer])
        print("Deal \(deal): \(kind.reason). Pending touches cancelled; \(s.touches) touches remain planned for the customer.")
    }
}

struct Outbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The outbox: what was sent, what waits, the dead letters.", subcommands: [List.self, Retry.self],
        defaultSubcommand: List.self)
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts by status and the newest messages (e.g. --status dead).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "queued, sending, sent, delivered, undelivered, dead or cancelled.") var status: String?
        @Option var limit: Int = 20
        @Flag(help: "Print JSON.") var json = false
        /// A status that names none is a mistake said at once (exit 64), not an empty list.
        func validate() throws {
            if let status, OutboxStatus(rawValue: status) == nil {
                throw ValidationError(
                    "--status is one of \(OutboxStatus.allCases.map(\.rawValue).joined(separator: ", ")), not '\(status)'")
            }
        }
        func run() async throws {
            let db = try await database.open()
            let rows = try await db.outbox(status: status.flatMap(OutboxStatus.init(rawValue:)), limit: limit)
            if json {
                print(try jsonString(rows))
                return
            }
            await print(try db.outboxCounts().sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
            if rows.isEmpty { return }
            print(
                Table.render(
                    header: ["id", "channel", "status", "tries", "created", "error"],
                    rows: rows.map {
                        [
                            "\($0.id)", $0.channel.rawValue, $0.status.rawValue, "\($0.attempts)", Instant.iso8601($0.createdAt),
                            $0.lastError ?? "",
                        ]
                    }))
        }
    }
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a dead letter back in the queue.")
        @OptionGroup var database: DatabaseOptions
        @Argument var id: Int64
        func run() async throws {
            if try await database.open().retryDeadLetter(id: id, now: CommandClock.now()) {
                print("Message \(id) queued again.")
            } else {
                printError("Message \(id) is not a dead letter.")
                throw ExitCode(1)
            }
        }
    }
}
