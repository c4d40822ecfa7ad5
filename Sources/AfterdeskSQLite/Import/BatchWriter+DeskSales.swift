import AfterdeskCore
import Foundation

/// The desk sales a batch of deals changes (`desk_sales`, v15), counted by `DeskSaleCounts` as the deals are written,
/// then written in the batch's transaction.
extension BatchWriter {
    /// Writes the batch's changes of the desk sales, in its transaction.
    mutating func writeDeskSales() throws {
        for (k, n) in deskSales.take() {
            addDeskSales.bind(1, k.store)
            addDeskSales.bind(2, k.product)
            addDeskSales.bind(3, k.day)
            addDeskSales.bind(4, Int64(n))
            try addDeskSales.run()
        }
    }
}
