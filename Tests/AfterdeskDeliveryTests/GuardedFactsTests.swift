import AfterdeskCore
import AfterdeskDelivery
import Foundation
import Testing

/// Issue 25, item 2: each guarded fact of `MessageFacts.context` is present only on the days it holds, edges included.
@Suite struct GuardedFactsTests {
    static let day = LocalDate(year: 2027, month: 3, day: 14)!

    /// The sample's facts with every guarded fact cleared, on `day`.
    static func bare(on today: LocalDate = day) -> MessageFacts {
        var f = sample
        f.today = today
        f.warrantyEnds = nil
        f.powertrainEnds = nil
        f.planClass = nil
        f.deskQuote = nil
        f.price = nil
        f.gapCoversDifference = false
        f.gapExposureEnds = nil
        f.product.eligibleUntil = nil
        f.others = []
        return f
    }

    static func has(_ path: String, _ f: MessageFacts) -> Bool {
        var current: Any? = f.context
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        if let b = current as? Bool { return b }
        return current != nil
    }

    @Test func theBasicWarrantyOnlyWhileItRuns() {
        var f = Self.bare()
        f.warrantyEnds = Self.day.adding(days: 1)
        #expect(Self.has("warranty", f))
        #expect((f.context["warranty"] as? [String: Any])?["days_left"] as? Int == 1)
        f.warrantyEnds = Self.day
        #expect(!Self.has("warranty", f))
    }

    @Test func thePowertrainOnlyOnceTheBasicHasEndedAndWhileItRuns() {
        var f = Self.bare()
        f.powertrainEnds = Self.day.adding(days: 1)
        f.warrantyEnds = Self.day.adding(days: 1)
        #expect(!Self.has("powertrain", f))
        f.warrantyEnds = Self.day
        #expect(Self.has("powertrain", f))
        f.powertrainEnds = Self.day
        #expect(!Self.has("powertrain", f))
    }

    @Test func theClassOnlyWhileItIsOpen() {
        var f = Self.bare()
        let used = ClassFact(
            kind: .used, name: "a used-vehicle plan", opens: Self.day, closesOn: Self.day.adding(days: 10), inspection: false,
            limits: "within 10 years of age and 125,000 miles")
        f.planClass = used
        #expect(Self.has("class.used", f) && !Self.has("class.after_warranty", f) && !Self.has("class.inspection", f))
        #expect(Self.has("class.closes_on", f) && Self.has("class.limits", f))
        f.today = Self.day.adding(days: -1)
        #expect(!Self.has("class", f))
        f.today = Self.day.adding(days: 10)
        #expect(Self.has("class", f))
        f.today = Self.day.adding(days: 11)
        #expect(!Self.has("class", f))
        f.planClass?.closesOn = nil
        #expect(Self.has("class", f) && !Self.has("class.closes_on", f))
    }

    @Test func theProductsDeadlineOnlyWhileTheWindowIsOpen() {
        var f = Self.bare()
        f.product.eligibleUntil = Self.day
        #expect(Self.has("product.available_until", f))
        f.today = Self.day.adding(days: 1)
        #expect(!Self.has("product.available_until", f))
    }

    @Test func aQuoteOnlyWhenTheDeskGaveOneAndPricesSayFrom() {
        var f = Self.bare()
        f.price = Money(cents: 249_500)
        f.priceIsFrom = true
        #expect(!Self.has("quote.given_at_desk", f))
        #expect(Self.has("price.from", f) && Self.has("price.amount", f))
        f.deskQuote = Money(cents: 199_500)
        f.priceIsFrom = false
        #expect(Self.has("quote.given_at_desk", f) && !Self.has("price.from", f))
        f.price = Money(cents: 0)
        #expect(!Self.has("price", f))
    }

    @Test func gapFacts() {
        var f = Self.bare()
        f.gapExposureEnds = Self.day
        #expect(!Self.has("gap", f))
        f.gapExposureEnds = Self.day.adding(days: 1)
        #expect(Self.has("gap.exposure_ends", f) && !Self.has("gap.covers_difference", f))
        f.gapCoversDifference = true
        #expect(Self.has("gap.covers_difference", f))
    }
}
