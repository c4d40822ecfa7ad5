import AfterdeskCore
import Foundation

/// A deal's product row as stored before an import replaces it.
public struct StoredProduct: Sendable {
    public var outcome: String
    public var price: Int64?
    public var cost: Int64?
    public var reason: String?

    public init(outcome: String, price: Int64?, cost: Int64?, reason: String?) {
        self.outcome = outcome
        self.price = price
        self.cost = cost
        self.reason = reason
    }
}

/// What an import records when it replaces a stored deal, the same on every backend: the deal turning unwound (or
/// back), a product turning from declined to sold (a recovery, kept with the desk's quote and reason), and one turning
/// from sold to not sold (a cancellation). Each backend writes them with its own SQL.
public struct DealChangeEvent: Sendable {
    /// `unwound`, `reinstated`, `recovered` or `cancelled`.
    public var kind: String
    public var product: String? = nil
    public var price: Int64? = nil
    public var cost: Int64? = nil
    public var detail: String? = nil
    /// For `recovered`: the sale as this import shows it, and the desk's product row as it was stored.
    public var recovery: (sold: ProductLine, desk: StoredProduct?)? = nil

    /// The events between the stored deal (`oldStatus`, its products `before`) and the row `r` replacing it, over the
    /// menu's products in the menu's order; the unwinds and recoveries are counted into `counts`.
    public static func between(
        oldStatus: String, before: [String: StoredProduct], after r: DealRecord, menu: Menu, counts: inout ImportCounts
    ) -> [DealChangeEvent] {
        var events: [DealChangeEvent] = []
        if oldStatus != r.status.rawValue {
            if r.status == .unwound {
                events.append(DealChangeEvent(kind: "unwound"))
                counts.unwinds += 1
            } else {
                events.append(DealChangeEvent(kind: "reinstated", detail: "status back to finalized"))
            }
        }
        for p in menu.products {
            let old = before[p.code]
            let new = r.product(p.code)
            if old?.outcome == "declined", let new, new.outcome == .sold {
                events.append(
                    DealChangeEvent(
                        kind: "recovered", product: p.code, price: new.price?.cents, cost: new.cost?.cents,
                        detail: "declined at the desk, now sold", recovery: (new, old)))
                counts.recoveries += 1
            } else if old?.outcome == "sold", new?.outcome != .sold {
                events.append(
                    DealChangeEvent(
                        kind: "cancelled", product: p.code, price: old?.price, cost: old?.cost,
                        detail: "sold before, now \(new?.outcome.rawValue ?? "not on the deal")"))
            }
        }
        return events
    }
}

/// The desk sales (`desk_sales`) a batch of deals changes: the products sold at the desk on finalized deals, by store,
/// product and contract date, counted as the deals are written and taken back when a deal's earlier version is
/// replaced; each backend writes the changes in the batch's transaction.
public struct DeskSaleCounts: Sendable {
    public struct Key: Hashable, Sendable {
        public var store: Int64
        public var product: String
        public var day: LocalDate
    }

    private var counts: [Key: Int] = [:]

    public init() {}

    /// Counts the products sold at the desk of `r`, a deal of `store`, when it is finalized.
    public mutating func add(_ r: DealRecord, store: Int64) {
        guard r.status == .finalized else { return }
        count(store: store, day: r.contractDate, sold: r.products.lazy.filter { $0.outcome == .sold }.map(\.code), by: 1)
    }

    /// Takes back the products sold at the desk of a stored deal of `store` (its `status`, contract date `day` and
    /// products `before`) that an import replaces, when it was finalized.
    public mutating func takeBack(store: Int64, status: String, day: LocalDate?, before: [String: StoredProduct]) {
        guard status == DealStatus.finalized.rawValue else { return }
        count(store: store, day: day, sold: before.filter { $0.value.outcome == "sold" }.keys, by: -1)
    }

    private mutating func count(store: Int64, day: LocalDate?, sold: some Sequence<String>, by n: Int) {
        guard let day else { return }
        for product in sold { counts[Key(store: store, product: product, day: day), default: 0] += n }
    }

    /// The changes to write (those that do not cancel out), emptied for the next batch.
    public mutating func take() -> [(key: Key, contracts: Int)] {
        defer { counts.removeAll(keepingCapacity: true) }
        return counts.filter { $0.value != 0 }.map { ($0.key, $0.value) }
    }

    /// Forgets the counts (a batch begins).
    public mutating func removeAll() { counts.removeAll(keepingCapacity: true) }
}
