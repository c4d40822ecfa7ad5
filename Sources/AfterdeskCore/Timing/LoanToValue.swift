import Foundation

/// Standard amortization of an auto loan, and the vehicle's value against it: the facts GAP timing hangs on.
public enum Amortization {
    /// The monthly payment P·r / (1 − (1 + r)^−n), rounded to the cent (half up); P / n at 0% APR.
    public static func payment(principal: Money, apr: Rate, termMonths n: Int) -> Money {
        precondition(n > 0, "term must be at least one month")
        let p = Decimal(principal.cents)
        let r = monthlyRate(apr)
        if r == 0 { return Money(cents: roundCents(p / Decimal(n))) }
        let growth = power(1 + r, n)
        return Money(cents: roundCents(p * r * growth / (growth - 1)))
    }

    public struct Month: Sendable, Equatable {
        /// 1 for the first payment.
        public var number: Int
        public var date: LocalDate
        public var payment: Money
        /// Projected balance after this month's payment.
        public var balance: Money
    }

    /// One entry per payment month for the full term. Balances are carried exactly (not rounded month by
    /// month) and shown to the cent, so month k equals the closed form P(1+r)^k − A((1+r)^k − 1)/r for the
    /// rounded payment A. The last payment takes the rounding remainder and leaves a zero balance.
    public static func schedule(principal: Money, apr: Rate, termMonths n: Int, firstPaymentDate: LocalDate) -> [Month] {
        let a = payment(principal: principal, apr: apr, termMonths: n)
        let r = monthlyRate(apr)
        var balance = Decimal(principal.cents)
        var months: [Month] = []
        months.reserveCapacity(n)
        for k in 1...n {
            let interest = balance * r
            var pay = Decimal(a.cents)
            if k == n { pay = balance + interest }
            balance = balance + interest - pay
            months.append(Month(number: k, date: firstPaymentDate.adding(months: k - 1),
                                payment: Money(cents: roundCents(pay)), balance: Money(cents: roundCents(balance))))
        }
        return months
    }

    /// APR in percent per year → rate per month, exact: 6.9% is 0.00575.
    static func monthlyRate(_ apr: Rate) -> Decimal {
        Decimal(apr.thousandthsOfPercent) / Decimal(1_200_000)
    }

    static func power(_ x: Decimal, _ n: Int) -> Decimal {
        var result: Decimal = 1
        for _ in 0..<n { result *= x }
        return result
    }

    /// Rounds a Decimal amount of cents to whole cents, half away from zero.
    static func roundCents(_ cents: Decimal) -> Int64 {
        var value = cents
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        return NSDecimalNumber(decimal: rounded).int64Value
    }
}

extension Depreciation {
    /// Share of the value at contract remaining after `months` of ownership, in basis points (10000 = all):
    /// linear between the menu's points; past the last point the last segment's slope continues, never
    /// below 5% of the value.
    public func remainingBasisPoints(condition: VehicleCondition, months: Decimal) -> Decimal {
        let points = condition == .new ? new : used
        guard let first = points.first else { return 10_000 }
        if months <= Decimal(first.month) { return Decimal(first.remainingBasisPoints) }
        for (a, b) in zip(points, points.dropFirst()) where months <= Decimal(b.month) {
            return interpolate(a, b, months)
        }
        guard points.count >= 2 else { return Decimal(first.remainingBasisPoints) }
        let extrapolated = interpolate(points[points.count - 2], points[points.count - 1], months)
        return max(500, extrapolated)
    }

    private func interpolate(_ a: Point, _ b: Point, _ m: Decimal) -> Decimal {
        let span = Decimal(b.month - a.month)
        let t = (m - Decimal(a.month)) / span
        return Decimal(a.remainingBasisPoints) + (Decimal(b.remainingBasisPoints) - Decimal(a.remainingBasisPoints)) * t
    }
}

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
    public var loanToValueAtContract: Decimal
    public var schedule: [Month]
    /// The date of the first month where the balance is at or below the value; nil when it never was above.
    public var exposureEndsOn: LocalDate?

    /// Average month length, to turn days of ownership into months of the depreciation curve.
    static let daysPerMonth = Decimal(string: "30.436875")!

    public init(amountFinanced: Money, apr: Rate, termMonths: Int, firstPaymentDate: LocalDate, contractDate: LocalDate,
                vehicleValue: Money, condition: VehicleCondition, depreciation: Depreciation) {
        var ltv = Decimal(amountFinanced.cents) / Decimal(max(1, vehicleValue.cents))
        var rounded = Decimal()
        NSDecimalRound(&rounded, &ltv, 2, .plain)
        loanToValueAtContract = rounded
        let loan = Amortization.schedule(principal: amountFinanced, apr: apr, termMonths: termMonths, firstPaymentDate: firstPaymentDate)
        schedule = loan.map { m in
            let age = Decimal(contractDate.days(until: m.date)) / GAPExposure.daysPerMonth
            let share = depreciation.remainingBasisPoints(condition: condition, months: age)
            let value = Money(cents: Amortization.roundCents(Decimal(vehicleValue.cents) * share / 10_000))
            return Month(number: m.number, date: m.date, balance: m.balance, value: value)
        }
        if schedule.contains(where: \.exposed) || amountFinanced > vehicleValue {
            exposureEndsOn = schedule.first { !$0.exposed }?.date
        } else {
            exposureEndsOn = nil
        }
    }
}
