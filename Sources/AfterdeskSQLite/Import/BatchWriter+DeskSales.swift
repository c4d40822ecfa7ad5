import AfterdeskCore
import Foundation

/// The desk sales a batch of deals changes (`desk_sales`, v15): the products sold at the desk on finalized deals, by
/// store, product and contract date, counted as the deals are written and taken back when a deal's earlier version is
/// replaced, then written in the batch's transaction.
extension BatchWriter {
    struct DeskSaleKey: Hashable {
        var store: Int64
        var product: String
        var day: LocalDate
    }

    /// Counts (or, `by` −1, takes back) the products sold at the desk of a finalized deal of `store` contracted on `day`.
    mutating func countDeskSales(store: Int64, day: LocalDate?, sold: some Sequence<String>, by n: Int) {
        guard let day else { return }
        for product in sold { deskSales[DeskSaleKey(store: store, product: product, day: day), default: 0] += n }
    }

    /// Writes the batch's changes of the desk sales, in its transaction.
    mutating func writeDeskSales() throws {
        for (k, n) in deskSales where n != 0 {
            addDeskSales.bind(1, k.store)
            addDeskSales.bind(2, k.product)
            addDeskSales.bind(3, k.day)
            addDeskSales.bind(4, Int64(n))
            try addDeskSales.run()
        }
        deskSales.removeAll(keepingCapacity: true)
    }
}
