import Foundation

/// What became of an inbound text once recorded (the store's receipt, as plain values).
public struct InboundFacts: Sendable, Equatable {
    /// The message id was seen for the first time.
    public var fresh: Bool
    /// Its keyword changed consent: a STOP always, a START only when fresh.
    public var applied: Bool
    /// The customers with the sender's number.
    public var customers: [Int64]
    /// A START seen before whose opt-in still stands.
    public var inForce: Bool
    /// For a STOP: an earlier STOP from the number still stood.
    public var alreadyStopped: Bool
    /// When Afterdesk first received this message id.
    public var firstReceived: Date?

    public init(
        fresh: Bool, applied: Bool, customers: [Int64], inForce: Bool = false, alreadyStopped: Bool = false,
        firstReceived: Date? = nil
    ) {
        self.fresh = fresh
        self.applied = applied
        self.customers = customers
        self.inForce = inForce
        self.alreadyStopped = alreadyStopped
        self.firstReceived = firstReceived
    }
}

/// What the server logs about an inbound text.
public enum InboundLog: Sendable, Equatable {
    case optOutRecorded, optInRecorded
    /// A START seen before whose opt-in no longer stands: not applied, not answered.
    case optInSeenBefore
}

/// What an inbound text does, for the server to carry out in this order.
public enum InboundEffect: Sendable, Equatable {
    case log(InboundLog)
    /// The customers' follow-up is planned again (their consent changed).
    case replan([Int64])
    /// A task for a person to read the text, linked to the message, its SLA at most `InboundSMS.replyTaskSLAHours`.
    /// `isReply` is an ordinary reply (not a revocation in a sentence).
    case replyTask(customer: Int64, title: String, detail: String, isReply: Bool)
    /// The text sent back.
    case answer(String)
}

/// The inbound STOP/START/HELP workflow (DESIGN.md, Compliance): STOP words opt the number out of SMS at once; START
/// and UNSTOP opt back in; HELP gets the help text; anything else becomes a task for a person.
public enum InboundSMS {
    /// The longest a person may take to read a text that became a task.
    public static let replyTaskSLAHours = 4

    /// The word or phrase the consent's source names: the keyword or phrase, never the customer's whole message.
    public static func consentWord(_ body: String, keyword: InboundKeyword?) -> String {
        switch keyword {
        case .stop: InboundKeyword.revocation(in: body) ?? "STOP"
        case .start: "START"
        case .help: "HELP"
        case nil: "reply"
        }
    }

    /// What the text `body`, read as `keyword` and recorded as `facts`, does; `dealer` names the dealership in the
    /// confirmations, `helpText` answers HELP.
    public static func effects(
        body: String, keyword: InboundKeyword?, facts: InboundFacts, dealer: String, helpText: String, now: Date
    ) -> [InboundEffect] {
        switch keyword {
        case .stop:
            // Applied even for a message id seen before: setting consent off twice changes nothing.
            var effects: [InboundEffect] = [.log(.optOutRecorded), .replan(facts.customers)]
            // A revocation in a sentence ("I'll stop by Saturday", "cancel my GAP") is also read by a person.
            if facts.fresh, !InboundKeyword.isBareKeyword(body), let customer = facts.customers.first {
                let word = consentWord(body, keyword: keyword)
                effects.append(
                    .replyTask(
                        customer: customer, title: "Reply by text, texts now stopped: read what the customer wrote",
                        detail: "They wrote: \"\(body)\" (read as a request to stop texts: \(word))", isReply: false))
            }
            if StopConfirmation.sends(
                fresh: facts.fresh, alreadyStopped: facts.alreadyStopped, firstReceived: facts.firstReceived, now: now)
            {
                effects.append(
                    .answer("You are unsubscribed from \(dealer) texts. No more messages will be sent. Reply START to resubscribe."))
            }
            return effects
        case .start:
            // A message id seen before is never applied again. A retry of the START that still stands (the first
            // answer or the replan was lost) is planned and confirmed again; one replayed after a newer STOP is not
            // answered.
            guard facts.applied || facts.inForce else { return [.log(.optInSeenBefore)] }
            return [
                .log(.optInRecorded), .replan(facts.customers), .answer("You are resubscribed to \(dealer) texts. Reply STOP to opt out."),
            ]
        case .help:
            return [.answer(helpText)]
        case nil:
            guard facts.fresh, let customer = facts.customers.first else { return [] }
            return [
                .replyTask(
                    customer: customer, title: "Reply by text: answer the customer", detail: "They wrote: \"\(body)\"", isReply: true)
            ]
        }
    }
}
