import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Logging

extension Dispatcher {
    public var helpText: String {
        settings.helpText
            ?? "\(menu.dealership.name)\(menu.dealership.phone.map { ", \($0)" } ?? ""): follow-up about your vehicle's protection products. Msg&data rates may apply. Reply STOP to opt out."
    }

    /// An inbound text: recorded once by its provider id (providers retry), then what `InboundSMS.effects` decides is
    /// carried out. Returns the reply to send, if any.
    /// Runs whole (see `Whole`): once the text is recorded, its effects are carried out even if the caller is cancelled.
    public func receiveSMS(from: String, body: String, providerID sid: String, now: Date, logger: Logger? = nil) async throws -> String? {
        try await Whole.run { [self] in try await receiveSMSWhole(from: from, body: body, providerID: sid, now: now, logger: logger) }
    }

    private func receiveSMSWhole(from: String, body: String, providerID sid: String, now: Date, logger: Logger?) async throws -> String? {
        let phone = Phone.e164(from) ?? from
        let keyword = InboundKeyword.classify(body)
        let word = InboundSMS.consentWord(body, keyword: keyword)
        let receipt = try await database.receiveInbound(
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
                try await replan(customers: customers, now: now)
            case .replyTask(let customer, let title, let detail, let isReply):
                let task = try await database.createReplyTask(
                    customerID: customer, title: title, detail: detail, now: now,
                    slaHours: min(settings.taskSLAHours, InboundSMS.replyTaskSLAHours))
                try await database.linkInbound(providerID: sid, taskID: task)
                if isReply { logger?.info("SMS reply became a task", metadata: ["task": "\(task)", "customer": "\(customer)"]) }
            case .answer(let text):
                answer = text
            }
        }
        return answer
    }
}
