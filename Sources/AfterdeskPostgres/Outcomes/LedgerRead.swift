import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// Reads the ledger on PostgreSQL as SQLite's `LedgerReader` does: cursors ordered by deal (and product), merged as they
/// go — the deals in the report's scope, the declines, then what happened to each. Every stream is read in its key's
/// order (`COLLATE "C"`: the bytes of the product code, SQLite's order), on one connection in the caller's snapshot.
enum PostgresLedger {
    /// The stores (code and calendar) and staff codes by id, and the id of the report's store when it names one.
    struct Names {
        var stores: [Int64: (code: String, days: LocalDays)] = [:]
        var staff: [Int64: String] = [:]
        var only: Int64?

        init(_ conn: PostgresConnection, store: String?, logger: Logger) async throws {
            for row in try await conn.rows("SELECT id, code, time_zone FROM stores", logger) {
                let (id, code, zone) = try row.decode((Int64, String, String).self)
                if stores[id] == nil { stores[id] = (code, LocalDays(try PostgresLedger.zone(named: zone))) }
            }
            for row in try await conn.rows("SELECT id, staff_code FROM staff", logger) {
                let (id, code) = try row.decode((Int64, String).self)
                if staff[id] == nil { staff[id] = code }
            }
            guard let code = store else { return }
            guard let id = stores.first(where: { $0.value.code == code })?.key else { throw StoreError.notFound("no store '\(code)'") }
            only = id
        }
    }

    /// The time zone a store's row names: a name the system does not know is an error, never GMT.
    static func zone(named name: String) throws -> TimeZone {
        do {
            return try TimeZone.store(name)
        } catch {
            throw StoreError("the stores table holds an \(error)", kind: .integrity)
        }
    }

    /// The deal being read: its facts are read once, on its first decline.
    private struct OpenDeal {
        var id = Int64.min
        var inScope = false
        var store = ""
        var zone = LocalDays(.gmt)
        var number = ""
        var contract = LocalDate.first
        var fi: String?
        var heldOut = false
    }

    /// The ledger's lines: those of declines with nothing after the desk to `quiet`, the others to `body`; and
    /// `deskDeals` (when given) every deal of the report's scope with its products sold at the desk (not those a later
    /// deal import showed sold: the ledger's recoveries), deals without a product too: the scorecard's deals.
    /// Longer than about 60 lines on purpose: the one pass keeps the deal being read in locals, merged with every stream.
    static func forEach(
        _ conn: PostgresConnection, _ p: ReportParameters, now: Date, logger: Logger, deskDeals: ((ScorecardDeal) throws -> Void)?,
        _ quiet: (QuietLine) throws -> Void, _ body: (LedgerRow) throws -> Void
    ) async throws {
        let names = try await Names(conn, store: p.store, logger: logger)
        var dealRows = try await DealCursor(conn, p, logger: logger)
        var declines = try await DeclineCursor(conn, withSold: deskDeals != nil, logger: logger)
        var streams = try await AfterDeskCursors(conn, now: now, logger: logger)
        var horizons = p.measureBy == .horizon ? try await HorizonCursor(conn, p, logger: logger) : nil
        // The scorecard's deal being read, and a deal of its scope passed over without a product.
        var card: ScorecardDeal?
        let passing: ((DealCursor.Deal) throws -> Void)? = deskDeals.map { emit in
            { d in if let c = deskCard(d, p, names) { try emit(c) } }
        }
        let rules = p.rules
        var deal = OpenDeal()
        while let next = try await declines.next() {
            let (id, product, quoted) = (next.deal, next.product, next.priceCents)
            if id != deal.id {
                if let c = card { try deskDeals?(c) }
                card = nil
                deal.id = id
                deal.inScope = false
                if let row = try await dealRows.seek(id, passing: passing), names.only == nil || names.only == row.store,
                    let (code, days) = names.stores[row.store]
                {
                    deal.contract = row.contract
                    deal.inScope = row.contract >= p.from && row.contract <= p.to
                    if deal.inScope {
                        (deal.store, deal.zone, deal.number) = (code, days, row.number)
                        deal.fi = row.fiManager.flatMap { names.staff[$0] }
                        let recorded = try await streams.arms.first(LedgerKey(deal: id, product: ""))
                        deal.heldOut = recorded ?? Holdout.isHeldOut(store: code, dealNumber: row.number, percent: p.holdoutPercent)
                        if deskDeals != nil {
                            card = ScorecardDeal(
                                store: code, dealNumber: row.number, contractDate: row.contract, fiManager: deal.fi, desk: [])
                        }
                    }
                }
            }
            if next.sold {
                if card != nil && !next.soldSinceDesk {
                    let cost = next.costCents ?? p.dealerCosts[product] ?? 0
                    card?.desk.append(.init(product: product, grossCents: (next.priceCents ?? 0) - cost))
                }
                continue
            }
            guard deal.inScope else { continue }
            let horizon = try await horizons?.horizon(deal: id, product: product, contract: deal.contract)
            var (touches, sales, cancellations, tasks) = (
                [AfterDeskCursors.SentTouch](), [DeclineHistory.Sale](), [DeclineHistory.Cancellation](), [DeclineHistory.TaskState]()
            )
            if streams.nextDeal <= id {  // else nothing after the desk for this deal: most declines
                let key = LedgerKey(deal: id, product: product)
                touches = try await streams.touches.take(key)
                sales = try await streams.sales.take(key)
                cancellations = try await streams.cancellations.take(key)
                tasks = try await streams.tasks.take(key)
            }
            if touches.isEmpty && sales.isEmpty && tasks.isEmpty {
                try quiet(
                    QuietLine(
                        store: deal.store, dealNumber: deal.number, product: product, contractDate: deal.contract,
                        heldOut: deal.heldOut, quotedCents: quoted, fiManager: deal.fi, rules: rules, horizon: horizon))
                continue
            }
            let history = DeclineHistory(
                store: deal.store, dealNumber: deal.number, product: product, contractDate: deal.contract, heldOut: deal.heldOut,
                quotedCents: quoted, fiManager: deal.fi, touches: touches.map { $0.touch(in: deal.zone) }, sales: sales,
                cancellations: cancellations, tasks: tasks, horizon: horizon)
            try body(LedgerRow(history, rules: rules))
        }
        if let c = card { try deskDeals?(c) }
        if let passing { try await dealRows.drain(passing) }
    }

    /// A deal of the deal stream as a scorecard deal, when it is in the report's scope: in its store, contracted from
    /// `from` to `to` and no later than `as_of`.
    static func deskCard(_ d: DealCursor.Deal, _ p: ReportParameters, _ names: Names) -> ScorecardDeal? {
        guard names.only == nil || names.only == d.store, let (code, _) = names.stores[d.store],
            d.contract >= p.from && d.contract <= p.to && d.contract <= p.asOf
        else { return nil }
        return ScorecardDeal(
            store: code, dealNumber: d.number, contractDate: d.contract, fiManager: d.fiManager.flatMap { names.staff[$0] }, desk: [])
    }
}
