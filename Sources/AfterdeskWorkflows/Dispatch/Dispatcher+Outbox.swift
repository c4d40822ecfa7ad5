import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Logging

extension Dispatcher {
    // MARK: the outbox

    /// Sends what is queued and due, in pages: each page is claimed (committed `sending`) before any of it is
    /// handed to a provider, and its results are committed together.
    func deliver(now: Date, into summary: inout DispatchSummary, pageSize: Int = 200) async throws {
        let journal = database.openSentLog()
        // Cancelled (SIGTERM to `serve`): the page claimed is sent and committed whole, then no other is claimed. The
        // page runs in a task of its own, which the cancellation does not reach: the storage's calls would otherwise
        // refuse to run once cancelled, and leave the page in doubt.
        while !Task.isCancelled {
            let claimed = try await database.claimOutbox(now: now, limit: pageSize, by: claimer)
            if claimed.isEmpty { return }
            let page = try await Task { try await self.deliverPage(claimed, journal: journal, now: now) }.value
            summary.delivered += page.delivered
            summary.failed += page.failed
            summary.dead += page.dead
        }
    }

    /// Sends what is queued and due, and nothing else: a server that does not hold the scheduler's lease helps deliver
    /// (its claims are its own), while the holder decides what is due, reconciles and escalates.
    public func deliverOnly(now: Date) async throws -> DispatchSummary {
        let emergencies = try await database.emergencyStates()
        let own = try await database.storeSettings()
        if emergencies != gate.rules.emergencies || own != storeSettings {
            return try await current(emergencies: emergencies, own: own).deliverOnly(now: now)
        }
        var summary = DispatchSummary()
        // Its own messages left `sending` (a page whose results the database could not take, while it restarted)
        // first: no other server takes them while this one lives.
        if let claimer { summary.reconciled = try await reconcile(now: now, .own(claimer)) }
        try await deliver(now: now, into: &summary)
        return summary
    }

    /// What became of one page's messages.
    struct PageCounts: Sendable {
        var delivered = 0
        var failed = 0
        var dead = 0
    }

    /// Checks, sends and commits one claimed page.
    func deliverPage(_ claimed: [OutboxMessage], journal: (any SentLog)?, now: Date) async throws -> PageCounts {
        var counts = PageCounts()
        let page = try await sendable(claimed, now: now)
        let envelopes = await envelopes(page, now: now)
        var results: [(id: Int64, result: SendResult)] = []
        results.reserveCapacity(page.count)
        let commits = journal == nil ? SentCommits(database: database, now: now) : nil
        for (i, m) in page.enumerated() {
            try await commits?.check()
            let result = await send(m, now: now, prepared: envelopes[i])
            switch result {
            case .sent: counts.delivered += 1
            case .failed(let error, let retry):
                if retry == nil { counts.dead += 1 } else { counts.failed += 1 }
                // `error` was redacted when the send failed (see send).
                logger.warning(
                    "send failed",
                    metadata: [
                        "outbox": "\(m.id)", "channel": "\(m.channel.rawValue)", "error": "\(error)",
                        "retry": "\(retry.map(Instant.iso8601) ?? "none: dead letter")",
                    ])
            }
            // Results are committed by page. An SMS interrupted by a crash is found again at the provider (see
            // reconcile). Email and webhooks cannot be looked up: each is noted in the sent journal as soon as it is
            // sent, leaving only the instant between the provider's answer and that note in doubt; without a journal
            // each is committed as soon as the commit before it ends (`SentCommits`), leaving in doubt only the sends
            // made while that commit was in flight.
            if m.channel != .sms, case .sent(let providerID) = result {
                if let journal {
                    try journal.append(id: m.id, providerID: providerID)
                } else if let commits {
                    try await commits.add(id: m.id, result: result)
                    continue
                }
            }
            results.append((m.id, result))
        }
        try await commits?.drain()
        try await database.completeOutbox(results, now: now)
        try journal?.clear()
        return counts
    }

