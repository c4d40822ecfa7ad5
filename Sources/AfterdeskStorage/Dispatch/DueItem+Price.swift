import AfterdeskCore

extension DueItem {
    /// The price of the item's product that applies on `day` (`PriceQuote`): the desk's while it still applies, else
    /// the rate card's or the menu's, said as "from". The odometer is projected from the sale at the plan's rate.
    public func priceQuote(_ product: MenuProduct, on day: LocalDate) -> PriceQuote {
        PriceQuote.on(
            day, product: product, quoted: quotedCents.map(Money.init(cents:)), presumed: presumed, contractDate: contractDate,
            vehicle: PriceQuote.Vehicle(
                inService: inServiceDate, odometerAtContract: odometer,
                odometerOnDay: PriceQuote.projectedOdometer(odometer, readOn: deliveryDate, milesPerYear: milesPerYear, on: day)))
    }

    /// Loan-to-value at contract in hundredths (118 is 1.18), or nil without an amount financed or a positive value.
    public var loanToValuePercent: Int? {
        amountFinancedCents.flatMap { GAPRules.loanToValuePercent(amountFinancedCents: $0, vehicleValueCents: vehicleValueCents) }
    }
}

extension TaskDetail.Item {
    /// The price that applies on `day`, as for a due item (`DueItem.priceQuote`).
    public func priceQuote(_ product: MenuProduct, on day: LocalDate) -> PriceQuote {
        let contract = contractDate ?? day
        let delivery = deliveryDate ?? contract
        return PriceQuote.on(
            day, product: product, quoted: quotedCents.map(Money.init(cents:)), presumed: presumed, contractDate: contract,
            vehicle: PriceQuote.Vehicle(
                inService: inServiceDate ?? contract, odometerAtContract: odometer,
                odometerOnDay: PriceQuote.projectedOdometer(odometer, readOn: delivery, milesPerYear: milesPerYear, on: day)))
    }
}
