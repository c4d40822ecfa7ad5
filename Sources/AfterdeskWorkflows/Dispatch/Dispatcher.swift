import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Logging

/// The channels dispatch sends through: live ones built from the settings, or recording ones.
public struct DispatchDecision: Codable, Sendable, Equatable {
    public var touch: Int64
    public var action: String
    public var result: String  // send | task | move | skip
    public var detail: String
}

/// A message as it would be sent, for `afterdesk preview`.
public struct MessagePreview: Codable, Sendable, Equatable {
    public var template: String
    public var channel: String
    public var planned: String?
    public var subject: String?
    public var body: String
    public var encoding: String?
    /// The customer's day the message is rendered as of: the touch's planned day, or `--now`'s.
    public var asOf: String? = nil
    /// Set when the touch is not planned (already sent, skipped, dropped by the plan).
    public var note: String? = nil
}

/// Everything dispatch works with.
public struct Dispatcher: Sendable {
    public let database: any Storage
    /// The group's menu; a deal of a store reads its own (`inStore`).
    public private(set) var menu: Menu
    public let warranties: WarrantyTable
    public let templates: MessageTemplates
    public private(set) var settings: Settings
    public let channels: Channels
    public private(set) var gate: ComplianceGate
    /// Key of unsubscribe links.
    public let signingSecret: String
    /// Where failed sends are logged, with the customer's address or number masked in whatever the provider said.
    public var logger = Logger(label: "afterdesk.dispatch")
    /// The server whose deliveries these are (its scheduler's holder, with a `server:` lease), or nil for a process
    /// without one: a message it claims is in doubt to another server only once that lease has run out.
    public var claimer: String?
    /// Tokens of offer page links: random (tests give their own).
    public var offerTokens: @Sendable () -> String = { OfferTokens.random() }
    /// Each store's own settings (`afterdesk stores set`), as last read from the database.
    public private(set) var storeSettings: [String: [String: String]] = [:]
    /// A group's stores as dispatch sees them (`inStore`); empty for a single store.
    var storeViews: [String: Dispatcher] { storeViewBox?.byCode ?? [:] }
    /// `storeViews`, boxed: a single store's dispatcher carries no dictionary of dispatchers in its value.
    private(set) var storeViewBox: StoreViews?
    /// The sending number and address a store's messages carry, when they are its own (nil: the installation's).
    private(set) var ownSender: (sms: String?, email: String?) = (nil, nil)
    /// Whether this is one store's view (`inStore`), not the group's dispatcher.
    private(set) var isStoreView = false
    /// A store's view: the group's planner.
    private(set) var groupPlanner: Planner?

    public init(
        database: any Storage, menu: Menu, warranties: WarrantyTable, templates: MessageTemplates, settings: Settings,
        channels: Channels, rules: CadenceRules = CadenceRules(), signingSecret: String
    ) {
        self.database = database
        self.menu = menu
        self.warranties = warranties
        self.templates = templates
        self.settings = settings
        self.channels = channels
        self.gate = ComplianceGate(rules: rules.withCalendar(of: menu))
        self.signingSecret = signingSecret
        storeViewBox = StoreViews(views())
    }

    /// This dispatcher as a deal of `store` sees it: the store's menu (name, address, zone, hours, products), its
    /// own settings over the group's, and its state calendar.
    public func inStore(_ store: String) -> Dispatcher {
        storeViewBox?.byCode[store] ?? self
    }

    /// The store whose own sending number is `number` (a text to it is a reply to that store: HELP answers with the
    /// store's name and number), else this dispatcher. A STOP to any store's number stops the customer group-wide.
    public func receivingAt(_ number: String?) -> Dispatcher {
        guard let number, let views = storeViewBox?.byCode else { return self }
        let to = Phone.e164(number) ?? number
        return views.sorted { $0.key < $1.key }.first { $0.value.ownSender.sms == to }?.value ?? self
    }

    /// With the declared emergencies and the stores' own settings as the database holds them now (every store's view
    /// made again, so each keeps the blackout).
    func current(emergencies: Set<String>, own: [String: [String: String]]) -> Dispatcher {
        guard emergencies != gate.rules.emergencies || own != storeSettings else { return self }
        var copy = self
        copy.gate.rules.emergencies = emergencies
        copy.storeSettings = own
        copy.storeViewBox = StoreViews(copy.views())
        return copy
    }

