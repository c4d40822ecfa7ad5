import AfterdeskCore
import Foundation
import Testing

/// The offer page's rules: when a link works, when it ends, the clock of an urgent task, and "Not now" at the gate.
@Suite struct OfferRulesTests {
    let chicago = tz("America/Chicago")

    @Test func aLinkIsVoidOrExpiredForEachReasonInOrder() {
        let end = utc("2026-12-01T06:00:00Z")
        let before = end.addingTimeInterval(-1)
        #expect(OfferLinkState.of(OfferLinkFacts(expiresAt: end), now: before) == .live)
        #expect(OfferLinkState.of(OfferLinkFacts(expiresAt: end), now: end) == .expired)
        #expect(OfferLinkState.of(OfferLinkFacts(expiresAt: end, productBought: true), now: before) == .void(reason: "bought"))
        #expect(OfferLinkState.of(OfferLinkFacts(expiresAt: end, optedOut: true), now: before) == .void(reason: "opted_out"))
        #expect(OfferLinkState.of(OfferLinkFacts(expiresAt: end, dealUnwound: true), now: before) == .void(reason: "unwound"))
        #expect(OfferLinkState.of(OfferLinkFacts(expiresAt: end, stoppedBecause: "sold"), now: before) == .void(reason: "stopped"))
        // A purchase says so even after expiry, and before an opt-out.
        #expect(
            OfferLinkState.of(OfferLinkFacts(expiresAt: end, productBought: true, optedOut: true), now: end.addingTimeInterval(86_400))
                == .void(reason: "bought"))
        // Every combination: live only when nothing voids it and the time has not come.
        for bits in 0..<32 {
            let f = OfferLinkFacts(
                expiresAt: end, productBought: bits & 1 != 0, dealUnwound: bits & 2 != 0, optedOut: bits & 4 != 0,
                stoppedBecause: bits & 8 != 0 ? "x" : nil)
            let now = bits & 16 != 0 ? end : before
            #expect(OfferLinkState.of(f, now: now).isLive == (bits == 0))
        }
    }

    @Test func aLinkEndsWithTheWindowOrAfterSixtyDays() {
        let sent = utc("2026-10-04T15:00:00Z")
        // The window's last day ends at midnight in the store's zone (CST from November 1).
        #expect(
            OfferExpiry.expiresAt(sentAt: sent, eligibleUntil: LocalDate("2026-11-30"), zone: chicago) == utc("2026-12-01T06:00:00Z"))
        #expect(
            OfferExpiry.expiresAt(sentAt: sent, eligibleUntil: LocalDate("2026-10-10"), zone: chicago) == utc("2026-10-11T05:00:00Z"))
        // A window longer than 60 days, or none: 60 days.
        let cap = sent.addingTimeInterval(60 * 86_400)
        #expect(OfferExpiry.expiresAt(sentAt: sent, eligibleUntil: LocalDate("2029-01-01"), zone: chicago) == cap)
        #expect(OfferExpiry.expiresAt(sentAt: sent, eligibleUntil: nil, zone: chicago) == cap)
    }

    @Test func anUrgentTaskCountsOnlyOpeningHours() {
        let h = StoreHours.standard  // 9:00–19:00, closed Sundays
        // Tuesday 10:00 → 11:00.
        #expect(h.deadline(after: utc("2026-10-06T15:00:00Z"), minutes: 60, zone: chicago) == utc("2026-10-06T16:00:00Z"))
        // Tuesday 18:30 → Wednesday 9:30.
        #expect(h.deadline(after: utc("2026-10-06T23:30:00Z"), minutes: 60, zone: chicago) == utc("2026-10-07T14:30:00Z"))
        // Saturday 18:30 → Monday 9:30 (closed on Sunday).
        #expect(h.deadline(after: utc("2026-10-10T23:30:00Z"), minutes: 60, zone: chicago) == utc("2026-10-12T14:30:00Z"))
        // Before opening: Tuesday 6:00 → 10:00; the due time is the opening.
        #expect(h.deadline(after: utc("2026-10-06T11:00:00Z"), minutes: 60, zone: chicago) == utc("2026-10-06T15:00:00Z"))
        #expect(h.deadline(after: utc("2026-10-06T11:00:00Z"), minutes: 0, zone: chicago) == utc("2026-10-06T14:00:00Z"))
        // Sunday noon → Monday 10:00.
        #expect(h.deadline(after: utc("2026-10-11T17:00:00Z"), minutes: 60, zone: chicago) == utc("2026-10-12T15:00:00Z"))
        #expect(StoreHours.weekday(LocalDate("2026-10-11")!) == 0)
        #expect(StoreHours.weekday(LocalDate("1970-01-01")!) == 4)
    }

    /// For random hours, closed days and instants: the deadline is never before the start, falls inside opening hours
    /// (or at closing), and the open minutes between the two are exactly the ones asked for. Hours open from 3:00 on: like
    /// contact windows, local clock arithmetic is exact away from the 1:00–3:00 daylight-saving switch.
    @Test func deadlineProperties() {
        var rng = SeededRandom(seed: 14)
        for _ in 0..<2_000 {
            let open = Int.random(in: (3 * 60)...(20 * 60), using: &rng)
            let close = Int.random(in: (open + 15)...(24 * 60), using: &rng)
            var closed = Set<Int>()
            for d in 0..<7 where Int.random(in: 0..<4, using: &rng) == 0 { closed.insert(d) }
            if closed.count == 7 { closed.remove(3) }
            guard let h = StoreHours(open: open, close: close, closedWeekdays: closed) else {
                Issue.record("refused \(open)-\(close) \(closed)")
                continue
            }
            let start = Date(timeIntervalSince1970: Double(Int.random(in: 1_780_000_000...1_800_000_000, using: &rng) / 60 * 60))
            let minutes = Int.random(in: 0...600, using: &rng)
            let end = h.deadline(after: start, minutes: minutes, zone: chicago)
            #expect(end >= start)
            // Count open minutes from start to end, minute by minute (at most a couple of weeks).
            var counted = 0
            var t = start
            while t < end {
                let day = LocalDate(t, in: chicago)
                let m = Int((t.timeIntervalSince1970 + Double(chicago.secondsFromGMT(for: t))).truncatingRemainder(dividingBy: 86_400)) / 60
                if h.isOpen(on: day), m >= open, m < close { counted += 1 }
                t = t.addingTimeInterval(60)
            }
            #expect(counted == minutes, "\(h) \(closed) from \(start) +\(minutes): \(counted)")
            if counted != minutes { return }
        }
    }

    @Test func storeHoursAreChecked() {
        #expect(StoreHours.parseRange("09:00-19:00")! == (540, 1140))
        #expect(StoreHours.parseRange("9:00 - 17:30")! == (540, 1050))
        for bad in ["9-5", "09:00", "25:00-26:00", "09:60-10:00", "", "09:00-19:00-20:00"] {
            #expect(StoreHours.parseRange(bad) == nil, "\(bad)")
        }
        #expect(StoreHours(open: 600, close: 600, closedWeekdays: []) == nil)
        #expect(StoreHours(open: 540, close: 1140, closedWeekdays: Set(0...6)) == nil)
        #expect(StoreHours(open: 540, close: 1140, closedWeekdays: [7]) == nil)
    }

    @Test func theMenuCarriesHoursCoverageAndPauses() throws {
        let menu = try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "menus/default.yaml")
        #expect(menu.dealership.hours == StoreHours(open: 540, close: 1140, closedWeekdays: [0]))
        #expect(menu.products.allSatisfy { ($0.coverage ?? "").count > 40 })
        #expect(menu.product("gap")?.pauseDays == 14 && menu.product("vsc")?.pauseDays == 30)
        let broken = DefaultMenus.menuYAML
            .replacingOccurrences(of: "hours: \"09:00-19:00\"", with: "hours: \"9am-7pm\"")
            .replacingOccurrences(of: "closed_on: [sunday]", with: "closed_on: [funday]")
            .replacingOccurrences(of: "pause_days: 14", with: "pause_days: 0")
        do {
            _ = try MenuLoader.loadMenu(yaml: broken, file: "m.yaml")
            Issue.record("a broken menu loaded")
        } catch {
            let text = "\(error)"
            #expect(text.contains("dealership.hours: expected opening hours such as 09:00-19:00, got '9am-7pm'"))
            #expect(text.contains("dealership.closed_on: unknown day 'funday'"))
            #expect(text.contains("pause_days"))
        }
    }

    // "Not now" at the gate: 2026-10-10 15:00 UTC is 10:00 in Chicago.
    let now = utc("2026-10-10T15:00:00Z")
    func gateInput(_ items: [GateItem]) -> GateInput {
        GateInput(
            action: .sms, items: items, zone: chicago, state: "TX", consent: .init(sms: true, email: true, phone: true), hasPhone: true,
            hasEmail: true, lastPurchase: LocalDate("2026-10-01")!)
    }

    @Test func aPausedProductWaitsDropsOrEndsWithItsWindow() {
        let gate = ComplianceGate()
        let paused = GateItem(
            dealNumber: "D1", product: "gap", eligibleUntil: LocalDate("2026-11-30"), pausedUntil: LocalDate("2026-10-24"))
        // Alone: the touch waits for the first moment of the first day after the pause (a Saturday: 9:00 in Texas).
        #expect(
            gate.decide(gateInput([paused]), now: now)
                == .move(to: utc("2026-10-24T14:00:00Z"), reason: "paused by the customer (\"Not now\") until 2026-10-24"))
        // With another product: sent without it.
        let vsc = GateItem(dealNumber: "D1", product: "vsc", eligibleUntil: LocalDate("2027-06-01"))
        guard case .send(let kept, let dropped) = gate.decide(gateInput([paused, vsc]), now: now) else {
            Issue.record("not sent")
            return
        }
        #expect(kept.map(\.product) == ["vsc"] && dropped.map(\.item.product) == ["gap"])
        // A pause past the window: nothing more.
        var late = paused
        late.pausedUntil = LocalDate("2026-12-15")
        #expect(
            gate.decide(gateInput([late]), now: now)
                == .skip(reason: "paused by the customer (\"Not now\") until the post-sale window closes"))
        // On the day the pause ends, the product goes.
        var over = paused
        over.pausedUntil = LocalDate("2026-10-10")
        #expect(gate.decide(gateInput([over]), now: now) == .send(items: [over], dropped: []))
    }
}

