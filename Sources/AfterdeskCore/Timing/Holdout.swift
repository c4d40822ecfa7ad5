import Foundation

/// The share of deals held out from any follow-up, so the report can measure what happens without one
/// (DESIGN.md, "Measuring honestly"). Whole deals are held out, never single products: a message about one product
/// of a deal cannot then reach a held-out product of the same deal.
public enum Holdout {
    /// True when the deal belongs to the holdout. The published rule (docs/reporting.md), which a person can recompute:
    /// take the 64-bit FNV-1a hash of the store code's UTF-8 bytes, the byte 0x1F, the deal number's UTF-8 bytes and
    /// the byte 0x1F again; the deal is held out when that hash modulo 10,000 is below the menu's percentage × 100.
    /// The arm is recorded the first time the deal is planned and never changes after (table `deal_arms`).
    public static func isHeldOut(store: String, dealNumber: String, percent: Int) -> Bool {
        bucket(store: store, dealNumber: dealNumber) < UInt64(min(max(0, percent), 100)) * 100
    }

    /// The deal's bucket, 0 to 9,999: the hash of the rule above, modulo 10,000.
    public static func bucket(store: String, dealNumber: String) -> UInt64 {
        var h = StableHasher()
        h.add(store)
        h.add(dealNumber)
        return h.value % 10_000
    }
}
