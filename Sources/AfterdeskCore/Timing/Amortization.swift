import Foundation

/// Standard amortization of an auto loan, and the vehicle's value against it: the facts GAP timing hangs on.
public enum Amortization {
    /// The monthly payment P·r / (1 − (1 + r)^−n), rounded to the cent (half up); P / n at 0% APR.
    public static func payment(principal: Money, apr: Rate, termMonths: Int) -> Money {
        let n = clampedTerm(termMonths)
        // Floating point gives the right cent unless the exact value sits within a hair of a half cent;
        // only then is the slower decimal arithmetic needed to decide.
        let r = Double(apr.thousandthsOfPercent) / 1_200_000
        let cents =
            r == 0
            ? Double(principal.cents) / Double(n)
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
        forEachMonth(principal: principal, apr: apr, termMonths: n, firstPaymentDate: firstPaymentDate) {
            months.append($0)
            return true
        }
        return months
    }

    /// The months of `schedule`, one at a time, without keeping them; stops when `body` returns false.
    public static func forEachMonth(
        principal: Money, apr: Rate, termMonths: Int, firstPaymentDate: LocalDate,
        _ body: (Month) -> Bool
    ) {
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
            guard
                body(
                    Month(
                        number: k, date: firstPaymentDate.adding(months: k - 1),
                        payment: Money(cents: roundMicro(thisPayment)), balance: Money(cents: roundMicro(balance))))
            else { return }
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
