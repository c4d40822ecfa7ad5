import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Several reports of the same declines (the same dates, store and rules, grouped differently) from one pass over the
    /// ledger.
    public func marginReports(_ given: [ReportParameters], now: Date) async throws -> [MarginReport] {
        // The reserve's curves come from the store's cancellation histories, read in the first half's snapshot beside its
        // part of the pass (no read before it): the lines' reserves are left due until then, and settled after.
        guard let ps = ReportParameters.onePass(given) else { return try await marginReportsAlone(given, now: now) }
        guard let first = ps.first else { return [] }
        let defers = first.netToStore.defersReserve
        // The ledger in two halves by deal id, read at once on two connections that see the same commit.
        let halves = try await onOwnThread {
            try self.readInHalves(split: { try LedgerSplit.middle($0, first, low: $1, high: $2, histories: defers) }) {
                db, deals, firstHalf in
                // The first report's builder counts the total; the others only their groups.
                var part = ps.enumerated().map { ReportBuilder($1, countsTotal: $0 == 0) }
                try LedgerReader.forEach(db, first, now: now, deals: deals, deskDeals: nil) { line in
                    ReportBuilder.add(line, unit: first.evaluationUnit(line), to: &part)
                } _: { row in
                    ReportBuilder.add(row, unit: first.evaluationUnit(row), to: &part)
                }
                return HalfLedger(
                    builders: part, declinesInExports: firstHalf ? try LedgerReader.declinesInExports(db, first, stored: 0) : nil,
                    rest: defers && firstHalf ? try CancellationHistoryReader.Rest(db, asOf: first.asOf) : nil)
            }
        }
        var builders = halves[0].builders
        for half in halves.dropFirst() {
            for j in builders.indices { builders[j].merge(half.builders[j]) }
        }
        if defers {
            guard let rest = halves[0].rest else { throw StoreError.integrity("no cancellation history") }
            let histories = try CancellationHistoryReader.histories(rest, stores: first.storeScope, asOf: first.asOf)
            ReportBuilder.settleReserves(&builders, histories: histories)
        }
        let exported = halves[0].declinesInExports
        let offers = try await offerFunnel(from: first.from, to: min(first.to, first.asOf), stores: first.storeScope)
        return ReportBuilder.finish(builders, exported: exported, offers: offers)
    }

    /// `body` over the deals with ids up to the middle one and over the rest, on two threads, each in a read transaction;
    /// `firstHalf` is true for the first. Both transactions see the same commit: a `WriteLock` (a connection of its own in
    /// `BEGIN IMMEDIATE`, which no writer of any process can pass) is held until both have read their first page. Without a file (an in-memory database), with one deal or none, or when a writer holds the
    /// lock past the busy timeout, one read does all.
    func readInHalves<T: Sendable>(
        split: (@Sendable (Database, _ low: Int64, _ high: Int64) throws -> Int64?)? = nil,
        _ body: @escaping @Sendable (Database, ClosedRange<Int64>, _ firstHalf: Bool) throws -> T
    ) throws -> [T] {
        let all = Int64.min...Int64.max
        guard let pool = writer as? DatabasePool, let path else { return [try writer.read { try body($0, all, true) }] }
        let (low, high, balanced) = try pool.read { db in
            let low = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM deals") ?? 0
            let high = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM deals") ?? 0
            return (low, high, high > low ? try split?(db, low, high) : nil)
        }
        guard high > low else { return [try writer.read { try body($0, all, true) }] }
        let middle = balanced ?? low + (high - low) / 2
        let ranges = [Int64.min...middle, (middle + 1)...Int64.max]
        let lock: WriteLock
        do { lock = try WriteLock(path: path) } catch {
            // A writer held the lock past the busy timeout: one read, then, rather than no report.
            return [try writer.read { try body($0, all, true) }]
        }
        let started = DispatchSemaphore(value: 0)
        let results = ranges.map { _ in Pending<Result<T, any Error>>() }
        for (i, range) in ranges.enumerated() {
            DispatchQueue.global().async {
                let r = Result {
                    try pool.read { db in
                        _ = try Int.fetchOne(db, sql: "SELECT 1 FROM deals LIMIT 1")  // the snapshot is taken here
                        started.signal()
                        return try body(db, range, i == 0)
                    }
                }
                if case .failure = r { started.signal() }
                results[i].fulfil(r)
            }
        }
        for _ in ranges { started.wait() }
        lock.release()
        return try results.map { try $0.take().get() }
    }

    /// The decline ledger (`report --by decline`), line by line in deal order, in constant memory.
    public func forEachLedgerRow(_ p: ReportParameters, now: Date, _ body: @Sendable (LedgerRow) throws -> Void) async throws {
        let p = try await withReserve(p)
        try await writer.read { db in try LedgerReader.forEach(db, p, now: now, { try body(LedgerRow($0)) }, body) }
    }
}

