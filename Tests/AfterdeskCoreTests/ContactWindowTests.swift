import AfterdeskCore
import Foundation
import Testing

func utc(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }
func tz(_ id: String) -> TimeZone { TimeZone(identifier: id)! }

@Suite struct CustomerTimeZoneTests {
    @Test(arguments: [
        ("TX", "78701", "America/Chicago"), ("TX", "79912", "America/Denver"), ("AZ", "85004", "America/Phoenix"),
        ("HI", "96813", "Pacific/Honolulu"), ("FL", "33602", "America/New_York"), ("FL", "32501", "America/Chicago"),
        ("TN", "37902", "America/New_York"), ("TN", "37203", "America/Chicago"), ("ID", "83814", "America/Los_Angeles"),
        ("ND", "58701", "America/Chicago"),
    ])
    func stateAndZIP(state: String, zip: String, zone: String) {
        #expect(CustomerTimeZone.zone(state: state, zip: zip, dealershipZone: "America/Chicago") == zone)
    }

    @Test func unknownStateFallsBackToTheDealership() {
        #expect(CustomerTimeZone.zone(state: nil, zip: nil, dealershipZone: "America/Denver") == "America/Denver")
    }
}

@Suite struct ContactWindowTests {
    @Test func strictestByDefaultAndConfigurablePerState() {
        #expect(ContactWindow.forState("TX") == ContactWindow(startHour: 8, endHour: 20))
        #expect(ContactWindow.forState("TX", configured: ["TX": .federal]) == .federal)
        #expect(ContactWindow.forState("FL", configured: ["TX": .federal]) == .strict)
    }

    @Test func theCustomersClockDecides() {
        let w = ContactWindow.strict
        // 14:30 UTC in July is 9:30 in Chicago, 7:30 in Phoenix (no DST), 4:30 in Honolulu.
        let t = utc("2026-07-10T14:30:00Z")
        #expect(w.contains(t, zone: tz("America/Chicago")))
        #expect(!w.contains(t, zone: tz("America/Phoenix")))
        #expect(!w.contains(t, zone: tz("Pacific/Honolulu")))
        // In January Chicago is UTC−6, so the same UTC time is 8:30: still inside.
        #expect(w.contains(utc("2026-01-10T14:30:00Z"), zone: tz("America/Chicago")))
        // 20:00 is outside (the window is [8:00, 20:00)).
        #expect(!w.contains(utc("2026-07-11T01:00:00Z"), zone: tz("America/Chicago")))
        #expect(w.contains(utc("2026-07-11T00:59:00Z"), zone: tz("America/Chicago")))
    }

    @Test func nextOpeningAcrossDaylightSavingChanges() {
        let w = ContactWindow.strict
        let chicago = tz("America/Chicago")
        // Saturday 2026-03-07 23:00 Chicago (CST, UTC−6): the next opening is Sunday 8:00, which is CDT (UTC−5).
        #expect(w.nextOpening(atOrAfter: utc("2026-03-08T05:00:00Z"), zone: chicago) == utc("2026-03-08T13:00:00Z"))
        // Saturday 2026-10-31 22:00 CDT: the next opening is Sunday 8:00 CST (UTC−6), after the clocks go back.
        #expect(w.nextOpening(atOrAfter: utc("2026-11-01T03:00:00Z"), zone: chicago) == utc("2026-11-01T14:00:00Z"))
        // Early morning the same day; inside stays where it is.
        #expect(w.nextOpening(atOrAfter: utc("2026-07-10T11:00:00Z"), zone: chicago) == utc("2026-07-10T13:00:00Z"))
        #expect(w.nextOpening(atOrAfter: utc("2026-07-10T15:00:00Z"), zone: chicago) == utc("2026-07-10T15:00:00Z"))
        // Arizona does not change its clocks: 8:00 MST is 15:00 UTC all year.
        #expect(w.nextOpening(atOrAfter: utc("2026-03-08T05:00:00Z"), zone: tz("America/Phoenix")) == utc("2026-03-08T15:00:00Z"))
        #expect(w.nextOpening(atOrAfter: utc("2026-07-08T05:00:00Z"), zone: tz("America/Phoenix")) == utc("2026-07-08T15:00:00Z"))
        // Hawaii (UTC−10, no DST): 07:00 UTC is 21:00 the evening before; the next opening is 8:00 HST, 18:00 UTC.
        #expect(w.nextOpening(atOrAfter: utc("2026-07-08T07:00:00Z"), zone: tz("Pacific/Honolulu")) == utc("2026-07-08T18:00:00Z"))
        #expect(w.contains(utc("2026-07-08T05:00:00Z"), zone: tz("Pacific/Honolulu")))  // 19:00 HST
    }

    @Test func aDateAndTimeOnTheCustomersClock() {
        let w = ContactWindow.strict
        let d = LocalDate(year: 2026, month: 3, day: 8)!
        #expect(w.instant(on: d, atMinutes: 10 * 60, zone: tz("America/Chicago")) == utc("2026-03-08T15:00:00Z"))
        #expect(w.instant(on: d, atMinutes: 6 * 60, zone: tz("America/Chicago")) == utc("2026-03-08T13:00:00Z"))  // moved to 8:00
        #expect(w.instant(on: d, atMinutes: 22 * 60, zone: tz("America/Chicago")) == utc("2026-03-09T00:59:00Z"))  // 19:59
    }

