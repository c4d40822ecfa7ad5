/// How a GAP product is sold, from the product's `gap:` block (docs/menus.md, "GAP as it is sold").
///
/// A dealer's GAP waiver is an addendum to the retail installment contract: it can be added only when a contract is
/// executed, so after the sale the one route is a new contract the lender accepts before it funds the loan — a task
/// for the F&I manager in the funding window, never a message. A lender's, credit union's or insurer's own GAP product
/// can be bought after the sale, in the window its `eligibility` gives.
public struct GAPRules: Sendable, Equatable {
    public enum SoldAs: String, Sendable, Equatable, CaseIterable {
        case dealerWaiver = "dealer_waiver"
        case lenderProduct = "lender_product"
    }

    public var soldAs: SoldAs
    /// Dealer waiver: days after the contract the F&I manager can still re-contract (the lender has not funded yet).
    public var fundingWindowDays: Int
    /// Dealer waiver: the day after the contract the re-contract task is due (1 … `fundingWindowDays`).
    public var taskDay: Int
    /// Follow up only when loan-to-value at contract is above this, in hundredths (`1.00` is 100).
    public var ltvThresholdPercent: Int
    /// Above this loan-to-value (hundredths), the waiver excludes the excess: nothing may say GAP covers the difference.
    public var ltvCapPercent: Int
    /// False for a menu of the previous release, which had no `gap:` block: the loader reads it as a dealer waiver
    /// (its old eligibility and touches are not used: nothing is messaged after the contract), and `menu check` warns
    /// (`Menu.gapWarnings`). A product built in code without rules gets `undeclared`.
    public var declared: Bool

    public init(
        soldAs: SoldAs, fundingWindowDays: Int = 5, taskDay: Int = 1, ltvThresholdPercent: Int = 100, ltvCapPercent: Int = 150,
        declared: Bool = true
    ) {
        self.soldAs = soldAs
        self.fundingWindowDays = fundingWindowDays
        self.taskDay = taskDay
        self.ltvThresholdPercent = ltvThresholdPercent
        self.ltvCapPercent = ltvCapPercent
        self.declared = declared
    }

    /// The name of a dealer waiver's one touch: the F&I manager's re-contract task.
    public static let recontractTouch = "recontract"

    /// What a GAP product without a `gap:` block is read as: a lender product with the default threshold and cap.
    public static let undeclared = GAPRules(soldAs: .lenderProduct, declared: false)

    /// True when a follow-up is worth raising: loan-to-value at contract strictly above the threshold, compared exactly
    /// (amount × 100 against threshold × value, not the rounded ratio: 1.004 is above 1.00). False without a positive
    /// value.
    public func followsUp(amountFinancedCents: Int64, vehicleValueCents: Int64) -> Bool {
        guard vehicleValueCents > 0 else { return false }
        return Int128(amountFinancedCents) * 100 > Int128(ltvThresholdPercent) * Int128(vehicleValueCents)
    }

    /// Whether a text may say GAP covers the difference between the insurer's payment and the loan: true only when the
    /// amount financed is at or below the cap's share of the value, compared exactly (the waiver excludes what is
    /// financed above it: at 1.50496 of value, the excess is not covered). False without a positive value.
    public static func coversDifference(amountFinancedCents: Int64, vehicleValueCents: Int64, cap: Int) -> Bool {
        guard vehicleValueCents > 0, amountFinancedCents >= 0 else { return false }
        return Int128(amountFinancedCents) * 100 <= Int128(cap) * Int128(vehicleValueCents)
    }

    /// The same, with this product's cap.
    public func coversDifference(amountFinancedCents: Int64, vehicleValueCents: Int64) -> Bool {
        Self.coversDifference(amountFinancedCents: amountFinancedCents, vehicleValueCents: vehicleValueCents, cap: ltvCapPercent)
    }

    /// Loan-to-value in hundredths (half up) from amount financed and vehicle value in cents; nil when the value is not
    /// positive or the amount is negative (nothing to divide by, or nothing financed).
    public static func loanToValuePercent(amountFinancedCents: Int64, vehicleValueCents: Int64) -> Int? {
        guard vehicleValueCents > 0, amountFinancedCents >= 0 else { return nil }
        return hundredths(amountFinancedCents, of: vehicleValueCents)
    }

    /// Amount ÷ value in hundredths, half up, in integers: (2·100·amount + value) ÷ (2·value). `value` must be positive.
    static func hundredths(_ amountCents: Int64, of valueCents: Int64) -> Int {
        Int(clamping: (Int128(amountCents) * 200 + Int128(valueCents)) / (2 * Int128(valueCents)))
    }
}

extension Menu {
    /// `menu check` warnings about GAP: a GAP product of the previous release's format (no `gap:` block) is read as a
    /// lender's product with a post-sale window, which a dealer's waiver is not.
    public var gapWarnings: [String] {
        products.filter { $0.kind == .gap && $0.gap?.declared == false }.map { p in
            "line \(p.line): product '\(p.code)' has no gap: block, so it is read as a dealer's GAP waiver, which cannot be "
                + "sold after the contract: its eligibility and touches are not used, and its follow-up is the F&I manager's "
                + "re-contract task in the funding window (5 days). Write "
                + "gap: { sold_as: dealer_waiver, funding_window_days: 5, ltv_threshold: 1.00, ltv_cap: 1.50 } and remove "
                + "eligibility and timing; for a lender's or credit union's GAP product sold after the contract, write "
                + "gap: { sold_as: lender_product } and time its touches with percent_of_exposure (docs/menus.md)."
        }
    }
}
