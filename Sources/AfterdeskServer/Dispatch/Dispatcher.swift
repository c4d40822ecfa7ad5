import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStore
import Foundation
import Logging

/// The channels dispatch sends through: live ones built from the settings, or recording ones.
public struct Channels: Sendable {
    public var email: (any EmailChannel)?
    public var sms: (any SMSChannel)?
    public var webhook: (any WebhookChannel)?

    public init(email: (any EmailChannel)?, sms: (any SMSChannel)?, webhook: (any WebhookChannel)?) {
        self.email = email; self.sms = sms; self.webhook = webhook
    }

    /// Every channel records.
    public static func recording(_ r: RecordingChannels) -> Channels { Channels(email: r, sms: r, webhook: r) }

    /// Live channels for what the settings configure; a channel not configured stays nil, and its messages wait
    /// in the outbox with the reason.
    public static func live(_ s: Settings) -> Channels {
        Channels(
            email: s.smtpURL.map { SMTPEmailChannel(url: $0, user: s.smtpUser, password: s.smtpPassword, caFile: s.smtpCAFile) },
            sms: s.smsAccountSID.flatMap { sid in
                s.smsAuthToken.flatMap { token in
                    s.smsFrom.map { TwilioSMSChannel(baseURL: s.smsBaseURL, accountSID: sid, authToken: token, from: $0,
                                                     statusCallback: s.publicURL + "/webhooks/sms/status") }
                }
            },
            webhook: HTTPWebhookChannel())
    }
}

/// One due touch and what dispatch would do with it, for `run --dry-run` and `--json`.
public struct DispatchDecision: Codable, Sendable, Equatable {
    public var touch: Int64
    public var action: String
    public var result: String       // send | task | move | skip
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
}

/// Everything dispatch works with.
public struct Dispatcher: Sendable {
    public let database: AfterdeskDatabase
    public let menu: Menu
    public let warranties: WarrantyTable
    public let templates: MessageTemplates
    public let settings: Settings
    public let channels: Channels
    public let gate: ComplianceGate
    /// Key of unsubscribe links.
    public let signingSecret: String
    /// Where failed sends are logged, with the customer's address or number masked in whatever the provider said.
    public var logger = Logger(label: "afterdesk.dispatch")

    public init(database: AfterdeskDatabase, menu: Menu, warranties: WarrantyTable, templates: MessageTemplates, settings: Settings,
                channels: Channels, rules: CadenceRules = CadenceRules(), signingSecret: String) {
        self.database = database; self.menu = menu; self.warranties = warranties; self.templates = templates
        self.settings = settings; self.channels = channels; self.gate = ComplianceGate(rules: rules); self.signingSecret = signingSecret
    }

    /// A dispatcher through recording channels, as `afterdesk demo` sends: nothing leaves the machine, and links are
    /// signed with the database's own secret, so `afterdesk serve` on the same database accepts them.
    public static func recording(database: AfterdeskDatabase, menu: Menu, warranties: WarrantyTable, templates: MessageTemplates,
                                 settings: Settings, into recording: RecordingChannels) throws -> Dispatcher {
        Dispatcher(database: database, menu: menu, warranties: warranties, templates: templates, settings: settings,
                   channels: .recording(recording), signingSecret: try signingSecret(settings: settings, database: database))
    }

    /// The signing secret of the settings, else the one kept in the database (created once, at random).
    public static func signingSecret(settings: Settings, database: AfterdeskDatabase) throws -> String {
        if let s = settings.signingSecret { return s }
        if let kept = try database.setting("signing_secret") { return kept }
        var rng = SystemRandomNumberGenerator()
        let secret = (0..<4).map { _ in String(rng.next(), radix: 16) }.joined()
        try database.setSetting("signing_secret", secret)
        return try database.setting("signing_secret") ?? secret
    }

    /// Re-plans customers whose facts changed (an opt-out, a task outcome).
    @discardableResult
    public func replan(customers: [Int64], now: Date) throws -> PlanSummary {
        guard !customers.isEmpty else { return PlanSummary() }
        return try database.planCustomers(planner: Planner(menu: menu, warranties: warranties, rules: gate.rules), now: now, customerIDs: customers)
    }

    public var address: String { settings.storeAddress ?? menu.dealership.address }

