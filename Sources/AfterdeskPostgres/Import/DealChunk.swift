import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// A run of consecutive new deals of a batch that are independent of one another: no two have the same customer slot
/// (store and first hash of the match key) or the same vehicle slot (first hash of the VIN). Written together
/// (`DealWriter.writeChunk`), they end as they would written one by one.
struct DealChunk {
    /// A customer's slot: its store and the first hash of its match key.
    struct CustomerSlot: Hashable {
        var store: Int64
        var hash: Int64
    }

    /// The chunk's deals in row order, each with its store's id.
    private(set) var deals: [(deal: PreparedDeal, store: Int64)] = []
    private var customers = Set<CustomerSlot>()
    private var vehicles = Set<Int64>()

    /// The most deals a chunk holds before it is written.
    static let maxDeals = 2_000

    var isEmpty: Bool { deals.isEmpty }
    var isFull: Bool { deals.count >= Self.maxDeals }

    /// Whether an earlier deal of the chunk has `deal`'s customer or vehicle slot.
    func clashes(_ deal: PreparedDeal, store: Int64) -> Bool {
        customers.contains(CustomerSlot(store: store, hash: deal.customerHash)) || vehicles.contains(deal.vinHash)
    }

    mutating func append(_ deal: PreparedDeal, store: Int64) {
        deals.append((deal, store))
        customers.insert(CustomerSlot(store: store, hash: deal.customerHash))
        vehicles.insert(deal.vinHash)
    }

    /// The chunk's deals, the chunk emptied.
    mutating func take() -> [(deal: PreparedDeal, store: Int64)] {
        defer {
            deals.removeAll(keepingCapacity: true)
            customers.removeAll(keepingCapacity: true)
            vehicles.removeAll(keepingCapacity: true)
        }
        return deals
    }
}

extension DealWriter {
    /// What written deals changed: their counts, and the customers whose plans are to be recomputed.
    struct Written {
        var counts = ImportCounts()
        var customers: [Int64] = []

        mutating func add(_ change: DealChange) {
            counts.add(change.counts)
            if let c = change.customer { customers.append(c) }
            if let c = change.previousCustomer { customers.append(c) }
        }
    }

    /// Writes one valid deal (the first of its store and number in this import): an unchanged one is only counted; a
    /// new one without DMS blocks joins the chunk (which is written first when the deal shares a customer or vehicle
    /// with it); anything else — a changed deal, DMS blocks, an import limited to some stores — is written row by row
    /// (`apply`), after the chunk.
    mutating func write(_ deal: PreparedDeal, into written: inout Written) async throws {
        let store = try await importer.storeID(conn, deal.record.store)
        let found = importer.dealsBefore ? stored[DealKey(store: store, number: deal.record.dealNumber)] : nil
        if let found, found.fingerprint == deal.fingerprint {
            written.counts.unchanged += 1
            return
        }
        guard found == nil, (deal.record.contactBlocks ?? []).isEmpty, importer.options.allowedStores == nil else {
            try await flush(into: &written)
            written.add(try await apply(deal))
            return
        }
        if chunk.clashes(deal, store: store) { try await flush(into: &written) }
        chunk.append(deal, store: store)
        if chunk.isFull { try await flush(into: &written) }
    }

    /// Writes the chunk. The first deal whose customer or vehicle slot another key holds in the database (a hash
    /// collision: its key lives further along its probe chain) ends the part written together; it is written row by
    /// row, and the deals after it form the next part.
    mutating func flush(into written: inout Written) async throws {
        var pending = chunk.take()[...]
        while !pending.isEmpty {
            let collision = try await firstCollision(pending)
            let end = collision.map { pending.startIndex + $0 } ?? pending.endIndex
            if end > pending.startIndex { try await writeChunk(pending[..<end], into: &written) }
            guard end < pending.endIndex else { return }
            written.add(try await apply(pending[end].deal))
            pending = pending[(end + 1)...]
        }
    }

    /// The position in `deals` of the first whose customer's or vehicle's first hash holds another key; nil if none.
    private func firstCollision(_ deals: ArraySlice<(deal: PreparedDeal, store: Int64)>) async throws -> Int? {
        let rows = try await conn.statement(
            """
            SELECT k.ord FROM unnest(\(deals.map(\.store))::int8[], \(deals.map(\.deal.customerHash))::int8[],
                                     \(deals.map(\.deal.customerKey))::text[], \(deals.map(\.deal.vinHash))::int8[],
                                     \(deals.map(\.deal.record.vin))::text[])
                              WITH ORDINALITY AS k(store_id, match_hash, match_key, vin_hash, vin, ord)
            WHERE EXISTS (SELECT 1 FROM customers c
                          WHERE c.store_id = k.store_id AND c.match_hash = k.match_hash AND c.match_key <> k.match_key)
               OR EXISTS (SELECT 1 FROM vehicles v WHERE v.vin_hash = k.vin_hash AND v.vin <> k.vin)
            ORDER BY k.ord LIMIT 1
            """, logger: logger)
        for try await ord in rows.decode(Int64.self) { return Int(ord) - 1 }
        return nil
    }
}
