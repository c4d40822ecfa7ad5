import AfterdeskCore
import Foundation
import Testing

@Suite struct ComplianceGateTests {
    let gate = ComplianceGate()
    // 2026-07-10 15:00 UTC is 10:00 in Chicago (CDT).
    let open = utc("2026-07-10T15:00:00Z")

    func input(
        _ action: TouchAction = .sms, items: [GateItem]? = nil, consent: ContactPermissions = .init(sms: true, email: true, phone: true),
        phone: Bool = true, email: Bool = true, stopped: Bool = false, dnc: Bool = false,
        lastPurchase: LocalDate = LocalDate("2026-06-01")!, recent: [Date] = [], state: String = "IL",
        zone: String = "America/Chicago"
    ) -> GateInput {
        GateInput(
            action: action, items: items ?? [GateItem(dealNumber: "D1", product: "vsc", eligibleUntil: LocalDate("2027-06-01"))],
            zone: tz(zone), state: state, consent: consent, hasPhone: phone, hasEmail: email, contactStopped: stopped,
            phoneOnDoNotCall: dnc, lastPurchase: lastPurchase, recentTouches: recent)
    }

    func isSend(_ d: GateDecision) -> Bool { if case .send = d { return true } else { return false } }
    func skipReason(_ d: GateDecision) -> String? { if case .skip(let r) = d { return r } else { return nil } }
    func moved(_ d: GateDecision) -> Date? { if case .move(let t, _) = d { return t } else { return nil } }

    @Test func aConsentedTouchInsideTheWindowIsSent() {
        #expect(isSend(gate.decide(input(), now: open)))
        #expect(isSend(gate.decide(input(.email), now: open)))
        #expect(isSend(gate.decide(input(.task), now: open)))
    }