/// Reads the ledger as streams ordered by deal (and product), merged as they go: the deals in the report's scope, the
/// declines, then what happened to each — sales reported after the desk, cancellations, delivered touches and tasks.
/// Every stream is read in its table's key order (no sort), and the deals are merged with their declines here rather
/// than joined in SQL, which would look up the deal once per decline.
enum LedgerReader {
    /// The ledger's lines, of the deals with ids in `deals` when given: those of declines with nothing after the desk to
    /// `quiet`, the others to `body`. Longer than about 60 lines on purpose: the report's one pass over millions of
    /// declines keeps the deal being read in locals, merged with every stream beside it.
    static func forEach(
        _ db: Database, _ p: ReportParameters, now: Date, deals: ClosedRange<Int64>? = nil, _ quiet: (QuietLine) throws -> Void,
        _ body: (LedgerRow) throws -> Void
    ) throws {
        try forEach(db, p, now: now, deals: deals, deskDeals: nil, quiet, body)
    }

    /// `forEach`, giving `deskDeals` (when given) every deal of the report's scope with its products sold at the desk
    /// (not those a later deal import showed sold: the ledger's recoveries), deals without a product too: the
    /// scorecard's deals, from the same reads.
    /// Longer than about 60 lines on purpose: the one pass keeps the deal being read in locals, merged with every stream.
    static func forEach(
        _ db: Database, _ p: ReportParameters, now: Date, deals: ClosedRange<Int64>?, deskDeals: ((ScorecardDeal) throws -> Void)?,
        _ quiet: (QuietLine) throws -> Void,
        _ body: (LedgerRow) throws -> Void
    ) throws {
        let range = deals ?? Int64.min...Int64.max
        let (stores, staff, onlyStore) = try names(db, stores: p.storeScope)
        var dealRows = try DealStream(db, p, deals: range)
        var declines = try DeclineStream(db, deals: range, withSold: deskDeals != nil)
        // The scorecard's deal being read, and a deal of its scope passed over without a product.
        var card: ScorecardDeal?
        let passing: ((RawStatement) throws -> Void)? = deskDeals.map { emit in
            { row in if let c = DeskDealCard.of(row, p, stores: stores, staff: staff, only: onlyStore) { try emit(c) } }
        }
        var streams = try Streams(db, now: now, deals: range)
        var horizons = p.measureBy == .horizon ? try HorizonStream(db, p, deals: range) : nil
        let rules = p.rules
        // The deal being read: its facts are read once, on its first decline.
        var dealID = Int64.min
        var inScope = false
        var store = ""
        var zone = LocalDays(.gmt)
        var number = ""
        var contract = LocalDate.first
        var fi: String?
        var heldOut = false
        while let next = try declines.next() {
            let (id, product, quoted) = (next.deal, next.product, next.priceCents)
            if id != dealID {
                if let c = card { try deskDeals?(c) }
                card = nil
                dealID = id
                inScope = false
                if let row = try dealRows.seek(id, passing: passing), onlyStore?.contains(row.int64(1)) ?? true,
                    let (code, days) = stores[row.int64(1)], let date = LocalDate.parse(row.bytes(3))
                {
                    contract = date
                    inScope = date >= p.from && date <= p.to
                    if inScope {
                        store = code
                        zone = days
                        number = String(decoding: row.bytes(2), as: UTF8.self)
                        fi = row.isNull(4) ? nil : staff[row.int64(4)]
                        let recorded = try streams.arms.first(StreamKey(deal: id, product: ""))
                        heldOut = recorded ?? Holdout.isHeldOut(store: store, dealNumber: number, percent: p.holdoutPercent(of: store))
                        if deskDeals != nil {
                            card = ScorecardDeal(store: store, dealNumber: number, contractDate: date, fiManager: fi, desk: [])
                        }
                    }
                }
            }
            if next.sold {
                if card != nil && !next.soldSinceDesk {
                    let cost = next.costCents ?? p.dealerCost(product, store: store) ?? 0
                    card?.desk.append(.init(product: product, grossCents: (next.priceCents ?? 0) - cost))
                }
                continue
            }
            guard inScope else { continue }
            let horizon = try horizons?.horizon(deal: id, product: product, contract: contract)
            var (touches, sales, cancellations, tasks) = (
                [Streams.SentTouch](), [DeclineHistory.Sale](), [DeclineHistory.Cancellation](), [DeclineHistory.TaskState]()
            )
            if streams.nextDeal <= id {  // else nothing after the desk for this deal: most declines
                let key = StreamKey(deal: id, product: product)
                touches = try streams.touches.take(key)
                sales = try streams.sales.take(key)
                cancellations = try streams.cancellations.take(key)
                tasks = try streams.tasks.take(key)
            }
            if touches.isEmpty && sales.isEmpty && tasks.isEmpty {
                try quiet(
                    QuietLine(
                        store: store, dealNumber: number, product: product, contractDate: contract, heldOut: heldOut,
                        quotedCents: quoted, fiManager: fi, rules: rules, horizon: horizon))
                continue
            }
            let history = DeclineHistory(
                store: store, dealNumber: number, product: product, contractDate: contract, heldOut: heldOut, quotedCents: quoted,
                fiManager: fi, touches: touches.map { $0.touch(in: zone) }, sales: sales, cancellations: cancellations, tasks: tasks,
                horizon: horizon)
            try body(LedgerRow(history, rules: rules))
        }
        if let c = card { try deskDeals?(c) }
        if let passing { try dealRows.drain(passing) }
    }

