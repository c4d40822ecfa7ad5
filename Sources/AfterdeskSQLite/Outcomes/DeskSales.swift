import AfterdeskCore
import Foundation

/// The products sold at the desk on finalized deals contracted on or before `as_of`, counted by store, product and
/// contract date (the sales of the reserve's cancellation histories, `CancellationHistoryReader`). Counted as rows go
/// by — in the ledger's own pass, or in a read of their own — under small integer keys, the product codes interned.
struct DeskSales: Sendable {
    private var codes: [String] = []
    private var counts: [Int64: Int] = [:]

    /// A product of `store` (its row id) sold at the desk on a deal contracted on `day`.
    mutating func add(store: Int64, product: String, day: LocalDate) {
        let index: Int
        if let i = codes.firstIndex(of: product) {
            index = i
        } else {
            index = codes.count
            codes.append(product)
        }
        let days = day.daysSinceEpoch + 1_000_000
        guard index < 256, store >= 0, store < 1 << 23, days >= 0, days < 1 << 32 else { return }
        // store (up to 2^23 ids) · product (up to 2^8 codes) · day (days since 1970, offset to stay positive)
        counts[(store << 40) | (Int64(index) << 32) | Int64(days), default: 0] += 1
    }

    /// The counts by store, product and day.
    var sales: [CancellationHistoryReader.Key: Int] {
        var out: [CancellationHistoryReader.Key: Int] = [:]
        for (key, n) in counts {
            let index = Int((key >> 32) & 0xFF)
            guard index < codes.count else { continue }
            let soldOn = LocalDate(daysSinceEpoch: Int(key & 0xFFFF_FFFF) - 1_000_000)
            out[CancellationHistoryReader.Key(store: key >> 40, product: codes[index], soldOn: soldOn), default: 0] += n
        }
        return out
    }

    /// The sums of `parts` (the halves of a read).
    static func sum(_ parts: [DeskSales]) -> [CancellationHistoryReader.Key: Int] {
        var total: [CancellationHistoryReader.Key: Int] = [:]
        for part in parts {
            for (k, n) in part.sales { total[k, default: 0] += n }
        }
        return total
    }
}