    @Test func noMessageWithoutConsentOrAddress() {
        #expect(
            skipReason(gate.decide(input(.sms, consent: .init(sms: false, email: true, phone: true)), now: open))?.contains("SMS consent")
                == true)
        #expect(
            skipReason(gate.decide(input(.email, consent: .init(sms: true, email: false, phone: true)), now: open))?.contains(
                "email consent") == true)
        #expect(skipReason(gate.decide(input(.sms, phone: false), now: open))?.contains("mobile") == true)
        #expect(skipReason(gate.decide(input(.email, email: false), now: open))?.contains("email address") == true)
        // A call task needs a way to reach the customer, not message consent.
        #expect(isSend(gate.decide(input(.task, consent: .init(sms: false, email: false, phone: false)), now: open)))
        #expect(skipReason(gate.decide(input(.task, phone: false, email: false), now: open)) != nil)
    }

    @Test func stopContactingStopsEverything() {
        for action in [TouchAction.sms, .email, .task] {
            #expect(skipReason(gate.decide(input(action, stopped: true), now: open))?.contains("stop all contact") == true)
        }
    }

    @Test func outsideTheWindowMovesToTheNextOpening() {
        // 02:00 UTC on July 11 is 21:00 on July 10 in Chicago: next opening is 8:00 July 11 (13:00 UTC).
        let late = utc("2026-07-11T02:00:00Z")
        #expect(moved(gate.decide(input(), now: late)) == utc("2026-07-11T13:00:00Z"))
        // 19:59 local is inside, 20:00 is not.
        #expect(isSend(gate.decide(input(), now: utc("2026-07-11T00:59:00Z"))))
        #expect(moved(gate.decide(input(), now: utc("2026-07-11T01:00:00Z"))) != nil)
        // Honolulu: 15:00 UTC is 5:00 — wait until 8:00 HST (18:00 UTC).
        #expect(moved(gate.decide(input(state: "HI", zone: "Pacific/Honolulu"), now: open)) == utc("2026-07-10T18:00:00Z"))
        // Tasks wait for contact hours too.
        #expect(moved(gate.decide(input(.task), now: late)) != nil)
        // A Texan waits for 9:00 on Saturday (ContactRulesTests has the state calendar).
        #expect(moved(gate.decide(input(state: "TX"), now: late)) == utc("2026-07-11T14:00:00Z"))
    }

    @Test func theWindowFollowsDaylightSaving() {
        // 13:30 UTC is 8:30 CDT on 2026-11-01 (after the switch back, CST: 7:30): outside.
        #expect(isSend(gate.decide(input(), now: utc("2026-10-31T13:30:00Z"))))
        #expect(moved(gate.decide(input(), now: utc("2026-11-02T13:30:00Z"))) == utc("2026-11-02T14:00:00Z"))
    }

    @Test func oneTouchADay() {
        let earlier = utc("2026-07-10T14:00:00Z")  // 9:00 the same local day
        let d = gate.decide(input(recent: [earlier]), now: open)
        #expect(moved(d) == utc("2026-07-11T13:00:00Z"))
        // Yesterday does not count against today.
        #expect(isSend(gate.decide(input(recent: [utc("2026-07-09T15:00:00Z")]), now: open)))
    }

    @Test func atMostThreeInThirtyDays() {
        let three = [utc("2026-06-15T15:00:00Z"), utc("2026-06-25T15:00:00Z"), utc("2026-07-05T15:00:00Z")]
        // The oldest (June 15) leaves the 30 days on July 15: move to 8:00 that day.
        #expect(moved(gate.decide(input(recent: three), now: open)) == utc("2026-07-15T13:00:00Z"))
        // Two in the window is fine.
        #expect(isSend(gate.decide(input(recent: Array(three.dropFirst())), now: open)))
        // One 31 days ago no longer counts.
        #expect(isSend(gate.decide(input(recent: [utc("2026-06-09T15:00:00Z")] + three.dropFirst()), now: open)))
        // No room before the window closes: skipped.
        let closing = [GateItem(dealNumber: "D1", product: "gap", eligibleUntil: LocalDate("2026-07-12"))]
        #expect(skipReason(gate.decide(input(items: closing, recent: three), now: open)) != nil)
    }

    @Test func suppressedProductsAreDroppedAndAllSuppressedIsSkipped() {
        let items = [
            GateItem(dealNumber: "D1", product: "vsc", eligibleUntil: nil, dealUnwound: true),
            GateItem(dealNumber: "D2", product: "gap", eligibleUntil: LocalDate("2026-07-09")),
            GateItem(dealNumber: "D2", product: "tire_wheel", eligibleUntil: nil, productSold: true),
            GateItem(dealNumber: "D2", product: "appearance", eligibleUntil: nil, stoppedBecause: StopKind.vehicleSold.reason),
            GateItem(dealNumber: "D2", product: "maintenance", eligibleUntil: LocalDate("2026-07-10")),
        ]
        guard case .send(let kept, let dropped) = gate.decide(input(items: items), now: open) else {
            Issue.record("not sent")
            return
        }
        #expect(kept.map(\.product) == ["maintenance"])  // the window's last day is still open
        #expect(
            dropped.map(\.reason) == [
                "the deal was unwound", "the post-sale window closed on 2026-07-09",
                "bought since the plan was made", "the vehicle was traded in or sold",
            ])
        let reason = skipReason(gate.decide(input(items: Array(items.prefix(4))), now: open))
        #expect(reason?.contains("vsc: the deal was unwound") == true)
    }

    @Test func doNotCallAllowsCallsOnlyInsideTheRelationship() {
        let bought = LocalDate("2025-01-10")!
        // 18 months after 2025-01-10 is 2026-07-10: the last allowed day.
        #expect(isSend(gate.decide(input(.task, dnc: true, lastPurchase: bought), now: open)))
        let after = utc("2026-07-11T15:00:00Z")
        #expect(skipReason(gate.decide(input(.task, dnc: true, lastPurchase: bought), now: after))?.contains("do-not-call") == true)
        // Not on the list: fine any time. Messages are not calls.
        #expect(isSend(gate.decide(input(.task, dnc: false, lastPurchase: bought), now: after)))
        #expect(isSend(gate.decide(input(.sms, dnc: true, lastPurchase: bought), now: after)))
    }

    @Test func stopKindsApplyToTheRightProducts() {
        #expect(StopKind.loanPaidOff.applies(to: .gap))
        #expect(!StopKind.loanPaidOff.applies(to: .serviceContract))
        for kind in ProductKind.allCases { #expect(StopKind.vehicleSold.applies(to: kind)) }
    }
}