    /// With the stores' own settings as the database holds them now: what the offer page, inbound texts, staff texts
    /// and `preview` answer with.
    public func withCurrentStoreSettings() async throws -> Dispatcher {
        withStoreSettings(try await database.storeSettings())
    }

    /// With the stores' own settings `own` (itself when they are the ones it has).
    public func withStoreSettings(_ own: [String: [String: String]]) -> Dispatcher {
        current(emergencies: gate.rules.emergencies, own: own)
    }

    /// A view per store the menu or the stores' settings name.
    private func views() -> [String: Dispatcher] {
        let codes = Set(menu.stores.keys).union(storeSettings.keys)
        guard !codes.isEmpty else { return [:] }
        let groupPlan = planner
        var out: [String: Dispatcher] = [:]
        for code in codes {
            var view = self
            view.storeViewBox = nil
            view.isStoreView = true
            view.groupPlanner = groupPlan
            let own = storeSettings[code] ?? [:]
            view.menu = menu.store(code)
            view.settings = settings.forStore(own)
            // A store with its own address in the menu signs with it, over the group's `store_address`.
            if own["store_address"] == nil, view.menu.dealership.address != menu.dealership.address { view.settings.storeAddress = nil }
            view.gate.rules = gate.rules.forStore(view.menu, of: menu)
            view.ownSender = (
                own["sms_from"].flatMap { _ in view.settings.smsFrom }, own["email_from"].flatMap { _ in view.settings.emailFrom }
            )
            out[code] = view
        }
        return out
    }

    /// The planner of this dispatcher's menu and gate (`Planner.make`); a store's view plans with the group's, which
    /// plans each customer under their own store's menu (a STOP to one store's number re-plans the customers of all).
    public var planner: Planner { groupPlanner ?? .make(menu: menu, warranties: warranties, rules: gate.rules) }

    /// A dispatcher through recording channels, as `afterdesk demo` sends: nothing leaves the machine, and links are
    /// signed with the database's own secret, so `afterdesk serve` on the same database accepts them.
    public static func recording(
        database: any Storage, menu: Menu, warranties: WarrantyTable, templates: MessageTemplates,
        settings: Settings, into recording: RecordingChannels
    ) async throws -> Dispatcher {
        Dispatcher(
            database: database, menu: menu, warranties: warranties, templates: templates, settings: settings,
            channels: .recording(recording), signingSecret: try await signingSecret(settings: settings, database: database))
    }

    /// The signing secret of the settings, else the one kept in the database: created once, at random, and never
    /// replaced, so two processes starting together on one database sign with the same secret.
    public static func signingSecret(settings: Settings, database: any Storage) async throws -> String {
        if let s = settings.signingSecret { return s }
        if let kept = try await database.setting("signing_secret") { return kept }
        var rng = SystemRandomNumberGenerator()
        let secret = (0..<4).map { _ in String(rng.next(), radix: 16) }.joined()
        return try await database.settingIfAbsent("signing_secret", secret)
    }

    /// Re-plans customers whose facts changed (an opt-out, a task outcome).
    @discardableResult
    public func replan(customers: [Int64], now: Date) async throws -> PlanSummary {
        guard !customers.isEmpty else { return PlanSummary() }
        return try await database.planCustomers(
            planner: planner, now: now, customerIDs: customers)
    }

    public var address: String { settings.storeAddress ?? menu.dealership.address }

    public func unsubscribeURL(customer: Int64) -> String {
        "\(settings.publicURL)/unsubscribe?c=\(customer)&t=\(Signatures.unsubscribeToken(customerID: customer, secret: signingSecret))"
    }

