import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStore
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// One dispatcher at a time per database, across processes: an advisory lock on `<database>.dispatch.lock`. The
/// kernel releases it when the process dies, even by kill -9, so a crashed dispatch never blocks the next.
public final class DispatchLock: Sendable {
    let fd: Int32
    public static func acquire(databasePath: String) -> DispatchLock? {
        let fd = open(databasePath + ".dispatch.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        return DispatchLock(fd: fd)
    }
    init(fd: Int32) { self.fd = fd }
    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// Loads what dispatch needs from files: settings, templates.
public enum DispatchSetup {
    /// The configuration file: `path`, else `$AFTERDESK_CONFIG`, else `afterdesk.yaml` here when it exists.
    public static func settings(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        let file = path ?? environment["AFTERDESK_CONFIG"] ?? "afterdesk.yaml"
        let text: String?
        if FileManager.default.fileExists(atPath: file) {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } else if path != nil || environment["AFTERDESK_CONFIG"] != nil {
            throw SettingsError("\(file): no such configuration file")
        } else {
            text = nil
        }
        return try Settings.load(yaml: text, file: file, environment: environment)
    }

    /// The templates of `directory`, checked against the menu: every message touch has its SMS and email.
    public static func templates(directory: String, menu: Menu) throws -> MessageTemplates {
        let sample = MessageFacts.sample(dealership: menu.dealership)
        let templates = try MessageTemplates.load(directory: directory, sample: sample)
        let missing = templates.missing(for: menu, directory: directory)
        if !missing.isEmpty { throw TemplateErrors(issues: missing) }
        return templates
    }
}

/// The scheduler of `serve`: dispatches what is due every `interval`, under the dispatch lock, until cancelled. Time
/// comes from `clock`, the one the server's routes use.
/// The scheduler's record of itself, read by `/health`.
public enum Scheduler {
    /// Setting: the instant its last dispatch run ended without an error.
    public static let lastRunKey = "scheduler_last_run"
}

public func dispatchEvery(
    _ interval: Duration, dispatcher: Dispatcher, databasePath: String, clock: Clock, logger: Logger, metrics: ServerMetrics? = nil
) async {
    while !Task.isCancelled {
        if let lock = DispatchLock.acquire(databasePath: databasePath) {
            do {
                let s = try await dispatcher.run(now: clock.now())
                try dispatcher.database.setSetting(Scheduler.lastRunKey, Instant.iso8601(clock.now()))
                metrics?.dispatched(s)
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
        _ = try? dispatcher.database.persistTidy(now: clock.now())
        _ = try? dispatcher.database.tidySignIns(now: clock.now(), limits: dispatcher.settings.signInLimits)
        try? await Task.sleep(for: interval)
    }
}

extension Dispatcher {
    public var helpText: String {
        settings.helpText
            ?? "\(menu.dealership.name)\(menu.dealership.phone.map { ", \($0)" } ?? ""): follow-up about your vehicle's protection products. Msg&data rates may apply. Reply STOP to opt out."
    }

    /// An inbound text (DESIGN.md, Compliance): STOP words opt the number out of SMS at once and cancel every pending
    /// SMS; START/UNSTOP opt back in; HELP gets the help text; anything else becomes a task for a person. Returns the
    /// reply to send, if any. Safe to receive twice (providers retry): recorded once by its provider id.
    public func receiveSMS(from: String, body: String, providerID sid: String, now: Date, logger: Logger? = nil) throws -> String? {
        let phone = Phone.e164(from) ?? from
        let keyword = InboundKeyword.classify(body)
        // The consent's source names the keyword or phrase, never the customer's whole message.
        let word =
            switch keyword {
            case .stop: InboundKeyword.revocation(in: body) ?? "STOP"
            case .start: "START"
            case .help: "HELP"
            case nil: "reply"
            }
        let receipt = try database.receiveInbound(
            providerID: sid, phone: phone, body: body, keyword: keyword, source: "sms \(word) \(sid)", now: now)
        let (fresh, customers) = (receipt.fresh, receipt.customers)
        let dealer = menu.dealership.name
        switch keyword {
        case .stop:
            // Applied even for a message id seen before: setting consent off twice changes nothing.
            logger?.info("SMS opt-out recorded", metadata: ["customers": "\(customers)", "message": "\(sid)"])
            try replan(customers: customers, now: now)
            // A revocation in a sentence ("I'll stop by Saturday", "cancel my GAP") is also read by a person.
            if fresh, !InboundKeyword.isBareKeyword(body), let customer = customers.first {
                let task = try database.createReplyTask(
                    customerID: customer, title: "Reply by text, texts now stopped: read what the customer wrote",
                    detail: "They wrote: \"\(body)\" (read as a request to stop texts: \(word))", now: now,
                    slaHours: min(settings.taskSLAHours, 4))
                try database.linkInbound(providerID: sid, taskID: task)
            }
            guard
                StopConfirmation.sends(
                    fresh: fresh, alreadyStopped: receipt.alreadyStopped, firstReceived: receipt.firstReceived, now: now)
            else { return nil }
            return "You are unsubscribed from \(dealer) texts. No more messages will be sent. Reply START to resubscribe."
        case .start:
            // A message id seen before is never applied again. A retry of the START that still stands (the first
            // answer or the replan was lost) is planned and confirmed again; one replayed after a newer STOP is not
            // answered.
            guard receipt.applied || receipt.inForce else {
                logger?.warning("SMS opt-in seen before: not applied", metadata: ["message": "\(sid)"])
                return nil
            }
            logger?.info("SMS opt-in recorded", metadata: ["customers": "\(customers)", "message": "\(sid)"])
            try replan(customers: customers, now: now)
            return "You are resubscribed to \(dealer) texts. Reply STOP to opt out."
        case .help:
            return helpText
        case nil:
            guard fresh, let customer = customers.first else { return nil }
            let task = try database.createReplyTask(
                customerID: customer, title: "Reply by text: answer the customer",
                detail: "They wrote: \"\(body)\"", now: now, slaHours: min(settings.taskSLAHours, 4))
            try database.linkInbound(providerID: sid, taskID: task)
            logger?.info("SMS reply became a task", metadata: ["task": "\(task)", "customer": "\(customer)"])
            return nil
        }
    }
}