@Suite struct MessagingTests {
    @Test(arguments: ["STOP", "stop", "  Stop  ", "STOPALL", "unsubscribe", "Cancel", "END", "quit", "REVOKE", "optout", "stop\n"])
    func optOutWords(_ body: String) { #expect(InboundKeyword.classify(body) == .stop) }

    @Test func otherKeywords() {
        #expect(InboundKeyword.classify("start") == .start)
        #expect(InboundKeyword.classify(" UNSTOP ") == .start)
        #expect(InboundKeyword.classify("Help") == .help)
        #expect(InboundKeyword.classify("please stop calling") == .stop)
        #expect(InboundKeyword.classify("Yes, call me tomorrow") == nil)
        #expect(InboundKeyword.classify("") == nil)
    }

    @Test func smsSegments() {
        #expect(SMSEncoding(String(repeating: "a", count: 160)) == SMSEncoding(alphabet: .gsm7, units: 160, segments: 1))
        #expect(SMSEncoding(String(repeating: "a", count: 161)).segments == 2)
        #expect(SMSEncoding(String(repeating: "a", count: 306)).segments == 2)
        #expect(SMSEncoding(String(repeating: "a", count: 307)).segments == 3)
        // Extension characters take two septets.
        #expect(SMSEncoding(String(repeating: "€", count: 80)).units == 160)
        #expect(SMSEncoding(String(repeating: "€", count: 81)).segments == 2)
        // One character outside GSM-7 makes the whole message UCS-2.
        let curly = "Your warranty ends soon \u{2019}" + String(repeating: "a", count: 45)
        #expect(SMSEncoding(curly).alphabet == .ucs2)
        #expect(SMSEncoding(String(repeating: "é", count: 70)).alphabet == .gsm7)
        #expect(SMSEncoding(String(repeating: "ç", count: 70)) == SMSEncoding(alphabet: .ucs2, units: 70, segments: 1))
        #expect(SMSEncoding(String(repeating: "ç", count: 71)).segments == 2)
        #expect(SMSEncoding(String(repeating: "ç", count: 135)).segments == 3)
        #expect(SMSEncoding("🚗").units == 2)
    }

    @Test func routingPrefersTheDealsStaffThenTheLeastLoaded() {
        let staff = [
            StaffMember(id: 1, role: "fi", openTasks: 5), StaffMember(id: 2, role: "sales", openTasks: 1),
            StaffMember(id: 3, role: "sales", openTasks: 1), StaffMember(id: 4, role: "sales", active: false),
            StaffMember(id: 9, role: "manager", openTasks: 0),
        ]
        #expect(TaskRouting.assignee(fiManager: 1, salesperson: 2, staff: staff, lastAssigned: nil) == 1)
        #expect(TaskRouting.assignee(fiManager: 4, salesperson: 3, staff: staff, lastAssigned: nil) == 3)
        // Nobody of the deal active: the fewest open tasks, round-robin among ties, managers only as a last resort.
        #expect(TaskRouting.assignee(fiManager: 4, salesperson: nil, staff: staff, lastAssigned: nil) == 2)
        #expect(TaskRouting.assignee(fiManager: nil, salesperson: nil, staff: staff, lastAssigned: 2) == 3)
        #expect(TaskRouting.assignee(fiManager: nil, salesperson: nil, staff: staff, lastAssigned: 3) == 2)
        #expect(TaskRouting.assignee(fiManager: nil, salesperson: nil, staff: [staff[4]], lastAssigned: nil) == 9)
        #expect(TaskRouting.assignee(fiManager: nil, salesperson: nil, staff: [], lastAssigned: nil) == nil)
        #expect(TaskRouting.escalation(staff: staff, excluding: nil) == 9)
        #expect(TaskRouting.escalation(staff: staff, excluding: 9) == nil)
    }

    @Test func backoffDoublesUpToTheCap() {
        let b = Backoff(base: 60, cap: 600, maxAttempts: 5)
        #expect((1...6).map { b.delay(afterAttempt: $0) } == [60, 120, 240, 480, 600, 600])
        #expect(!b.exhausted(4))
        #expect(b.exhausted(5))
    }
}

/// Revocation in the customer's own words (FCC 24-24): each word and phrase, in any case, with punctuation and inside a
/// sentence; and the look-alikes that are not revocations.
@Suite struct RevocationWordsTests {
    @Test(arguments: [
        "STOP", "stop", "Stop.", "STOP!!", "  stop\n", "Please stop texting me", "stop texting me!", "quit", "QUIT IT",
        "end", "The END", "revoke", "I revoke my consent", "opt out", "Opt-Out", "optout", "OPT-OUT please", "cancel",
        "Cancel.", "unsubscribe", "Unsubscribe me", "stopall", "STOP ALL", "don't text me", "Do not text me again",
        "Dont text", "take me off your list", "Remove me", "wrong number", "Wrong #? wrong number!", "no more texts",
        "leave me alone", "ALTO", "parar", "Baja", "cancelar", "No me escriban", "número equivocado", "I'll stop by Saturday",
        "cancel my GAP", "see you at the end of the month", "¡ALTO!", "stop\u{00A0}please",
    ])
    func revokes(_ body: String) {
        #expect(InboundKeyword.classify(body) == .stop, "\(body)")
        #expect(InboundKeyword.revocation(in: body) != nil, "\(body)")
    }

    @Test(arguments: [
        "I stopped by the store", "unstoppable deal", "the weekend works", "ending soon?", "cancellation fee?", "Yes",
        "Yes, call me tomorrow", "Info", "What does GAP cover?", "Parabrisas", "para mañana", "Thanks!", "", "   ",
        "🚗", "Optional coverage?", "Textbook", "endless",
    ])
    func doesNotRevoke(_ body: String) {
        #expect(InboundKeyword.classify(body) == nil, "\(body)")
    }

