import Foundation

/// Standard amortization of an auto loan, and the vehicle's value against it: the facts GAP timing hangs on.
public enum Amortization {
    /// The monthly payment P·r / (1 − (1 + r)^−n), rounded to the cent (half up); P / n at 0% APR.
    public static func payment(principal: Money, apr: Rate, termMonths: Int) -> Money {
        let n = clampedTerm(termMonths)
        // Floating point gives the right cent unless the exact value sits within a hair of a half cent;
        // only then is the slower decimal arithmetic needed to decide.
        let r = Double(apr.thousandthsOfPercent) / 1_200_000
        let cents = r == 0 ? Double(principal.cents) / Double(n)
            : Double(principal.cents) * r / (1 - pow(1 + r, -Double(n)))
        let fraction = cents - cents.rounded(.down)
        if abs(fraction - 0.5) > 1e-6 { return Money(cents: Int64(saturating: cents.rounded(.toNearestOrAwayFromZero))) }
        return exactPayment(principal: principal, apr: apr, termMonths: n)
    }

    /// Terms are validated at import (1–96 months); here any value stays total: at least one month, at most 50 years.
    static func clampedTerm(_ n: Int) -> Int { min(max(n, 1), 600) }

    static func exactPayment(principal: Money, apr: Rate, termMonths n: Int) -> Money {
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

    /// One entry per payment month for the full term. Balances are carried in millionths of a cent (not
    /// rounded to the cent month by month) and shown to the cent, so month k equals the closed form
    /// P(1+r)^k − A((1+r)^k − 1)/r for the rounded payment A. The last payment takes the rounding remainder
    /// and leaves a zero balance.
    public static func schedule(principal: Money, apr: Rate, termMonths n: Int, firstPaymentDate: LocalDate) -> [Month] {
        var months: [Month] = []
        months.reserveCapacity(clampedTerm(n))
        forEachMonth(principal: principal, apr: apr, termMonths: n, firstPaymentDate: firstPaymentDate) { months.append($0); return true }
        return months
    }

    /// The months of `schedule`, one at a time, without keeping them; stops when `body` returns false.
    public static func forEachMonth(principal: Money, apr: Rate, termMonths: Int, firstPaymentDate: LocalDate,
                                    _ body: (Month) -> Bool) {
        let n = clampedTerm(termMonths)
        let a = payment(principal: principal, apr: apr, termMonths: n)
        let micro: Int128 = 1_000_000
        let apr = Int128(apr.thousandthsOfPercent)
        var balance = Int128(principal.cents) * micro
        let pay = Int128(a.cents) * micro
        for k in 1...n {
            // Interest for the month: balance × APR / 12, in thousandths of a percent: ÷ 1,200,000, half up.
            let interest = (balance * apr + 600_000) / 1_200_000
            let thisPayment = k == n ? balance + interest : pay
            balance = balance + interest - thisPayment
            guard body(Month(number: k, date: firstPaymentDate.adding(months: k - 1),
                             payment: Money(cents: roundMicro(thisPayment)), balance: Money(cents: roundMicro(balance)))) else { return }
        }
    }

    /// Millionths of a cent to cents, half away from zero.
    @inline(__always) static func roundMicro(_ v: Int128) -> Int64 {
        Int64(clamping: v >= 0 ? (v + 500_000) / 1_000_000 : -((-v + 500_000) / 1_000_000))
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
    /// below 5% of the value. A projection, so plain floating point; values are rounded to the cent after.
    public func remainingBasisPoints(condition: VehicleCondition, months: Double) -> Double {
        let points = condition == .new ? new : used
        guard let first = points.first else { return 10_000 }
        if months <= Double(first.month) { return Double(first.remainingBasisPoints) }
        for (a, b) in zip(points, points.dropFirst()) where months <= Double(b.month) {
            return interpolate(a, b, months)
        }
        guard points.count >= 2 else { return Double(first.remainingBasisPoints) }
        let extrapolated = interpolate(points[points.count - 2], points[points.count - 1], months)
        return max(500, extrapolated)
    }

    private func interpolate(_ a: Point, _ b: Point, _ m: Double) -> Double {
        // Two points of a menu's curve on the same month: no slope to follow.
        guard b.month > a.month else { return Double(b.remainingBasisPoints) }
        let t = (m - Double(a.month)) / Double(b.month - a.month)
        return Double(a.remainingBasisPoints) + Double(b.remainingBasisPoints - a.remainingBasisPoints) * t
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
            Amortization.forEachMonth(principal: amountFinanced, apr: apr, termMonths: termMonths, firstPaymentDate: firstPaymentDate) { m in
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
        loan.forEachMonth { months.append($0); return true }
        return months
    }

    /// Average month length, to turn days of ownership into months of the depreciation curve.
    static let daysPerMonth = 30.436875

    public init(amountFinanced: Money, apr: Rate, termMonths: Int, firstPaymentDate: LocalDate, contractDate: LocalDate,
                vehicleValue: Money, condition: VehicleCondition, depreciation: Depreciation) {
        // Hundredths, half up, in integers: (2·100·amount + value) ÷ (2·value).
        let value = max(1, vehicleValue.cents)
        let hundredths = (Int128(amountFinanced.cents) * 200 + Int128(value)) / (2 * Int128(value))
        loanToValuePercent = Int(clamping: hundredths)
        loanToValueAtContract = Decimal(sign: .plus, exponent: -2, significand: Decimal(loanToValuePercent))
        loan = Loan(amountFinanced: amountFinanced, apr: apr, termMonths: termMonths, firstPaymentDate: firstPaymentDate,
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
