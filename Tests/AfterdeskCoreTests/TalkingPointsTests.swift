import AfterdeskCore
import Foundation
import Testing

/// The task page's talking points, chosen by the reason given at the desk.
@Suite struct TalkingPointsTests {
    static func facts(_ reason: String?, basic: LocalDate? = LocalDate(year: 2027, month: 3, day: 14)) -> TalkingPoints.Facts {
        TalkingPoints.Facts(
            productName: "Vehicle Service Contract", declineReason: reason, quoted: Money(cents: 249_500), remainingMonths: 48,
            apr: Rate(thousandthsOfPercent: 6900), basicExpiresOn: basic, basicLimit: "miles",
            eligibleUntil: LocalDate(year: 2027, month: 3, day: 14))
    }

    @Test func eachReasonHasItsPoint() {
        // $2,495.00 over 48 payments at 6.9%: 249,500 × r / (1 − (1 + r)^−48) cents, r = 0.069 / 12 = 0.00575, is 5,963.02;
        // rounded up to the cent, $59.64.
        #expect(
            TalkingPoints.points(Self.facts("payment"))[0]
                == "They said the payment was the problem: $2,495.00 over the 48 payments left is about $59.64 a month.")
        #expect(TalkingPoints.points(Self.facts("price"))[0].contains("the desk quoted $2,495.00"))
        #expect(
            TalkingPoints.points(Self.facts("covered"))[0]
                == "They felt covered by the factory warranty: its basic coverage is projected to end March 14, 2027 (by miles, at the rate they drive)."
        )
        #expect(TalkingPoints.points(Self.facts("covered", basic: nil))[0].contains("ask what coverage they have"))
        #expect(TalkingPoints.points(Self.facts("think"))[0].contains("think it over"))
        #expect(TalkingPoints.points(Self.facts("PAYMENT"))[0].hasPrefix("They said the payment"))
        for other in [nil, "other", "spouse said no", ""] {
            #expect(TalkingPoints.points(Self.facts(other))[0].hasPrefix("Ask how the vehicle has been"), "\(other ?? "nil")")
        }
        // Every reason ends with until when it can be bought.
        for r in ["payment", "price", "covered", "think", "other"] {
            #expect(TalkingPoints.points(Self.facts(r)).last == "Vehicle Service Contract can still be bought until March 14, 2027.")
        }
    }

    @Test func aPaymentWithoutALoanAsksInstead() {
        var f = Self.facts("payment")
        f.remainingMonths = nil
        #expect(TalkingPoints.points(f)[0].contains("ask what monthly amount"))
        f.remainingMonths = 0
        #expect(TalkingPoints.points(f)[0].contains("ask what monthly amount"))
    }

    @Test func monthlyPaymentAtTheEdges() {
        #expect(TalkingPoints.monthlyPayment(price: Money(cents: 120_000), months: 12, apr: nil) == Money(cents: 10_000))
        #expect(
            TalkingPoints.monthlyPayment(price: Money(cents: 100_000), months: 3, apr: Rate(thousandthsOfPercent: 0))
                == Money(cents: 33_334))
        #expect(TalkingPoints.monthlyPayment(price: Money(cents: 100_000), months: 0, apr: nil) == nil)
        #expect(TalkingPoints.monthlyPayment(price: Money(cents: 0), months: 12, apr: nil) == nil)
        #expect(TalkingPoints.monthlyPayment(price: Money(cents: -5), months: 12, apr: nil) == nil)
        #expect(TalkingPoints.monthlyPayment(price: Money(cents: 100_000), months: 601, apr: nil) == nil)
        #expect(TalkingPoints.monthlyPayment(price: Money(cents: .max), months: 1, apr: Rate(thousandthsOfPercent: .max)) == nil)
        #expect(
            TalkingPoints.monthlyPayment(price: Money(cents: 100_000), months: 12, apr: Rate(thousandthsOfPercent: -3000))
                == Money(cents: 8_334))
    }

    /// For any price, term and rate: the payments cover at least the price, a higher rate never lowers the payment,
    /// and nothing traps.
    @Test func monthlyPaymentProperties() {
        var rng = SeededRandom(seed: 13)
        for _ in 0..<5_000 {
            let price = Money(cents: Int64.random(in: 1...100_000_000, using: &rng))
            let months = Int.random(in: 1...600, using: &rng)
            let apr = Int.random(in: 0...40_000, using: &rng)
            guard let m = TalkingPoints.monthlyPayment(price: price, months: months, apr: Rate(thousandthsOfPercent: apr)) else {
                Issue.record("no payment for \(price) over \(months) at \(apr)")
                continue
            }
            #expect(m.cents * Int64(months) >= price.cents, "\(price) \(months) \(apr)")
            let higher = TalkingPoints.monthlyPayment(price: price, months: months, apr: Rate(thousandthsOfPercent: apr + 1000))
            #expect((higher?.cents ?? 0) >= m.cents)
        }
    }

    @Test func paymentsLeftOnALoan() {
        let first = LocalDate(year: 2026, month: 11, day: 15) ?? .first
        func left(_ y: Int, _ m: Int, _ d: Int) -> Int {
            TalkingPoints.remainingMonths(term: 72, firstPayment: first, today: LocalDate(year: y, month: m, day: d) ?? .first)
        }
        #expect(left(2026, 10, 1) == 72)  // before the first payment
        #expect(left(2026, 11, 14) == 72)
        #expect(left(2026, 11, 15) == 71)  // the first is made on its day
        #expect(left(2027, 11, 15) == 59)
        #expect(left(2032, 10, 15) == 0)
        #expect(left(2040, 1, 1) == 0)
        #expect(TalkingPoints.remainingMonths(term: 0, firstPayment: first, today: first) == 0)
    }
}