    @Test func startAndHelpOnlyAsTheWholeMessage() {
        for body in ["START", "start", " Unstop ", "START!", "inicio"] { #expect(InboundKeyword.classify(body) == .start, "\(body)") }
        for body in ["HELP", "help?", "Ayuda"] { #expect(InboundKeyword.classify(body) == .help, "\(body)") }
        for body in ["Can I start Monday?", "help me choose", "start over"] { #expect(InboundKeyword.classify(body) == nil, "\(body)") }
        // A stop word wins over anything else in the message.
        #expect(InboundKeyword.classify("stop, then start again") == .stop)
    }

    @Test func aBareKeywordNeedsNoPerson() {
        for body in ["STOP", "stop!", "Opt-out", "STOP ALL", "start", "help"] { #expect(InboundKeyword.isBareKeyword(body), "\(body)") }
        for body in ["Please stop", "I'll stop by", "cancel my GAP", "wrong number", ""] {
            #expect(!InboundKeyword.isBareKeyword(body), "\(body)")
        }
        #expect(InboundKeyword.revocation(in: "Please take me off your list") == "TAKE ME OFF")
        #expect(InboundKeyword.revocation(in: "STOP") == "STOP")
    }

    @Test func aLongMessageIsReadOnlyToItsFirstWords() {
        let long = String(repeating: "word ", count: 100_000) + "stop"
        #expect(InboundKeyword.classify(long) == nil)
        #expect(InboundKeyword.classify("stop " + String(repeating: "word ", count: 100_000)) == .stop)
    }
}

/// Issue 24, item 2: one confirmation of a revocation, within five minutes (47 CFR 64.1200(a)(12)).
@Suite struct StopConfirmationTests {
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func aFreshRevocationIsConfirmed() {
        #expect(StopConfirmation.sends(fresh: true, alreadyStopped: false, firstReceived: t0, now: t0))
    }

    @Test func aStopWhileAnotherStandsIsNot() {
        #expect(!StopConfirmation.sends(fresh: true, alreadyStopped: true, firstReceived: t0, now: t0))
        #expect(!StopConfirmation.sends(fresh: false, alreadyStopped: true, firstReceived: t0, now: t0))
    }

    @Test func aRetryIsConfirmedUpToFiveMinutesAfterTheFirstReceipt() {
        #expect(StopConfirmation.sends(fresh: false, alreadyStopped: false, firstReceived: t0, now: t0 + 300))
        #expect(!StopConfirmation.sends(fresh: false, alreadyStopped: false, firstReceived: t0, now: t0 + 301))
        #expect(!StopConfirmation.sends(fresh: false, alreadyStopped: false, firstReceived: nil, now: t0))
        // A first receipt recorded after now (clocks moved back): not answered.
        #expect(!StopConfirmation.sends(fresh: false, alreadyStopped: false, firstReceived: t0 + 10, now: t0))
    }
}

/// Issue 24, item 2: a reply waiting for a person holds texts and emails, not the person's own call task.
@Suite struct ReplyPauseGateTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let zone = TimeZone(identifier: "America/Chicago")!

    func input(_ action: TouchAction, until: LocalDate? = nil) -> GateInput {
        var i = GateInput(
            action: action, items: [GateItem(dealNumber: "D-1", product: "vsc", eligibleUntil: until)], zone: zone,
            state: "TX", consent: ContactPermissions(sms: true, email: true, phone: true), hasPhone: true, hasEmail: true,
            lastPurchase: LocalDate(now, in: zone))
        i.awaitingReply = true
        return i
    }

    @Test func textsAndEmailsWaitForThePerson() {
        let gate = ComplianceGate()
        for action in [TouchAction.sms, .email] {
            guard case .move(let to, let reason) = gate.decide(input(action), now: now) else {
                Issue.record("\(action) was not held")
                continue
            }
            #expect(to == now + ComplianceGate.replyPauseRetry && reason.contains("reply task"))
        }
        if case .move(_, let reason) = gate.decide(input(.task), now: now) { #expect(!reason.contains("reply task")) }
        var answered = input(.sms)
        answered.awaitingReply = false
        if case .move(_, let reason) = gate.decide(answered, now: now) { #expect(!reason.contains("reply task")) }
    }

    @Test func aWindowThatClosesFirstEndsTheWait() {
        // 22:00 in Austin on the window's last day: four hours on is tomorrow.
        let late = ISO8601DateFormatter().date(from: "2026-10-06T03:00:00Z")!
        let i = input(.sms, until: LocalDate(year: 2026, month: 10, day: 5)!)
        if case .skip = ComplianceGate().decide(i, now: late) {
        } else {
            Issue.record("expected a skip")
        }
    }
}
