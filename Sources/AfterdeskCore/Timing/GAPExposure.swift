import Foundation

/// Loan balance against vehicle value, month by month: GAP is worth raising only while the balance is above.
public struct GAPExposure: Sendable, Equatable {
    public struct Month: Sendable, Equatable {
        public var number: Int
        public var date: LocalDate
        public var balance: Money
        public var value: Money
        public var exposed: Bool { balance > value }
    }

    /// Amount financed ÷ vehicle value at contract, to two decimals (half up): 1.18 means 118%.
    public let loanToValueAtContract: Decimal
    /// The same, in hundredths: 118 means 118%.
    public let loanToValuePercent: Int
    /// The date of the first month where the balance is at or below the value; nil when it never was above.
    public let exposureEndsOn: LocalDate?
    private let loan: Loan

    private struct Loan: Sendable, Equatable {
        let amountFinanced: Money, apr: Rate, termMonths: Int, firstPaymentDate: LocalDate, contractDate: LocalDate
        let vehicleValue: Money, condition: VehicleCondition, depreciation: Depreciation

        /// The months of the loan with the vehicle's value, one at a time; stops when `body` returns false.
        func forEachMonth(_ body: (Month) -> Bool) {
            Amortization.forEachMonth(principal: amountFinanced, apr: apr, termMonths: termMonths, firstPaymentDate: firstPaymentDate) {
                m in
                let age = Double(contractDate.days(until: m.date)) / GAPExposure.daysPerMonth
                let share = depreciation.remainingBasisPoints(condition: condition, months: age)
                let value = Money(cents: Int64(saturating: (Double(vehicleValue.cents) * share / 10_000).rounded()))
                return body(Month(number: m.number, date: m.date, balance: m.balance, value: value))
            }
        }
    }

    /// Balance against value, month by month for the full term (computed when asked: planning needs only the end).
    public var schedule: [Month] {
        var months: [Month] = []
        loan.forEachMonth {
            months.append($0)
            return true
        }
        return months
    }

    /// Average month length, to turn days of ownership into months of the depreciation curve.
    static let daysPerMonth = 30.436875

    public init(
        amountFinanced: Money, apr: Rate, termMonths: Int, firstPaymentDate: LocalDate, contractDate: LocalDate,
        vehicleValue: Money, condition: VehicleCondition, depreciation: Depreciation
    ) {
        loanToValuePercent = GAPRules.hundredths(amountFinanced.cents, of: max(1, vehicleValue.cents))
        loanToValueAtContract = Decimal(sign: .plus, exponent: -2, significand: Decimal(loanToValuePercent))
        loan = Loan(
            amountFinanced: amountFinanced, apr: apr, termMonths: termMonths, firstPaymentDate: firstPaymentDate,
            contractDate: contractDate, vehicleValue: vehicleValue, condition: condition, depreciation: depreciation)
        // The first month not exposed, counted only when some month is (or the loan starts above the value).
        var anyExposed = amountFinanced > vehicleValue
        var firstCovered: LocalDate?
        loan.forEachMonth { m in
            if m.exposed { anyExposed = true } else if firstCovered == nil { firstCovered = m.date }
            return !(anyExposed && firstCovered != nil)
        }
        exposureEndsOn = anyExposed ? firstCovered : nil
    }
}
