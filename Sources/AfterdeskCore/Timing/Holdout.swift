import Foundation

/// The share of declines held out from any follow-up, chosen so the same decline is always in or out.
public enum Holdout {
    /// True when this decline belongs to the holdout: a stable hash of store, deal and product, against the
    /// menu's percentage (10 means 10.00% of declines).
    public static func isHeldOut(store: String, dealNumber: String, product: String, percent: Int) -> Bool {
        var h = StableHasher()
        h.add(store)
        h.add(dealNumber)
        h.add(product)
        return h.value % 10_000 < UInt64(max(0, percent)) * 100
    }
}