    /// The page's emails and ADF leads as they go on the wire, composed on every core (sending goes in order).
    func envelopes(_ page: [OutboxMessage], now: Date) async -> [EmailEnvelope?] {
        var envelopes = [EmailEnvelope?](repeating: nil, count: page.count)
        let mails = page.indices.filter { page[$0].channel == .email || page[$0].channel == .crmLead }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, mails.count / 32))
        await withTaskGroup(of: [(Int, EmailEnvelope)].self) { group in
            for w in 0..<workers {
                let part = stride(from: w, to: mails.count, by: workers).map { mails[$0] }
                group.addTask { part.compactMap { i in (try? self.envelope(page[i], now: now)).map { (i, $0) } } }
            }
            for await built in group { for (i, e) in built { envelopes[i] = e } }
        }
        return envelopes
    }

    /// An email or ADF lead as it goes on the wire: the Message-ID comes from the idempotency key, so a message sent
    /// again after a crash is recognisably the same one.
    func envelope(_ m: OutboxMessage, now: Date) throws(ChannelError) -> EmailEnvelope {
        guard let from = m.sender ?? settings.emailFrom else { throw ChannelError("email is not configured (smtp_url, email_from)") }
        var headers: [(String, String)] = []
        if let h = m.headers, let dict = try? JSONDecoder().decode([String: String].self, from: Data(h.utf8)) {
            headers = dict.filter { $0.key != OutboxSender.header }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        let parts: [MIME.Part] =
            m.channel == .email
            ? [MIME.Part(contentType: "text/plain", body: m.body), MIME.Part(contentType: "text/html", body: m.html ?? "")]
            : [
                MIME.Part(contentType: "text/plain", body: m.body),
                MIME.Part(contentType: "application/xml", body: m.html ?? "", fileName: "lead.xml"),
            ]
        let data = MIME.message(
            from: from, to: m.recipient, subject: m.subject ?? "", messageID: "\(m.idempotencyKey)@afterdesk", date: now,
            headers: headers, parts: parts, alternative: m.channel == .email)
        return EmailEnvelope(from: MIME.address(from), recipients: [MIME.address(m.recipient)], data: data)
    }

    /// One attempt at one message (`prepared`: its email envelope, when already built).
    public func send(_ m: OutboxMessage, now: Date, prepared: EmailEnvelope? = nil) async -> SendResult {
        do throws(ChannelError) {
            switch m.channel {
            case .sms:
                guard let sms = channels.sms else {
                    throw ChannelError("SMS is not configured (sms_account_sid, sms_auth_token, sms_from)")
                }
                return .sent(
                    providerID: try await sms.send(to: m.recipient, from: m.sender, body: m.body, idempotencyKey: m.idempotencyKey))
            case .email, .crmLead:
                guard let email = channels.email else { throw ChannelError("email is not configured (smtp_url, email_from)") }
                let built: EmailEnvelope
                if let prepared { built = prepared } else { built = try envelope(m, now: now) }
                try await email.send(built)
                return .sent(providerID: "\(m.idempotencyKey)@afterdesk")
            case .webhook:
                guard let hook = channels.webhook else { throw ChannelError("the webhook is not configured") }
                let body = Data(m.body.utf8)
                var headers = [("X-Afterdesk-Delivery", m.idempotencyKey)]
                if let secret = settings.webhookSecret {
                    headers.append(("X-Afterdesk-Signature", Signatures.webhook(body: body, secret: secret, timestamp: now.epochSeconds)))
                }
                try await hook.post(url: m.recipient, body: body, headers: headers)
                return .sent(providerID: m.idempotencyKey)
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
    /// Message-ID). Only safe while no other dispatch runs on them: the holder of the dispatch lock takes those of no
    /// live server and its own (`nil`: `.held(mine: claimer)`); a standby only its own (`.own`).
    func reconcile(now: Date, _ scope: InDoubtScope? = nil) async throws -> Int {
        let scope = scope ?? .held(mine: claimer)
        // Sends noted in the journal whose page was not committed: sent, not in doubt.
        let settled = scope == .held(mine: claimer) ? try await database.settleSentLog(now: now) : 0
        let doubtful = try await database.inDoubtOutbox(before: now.addingTimeInterval(1), scope)
        guard !doubtful.isEmpty else { return settled }
        var results: [(id: Int64, result: SendResult)] = []
        for m in doubtful {
            if m.channel == .sms, let sms = channels.sms {
                if let sid = try? await sms.find(
                    to: m.recipient, from: m.sender, body: m.body, since: m.createdAt.addingTimeInterval(-86_400))
                {
                    results.append((m.id, .sent(providerID: sid)))
                    continue
                }
            }
            results.append((m.id, .failed(error: "interrupted mid-send; not found at the provider, sending again", retryAt: now)))
        }
        try await database.completeOutbox(results, now: now)
        return settled + doubtful.count
    }
}
