import Foundation

/// A decline the ledger reads, in (deal, product) order, or (with the scorecard's products sold) a product sold at the
/// desk: what each backend's decline stream hands the report per row.
public struct LedgerProduct: Sendable {
    public var deal: Int64
    public var product: String
    /// The desk's quote of a decline; the price of a product sold.
    public var priceCents: Int64?
    public var costCents: Int64?
    public var sold: Bool
    /// A product sold whose recovery a later deal import reported (it comes again, as a decline, next).
    public var soldSinceDesk: Bool

    @inlinable
    public init(
        deal: Int64, product: String, priceCents: Int64?, costCents: Int64? = nil, sold: Bool = false, soldSinceDesk: Bool = false
    ) {
        self.deal = deal
        self.product = product
        self.priceCents = priceCents
        self.costCents = costCents
        self.sold = sold
        self.soldSinceDesk = soldSinceDesk
    }
}