@Suite struct OfferLinkTextTests {
    @Test func tokensAreBlankedAndNothingElse() {
        let t = "AbCdEfGhIjKlMnOpQrSt_-"
        #expect(OfferLinkText.redacted("Details: https://x.example/o/\(t) Reply STOP") == "Details: https://x.example/o/[link] Reply STOP")
        #expect(
            OfferLinkText.redacted("<a href=\"https://x/o/\(t)\">x</a> and /o/\(t)") == "<a href=\"https://x/o/[link]\">x</a> and /o/[link]"
        )
        // Not a token: too short, too long, or no link at all.
        for text in ["/o/short", "/o/\(t)x", "no link", "", "/o/", "/o/\(t.dropLast())"] {
            #expect(OfferLinkText.redacted(text) == text, "\(text)")
        }
        // Any text: the result keeps everything outside tokens, and never holds a token after "/o/".
        var rng = SeededRandom(seed: 22)
        let alphabet = Array("ab/o_-Z9 é\n")
        for _ in 0..<2_000 {
            let text = String(
                (0..<Int.random(in: 0...60, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
            #expect(OfferLinkText.redacted(text) == text || text.contains("/o/"))
            let linked = text + "/o/" + t
            #expect(OfferLinkText.redacted(linked).hasSuffix("/o/[link]"))
        }
    }
}