    /// The stores (code and calendar) and staff codes by id, and the ids of the report's stores when it names some.
    static func names(_ db: Database, stores scope: [String]?) throws -> (
        stores: ByID<(String, LocalDays)>, staff: ByID<String>, only: Set<Int64>?
    ) {
        let stores = try Row.fetchAll(db, sql: "SELECT id, code, time_zone FROM stores").map { row -> (Int64, (String, LocalDays)) in
            (row["id"], (row["code"], LocalDays(try AfterdeskDatabase.zone(named: row["time_zone"]))))
        }
        let staff = try Row.fetchAll(db, sql: "SELECT id, staff_code FROM staff").map { row -> (Int64, String) in
            (row["id"], row["staff_code"])
        }
        let only = try scope.map { try StoreIDs.of($0, in: stores.map { (id: $0.0, code: $0.1.0) }) }
        return (ByID(stores), ByID(staff), only)
    }

    /// The declines in the imported deal files, refused rows included, for the capture rate: the stored declines of the
    /// report, plus the declined products on refused rows of deal imports started from `from` to `to` (a refused row
    /// has no trustworthy contract date) whose deal number was never stored since (a row fixed and imported again is
    /// among the stored ones). Nil with `--store`: a refused row's store is not known either. A deal number is looked up
    /// in each store's (store, deal number) index: a few lookups a refused row, where `NOT IN (SELECT deal_number …)`
    /// would first gather every deal's number.
    static func declinesInExports(_ db: Database, _ p: ReportParameters, stored: Int) throws -> Int? {
        guard p.storeScope == nil else { return nil }
        let refused =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COALESCE(SUM(declines), 0) FROM (
                        SELECT MAX(r.declines) AS declines FROM rejects r JOIN import_runs i ON i.id = r.import_run_id
                        WHERE r.severity = 'refused' AND i.profile NOT IN ('contracts', 'cancellations')
                          AND substr(i.started_at, 1, 10) >= ?1 AND substr(i.started_at, 1, 10) <= ?2
                          AND (r.deal_number IS NULL OR NOT EXISTS (
                              SELECT 1 FROM stores s CROSS JOIN deals d ON d.store_id = s.id AND d.deal_number = r.deal_number))
                        GROUP BY r.import_run_id, r.line)
                    """, arguments: [p.from.description, p.to.description]) ?? 0
        return stored + refused
    }
}

/// What one half of the ledger read adds up to: a builder per report, and (the first half only) the declines the
/// exports held beyond those stored.
struct HalfLedger: Sendable {
    var builders: [ReportBuilder]
    var declinesInExports: Int?
    /// The first half's cancellation histories, read in its snapshot, when the reserve is settled after the pass.
    var rest: CancellationHistoryReader.Rest?
}
