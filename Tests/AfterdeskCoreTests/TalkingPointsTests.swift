import AfterdeskCore
import Foundation
import Testing

/// The task page's talking points, chosen by the reason given at the desk.
@Suite struct TalkingPointsTests {
    static func facts(_ reason: String?, basic: LocalDate? = LocalDate(year: 2027, month: 3, day: 14)) -> TalkingPoints.Facts {
        TalkingPoints.Facts(
            productName: "Vehicle Service Contract", declineReason: reason, quoted: Money(cents: 249_500), basicExpiresOn: basic,
            basicLimit: "miles",
            eligibleUntil: LocalDate(year: 2027, month: 3, day: 14))
    }

    @Test func eachReasonHasItsPoint() {
        // Nothing is spread over the loan, which is funded: without an installment plan, cash is what is left.
        #expect(
            TalkingPoints.points(Self.facts("payment"))[0]
                == "They said the payment was the problem: the loan is funded and cannot take it now, but it can be paid in "
                + "cash ($2,495.00); the provider has no installment plan.")
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

    @Test func aPaymentWithoutAPriceAsksInstead() {
        var f = Self.facts("payment")
        f.quoted = nil
        #expect(TalkingPoints.points(f)[0].hasSuffix("ask whether paying for it in cash or in installments from the provider would work."))
        f.quoted = .zero
        #expect(TalkingPoints.points(f)[0].hasSuffix("ask whether paying for it in cash or in installments from the provider would work."))
    }

    /// The provider's plan, exact to the cent: $2,495.00 with 10% down over 12 months is at least $249.50 down, then
    /// 12 × $187.12 = $2,245.44, and the down payment takes the rest: $249.56. Never the loan's payments.
    @Test func aPaymentOffersThePlanAfterFunding() {
        var f = Self.facts("payment")
        f.installments = Installments(months: 12, downPaymentPercent: 10)
        let point = TalkingPoints.points(f)[0]
        #expect(
            point
                == "They said the payment was the problem: the loan is funded and cannot take it now, but it can be paid in "
                + "cash ($2,495.00) or with the provider's installment plan: $249.56 down, then 12 monthly payments of $187.12.")
        #expect(!point.contains("payments left") && !point.contains("48"))
        // A presumed decline: the price is a "from" price, and said so.
        f.quote = PriceQuote(amount: Money(cents: 189_500), isFrom: true, givenAtDesk: false)
        #expect(
            TalkingPoints.points(f)[0].hasSuffix(
                "cash (from $1,895.00) or with the provider's installment plan on the $1,895.00 price: $189.56 down, then 12 "
                    + "monthly payments of $142.12."))
        #expect(TalkingPoints.points(f)[1] == TalkingPoints.points(Self.facts("payment"))[1])
    }

    @Test func thePriceIsTheDesksOnlyWhenItWasGivenThere() {
        var f = Self.facts("price")
        f.quote = PriceQuote(amount: Money(cents: 189_500), isFrom: true, givenAtDesk: false)
        #expect(!TalkingPoints.points(f)[0].contains("quoted"))
        #expect(TalkingPoints.points(f)[0].contains("the price today is from $1,895.00"))
        f.quote = PriceQuote(amount: Money(cents: 249_500), isFrom: false, givenAtDesk: true)
        #expect(TalkingPoints.points(f)[0].contains("the desk quoted $2,495.00"))
    }

    @Test func installmentsAreExactAtTheEdges() {
        let plan = Installments(months: 12, downPaymentPercent: 10)
        for cents: Int64 in [1, 11, 99, 100, 1_200, 249_500, 189_500, 999_999_99] {
            let (down, monthly) = plan.plan(for: Money(cents: cents))!
            #expect(down.cents + monthly.cents * 12 == cents, "\(cents)")
            #expect(down.cents * 10 >= cents && monthly.cents >= 0, "\(cents)")
        }
        #expect(plan.plan(for: .zero) == nil)
        #expect(Installments(months: 0, downPaymentPercent: 10).plan(for: Money(cents: 100)) == nil)
        #expect(Installments(months: 3, downPaymentPercent: 0).plan(for: Money(cents: 100))! == (Money(cents: 1), Money(cents: 33)))
    }
}
