import AfterdeskCore
import Foundation
import Testing

/// The state calendar (docs/compliance.md): every rule here fails without its rule in `menus/contact-rules.yaml`.
@Suite struct ContactRulesTests {
    let book = ContactRulebook.shipped
    // Sunday 2026-12-06 in Chicago is UTC−6: 11:59 is 17:59 UTC.
    let sunday1159 = utc("2026-12-06T17:59:00Z")
    let sunday1200 = utc("2026-12-06T18:00:00Z")

    func gateInput(
        _ action: TouchAction = .sms, state: String, zone: String, phone: String? = nil, recent: [Date] = [], texts: [Date] = []
    ) -> GateInput {
        GateInput(
            action: action, items: [GateItem(dealNumber: "D1", product: "vsc", eligibleUntil: LocalDate("2027-06-01"))],
            zone: tz(zone), state: state, consent: .init(sms: true, email: true, phone: true), hasPhone: true, hasEmail: true,
            lastPurchase: LocalDate("2026-06-01")!, recentTouches: recent, phone: phone, recentTexts: texts)
    }

    func isSend(_ d: GateDecision) -> Bool { if case .send = d { return true } else { return false } }

    @Test func everyStateAndTerritoryHasAnEntryWithItsSource() {
        #expect(book.states.count == 56)
        for code in ["TX", "DC", "PR", "GU", "VI", "AS", "MP", "WY"] { #expect(book.states[code] != nil) }
        #expect(book.states.values.allSatisfy { !$0.source.isEmpty })
        #expect(book.states["WY"]?.source == "none found (checked 2026-12-04)")
        #expect(book.states["TX"]?.source.contains("§301.051") == true)
        #expect(book.productWindow == DayHours(start: 480, end: 1200))
    }

    @Test func aTexanOnSundayAtNoonAtTheGate() {
        let gate = ComplianceGate()
        let early = gate.decide(gateInput(state: "TX", zone: "America/Chicago"), now: sunday1159)
        #expect(early == .move(to: sunday1200, reason: "Texas: no texts before 12:00 on Sunday"))
        #expect(isSend(gate.decide(gateInput(state: "TX", zone: "America/Chicago"), now: sunday1200)))
        // Monday to Saturday, 9:00.
        let monday0830 = utc("2026-12-07T14:30:00Z")
        #expect(
            gate.decide(gateInput(state: "TX", zone: "America/Chicago"), now: monday0830)
                == .move(to: utc("2026-12-07T15:00:00Z"), reason: "Texas: no texts before 9:00 on Monday"))
        // Illinois has no such rule: Afterdesk's own window (8:00) holds.
        if case .send = gate.decide(gateInput(state: "IL", zone: "America/Chicago"), now: monday0830) {} else { Issue.record("IL moved") }
    }