    /// Property: whatever the instant and zone, the next opening is inside the window, not before the
    /// instant, and less than a day and a half away.
    @Test func nextOpeningIsAlwaysInsideAndSoon() {
        var rng = SeededRandom(seed: 3)
        let zones = [
            "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
            "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico",
        ].map(tz)
        for _ in 0..<5_000 {
            let t = Date(timeIntervalSince1970: Double(rng.int(1_767_225_600...1_830_297_600)))  // 2026 to 2027
            let zone = rng.pick(zones)
            let w = rng.pick([ContactWindow.strict, .federal])
            let next = w.nextOpening(atOrAfter: t, zone: zone)
            #expect(w.contains(next, zone: zone))
            #expect(next >= t && next.timeIntervalSince(t) < 36 * 3600)
        }
    }
}

@Suite struct HoldoutTests {
    @Test func wholeDealsAreHeldOutStablyAndCloseToTheShare() {
        var held = 0
        for i in 0..<20_000 {
            let a = Holdout.isHeldOut(store: "main", dealNumber: "D-\(i)", percent: 10)
            #expect(a == Holdout.isHeldOut(store: "main", dealNumber: "D-\(i)", percent: 10))
            if a { held += 1 }
        }
        #expect((1_800...2_200).contains(held), "\(held) of 20,000 held out at 10%")
        #expect(!Holdout.isHeldOut(store: "main", dealNumber: "D-1", percent: 0))
        #expect((0..<500).allSatisfy { Holdout.isHeldOut(store: "main", dealNumber: "D-\($0)", percent: 100) })
        // The deal number is unique per store only: the same number in another store is drawn on its own.
        let same = (0..<2_000).filter {
            Holdout.isHeldOut(store: "north", dealNumber: "D-\($0)", percent: 10)
                == Holdout.isHeldOut(store: "south", dealNumber: "D-\($0)", percent: 10)
        }.count
        #expect(same < 1_900)
    }

    @Test func theBucketIsThePublishedHash() {
        // Computed outside Swift by the rule in docs/reporting.md (FNV-1a 64 of "LM", 0x1F, the deal number, 0x1F):
        // D-1 hashes to 0x95eddb3896f8c708, whose value modulo 10,000 is 5736; 10442 to 0x4e388203aa213bf9, 3273.
        #expect(Holdout.bucket(store: "LM", dealNumber: "D-1") == 5_736)
        #expect(Holdout.bucket(store: "LM", dealNumber: "10442") == 3_273)
        #expect(Holdout.isHeldOut(store: "LM", dealNumber: "10442", percent: 33) == true)  // 3273 < 3300
        #expect(Holdout.isHeldOut(store: "LM", dealNumber: "10442", percent: 32) == false)  // 3273 ≥ 3200
    }
}

@Suite struct EligibilityWindowTests {
    let contract = LocalDate(year: 2026, month: 6, day: 1)!

    @Test func daysFromContractCloseAtTheirEdge() {
        let w = EligibilityWindow(
            eligibility: Eligibility(daysFromContract: 60), contractDate: contract, inService: contract,
            basicWarrantyEnds: nil, odometerAt: { _ in nil })
        #expect(w.until == LocalDate(year: 2026, month: 7, day: 31) && w.reason == .daysFromContract)
        #expect(w.isOpen(on: LocalDate(year: 2026, month: 7, day: 31)!))
        #expect(!w.isOpen(on: LocalDate(year: 2026, month: 8, day: 1)!))
    }

    @Test func onlyAtSigningMeansNoFollowUp() {
        let w = EligibilityWindow(
            eligibility: Eligibility(daysFromContract: 0), contractDate: contract, inService: contract,
            basicWarrantyEnds: nil, odometerAt: { _ in nil })
        #expect(w.onlyAtSigning && !w.isOpen(on: contract))
    }

    @Test func theEarliestRuleWinsAndIsNamed() {
        let e = Eligibility(untilBasicWarrantyExpires: true, maxVehicleAgeYears: 10, maxOdometer: 125_000)
        let basic = LocalDate(year: 2027, month: 9, day: 17)!
        let w = EligibilityWindow(
            eligibility: e, contractDate: contract, inService: LocalDate(year: 2018, month: 2, day: 1)!,
            basicWarrantyEnds: basic, odometerAt: { _ in LocalDate(year: 2030, month: 1, day: 1)! })
        #expect(w.until == LocalDate(year: 2027, month: 9, day: 16) && w.reason == .basicWarranty)
        let old = EligibilityWindow(
            eligibility: e, contractDate: contract, inService: LocalDate(year: 2017, month: 2, day: 1)!,
            basicWarrantyEnds: basic, odometerAt: { _ in nil })
        #expect(old.until == LocalDate(year: 2027, month: 2, day: 1) && old.reason == .vehicleAge)
        let miles = EligibilityWindow(
            eligibility: e, contractDate: contract, inService: contract, basicWarrantyEnds: basic,
            odometerAt: { _ in LocalDate(year: 2026, month: 12, day: 24)! })
        #expect(miles.until == LocalDate(year: 2026, month: 12, day: 24) && miles.reason == .odometer)
    }
}
