/// A product's prices by vehicle class, from the menu's `rate_card:` (docs/menus.md, "Rate card"): what the provider
/// charges for a term, by the vehicle's age and odometer on the day it is bought.
public struct RateCard: Sendable, Equatable {
    public struct Rate: Sendable, Equatable {
        public var termMonths: Int
        public var termMiles: Int
        /// The vehicle may be at most this many years from its in-service date on the day of purchase (nil: any age).
        public var maxVehicleAgeYears: Int?
        /// The odometer may be at most this on the day of purchase (nil: any reading).
        public var maxOdometer: Int?
        public var price: Money
        public var cost: Money

        public init(termMonths: Int, termMiles: Int, maxVehicleAgeYears: Int?, maxOdometer: Int?, price: Money, cost: Money) {
            self.termMonths = termMonths
            self.termMiles = termMiles
            self.maxVehicleAgeYears = maxVehicleAgeYears
            self.maxOdometer = maxOdometer
            self.price = price
            self.cost = cost
        }

        /// True when a vehicle in service since `inService` with `odometer` miles on `day` is in this rate's class.
        /// The age limit holds up to and including the anniversary (as the eligibility window's does).
        public func applies(on day: LocalDate, inService: LocalDate, odometer: Int) -> Bool {
            if let years = maxVehicleAgeYears, day > inService.adding(years: years) { return false }
            if let miles = maxOdometer, odometer > miles { return false }
            return true
        }
    }

    public var rates: [Rate]
    /// Days after the contract the desk's quote still holds while the vehicle stays in its rate class (default 30).
    public var quoteHoldsDays: Int

    public init(rates: [Rate], quoteHoldsDays: Int = RateCard.defaultQuoteHoldsDays) {
        self.rates = rates
        self.quoteHoldsDays = quoteHoldsDays
    }

    /// A desk quote holds this many days after the contract when the menu does not say (with or without a card).
    public static let defaultQuoteHoldsDays = 30

    /// The positions of the rates the vehicle qualifies for on `day`: its rate class.
    public func rateClass(on day: LocalDate, inService: LocalDate, odometer: Int) -> [Int] {
        rates.indices.filter { rates[$0].applies(on: day, inService: inService, odometer: odometer) }
    }

    /// The lowest price of the rates the vehicle qualifies for on `day`; nil when it qualifies for none.
    public func lowestPrice(on day: LocalDate, inService: LocalDate, odometer: Int) -> Money? {
        rates.filter { $0.applies(on: day, inService: inService, odometer: odometer) }.map(\.price).min()
    }
}

/// A provider's installment plan for a product bought after the sale (`installments:` in the menu): a down payment,
/// then equal monthly payments. Nothing is added to the vehicle loan, which cannot change once the lender funds it.
public struct Installments: Sendable, Equatable {
    public var months: Int
    /// The least share of the price paid down, in percent.
    public var downPaymentPercent: Int

    public init(months: Int, downPaymentPercent: Int) {
        self.months = months
        self.downPaymentPercent = downPaymentPercent
    }

    /// The plan for `price`, exact to the cent: `months` equal payments of whole cents, and a down payment of at least
    /// `downPaymentPercent` that takes the cents the months cannot share, so that down + months × monthly == price.
    /// Nil when the price is not positive or the plan has no months.
    public func plan(for price: Money) -> (down: Money, monthly: Money)? {
        guard price.cents > 0, months > 0, (0...100).contains(downPaymentPercent) else { return nil }
        let (minDown, rest) = (Int128(price.cents) * Int128(downPaymentPercent)).quotientAndRemainder(dividingBy: 100)
        let down = Int64(clamping: minDown + (rest > 0 ? 1 : 0))
        let monthly = (price.cents - down) / Int64(months)
        return (Money(cents: price.cents - monthly * Int64(months)), Money(cents: monthly))
    }
}