    /// Dispatches what is due at `now`: every due touch through the gate, then the outbox to the providers.
    /// `dryRun` decides without recording or sending anything.
    public func run(now: Date, dryRun: Bool = false, pageSize: Int = 1_000, decisions: ((DispatchDecision) -> Void)? = nil) async throws
        -> DispatchSummary
    {
        // The emergencies an admin switched on (Louisiana's blackout) are read once per run: a copy of the dispatcher
        // carries them through the gate.
        // So are the stores' own settings (`afterdesk stores set` takes effect at the next run).
        let emergencies = try await database.emergencyStates()
        let own = try await database.storeSettings()
        if emergencies != gate.rules.emergencies || own != storeSettings {
            return try await current(emergencies: emergencies, own: own).run(
                now: now, dryRun: dryRun, pageSize: pageSize, decisions: decisions)
        }
        var summary = DispatchSummary()
        if !dryRun {
            summary.reconciled = try await reconcile(now: now)
            summary.escalated = try await database.escalateOverdue(now: now)
        }
        guard !dryRun else {
            try await decideDue(now: now, dryRun: true, pageSize: pageSize, into: &summary, decisions: decisions) {}
            return summary
        }
        // The outbox is delivered while the rest is decided: each page recorded wakes the delivery, which sends what is
        // queued and due (claimed page by page, as ever) until the outbox is empty, then waits for the next page. Once
        // every page is recorded, it delivers what is left. The gate counts a customer's texts recorded, queued or sent
        // alike; a message queued earlier and sent now (a retry) counts from its sending on, not its queueing, so a
        // decision after it is sent is the more cautious.
        let (recorded, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        return try await withThrowingTaskGroup(of: DispatchSummary.self) { group in
            group.addTask {
                var delivered = DispatchSummary()
                for await _ in recorded where !Task.isCancelled { try await self.deliver(now: now, into: &delivered) }
                if !Task.isCancelled { try await self.deliver(now: now, into: &delivered) }
                return delivered
            }
            do {
                try await decideDue(now: now, dryRun: false, pageSize: pageSize, into: &summary, decisions: decisions) {
                    wake.yield()
                }
            } catch {
                wake.finish()
                throw error
            }
            wake.finish()
            for try await delivered in group {
                summary.delivered += delivered.delivered
                summary.failed += delivered.failed
                summary.dead += delivered.dead
            }
            return summary
        }
    }

    /// Decides and records every touch due at `now`, page by page (`recordedPage` after each page is recorded).
    ///
    /// Pages go in due order (`after`: the last touch of the page before). In the first pass, each page after the
    /// first is read while the one before is decided and recorded, with every fact of its customers; a customer of the
    /// page before is left out of it, since that page's record changes what the gate counts for them. In every pass a
    /// second touch of a customer in one page is left out (the gate counts the first from the database once it is
    /// recorded), and so is every later touch of a customer one was left out for, so each customer's touches go in due
    /// order. What is left out is due still: passes from the start take it, each page read after the one before is
    /// recorded, until a pass decides nothing. A dry run records nothing: it decides everything in one pass.
    private func decideDue(
        now: Date, dryRun: Bool, pageSize: Int, into summary: inout DispatchSummary, decisions: ((DispatchDecision) -> Void)?,
        recordedPage: () -> Void
    ) async throws {
        var pages = DuePages(readingAhead: true)
        var ahead: Task<[DueTouch], any Error>?
        // A cancelled run (SIGTERM to `serve`) stops between pages: the page in flight is decided and recorded whole,
        // in a task of its own that the cancellation does not reach (the storage's calls refuse to run once
        // cancelled), and what is left waits, planned or queued, for the next run. A page read ahead is not decided.
        do {
            while !Task.isCancelled {
                let fetched: [DueTouch]
                if let page = ahead {
                    ahead = nil
                    fetched = try await page.value
                } else {
                    fetched = try await database.dueTouches(now: now, limit: pageSize, after: pages.cursor)
                }
                if Task.isCancelled { break }
                guard let last = fetched.last else {
                    // The end of a pass: another from the start, unless this one decided nothing.
                    guard !dryRun, pages.decidedInPass else { break }
                    pages.nextPass()
                    continue
                }
                pages.cursor = (last.dueAt, last.id)
                if pages.readingAhead {
                    let after = pages.cursor
                    ahead = Task { try await self.database.dueTouches(now: now, limit: pageSize, after: after) }
                }
                let fresh = fetched.filter { !pages.seen.contains($0.id) }
                let due = dryRun ? fresh : pages.admission.admit(fresh, readAhead: pages.readingAhead)
                if due.isEmpty { continue }
                pages.decidedInPass = true
                let (decided, cache) = try await decideAndRecord(due, now: now, dryRun: dryRun, staff: pages.staffCache)
                pages.staffCache = cache
                if !dryRun { recordedPage() }
                for (touch, record) in zip(due, decided) {
                    pages.seen.insert(touch.id)
                    summary.due += 1
                    count(record, of: touch, into: &summary, decisions: decisions)
                }
            }
        } catch {
            await Self.settle(ahead)
            throw error
        }
        await Self.settle(ahead)
    }

    /// Decides a page and records it, in a task of its own that a cancellation does not reach.
    private func decideAndRecord(
        _ due: [DueTouch], now: Date, dryRun: Bool, staff: StaffCache
    ) async throws -> ([DispatchRecord], StaffCache) {
        try await Task {
            var cache = staff
            let decided = try await self.decidePage(due, now: now, staff: &cache)
            if !dryRun { try await self.database.record(decided, now: now) }
            return (decided, cache)
        }.value
    }

    /// Cancels a page read ahead and waits for it to end, so no read outlives the run.
    private static func settle(_ page: Task<[DueTouch], any Error>?) async {
        page?.cancel()
        _ = try? await page?.value
    }

    /// Decides a page of due touches: messages are rendered on every core; tasks in order, on this one, as they share
    /// the routing state.
    private func decidePage(_ due: [DueTouch], now: Date, staff staffCache: inout StaffCache) async throws -> [DispatchRecord] {
        var decided = [DispatchRecord?](repeating: nil, count: due.count)
        let messages = due.indices.filter { due[$0].action != .task }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, messages.count / 64))
        try await withThrowingTaskGroup(of: [(Int, DispatchRecord)].self) { group in
            for w in 0..<workers {
                let part = stride(from: w, to: messages.count, by: workers).map { messages[$0] }
                group.addTask {
                    var unused = StaffCache()
                    var out: [(Int, DispatchRecord)] = []
                    for i in part { out.append((i, try await self.decide(due[i], now: now, staff: &unused))) }
                    return out
                }
            }
            for i in due.indices where due[i].action == .task { decided[i] = try await decide(due[i], now: now, staff: &staffCache) }
            for try await part in group { for (i, r) in part { decided[i] = r } }
        }
        // Every index was decided above, by a worker or by this loop.
        return decided.map { $0 ?? .skipped(touchID: 0, reason: "not decided") }
    }

    /// Counts a decision in the summary and reports it to `decisions`.
    private func count(
        _ record: DispatchRecord, of touch: DueTouch, into summary: inout DispatchSummary, decisions: ((DispatchDecision) -> Void)?
    ) {
        switch record {
        case .dispatched(_, _, _, let task, _):
            summary.dispatched += 1
            switch touch.action {
            case .sms: summary.sms += 1
            case .email: summary.email += 1
            case .task: summary.tasks += 1
            }
            decisions?(
                DispatchDecision(
                    touch: touch.id, action: touch.action.rawValue, result: task == nil ? "send" : "task",
                    detail: task?.title ?? touch.items.map { "\($0.dealNumber):\($0.product)" }.joined(separator: " ")))
        case .moved(_, let to, let reason):
            summary.moved += 1
            if gate.rules.rulebook(.shipped).isStateRule(reason) { summary.movedByStateRules += 1 }
            decisions?(
                DispatchDecision(
                    touch: touch.id, action: touch.action.rawValue, result: "move", detail: "to \(Instant.iso8601(to)): \(reason)"))
        case .skipped(_, let reason):
            summary.skipped += 1
            decisions?(DispatchDecision(touch: touch.id, action: touch.action.rawValue, result: "skip", detail: reason))
        }
    }
}

/// A group's store views, by code (`Dispatcher.storeViews`); nil for none.
final class StoreViews: Sendable {
    let byCode: [String: Dispatcher]
    init?(_ byCode: [String: Dispatcher]) {
        guard !byCode.isEmpty else { return nil }
        self.byCode = byCode
    }
}
