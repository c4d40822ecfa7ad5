import Foundation

/// What a salesperson can say when they call about a declined product, chosen by the reason the customer gave at the
/// desk (the canonical reasons: payment, price, covered, think).
public enum TalkingPoints {
    public struct Facts: Sendable, Equatable {
        public var productName: String
        public var declineReason: String?
        public var quoted: Money?
        /// When the factory's basic coverage is projected to end, and by which limit.
        public var basicExpiresOn: LocalDate?
        public var basicLimit: String?
        public var eligibleUntil: LocalDate?
        /// The price that applies on the day (`PriceQuote`): "the desk quoted" only when it was given at the desk.
        public var quote: PriceQuote?
        /// The provider's installment plan after the sale, when the menu gives one.
        public var installments: Installments?

        public init(
            productName: String, declineReason: String?, quoted: Money?, basicExpiresOn: LocalDate?, basicLimit: String?,
            eligibleUntil: LocalDate?
        ) {
            self.productName = productName
            self.declineReason = declineReason
            self.quoted = quoted
            self.basicExpiresOn = basicExpiresOn
            self.basicLimit = basicLimit
            self.eligibleUntil = eligibleUntil
        }
    }

    public static func points(_ f: Facts) -> [String] {
        var points: [String] = []
        let price = f.quoted.map(\.formatted)
        switch f.declineReason?.lowercased() {
        case "payment":
            points.append(paymentPoint(f))
        case "price":
            let said = f.quote.map { $0.givenAtDesk ? "the desk quoted \($0.amount.formatted)" : "the price today is \($0.text)" }
            points.append(
                "They said the price was the problem: \(said ?? "the desk quoted \(price ?? "a price")"); ask what they expected "
                    + "to pay and what coverage matters most to them.")
        case "covered":
            if let ends = f.basicExpiresOn {
                let by = f.basicLimit == "miles" ? " (by miles, at the rate they drive)" : ""
                points.append(
                    "They felt covered by the factory warranty: its basic coverage is projected to end \(ends.longDate)\(by).")
            } else {
                points.append("They felt covered already: ask what coverage they have and when it ends.")
            }
        case "think":
            points.append("They wanted to think it over: ask whether they had the chance, and what questions are left.")
        default:
            points.append("Ask how the vehicle has been and whether \(f.productName) is still of interest.")
        }
        if let until = f.eligibleUntil {
            points.append("\(f.productName) can still be bought until \(until.longDate).")
        }
        return points
    }

    /// The "payment" point: the loan is funded and cannot take the product any more, so what can be done is paying in
    /// cash, or the provider's installment plan (exact to the cent) when the menu gives one.
    static func paymentPoint(_ f: Facts) -> String {
        let opening = "They said the payment was the problem: the loan is funded and cannot take it now"
        guard f.quote?.onInspection != true, let amount = f.quote?.amount ?? f.quoted, amount.cents > 0 else {
            return opening + "; ask whether paying for it in cash or in installments from the provider would work."
        }
        let price = f.quote?.text ?? amount.formatted
        guard let plan = f.installments, let (down, monthly) = plan.plan(for: amount) else {
            return opening + ", but it can be paid in cash (\(price)); the provider has no installment plan."
        }
        let months = plan.months == 1 ? "1 monthly payment" : "\(plan.months) monthly payments"
        let on = f.quote?.isFrom == true ? " on the \(amount.formatted) price" : ""
        return opening + ", but it can be paid in cash (\(price)) or with the provider's installment plan\(on): "
            + "\(down.formatted) down, then \(months) of \(monthly.formatted)."
    }
}
