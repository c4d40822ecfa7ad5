import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// Reads the ledger on PostgreSQL as SQLite's `LedgerReader` does: cursors ordered by deal (and product), merged as they
/// go — the deals in the report's scope, the declines, then what happened to each. Every stream is read in its key's
/// order (`COLLATE "C"`: the bytes of the product code, SQLite's order), on one connection in the caller's snapshot.
enum PostgresLedger {
    /// The stores (code and calendar) and staff codes by id, and the ids of the report's stores when it names some.
    struct Names {
        var stores: [Int64: (code: String, days: LocalDays)] = [:]
        var staff: [Int64: String] = [:]
        var only: Set<Int64>?

        init(_ conn: PostgresConnection, stores scope: [String]?, logger: Logger) async throws {
            for row in try await conn.rows("SELECT id, code, time_zone FROM stores", logger) {
                let (id, code, zone) = try row.decode((Int64, String, String).self)
                if stores[id] == nil { stores[id] = (code, LocalDays(try PostgresLedger.zone(named: zone))) }
            }
            for row in try await conn.rows("SELECT id, staff_code FROM staff", logger) {
                let (id, code) = try row.decode((Int64, String).self)
                if staff[id] == nil { staff[id] = code }
            }
            only = try scope.map { try StoreIDs.of($0, in: stores.map { (id: $0.key, code: $0.value.code) }) }
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

    /// The deal being read.
    private struct OpenDeal {
        var id: Int64
        var store: String
        var zone: LocalDays
        var number: String
        var contract: LocalDate
        var fi: String?
        var heldOut: Bool
    }

    /// The ledger's lines, of the deals with ids in `range`: those of declines with nothing after the desk to `quiet`,
    /// the others to `body`; and `deskDeals` (when given) every deal of the report's scope with its products sold at the
    /// desk (not those a later deal import showed sold: the ledger's recoveries), deals without a product too: the
    /// scorecard's deals.
    static func forEach(
        _ conn: PostgresConnection, _ p: ReportParameters, now: Date, deals range: ClosedRange<Int64> = Int64.min...Int64.max,
        logger: Logger, deskDeals: ((ScorecardDeal) throws -> Void)?, _ quiet: (QuietLine) throws -> Void,
        _ body: (LedgerRow) throws -> Void
    ) async throws {
        let names = try await Names(conn, stores: p.storeScope, logger: logger)
        let deals = try await DeskDealCursor(conn, p, deals: range, withSold: deskDeals != nil, logger: logger)
        var declines = try await DealDeclines(conn, deals: range, logger: logger)
        var streams = try await AfterDeskCursors(conn, now: now, deals: range, logger: logger)
        var horizons = p.measureBy == .horizon ? try await HorizonCursor(conn, p, deals: range, logger: logger) : nil
        // Built once: `p.rules` makes a new value (dictionaries and all) each time it is read.
        let rules = p.rules
        var (page, last) = try await deals.page()
        while !page.isEmpty || !last {
            // The next page is fetched and decoded while this one is read (a child task: ended with the loop).
            let ended = last
            async let following = ended ? ([], true) : deals.page()
            do {
                for row in page {
                    guard names.only?.contains(row.store) ?? true, let (code, days) = names.stores[row.store] else { continue }
                    let fi = row.fiManager.flatMap { names.staff[$0] }
                    var card = deskDeals.map { _ in
                        ScorecardDeal(store: code, dealNumber: row.number, contractDate: row.contract, fiManager: fi, desk: [])
                    }
                    let products = try await declines.of(row)
                    if !products.isEmpty {
                        let deal = OpenDeal(
                            id: row.id, store: code, zone: days, number: row.number, contract: row.contract, fi: fi,
                            heldOut: row.heldOut
                                ?? Holdout.isHeldOut(store: code, dealNumber: row.number, percent: p.holdoutPercent(of: code)))
                        for next in products {
                            if next.sold {
                                if !next.soldSinceDesk {
                                    let cost = next.costCents ?? p.dealerCost(next.product, store: code) ?? 0
                                    card?.desk.append(.init(product: next.product, grossCents: (next.priceCents ?? 0) - cost))
                                }
                                continue
                            }
                            try await line(of: next, deal, rules, &streams, &horizons, quiet, body)
                        }
                    }
                    if let c = card { try deskDeals?(c) }
                }
            } catch {
                // A failed fetch of the next page aborts the transaction, and this page's next query then fails with
                // "transaction aborted": the fetch's own error is the cause.
                _ = try await following
                throw error
            }
            (page, last) = try await following
        }
    }

    /// The ledger line of decline `next` on `deal`: quiet when nothing happened after the desk, else its history.
    private static func line(
        of next: LedgerProduct, _ deal: OpenDeal, _ rules: ReportRules, _ streams: inout AfterDeskCursors,
        _ horizons: inout HorizonCursor?, _ quiet: (QuietLine) throws -> Void, _ body: (LedgerRow) throws -> Void
    ) async throws {
        let product = next.product
        let horizon = try await horizons?.horizon(deal: deal.id, product: product, contract: deal.contract)
        var (touches, sales, cancellations, tasks) = (
            [AfterDeskCursors.SentTouch](), [DeclineHistory.Sale](), [DeclineHistory.Cancellation](), [DeclineHistory.TaskState]()
        )
        if streams.nextDeal <= deal.id {  // else nothing after the desk for this deal: most declines
            let key = LedgerKey(deal: deal.id, product: product)
            touches = try await streams.touches.take(key)
            sales = try await streams.sales.take(key)
            cancellations = try await streams.cancellations.take(key)
            tasks = try await streams.tasks.take(key)
        }
        if touches.isEmpty && sales.isEmpty && tasks.isEmpty {
            try quiet(
                QuietLine(
                    store: deal.store, dealNumber: deal.number, product: product, contractDate: deal.contract,
                    heldOut: deal.heldOut, quotedCents: next.priceCents, fiManager: deal.fi, rules: rules, horizon: horizon))
            return
        }
        let history = DeclineHistory(
            store: deal.store, dealNumber: deal.number, product: product, contractDate: deal.contract, heldOut: deal.heldOut,
            quotedCents: next.priceCents, fiManager: deal.fi, touches: touches.map { $0.touch(in: deal.zone) }, sales: sales,
            cancellations: cancellations, tasks: tasks, horizon: horizon)
        try body(LedgerRow(history, rules: rules))
    }
}
