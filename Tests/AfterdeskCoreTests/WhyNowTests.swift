import AfterdeskCore
import Foundation
import Testing

/// The offer page's "why now", in Core: a function of the product, the plan's facts and the day.
@Suite struct WhyNowTests {
    static func day(_ text: String) -> LocalDate { LocalDate(text) ?? LocalDate(daysSinceEpoch: 0) }

    static func facts(_ kind: ProductKind) throws -> WhyNow.Facts {
        WhyNow.Facts(
            kind: kind, make: "Toyota", vehicleIsNew: true, vehicleIsCertified: false, basicExpiresOn: day("2028-03-14"),
            basicLimit: "miles", basicMiles: 36_000, powertrainExpiresOn: day("2030-03-14"), powertrainMiles: 60_000,
            gapExposureEndsOn: day("2028-01-01"), gapCoversDifference: true,
            potholeSeasonStart: try #require(MonthDay(month: 2, day: 15)),
            freeMaintenanceEndsOn: nil, freeMaintenanceName: nil, classes: [])
    }

    @Test func aServiceContractFollowsTheWarrantyThatRunsOnTheDay() throws {
        var f = try Self.facts(.serviceContract)
        #expect(
            WhyNow.text(f, on: Self.day("2027-01-01"))
                == "Your Toyota's factory warranty is projected to end around March 14, 2028 at 36,000 miles. "
                + "A service contract can cover repairs after it ends.")
        #expect(
            WhyNow.text(f, on: Self.day("2028-03-14"))
                == "Your Toyota's basic factory warranty has ended; its powertrain warranty is projected to run until about "
                + "March 14, 2030 (60,000 miles). A service contract can cover the repairs the powertrain warranty does not.")
        #expect(
            WhyNow.text(f, on: Self.day("2030-03-14"))
                == "Your Toyota's factory warranty has ended: a service contract pays for covered repairs.")
        f.basicLimit = "years"
        #expect(!WhyNow.text(f, on: Self.day("2027-01-01")).contains("miles"))
        f.vehicleIsCertified = true
        #expect(
            WhyNow.text(f, on: Self.day("2027-01-01")).hasPrefix(
                "Your Toyota's warranty coverage is projected to end around March 14, 2028."))
        f.basicExpiresOn = nil
        f.powertrainExpiresOn = nil
        #expect(WhyNow.text(f, on: Self.day("2027-01-01")) == "A service contract pays for covered repairs after the factory warranty.")
    }

    @Test func theClassOpenOnTheDayIsNamedWithItsLimitsInspectionAndEnd() throws {
        var f = try Self.facts(.serviceContract)
        f.classes = [
            EligibilityWindow.ClassWindow(
                planClass: PlanClass(kind: .used, maxVehicleAgeYears: 10, maxOdometer: 125_000), opens: Self.day("2027-01-01"),
                until: Self.day("2029-05-02"), reason: nil),
            EligibilityWindow.ClassWindow(
                planClass: PlanClass(kind: .afterWarranty), opens: Self.day("2029-05-03"), until: nil, reason: nil),
        ]
        #expect(!WhyNow.text(f, on: Self.day("2026-12-31")).contains("offered now"))
        #expect(
            WhyNow.text(f, on: Self.day("2027-01-01")).hasSuffix(
                " It is offered now as a used-vehicle plan (within 10 years of age and 125,000 miles), until about May 2, 2029."))
        #expect(
            WhyNow.text(f, on: Self.day("2030-06-01")).hasSuffix(
                " It is offered now as an after-warranty plan, after an inspection by the provider."))
    }

    @Test func gapSaysTheExposureWhileItLastsAndWhatItPays() throws {
        var f = try Self.facts(.gap)
        #expect(WhyNow.text(f, on: Self.day("2027-12-31")).contains("Until about January 1, 2028 you are projected to owe more"))
        #expect(!WhyNow.text(f, on: Self.day("2028-01-01")).contains("Until about"))
        #expect(WhyNow.text(f, on: Self.day("2027-12-31")).hasSuffix("GAP would cover the difference."))
        f.gapCoversDifference = false
        #expect(WhyNow.text(f, on: Self.day("2027-12-31")).hasSuffix("up to the plan's limit."))
    }

    @Test func theOtherProductsSayTheirOwnReason() throws {
        #expect(WhyNow.text(try Self.facts(.tireWheel), on: Self.day("2027-01-01")).hasSuffix("pothole season starts February 15."))
        #expect(WhyNow.text(try Self.facts(.appearance), on: Self.day("2027-01-01")).hasPrefix("Paint and fabric protection"))
        #expect(WhyNow.text(try Self.facts(.other), on: Self.day("2027-01-01")).isEmpty)
        var m = try Self.facts(.maintenance)
        #expect(WhyNow.text(m, on: Self.day("2027-01-01")).hasPrefix("Your first scheduled service is coming up"))
        m.vehicleIsNew = false
        #expect(WhyNow.text(m, on: Self.day("2027-01-01")).hasPrefix("Your next scheduled service is coming up"))
        m.freeMaintenanceEndsOn = Self.day("2027-06-01")
        m.freeMaintenanceName = "ToyotaCare"
        #expect(
            WhyNow.text(m, on: Self.day("2027-01-01"))
                == "Your ToyotaCare is projected to end around June 1, 2027: prepaid maintenance covers the services after it at today's prices."
        )
        m.vehicleIsNew = true
        #expect(WhyNow.text(m, on: Self.day("2027-06-01")).hasPrefix("Your next scheduled service"))
    }
}
