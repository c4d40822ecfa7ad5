import AfterdeskCore
import Foundation
import Testing

/// The inbound STOP/START/HELP workflow, decided in Core from the text and what the store recorded.
@Suite struct InboundDecisionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let unsubscribed = "You are unsubscribed from Lakeside texts. No more messages will be sent. Reply START to resubscribe."
    let resubscribed = "You are resubscribed to Lakeside texts. Reply STOP to opt out."

    func effects(_ body: String, _ facts: InboundFacts) -> [InboundEffect] {
        InboundSMS.effects(
            body: body, keyword: InboundKeyword.classify(body), facts: facts, dealer: "Lakeside", helpText: "help text", now: now)
    }

    @Test func theConsentSourceNamesTheKeywordNeverTheMessage() {
        #expect(InboundSMS.consentWord("please take me off your list", keyword: .stop) == "TAKE ME OFF")
        #expect(InboundSMS.consentWord("Stop!", keyword: .stop) == "STOP")
        #expect(InboundSMS.consentWord("unstop", keyword: .start) == "START")
        #expect(InboundSMS.consentWord("help", keyword: .help) == "HELP")
        #expect(InboundSMS.consentWord("what time?", keyword: nil) == "reply")
    }

    @Test func aBareStopReplansAndIsConfirmedOnce() {
        let first = InboundFacts(fresh: true, applied: true, customers: [3, 4], firstReceived: now)
        #expect(effects("STOP", first) == [.log(.optOutRecorded), .replan([3, 4]), .answer(unsubscribed)])
        // A second STOP while the first stands revokes nothing new: no second confirmation.
        var again = first
        again.alreadyStopped = true
        #expect(effects("STOP", again) == [.log(.optOutRecorded), .replan([3, 4])])
    }

    @Test func aRetryIsConfirmedOnlyWithinFiveMinutesOfTheFirst() {
        var retry = InboundFacts(
            fresh: false, applied: true, customers: [3], firstReceived: now.addingTimeInterval(-StopConfirmation.limit))
        #expect(effects("stop", retry).last == .answer(unsubscribed))
        retry.firstReceived = now.addingTimeInterval(-StopConfirmation.limit - 1)
        #expect(effects("stop", retry) == [.log(.optOutRecorded), .replan([3])])
    }

    @Test func aRevocationInASentenceIsAlsoReadByAPerson() {
        let facts = InboundFacts(fresh: true, applied: true, customers: [8, 9], firstReceived: now)
        #expect(
            effects("I'll stop by Saturday", facts) == [
                .log(.optOutRecorded), .replan([8, 9]),
                .replyTask(
                    customer: 8, title: "Reply by text, texts now stopped: read what the customer wrote",
                    detail: "They wrote: \"I'll stop by Saturday\" (read as a request to stop texts: STOP)", isReply: false),
                .answer(unsubscribed),
            ])
        // Not again for a retry, and not without a customer.
        #expect(
            !effects("I'll stop by Saturday", InboundFacts(fresh: false, applied: true, customers: [8])).contains { effect in
                if case .replyTask = effect { return true }
                return false
            })
        #expect(effects("I'll stop by Saturday", InboundFacts(fresh: true, applied: true, customers: [], firstReceived: now)).count == 3)
    }

    @Test func aStartIsAppliedOrConfirmedOnlyWhileItStands() {
        let applied = InboundFacts(fresh: true, applied: true, customers: [5])
        #expect(effects("START", applied) == [.log(.optInRecorded), .replan([5]), .answer(resubscribed)])
        let retried = InboundFacts(fresh: false, applied: false, customers: [5], inForce: true)
        #expect(effects("unstop", retried) == [.log(.optInRecorded), .replan([5]), .answer(resubscribed)])
        let replayed = InboundFacts(fresh: false, applied: false, customers: [5])
        #expect(effects("START", replayed) == [.log(.optInSeenBefore)])
    }

    @Test func helpIsAnsweredAndAnOrdinaryReplyBecomesATaskOnce() {
        #expect(effects("HELP", InboundFacts(fresh: false, applied: false, customers: [])) == [.answer("help text")])
        #expect(
            effects("Is my GAP still good?", InboundFacts(fresh: true, applied: false, customers: [2, 6])) == [
                .replyTask(
                    customer: 2, title: "Reply by text: answer the customer", detail: "They wrote: \"Is my GAP still good?\"", isReply: true
                )
            ])
        #expect(effects("Is my GAP still good?", InboundFacts(fresh: false, applied: false, customers: [2])).isEmpty)
        #expect(effects("Is my GAP still good?", InboundFacts(fresh: true, applied: false, customers: [])).isEmpty)
    }
}
