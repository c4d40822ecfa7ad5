import AfterdeskCore
import Foundation
import Synchronization

/// What `afterdesk copy-database` compares on both sides after a copy, through the storage protocols as every
/// workflow reads them: the main counts, the margin report in each grouping (as `report --format json` prints it),
/// the report's ledger (every decline's line, as `report --by decline` prints it), the scorecard in each grouping
/// (`scorecard --format json`), the first page of deals, the opt-outs in force (and restored), and `explain` of a sample
/// of deals, with what the opt-out ledger says of their customers. The same parameters and the same instant on both sides.
public enum CopyCheck {
    /// The figures of `db`, each named (`report --by product`), as text.
    public static func figures(
        _ db: any Storage, report: ReportParameters, planner: Planner, explaining deals: [DealKey], now: Date
    ) async throws -> [(name: String, text: String)] {
        var out: [(name: String, text: String)] = []
        let counts = try await db.counts()
        out.append(("counts", counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")))
        var p = report
        for by in [nil] + ReportGrouping.allCases.filter({ $0 != .decline }).map(Optional.some) {
            p.by = by
            let text = String(decoding: try ReportFormats.json(try await db.marginReport(p, now: now)), as: UTF8.self)
            out.append(("report" + (by.map { " --by \($0.rawValue)" } ?? ""), text))
        }
        p.by = .decline
        out.append(("report --by decline", try await ledger(db, p, now: now)))
        p.by = nil
        for by in ScorecardGrouping.allCases {
            let card = try await db.scorecard(ScorecardParameters(report: p, by: by), now: now)
            out.append(("scorecard --by \(by.rawValue)", String(decoding: try ScorecardFormats.json(card), as: UTF8.self)))
        }
        out.append(("deals", try json(try await db.listDeals(DealFilter(limit: 100)))))
        out.append(("opt-outs", try json(try await db.optOutsInForce(includeRestored: true, limit: 1_000))))
        for deal in deals {
            var explained = "none"
            if let found = try await db.customerDeals(ofDeal: deal.number, store: deal.store),
                var e = Explain.explain(found, planner: planner, now: now)
            {
                e.optOuts = try await db.optOutStatus(dealNumber: deal.number, store: found.store)
                explained = try json(e)
            }
            out.append(("explain \(deal.number) (store \(deal.store))", explained))
        }
        return out
    }

    /// The names of the figures that differ between two sides (or are on one side only).
    public static func differences(_ a: [(name: String, text: String)], _ b: [(name: String, text: String)]) -> [String] {
        let other = Dictionary(b.map { ($0.name, $0.text) }, uniquingKeysWith: { first, _ in first })
        var names = a.filter { other[$0.name] != $0.text }.map(\.name)
        let mine = Set(a.map(\.name))
        names += b.map(\.name).filter { !mine.contains($0) }
        return names
    }

    /// Deal numbers to explain: up to `limit` of the deals, spread over the whole list (first and last included), each
    /// read as a page of one, so no list of every deal is held.
    public static func sample(_ db: any Storage, limit: Int) async throws -> [DealKey] {
        let count = try await db.counts()["deals"] ?? 0
        guard count > 0, limit > 0 else { return [] }
        let positions = count <= limit || limit == 1 ? Array(0..<min(count, limit)) : (0..<limit).map { $0 * (count - 1) / (limit - 1) }
        var out: [DealKey] = []
        for position in positions {
            var filter = DealFilter(limit: 1)
            filter.offset = position
            if let deal = try await db.listDeals(filter).first { out.append(DealKey(number: deal.dealNumber, store: deal.store)) }
        }
        return out
    }

    /// The ledger, every decline's line as `report --by decline` writes it, in a few words: how many lines, and a hash
    /// of them all in order (so a ledger of any size is compared without being held).
    static func ledger(_ db: any Storage, _ p: ReportParameters, now: Date) async throws -> String {
        let state = Mutex((lines: 0, hash: StableHasher()))
        try await db.forEachLedgerRow(p, now: now) { row in
            let line = row.cells.joined(separator: ",")
            state.withLock {
                $0.lines += 1
                $0.hash.add(line)
            }
        }
        return state.withLock { "\($0.lines) declines, fingerprint \(String($0.hash.value, radix: 16))" }
    }

    /// A deal, by its number and its store's code.
    public struct DealKey: Sendable, Equatable {
        public var number: String
        public var store: String
        public init(number: String, store: String) {
            self.number = number
            self.store = store
        }
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
