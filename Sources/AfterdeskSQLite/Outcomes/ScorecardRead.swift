import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The F&I scorecard (docs/reporting.md): the deals in scope with the products sold at the desk, and the margin
    /// report's own ledger over the same deals for the recoveries, so the two agree. Read in two halves by deal id, as
    /// the report is.
    public func scorecard(_ p: ScorecardParameters, now: Date) async throws -> Scorecard {
        let halves = try await onOwnThread {
            try self.readInHalves(split: { try LedgerSplit.middle($0, p.report, low: $1, high: $2, histories: false) }) {
                db, deals, _ in
                var b = ScorecardBuilder(p)
                try LedgerReader.forEach(db, p.report, now: now, deals: deals, deskDeals: { b.add($0) }) {
                    b.add($0)
                } _: {
                    b.add($0)
                }
                return b
            }
        }
        guard var b = halves.first else { throw StoreError.integrity("no scorecard") }
        for half in halves.dropFirst() { b.merge(half) }
        return b.finish()
    }
}

/// A deal row of the ledger's deal stream (id, store_id, deal_number, contract_date, fi_manager_id) as a scorecard deal,
/// when it is in the report's scope: in its store, contracted from `from` to `to` and no later than `as_of`.
enum DeskDealCard {
    static func of(
        _ row: RawStatement, _ p: ReportParameters, stores: ByID<(String, LocalDays)>, staff: ByID<String>, only: Set<Int64>?
    ) -> ScorecardDeal? {
        guard only?.contains(row.int64(1)) ?? true, let (code, _) = stores[row.int64(1)], let date = LocalDate.parse(row.bytes(3)),
            date >= p.from && date <= p.to && date <= p.asOf
        else { return nil }
        return ScorecardDeal(
            store: code, dealNumber: String(decoding: row.bytes(2), as: UTF8.self), contractDate: date,
            fiManager: row.isNull(4) ? nil : staff[row.int64(4)], desk: [])
    }
}
