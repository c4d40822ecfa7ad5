/// The price of a product for a customer on a day, and how it may be said (docs/menus.md, "Prices that stay true").
///
/// The desk's quote while it still applies: a real quote (a presumed decline has none), within the days it holds after
/// the contract, and with the vehicle still in the rate class it was quoted in. Else the rate card's lowest price for
/// the vehicle's age and projected odometer on the day, said as "from"; else the menu's retail price, as "from".
public struct PriceQuote: Sendable, Equatable {
    public var amount: Money
    /// Say "from $X": the price depends on the plan chosen and the vehicle, nobody quoted it.
    public var isFrom: Bool
    /// The desk quoted this price to the customer, and it still applies: only then may a text say "your quote".
    public var givenAtDesk: Bool
    /// The product has a rate card and no rate fits the vehicle on the day (older or with more miles than its last
    /// class): no price may be said; the provider prices it after an inspection. `amount` is then the retail price, for
    /// records only.
    public var onInspection: Bool

    public init(amount: Money, isFrom: Bool, givenAtDesk: Bool, onInspection: Bool = false) {
        self.amount = amount
        self.isFrom = isFrom
        self.givenAtDesk = givenAtDesk
        self.onInspection = onInspection
    }

    /// What the vehicle is on the day: in service since, its odometer at contract and projected for the day.
    public struct Vehicle: Sendable, Equatable {
        public var inService: LocalDate
        public var odometerAtContract: Int
        public var odometerOnDay: Int
        public init(inService: LocalDate, odometerAtContract: Int, odometerOnDay: Int) {
            self.inService = inService
            self.odometerAtContract = odometerAtContract
            self.odometerOnDay = odometerOnDay
        }
    }

    /// - Parameters:
    ///   - quoted: the desk's price on the deal line, if any.
    ///   - presumed: the decline is presumed (a DMS export lists only what was sold): nobody quoted anything.
    public static func on(
        _ day: LocalDate, product: MenuProduct, quoted: Money?, presumed: Bool, contractDate: LocalDate, vehicle: Vehicle
    ) -> PriceQuote {
        let card = product.rateCard
        if let quoted, !presumed, Plausibility.isPlausible(quoted: quoted, retail: product.retailPrice),
            day >= contractDate, contractDate.days(until: day) <= (card?.quoteHoldsDays ?? RateCard.defaultQuoteHoldsDays),
            card.map({ sameClass($0, contractDate, day, vehicle) }) ?? true
        {
            return PriceQuote(amount: quoted, isFrom: false, givenAtDesk: true)
        }
        if let card {
            guard let lowest = card.lowestPrice(on: day, inService: vehicle.inService, odometer: vehicle.odometerOnDay) else {
                return PriceQuote(amount: product.retailPrice, isFrom: true, givenAtDesk: false, onInspection: true)
            }
            return PriceQuote(amount: lowest, isFrom: true, givenAtDesk: false)
        }
        return PriceQuote(amount: product.retailPrice, isFrom: true, givenAtDesk: false)
    }

    /// The vehicle qualifies for the same rates on `day` as at the contract: no age or odometer limit crossed.
    static func sameClass(_ card: RateCard, _ contract: LocalDate, _ day: LocalDate, _ v: Vehicle) -> Bool {
        card.rateClass(on: contract, inService: v.inService, odometer: v.odometerAtContract)
            == card.rateClass(on: day, inService: v.inService, odometer: v.odometerOnDay)
    }

    /// The odometer projected for `day` from a reading on `readOn` and miles a year; the reading itself when the rate
    /// is unknown or not positive, or the day is before the reading. Saturates instead of overflowing.
    public static func projectedOdometer(_ miles: Int, readOn: LocalDate, milesPerYear: Int?, on day: LocalDate) -> Int {
        guard let perYear = milesPerYear, perYear > 0, day > readOn else { return miles }
        let days = Int64(readOn.days(until: day))
        let (product, overflow) = Int64(perYear).multipliedReportingOverflow(by: days)
        guard !overflow else { return Int.max }
        let (sum, over) = Int64(miles).addingReportingOverflow(product / 365)
        return over ? Int.max : Int(clamping: sum)
    }

    /// "$1,895.00", "from $1,895.00", or "priced after an inspection" when no rate fits the vehicle.
    public var text: String { onInspection ? "priced after an inspection" : (isFrom ? "from " : "") + amount.formatted }

    /// For staff: "quoted $2,495.00" for the desk's price, else "from $1,895.00" (never "quoted" for a price nobody gave).
    public var said: String { givenAtDesk ? "quoted \(amount.formatted)" : text }
}