    @Test func rhodeIslandHasNoSundayAndUtahNoSundayOrHoliday() {
        let gate = ComplianceGate()
        // Sunday 2026-12-06 14:00 in Providence (UTC−5): the next moment is Monday 9:00.
        let d = gate.decide(gateInput(state: "RI", zone: "America/New_York"), now: utc("2026-12-06T19:00:00Z"))
        #expect(d == .move(to: utc("2026-12-07T14:00:00Z"), reason: "Rhode Island: no texts on Sunday"))
        // Saturday 17:00 is after Rhode Island's Saturday hours.
        let sat = gate.decide(gateInput(state: "RI", zone: "America/New_York"), now: utc("2026-12-05T22:00:00Z"))
        #expect(sat == .move(to: utc("2026-12-07T14:00:00Z"), reason: "Rhode Island: no texts after 17:00 on Saturday"))
        // Utah: Sunday, then Pioneer Day (Friday 2026-07-24) — both closed.
        let ut = gateInput(state: "UT", zone: "America/Denver")
        #expect(
            gate.decide(ut, now: utc("2026-12-06T18:00:00Z")) == .move(to: utc("2026-12-07T15:00:00Z"), reason: "Utah: no texts on Sunday"))
        #expect(
            gate.decide(ut, now: utc("2026-07-24T18:00:00Z"))
                == .move(to: utc("2026-07-25T14:00:00Z"), reason: "Utah: no texts on Pioneer Day (a legal holiday)"))
    }

    @Test func louisianasEmergencySwitch() {
        var rules = CadenceRules()
        let la = gateInput(state: "LA", zone: "America/Chicago")
        let monday = utc("2026-12-07T16:00:00Z")
        if case .send = ComplianceGate(rules: rules).decide(la, now: monday) {} else { Issue.record("refused without an emergency") }
        rules.emergencies = ["LA"]
        let d = ComplianceGate(rules: rules).decide(la, now: monday)
        #expect(
            d == .move(to: monday.addingTimeInterval(86_400), reason: "Louisiana: no solicitation during the declared state of emergency"))
        // A Texan is not touched by Louisiana's emergency.
        if case .send = ComplianceGate(rules: rules).decide(gateInput(state: "TX", zone: "America/Chicago"), now: monday) {
        } else {
            Issue.record("TX refused")
        }
    }

    @Test func addressAndAreaCodeInDifferentStatesBothApplyEachOnItsClock() {
        // A Texan (Chicago) with a Miami number (305, Florida presumes residence, New York's clock).
        let cal = ContactCalendar(rulebook: book, home: tz("America/Chicago"), state: "TX", phone: "(305) 555-0100")
        #expect(Set(cal.states) == ["TX", "FL"])
        #expect(cal.textsPer24Hours == 3)
        // Monday 2026-12-07 19:30 Chicago is 20:30 in Miami: Florida's 20:00 forbids it, Texas would allow it.
        let b = cal.block(at: utc("2026-12-08T01:30:00Z"), noun: "texts")
        #expect(b?.reason == "Florida: no texts after 20:00 on Monday")
        // Monday 8:30 Chicago is 9:30 in Miami: Texas's 9:00 forbids it.
        #expect(cal.block(at: utc("2026-12-07T14:30:00Z"), noun: "texts")?.reason == "Texas: no texts before 9:00 on Monday")
        // An area code of a state without the presumption, or unknown, adds nothing.
        #expect(ContactCalendar(rulebook: book, home: tz("America/Chicago"), state: "TX", phone: "212 555 0100").states == ["TX"])
        #expect(ContactCalendar(rulebook: book, home: tz("America/Chicago"), state: "TX", phone: "800 555 0100").states == ["TX"])
        // An area code spanning two zones counts each: 850 (Florida panhandle) is Central and Eastern.
        let panhandle = ContactCalendar(rulebook: book, home: tz("America/Chicago"), state: "IL", phone: "+1 850 555 0100")
        #expect(panhandle.states == ["FL", "FL"])
        // Monday 19:30 Central is 20:30 Eastern: the Eastern half of the code forbids it.
        #expect(panhandle.block(at: utc("2026-12-08T01:30:00Z"), noun: "texts")?.reason == "Florida: no texts after 20:00 on Monday")
    }

    @Test func aFloridiansFourthTextIn24HoursIsMovedByTheGate() {
        let gate = ComplianceGate()
        // Three texts in the outbox within the last 24 hours (two automated, one from staff: the gate sees rows).
        let texts = [utc("2026-12-07T17:00:00Z"), utc("2026-12-07T20:00:00Z"), utc("2026-12-08T14:00:00Z")]
        let fl = gateInput(state: "FL", zone: "America/New_York", texts: texts)
        let now = utc("2026-12-08T16:00:00Z")  // 11:00 in Miami
        // The oldest of the three leaves the 24 hours at 17:00 UTC.
        #expect(gate.decide(fl, now: now) == .move(to: utc("2026-12-08T17:00:00Z"), reason: "at most 3 texts in 24 hours (state law)"))
        // The same instant a day later is free (the 24 hours are half-open).
        #expect(isSend(gate.decide(fl, now: utc("2026-12-08T17:00:00Z"))))
        // Two texts: the third goes.
        if case .send = gate.decide(gateInput(state: "FL", zone: "America/New_York", texts: Array(texts.dropFirst())), now: now) {
        } else {
            Issue.record("third refused")
        }
        // A Georgian has no such cap.
        if case .send = gate.decide(gateInput(state: "GA", zone: "America/New_York", texts: texts), now: now) {
        } else {
            Issue.record("GA refused")
        }
    }
}
