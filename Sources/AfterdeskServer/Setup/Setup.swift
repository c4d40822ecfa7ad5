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

    /// An inbound text: recorded once by its provider id (providers retry), then what `InboundSMS.effects` decides is
    /// carried out. Returns the reply to send, if any.
    public func receiveSMS(from: String, body: String, providerID sid: String, now: Date, logger: Logger? = nil) throws -> String? {
        let phone = Phone.e164(from) ?? from
        let keyword = InboundKeyword.classify(body)
        let word = InboundSMS.consentWord(body, keyword: keyword)
        let receipt = try database.receiveInbound(
            providerID: sid, phone: phone, body: body, keyword: keyword, source: "sms \(word) \(sid)", now: now)
        let facts = InboundFacts(
            fresh: receipt.fresh, applied: receipt.applied, customers: receipt.customers, inForce: receipt.inForce,
            alreadyStopped: receipt.alreadyStopped, firstReceived: receipt.firstReceived)
        var answer: String?
        for effect in InboundSMS.effects(
            body: body, keyword: keyword, facts: facts, dealer: menu.dealership.name, helpText: helpText, now: now)
        {
            switch effect {
            case .log(.optOutRecorded):
                logger?.info("SMS opt-out recorded", metadata: ["customers": "\(facts.customers)", "message": "\(sid)"])
            case .log(.optInRecorded):
                logger?.info("SMS opt-in recorded", metadata: ["customers": "\(facts.customers)", "message": "\(sid)"])
            case .log(.optInSeenBefore):
                logger?.warning("SMS opt-in seen before: not applied", metadata: ["message": "\(sid)"])
            case .replan(let customers):
                try replan(customers: customers, now: now)
            case .replyTask(let customer, let title, let detail, let isReply):
                let task = try database.createReplyTask(
                    customerID: customer, title: title, detail: detail, now: now,
                    slaHours: min(settings.taskSLAHours, InboundSMS.replyTaskSLAHours))
                try database.linkInbound(providerID: sid, taskID: task)
                if isReply { logger?.info("SMS reply became a task", metadata: ["task": "\(task)", "customer": "\(customer)"]) }
            case .answer(let text):
                answer = text
            }
        }
        return answer
    }
}