    public func unsubscribeURL(customer: Int64) -> String {
        "\(settings.publicURL)/unsubscribe?c=\(customer)&t=\(Signatures.unsubscribeToken(customerID: customer, secret: signingSecret))"
    }

    /// Dispatches what is due at `now`: every due touch through the gate, then the outbox to the providers.
    /// `dryRun` decides without recording or sending anything.
    public func run(now: Date, dryRun: Bool = false, pageSize: Int = 1_000, decisions: ((DispatchDecision) -> Void)? = nil) async throws -> DispatchSummary {
        var summary = DispatchSummary()
        if !dryRun {
            summary.reconciled = try await reconcile(now: now)
            summary.escalated = try database.escalateOverdue(now: now)
        }
        var staffCache = StaffCache()
        var seen = Set<Int64>()
        // A dry run records nothing, so it pages on after the last touch it decided; a real run finds the next page
        // because the one before left the planned state.
        var cursor: (dueAt: Date, id: Int64)?
        while true {
            let due = try database.dueTouches(now: now, limit: pageSize, after: cursor).filter { !seen.contains($0.id) }
            if due.isEmpty { break }
            if dryRun, let last = due.last { cursor = (last.dueAt, last.id) }
            // Messages are rendered on every core; tasks in order, on this one, as they share the routing state.
            var decided = [DispatchRecord?](repeating: nil, count: due.count)
            let messages = due.indices.filter { due[$0].action != .task }
            let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, messages.count / 64))
            try await withThrowingTaskGroup(of: [(Int, DispatchRecord)].self) { group in
                for w in 0..<workers {
                    let part = stride(from: w, to: messages.count, by: workers).map { messages[$0] }
                    group.addTask {
                        var unused = StaffCache()
                        return try part.map { ($0, try self.decide(due[$0], now: now, staff: &unused)) }
                    }
                }
                for i in due.indices where due[i].action == .task { decided[i] = try decide(due[i], now: now, staff: &staffCache) }
                for try await part in group { for (i, r) in part { decided[i] = r } }
            }
            var records: [DispatchRecord] = []
            records.reserveCapacity(due.count)
            for (touch, record) in zip(due, decided.map { $0! }) {
                seen.insert(touch.id)
                summary.due += 1
                switch record {
                case .dispatched(_, _, _, let task, _):
                    summary.dispatched += 1
                    switch touch.action { case .sms: summary.sms += 1; case .email: summary.email += 1; case .task: summary.tasks += 1 }
                    decisions?(DispatchDecision(touch: touch.id, action: touch.action.rawValue, result: task == nil ? "send" : "task",
                                                detail: task?.title ?? touch.items.map { "\($0.dealNumber):\($0.product)" }.joined(separator: " ")))
                case .moved(_, let to, let reason):
                    summary.moved += 1
                    decisions?(DispatchDecision(touch: touch.id, action: touch.action.rawValue, result: "move", detail: "to \(Instant.iso8601(to)): \(reason)"))
                case .skipped(_, let reason):
                    summary.skipped += 1
                    decisions?(DispatchDecision(touch: touch.id, action: touch.action.rawValue, result: "skip", detail: reason))
                }
                records.append(record)
            }
            if dryRun { continue }
            try database.record(records, now: now)
        }
        if !dryRun { try await deliver(now: now, into: &summary) }
        return summary
    }

    /// What the gate and the templates make of one due touch.
    /// The stores' staff as routing sees them during one run: loaded once, counts kept up to date as tasks are routed.
    struct StaffCache {
        var stores: [Int64: (staff: [StaffMember], lastAssigned: Int64?)] = [:]
        var names: [Int64: String?] = [:]
    }

    func decide(_ touch: DueTouch, now: Date, staff cache: inout StaffCache) throws -> DispatchRecord {
        let c = touch.customer
        let zoneID = CustomerTimeZone.zone(state: c.state, zip: c.zip, dealershipZone: menu.dealership.timeZone)
        let zone = TimeZone(identifier: zoneID) ?? TimeZone(identifier: menu.dealership.timeZone) ?? .gmt
        let items = touch.items.map { i in
            GateItem(dealNumber: i.dealNumber, product: i.product, eligibleUntil: i.eligibleUntil, dealUnwound: i.dealUnwound,
                     productSold: i.productSold,
                     stoppedBecause: menu.product(i.product).flatMap { p in i.stops.first { $0.applies(to: p.kind) }?.reason })
        }
        let input = GateInput(action: touch.action, items: items, zone: zone, state: c.state, consent: c.consent,
                              hasPhone: c.phone != nil, hasEmail: c.email != nil, contactStopped: c.contactStopped,
                              phoneOnDoNotCall: touch.phoneOnDoNotCall, lastPurchase: touch.lastPurchase, recentTouches: touch.recentTouches)
        switch gate.decide(input, now: now) {
        case .move(let to, let reason): return .moved(touchID: touch.id, to: to, reason: reason)
        case .skip(let reason): return .skipped(touchID: touch.id, reason: reason)
        case .send(let kept, let dropped):
            let keptItems = touch.items.filter { i in kept.contains { $0.dealNumber == i.dealNumber && $0.product == i.product } }
            let droppedText = dropped.map { "\($0.item.product): \($0.reason)" }
            let today = LocalDate(now, in: zone)
            let facts = self.facts(keptItems, customer: c, today: today)
            let primary = keptItems[0]
            switch touch.action {
            case .sms:
                guard let phone = c.phone, let body = templates.renderSMS(primary.template, facts: facts) else {
                    return .skipped(touchID: touch.id, reason: "no SMS template '\(primary.template)'")
                }
                let enc = SMSEncoding(body)
                if enc.segments > templates.maxSegments {
                    return .skipped(touchID: touch.id, reason: "the SMS would be \(enc.segments) segments (\(enc.alphabet.rawValue)), more than \(templates.maxSegments)")
                }
                return .dispatched(touchID: touch.id, customerID: c.id, messages: [NewOutboxMessage(channel: "sms", idempotencyKey: "touch-\(touch.id)-sms",
                                                                                   recipient: phone, body: body)], task: nil, dropped: droppedText)
            case .email:
                guard let email = c.email, let rendered = templates.renderEmail(primary.template, facts: facts) else {
                    return .skipped(touchID: touch.id, reason: "no email template '\(primary.template)'")
                }
                let headers = "{\"List-Unsubscribe\":\"<\(facts.unsubscribeURL)>\",\"List-Unsubscribe-Post\":\"List-Unsubscribe=One-Click\"}"
                return .dispatched(touchID: touch.id, customerID: c.id, messages: [NewOutboxMessage(channel: "email", idempotencyKey: "touch-\(touch.id)-email",
                                                                                   recipient: email, subject: rendered.subject, body: rendered.text,
                                                                                   html: rendered.html, headers: headers)],
                                   task: nil, dropped: droppedText)
            case .task:
                if cache.stores[touch.storeID] == nil { cache.stores[touch.storeID] = try database.staffSnapshot(storeID: touch.storeID) }
                var snapshot = cache.stores[touch.storeID]!
                let assignee = TaskRouting.assignee(fiManager: primary.fiManagerID, salesperson: primary.salespersonID,
                                                    staff: snapshot.staff, lastAssigned: snapshot.lastAssigned)
                if let a = assignee, let i = snapshot.staff.firstIndex(where: { $0.id == a }) { snapshot.staff[i].openTasks += 1 }
                snapshot.lastAssigned = assignee ?? snapshot.lastAssigned
                cache.stores[touch.storeID] = snapshot
                let names = keptItems.map { menu.product($0.product)?.name ?? $0.product }
                let title = "Call \(c.firstName) \(c.lastName) about \(Words.list(names))"
                var detail: String = keptItems.map { i -> String in
                    let quoted = Money(cents: i.quotedCents ?? menu.product(i.product)?.retailPrice.cents ?? 0).formatted
                    return "\(menu.product(i.product)?.name ?? i.product) (deal \(i.dealNumber), quoted \(quoted)): \(i.reason)"
                }.joined(separator: "\n")
                detail += "\nVehicle: \(primary.vehicleYear) \(primary.vehicleMake) \(primary.vehicleModel)"
                if !droppedText.isEmpty { detail += "\nNo longer raised: " + droppedText.joined(separator: "; ") }
                let slaAt = now.addingTimeInterval(Double(settings.taskSLAHours) * 3600)
                let task = NewTask(storeID: touch.storeID, customerID: c.id, kind: "follow_up", title: title, detail: detail,
                                   assigneeID: assignee, dueAt: now, slaAt: slaAt)
                var assigneeName: String?
                if let a = assignee {
                    if cache.names[a] == nil { cache.names[a] = try database.staffName(id: a) }
                    assigneeName = cache.names[a] ?? nil
                }
                return .dispatched(touchID: touch.id, customerID: c.id, messages: crmMessages(touch: touch, task: task, primary: primary, assignee: assigneeName, now: now),
                                   task: task, dropped: droppedText)
            }
        }
    }

    func facts(_ items: [DueItem], customer c: CustomerContact, today: LocalDate) -> MessageFacts {
        let primary = items[0]
        func product(_ i: DueItem) -> MessageFacts.Product {
            let p = menu.product(i.product)
            return MessageFacts.Product(code: i.product, name: p?.name ?? i.product, provider: p?.provider ?? "",
                                        quoted: Money(cents: i.quotedCents ?? p?.retailPrice.cents ?? 0), eligibleUntil: i.eligibleUntil)
        }
        let warrantyItem = items.first { $0.basicExpiresOn != nil }
        return MessageFacts(
            firstName: c.firstName, lastName: c.lastName, dealershipName: menu.dealership.name, dealershipAddress: address,
            dealershipPhone: menu.dealership.phone, vehicleYear: primary.vehicleYear, vehicleMake: primary.vehicleMake,
            vehicleModel: primary.vehicleModel, dealNumber: primary.dealNumber, product: product(primary), others: items.dropFirst().map(product),
            warrantyEnds: warrantyItem?.basicExpiresOn, warrantyLimit: warrantyItem?.basicLimit,
            warrantyMiles: warrantyItem.map { warranties.terms(forMake: $0.vehicleMake).basic.miles },
            gapExposureEnds: items.first { $0.gapExposureEndsOn != nil }?.gapExposureEndsOn, staffName: nil,
            unsubscribeURL: unsubscribeURL(customer: c.id), today: today)
    }

    /// A task's deliveries to the CRM: an ADF lead by email and a signed webhook, each when configured.
    func crmMessages(touch: DueTouch, task: NewTask, primary: DueItem, assignee: String?, now: Date) -> [NewOutboxMessage] {
        var out: [NewOutboxMessage] = []
        let c = touch.customer
        if let leadAddress = settings.crmLeadEmail {
            let lead = ADFLead(id: "afterdesk-touch-\(touch.id)", requestDate: now, vehicleYear: primary.vehicleYear, vehicleMake: primary.vehicleMake,
                               vehicleModel: primary.vehicleModel, vin: primary.vin, vehicleIsNew: primary.vehicleIsNew, firstName: c.firstName, lastName: c.lastName,
                               email: c.email, phone: c.phone, comments: task.title + "\n" + task.detail, dealershipName: menu.dealership.name,
                               dealershipPhone: menu.dealership.phone, dealershipEmail: settings.emailFrom.map(MIME.address),
                               assignee: assignee)
            // crm_lead: body is the readable text part, html holds the ADF XML part.
            out.append(NewOutboxMessage(channel: "crm_lead", idempotencyKey: "touch-\(touch.id)-crm_lead", recipient: leadAddress,
                                        subject: "Afterdesk lead: \(task.title)", body: task.title + "\n\n" + task.detail
                                            + (assignee.map { "\n\nAssigned to: \($0)" } ?? ""), html: lead.xml))
        }
        if let url = settings.webhookURL {
            struct Payload: Encodable {
                var event = "task.created"
                var touch_id: Int64; var store: String; var customer: String; var phone: String?; var email: String?
                var title: String; var detail: String; var assignee: String?; var due_at: String; var sla_at: String
                var products: [String]
            }
            let payload = Payload(touch_id: touch.id, store: touch.storeCode, customer: "\(c.firstName) \(c.lastName)", phone: c.phone, email: c.email,
                                  title: task.title, detail: task.detail, assignee: assignee, due_at: Instant.iso8601(task.dueAt),
                                  sla_at: Instant.iso8601(task.slaAt), products: touch.items.map { "\($0.dealNumber):\($0.product)" })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            if let body = try? encoder.encode(payload) {
                out.append(NewOutboxMessage(channel: "webhook", idempotencyKey: "touch-\(touch.id)-webhook", recipient: url,
                                            body: String(decoding: body, as: UTF8.self)))
            }
        }
        return out
    }

    /// What each touch of a deal's declined product would send, on every channel it may use.
    public func preview(dealNumber: String, store: String? = nil, product: String, touch: String? = nil, now: Date) throws -> [MessagePreview] {
        guard let menuProduct = menu.product(product) else { throw StoreError("'\(product)' is not a product of the menu") }
        guard let (customer, base, planned) = try database.previewFacts(dealNumber: dealNumber, store: store, product: product) else {
            throw StoreError("deal \(dealNumber) has no product '\(product)'")
        }
        let zone = TimeZone(identifier: CustomerTimeZone.zone(state: customer.state, zip: customer.zip, dealershipZone: menu.dealership.timeZone)) ?? .gmt
        var out: [MessagePreview] = []
        for rule in menuProduct.timing.touches where touch == nil || rule.name == touch {
            var item = base
            item.touchName = rule.name
            item.template = rule.template
            let facts = self.facts([item], customer: customer, today: LocalDate(now, in: zone))
            let due = planned[rule.name]
            if rule.action == .task {
                out.append(MessagePreview(template: rule.template, channel: "task", planned: due, subject: nil,
                                          body: "A call from a person (the menu makes this touch a task).", encoding: nil))
                continue
            }
            if let sms = templates.renderSMS(rule.template, facts: facts) {
                let e = SMSEncoding(sms)
                out.append(MessagePreview(template: rule.template, channel: "sms", planned: due, subject: nil, body: sms,
                                          encoding: "\(e.alphabet.rawValue), \(e.units) characters, \(e.segments) segment\(e.segments == 1 ? "" : "s")"))
            }
            if let email = templates.renderEmail(rule.template, facts: facts) {
                out.append(MessagePreview(template: rule.template, channel: "email", planned: due, subject: email.subject, body: email.text, encoding: nil))
            }
        }
        return out
    }

    // MARK: the outbox

    /// Sends what is queued and due, in pages: each page is claimed (committed `sending`) before any of it is
    /// handed to a provider, and its results are committed together.
    func deliver(now: Date, into summary: inout DispatchSummary, pageSize: Int = 200) async throws {
        let journal = database.openSentJournal()
        while true {
            let page = try database.claimOutbox(now: now, limit: pageSize)
            if page.isEmpty { return }
            // Emails are composed on every core; sending goes in order.
            var envelopes = [EmailEnvelope?](repeating: nil, count: page.count)
            let mails = page.indices.filter { page[$0].channel == "email" || page[$0].channel == "crm_lead" }
            let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, mails.count / 32))
            await withTaskGroup(of: [(Int, EmailEnvelope)].self) { group in
                for w in 0..<workers {
                    let part = stride(from: w, to: mails.count, by: workers).map { mails[$0] }
                    group.addTask { part.compactMap { i in (try? self.envelope(page[i], now: now)).map { (i, $0) } } }
                }
                for await built in group { for (i, e) in built { envelopes[i] = e } }
            }
            var results: [(id: Int64, result: SendResult)] = []
            results.reserveCapacity(page.count)
            for (i, m) in page.enumerated() {
                let result = await send(m, now: now, prepared: envelopes[i])
                switch result {
                case .sent: summary.delivered += 1
                case .failed(let error, let retry):
                    if retry == nil { summary.dead += 1 } else { summary.failed += 1 }
                    // `error` was redacted when the send failed (see send).
                    logger.warning("send failed", metadata: ["outbox": "\(m.id)", "channel": "\(m.channel)", "error": "\(error)",
                                                             "retry": "\(retry.map(Instant.iso8601) ?? "none: dead letter")"])
                }
                // Results are committed by page. An SMS interrupted by a crash is found again at the provider (see
                // reconcile). Email and webhooks cannot be looked up: each is noted in the sent journal as soon as it
                // is sent (or, without a journal, committed), leaving only the instant between the provider's answer
                // and that note in doubt.
                if m.channel != "sms", case .sent(let providerID) = result {
                    if let journal { try journal.append(id: m.id, providerID: providerID) }
                    else { try database.completeOutbox([(m.id, result)], now: now); continue }
                }
                results.append((m.id, result))
            }
            try database.completeOutbox(results, now: now)
            try journal?.clear()
        }
    }

    /// An email or ADF lead as it goes on the wire: the Message-ID comes from the idempotency key, so a message sent
    /// again after a crash is recognisably the same one.
    func envelope(_ m: OutboxMessage, now: Date) throws(ChannelError) -> EmailEnvelope {
        guard let from = settings.emailFrom else { throw ChannelError("email is not configured (smtp_url, email_from)") }
        var headers: [(String, String)] = []
        if let h = m.headers, let dict = try? JSONDecoder().decode([String: String].self, from: Data(h.utf8)) {
            headers = dict.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        let parts: [MIME.Part] = m.channel == "email"
            ? [MIME.Part(contentType: "text/plain", body: m.body), MIME.Part(contentType: "text/html", body: m.html ?? "")]
            : [MIME.Part(contentType: "text/plain", body: m.body), MIME.Part(contentType: "application/xml", body: m.html ?? "", fileName: "lead.xml")]
        let data = MIME.message(from: from, to: m.recipient, subject: m.subject ?? "", messageID: "\(m.idempotencyKey)@afterdesk", date: now,
                                headers: headers, parts: parts, alternative: m.channel == "email")
        return EmailEnvelope(from: MIME.address(from), recipients: [MIME.address(m.recipient)], data: data)
    }

    /// One attempt at one message (`prepared`: its email envelope, when already built).
    public func send(_ m: OutboxMessage, now: Date, prepared: EmailEnvelope? = nil) async -> SendResult {
        do throws(ChannelError) {
            switch m.channel {
            case "sms":
                guard let sms = channels.sms else { throw ChannelError("SMS is not configured (sms_account_sid, sms_auth_token, sms_from)") }
                return .sent(providerID: try await sms.send(to: m.recipient, body: m.body, idempotencyKey: m.idempotencyKey))
            case "email", "crm_lead":
                guard let email = channels.email else { throw ChannelError("email is not configured (smtp_url, email_from)") }
                let built: EmailEnvelope
                if let prepared { built = prepared } else { built = try envelope(m, now: now) }
                try await email.send(built)
                return .sent(providerID: "\(m.idempotencyKey)@afterdesk")
            case "webhook":
                guard let hook = channels.webhook else { throw ChannelError("the webhook is not configured") }
                let body = Data(m.body.utf8)
                var headers = [("X-Afterdesk-Delivery", m.idempotencyKey)]
                if let secret = settings.webhookSecret {
                    headers.append(("X-Afterdesk-Signature", Signatures.webhook(body: body, secret: secret, timestamp: now.epochSeconds)))
                }
                try await hook.post(url: m.recipient, body: body, headers: headers)
                return .sent(providerID: m.idempotencyKey)
            default:
                throw ChannelError("unknown channel '\(m.channel)'", permanent: true)
            }
        } catch {
            let backoff = settings.backoff
            // Stored and shown without the customer's address or number, whatever the provider quoted.
            let message = "\(Redact.contactData(in: error.message)) (attempt \(m.attempts))"
            if error.permanent || backoff.exhausted(m.attempts) {
                return .failed(error: message, retryAt: nil)
            }
            return .failed(error: message, retryAt: now.addingTimeInterval(backoff.delay(afterAttempt: m.attempts)))
        }
    }

    /// Messages a crashed dispatch left `sending`: an SMS the provider already has is marked sent with its id; any
    /// other goes back to the queue, to be sent again under the same idempotency key (and, for email, the same
    /// Message-ID). Only safe while no other dispatch runs: callers hold the dispatch lock.
    func reconcile(now: Date) async throws -> Int {
        // Sends noted in the journal whose page was not committed: sent, not in doubt.
        let settled = try database.openSentJournal().map { try database.replay($0, now: now) } ?? 0
        let doubtful = try database.inDoubtOutbox(before: now.addingTimeInterval(1))
        guard !doubtful.isEmpty else { return settled }
        var results: [(id: Int64, result: SendResult)] = []
        for m in doubtful {
            if m.channel == "sms", let sms = channels.sms, let since = Instant.parse(m.createdAt) {
                if let sid = try? await sms.find(to: m.recipient, body: m.body, since: since.addingTimeInterval(-86_400)) {
                    results.append((m.id, .sent(providerID: sid)))
                    continue
                }
            }
            results.append((m.id, .failed(error: "interrupted mid-send; not found at the provider, sending again", retryAt: now)))
        }
        try database.completeOutbox(results, now: now)
        return settled + doubtful.count
    }
}
