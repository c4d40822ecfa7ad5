import AfterdeskCore
import Foundation

/// What the cancellation histories are counted from, as a backend reads it in one snapshot: the products sold at the
/// desk and the contracts by day, products a later deal import showed sold, and cancellations with their sale. Dates
/// are `YYYY-MM-DD` text, as SQLite keeps them. `histories` does the counting, the same for every backend.
public struct CancellationHistoryRows: Sendable {
    public struct Key: Hashable, Sendable {
        public var store: Int64
        public var product: String
        public var soldOn: LocalDate
        public init(store: Int64, product: String, soldOn: LocalDate) {
            self.store = store
            self.product = product
            self.soldOn = soldOn
        }
    }

    /// The products sold at the desk on finalized deals contracted on or before the day, by store, product and day.
    public var desk: [Key: Int] = [:]
    /// (store id, product, day, count)
    public var contracts: [(Int64, String, String, Int)] = []
    /// (store id, product, contract date, sold on)
    public var moved: [(Int64, String, String, String)] = []
    /// (store id, product, sold on, cancelled on)
    public var cancellations: [(Int64, String, String, String)] = []
    public var stores: [(id: Int64, code: String)] = []

    public init() {}

    /// The histories of `scope` alone when given (one store unknown is an error), as of `asOf`.
    public func histories(stores scope: [String]?, asOf: LocalDate) throws -> [CancellationHistory] {
        let codes = Dictionary(stores.map { ($0.id, $0.code) }, uniquingKeysWith: { a, _ in a })
        let only = try scope.map { try StoreIDs.of($0, in: stores) }
        var sales = only.map { ids in desk.filter { ids.contains($0.key.store) } } ?? desk
        for (id, product, text, n) in contracts where only?.contains(id) ?? true {
            if let date = LocalDate(text), date <= asOf { sales[Key(store: id, product: product, soldOn: date), default: 0] += n }
        }
        // A product a later deal import showed sold: sold on the recovery's date, not the deal's.
        for (id, product, contractText, soldText) in moved where only?.contains(id) ?? true {
            guard let contract = LocalDate(contractText), let sold = LocalDate(soldText) else { continue }
            let k = Key(store: id, product: product, soldOn: contract)
            guard (sales[k] ?? 0) > 0 else { continue }
            sales[k, default: 0] -= 1
            if sold <= asOf { sales[Key(store: id, product: product, soldOn: sold), default: 0] += 1 }
        }
        var histories: [String: CancellationHistory] = [:]
        func history(_ store: Int64, _ product: String) -> String? {
            guard let code = codes[store] else { return nil }
            let name = code + "\u{1F}" + product
            if histories[name] == nil { histories[name] = CancellationHistory(store: code, product: product) }
            return name
        }
        for (id, product, soldText, cancelText) in cancellations where only?.contains(id) ?? true {
            guard let sold = LocalDate(soldText), let cancelled = LocalDate(cancelText) else { continue }
            let k = Key(store: id, product: product, soldOn: sold)
            guard (sales[k] ?? 0) > 0, let name = history(id, product) else { continue }
            sales[k, default: 0] -= 1
            histories[name]?.cancelledInMonth[CancellationHistory.months(from: sold, to: cancelled) + 1, default: 0] += 1
        }
        for (k, count) in sales where count > 0 {
            guard let name = history(k.store, k.product) else { continue }
            histories[name]?.inForceAfterMonths[CancellationHistory.months(from: k.soldOn, to: asOf), default: 0] += count
        }
        return histories.keys.sorted().compactMap { histories[$0] }
    }
}

/// The ids of a report's stores.
public enum StoreIDs {
    /// The ids of the stores `codes` names among `stores`. A report of one store that is not there is an error (a
    /// mistyped `--store`); of several (a user's stores), those not there yet have nothing to report.
    public static func of(_ codes: [String], in stores: some Sequence<(id: Int64, code: String)>) throws -> Set<Int64> {
        let wanted = Set(codes)
        let ids = Set(stores.filter { wanted.contains($0.code) }.map(\.id))
        if codes.count == 1, ids.isEmpty { throw StoreError.notFound("no store '\(codes[0])'") }
        return ids
    }
}
