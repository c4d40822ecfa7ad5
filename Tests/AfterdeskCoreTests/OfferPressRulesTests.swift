import AfterdeskCore
import Foundation
import Testing

/// What a press on the offer page does, in Core: the step by the link's state, the task it raises, the pause, the
/// answer.
@Suite struct OfferPressRulesTests {
    let chicago = tz("America/Chicago")
    let facts = OfferPressRules.Facts(
        customerName: "Ana Ruiz", productName: "Vehicle Service Contract", dealNumber: "D-3", price: "from $1,295.00",
        channel: "sms", sentAt: utc("2026-11-17T21:05:00Z"), vehicle: "2024 Toyota Camry")

    @Test func onlyALiveLinkOrADeadLinksRequestForANewOneIsRecorded() {
        #expect(OfferPressRules.step(isLive: true, action: .interested) == .recordAndShowOffer)
        #expect(OfferPressRules.step(isLive: true, action: .notNow) == .recordAndShowOffer)
        #expect(OfferPressRules.step(isLive: true, action: .newLink) == .showOffer)
        #expect(OfferPressRules.step(isLive: false, action: .newLink) == .recordAndThank)
        for action in [OfferAction.interested, .callMe, .notNow] { #expect(OfferPressRules.step(isLive: false, action: action) == .gone) }
    }

    @Test func anUrgentPressIsDueNowWithAnHourOfOpeningHours() throws {
        // Wednesday 2026-11-18, 10:00 in Chicago: open.
        let now = utc("2026-11-18T16:00:00Z")
        let task = try #require(
            OfferPressRules.task(.callMe, facts, hours: .standard, slaHours: 24, now: now, zone: chicago))
        #expect(task.title == "Urgent: Ana Ruiz pressed \"Call me\" about Vehicle Service Contract")
        #expect(task.dueAt == now)
        #expect(task.slaAt == now.addingTimeInterval(3600))
        #expect(
            task.detail == """
                Vehicle Service Contract (deal D-3, from $1,295.00): the customer pressed "Call me" on the offer page of the text sent \
                3:05 PM on Tuesday, November 17.
                Call within the hour.
                Vehicle: 2024 Toyota Camry
                """)
        #expect(OfferPressRules.task(.notNow, facts, hours: .standard, slaHours: 24, now: now, zone: chicago) == nil)
    }

    @Test func aNewLinkIsDueWhenTheStoreOpensWithTheUsualSLA() throws {
        // Saturday 2026-11-21, 20:00 in Chicago: closed until Monday 9:00 (Sunday closed).
        let now = utc("2026-11-22T02:00:00Z")
        var email = facts
        email.channel = "email"
        let task = try #require(OfferPressRules.task(.newLink, email, hours: .standard, slaHours: 24, now: now, zone: chicago))
        #expect(task.title == "Ana Ruiz asked for a new link about Vehicle Service Contract")
        #expect(task.dueAt == utc("2026-11-23T15:00:00Z"))
        #expect(task.slaAt == utc("2026-11-24T15:00:00Z"))
        #expect(task.detail.contains("on the offer page of the email sent"))
        #expect(task.detail.contains("Their link no longer worked."))
    }

    @Test func theAnswerSaysWhenSomeoneCallsOrUntilWhenItIsPaused() {
        let open = utc("2026-11-18T16:00:00Z")
        func answer(_ action: OfferAction, sla: Date?, pause: LocalDate? = nil, now: Date) -> String {
            OfferPressRules.answer(
                action, firstName: "Ana", dealer: "Lakeside Motors", productName: "GAP", slaAt: sla, pauseUntil: pause, hours: .standard,
                now: now, zone: chicago)
        }
        #expect(
            answer(.interested, sla: open.addingTimeInterval(3600), now: open)
                == "Thank you, Ana. Someone from Lakeside Motors will call you within the hour.")
        let late = utc("2026-11-19T00:30:00Z")  // 18:30 on Wednesday: due 9:30 Thursday
        #expect(
            answer(.callMe, sla: utc("2026-11-19T15:30:00Z"), now: late).hasSuffix("will call you by 9:30 AM on Thursday, November 19."))
        let pause = OfferPressRules.pauseUntil(today: LocalDate(open, in: chicago), pauseDays: nil)
        #expect(pause == LocalDate(year: 2026, month: 12, day: 18))
        #expect(OfferPressRules.pauseUntil(today: LocalDate(open, in: chicago), pauseDays: 7) == LocalDate(year: 2026, month: 11, day: 25))
        #expect(
            answer(.notNow, sla: nil, pause: pause, now: open) == "Understood. We will not bring up GAP again before December 18, 2026.")
        #expect(answer(.newLink, sla: nil, now: open) == "Thank you. We will be in touch.")
    }
}
