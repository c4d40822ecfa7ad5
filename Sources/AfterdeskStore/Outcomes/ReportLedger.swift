import AfterdeskCore
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The margin report (DESIGN.md, "Measuring honestly"; docs/reporting.md): the ledger's lines, summed in one pass.
    /// `now` decides which open tasks are overdue.
    public func marginReport(_ p: ReportParameters, now: Date) throws -> MarginReport {
        guard let report = try marginReports([p], now: now).first else { throw StoreError.integrity("no report") }
        return report
    }

    /// Several reports of the same declines (the same dates, store and rules, grouped differently) from one pass over the
    /// ledger.
    public func marginReports(_ ps: [ReportParameters], now: Date) throws -> [MarginReport] {
        guard let first = ps.first else { return [] }
        func scope(_ p: ReportParameters) -> ReportParameters {
            var s = p
            s.by = nil
            return s
        }
        guard ps.allSatisfy({ scope($0) == scope(first) }) else { return try ps.map { try marginReports([$0], now: now)[0] } }
        // The ledger in two halves by deal id, read at once on two connections that see the same commit.
        let halves = try readInHalves { db, deals, firstHalf in
            var part = ps.map(ReportBuilder.init)
            try LedgerReader.forEach(db, first, now: now, deals: deals) { row in
                for j in part.indices { part[j].add(row) }
            }
            return (part, firstHalf ? try LedgerReader.declinesInExports(db, first, stored: 0) : nil)
        }
        var builders = halves[0].0
        for part in halves.dropFirst() {
            for j in builders.indices { builders[j].merge(part.0[j]) }
        }
        let exported = halves[0].1
        let offers = try offerFunnel(from: first.from, to: min(first.to, first.asOf), store: first.store)
        var reports: [MarginReport] = []
        for i in builders.indices {
            var r = builders[i].finish(concludedTotal: reports.first?.total)
            r.total.declinesInExports = exported.map { $0 + r.total.declines }
            r.offers = offers
            reports.append(r)
        }
        return reports
    }

    /// `body` over the deals with ids up to the middle one and over the rest, on two threads, each in a read transaction;
    /// `firstHalf` is true for the first. Both transactions see the same commit: a `WriteLock` (a connection of its own in
    /// `BEGIN IMMEDIATE`, which no writer of any process can pass) is held until both have read their first page. Without a file (an in-memory database), with one deal or none, or when a writer holds the
    /// lock past the busy timeout, one read does all.
    func readInHalves<T: Sendable>(
        _ body: @escaping @Sendable (Database, ClosedRange<Int64>, _ firstHalf: Bool) throws -> T
    ) throws -> [T] {
        let all = Int64.min...Int64.max
        guard let pool = writer as? DatabasePool, let path else { return [try writer.read { try body($0, all, true) }] }
        let (low, high) = try pool.read { db in
            (try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM deals") ?? 0, try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM deals") ?? 0)
        }
        guard high > low else { return [try writer.read { try body($0, all, true) }] }
        let middle = low + (high - low) / 2
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
    public func forEachLedgerRow(_ p: ReportParameters, now: Date, _ body: (LedgerRow) throws -> Void) throws {
        try writer.read { db in try LedgerReader.forEach(db, p, now: now, body) }
    }
}

/// Reads the ledger as six streams ordered by (deal, product) and merged as they go: the declines, then what happened
/// to each — sales reported after the desk, cancellations, delivered touches and tasks. Only the declines' stream is
/// filtered; the others are small next to it and skipped where they do not match.
enum LedgerReader {
    /// The ledger's lines, of the deals with ids in `deals` when given.
    static func forEach(
        _ db: Database, _ p: ReportParameters, now: Date, deals: ClosedRange<Int64>? = nil, _ body: (LedgerRow) throws -> Void
    ) throws {
        let range = deals ?? Int64.min...Int64.max
        let stores = try Row.fetchAll(db, sql: "SELECT id, code, time_zone FROM stores").reduce(into: [Int64: (String, LocalDays)]()) {
            $0[$1["id"]] = ($1["code"], LocalDays(TimeZone(identifier: $1["time_zone"]) ?? .gmt))
        }
        let staff = try Row.fetchAll(db, sql: "SELECT id, staff_code FROM staff").reduce(into: [Int64: String]()) {
            $0[$1["id"]] = $1["staff_code"]
        }
        var storeFilter = ""
        if let code = p.store {
            guard let id = stores.first(where: { $0.value.0 == code })?.key else { throw StoreError.notFound("no store '\(code)'") }
            storeFilter = "AND d.store_id = \(id)"
        }
        let declines = try RawStatement(
            db,
            """
            SELECT p.deal_id, p.product_code, d.store_id, d.deal_number, d.contract_date,
                   CASE WHEN p.outcome = 'declined' THEN p.price_cents ELSE r.quoted_cents END, d.fi_manager_id
            FROM deal_products p JOIN deals d ON d.id = p.deal_id
            LEFT JOIN recoveries r ON r.deal_id = p.deal_id AND r.product_code = p.product_code AND r.source = 'deal_import'
            WHERE (p.outcome = 'declined' OR r.deal_id IS NOT NULL) AND d.status = 'finalized'
              AND d.contract_date >= ?1 AND d.contract_date <= ?2 AND d.contract_date <= ?3 \(storeFilter)
              AND p.deal_id BETWEEN ?4 AND ?5
            ORDER BY p.deal_id, p.product_code
            """)
        declines.bind(1, p.from)
        declines.bind(2, p.to)
        declines.bind(3, p.asOf)
        declines.bind(4, range.lowerBound)
        declines.bind(5, range.upperBound)
        var streams = try Streams(db, now: now, deals: range)
        // A deal's facts are read once, on its first line; product codes are kept once each.
        var deal: (id: Int64, store: String, zone: LocalDays, number: String, contract: LocalDate, fi: String?, heldOut: Bool)?
        var codes: [String] = []
        while try declines.step() {
            let dealID = declines.int64(0)
            if deal?.id != dealID {
                deal = nil
                guard let (store, zone) = stores[declines.int64(2)], let contract = LocalDate.parse(declines.bytes(4)) else { continue }
                let number = declines.text(3) ?? ""
                let recorded = try streams.arms.take(StreamKey(deal: dealID, product: "")).first
                let heldOut = recorded ?? Holdout.isHeldOut(store: store, dealNumber: number, percent: p.holdoutPercent)
                deal = (dealID, store, zone, number, contract, declines.isNull(6) ? nil : staff[declines.int64(6)], heldOut)
            }
            guard let d = deal else { continue }
            let product = LedgerReader.code(declines.bytes(1), in: &codes)
            let key = StreamKey(deal: dealID, product: product)
            let history = DeclineHistory(
                store: d.store, dealNumber: d.number, product: product, contractDate: d.contract, heldOut: d.heldOut,
                quotedCents: declines.isNull(5) ? nil : declines.int64(5), fiManager: d.fi,
                touches: try streams.touches.take(key).map { $0.touch(in: d.zone) },
                sales: try streams.sales.take(key), cancellations: try streams.cancellations.take(key),
                tasks: try streams.tasks.take(key))
            try body(LedgerRow(history, rules: p.rules))
        }
    }

    /// The product code spelled by `bytes`, from the codes seen so far (a menu has a handful).
    static func code(_ bytes: UnsafeBufferPointer<UInt8>, in codes: inout [String]) -> String {
        for c in codes where c.utf8.elementsEqual(bytes) { return c }
        let c = String(decoding: bytes, as: UTF8.self)
        codes.append(c)
        return c
    }

    /// The declines in the imported deal files, refused rows included, for the capture rate: the stored declines of the
    /// report, plus the declined products on refused rows of deal imports started from `from` to `to` (a refused row
    /// has no trustworthy contract date) whose deal number was never stored since (a row fixed and imported again is
    /// among the stored ones). Nil with `--store`: a refused row's store is not known either.
    static func declinesInExports(_ db: Database, _ p: ReportParameters, stored: Int) throws -> Int? {
        guard p.store == nil else { return nil }
        let refused =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COALESCE(SUM(declines), 0) FROM (
                        SELECT MAX(r.declines) AS declines FROM rejects r JOIN import_runs i ON i.id = r.import_run_id
                        WHERE r.severity = 'refused' AND i.profile NOT IN ('contracts', 'cancellations')
                          AND substr(i.started_at, 1, 10) >= ?1 AND substr(i.started_at, 1, 10) <= ?2
                          AND (r.deal_number IS NULL OR r.deal_number NOT IN (SELECT deal_number FROM deals))
                        GROUP BY r.import_run_id, r.line)
                    """, arguments: [p.from.description, p.to.description]) ?? 0
        return stored + refused
    }
}

struct StreamKey {
    var deal: Int64
    var product: String

    /// SQLite's order: by deal, then by the product code's bytes (BINARY collation).
    static func < (a: StreamKey, b: StreamKey) -> Bool {
        a.deal != b.deal ? a.deal < b.deal : a.product.utf8.lexicographicallyPrecedes(b.product.utf8)
    }
    static func == (a: StreamKey, b: StreamKey) -> Bool { a.deal == b.deal && a.product == b.product }
}

/// A query ordered by (deal_id, product_code), its first two columns, read as it is merged with the declines.
struct KeyedStream<Item> {
    let statement: RawStatement
    let decode: (RawStatement) -> Item
    private var current: (key: StreamKey, item: Item)?
    private var done = false

    init(_ statement: RawStatement, decode: @escaping (RawStatement) -> Item) throws {
        self.statement = statement
        self.decode = decode
        try advance()
    }

    private mutating func advance() throws {
        guard !done, try statement.step() else {
            done = true
            current = nil
            return
        }
        current = (StreamKey(deal: statement.int64(0), product: statement.text(1) ?? ""), decode(statement))
    }

    /// The items for `key`, after skipping those before it.
    mutating func take(_ key: StreamKey) throws -> [Item] {
        var out: [Item] = []
        while let c = current, c.key < key || c.key == key {
            if c.key == key { out.append(c.item) }
            try advance()
        }
        return out
    }
}

/// The streams beside the declines.
struct Streams {
    struct SentTouch {
        var id: Int64
        var sentAt: String
        var channel: String
        var template: String
        func touch(in zone: LocalDays) -> DeclineHistory.Touch {
            let on = Instant.parse(sentAt).map { zone.day(of: $0) } ?? LocalDate(String(sentAt.prefix(10))) ?? .first
            return DeclineHistory.Touch(id: id, sentAt: sentAt, sentOn: on, channel: channel, template: template)
        }
    }
    /// The recorded arms (true: held out), keyed by deal with an empty product.
    var arms: KeyedStream<Bool>
    var sales: KeyedStream<DeclineHistory.Sale>
    var cancellations: KeyedStream<DeclineHistory.Cancellation>
    var touches: KeyedStream<SentTouch>
    var tasks: KeyedStream<DeclineHistory.TaskState>

    init(_ db: Database, now: Date, deals range: ClosedRange<Int64>) throws {
        func date(_ s: RawStatement, _ c: Int32) -> LocalDate { s.text(c).flatMap(LocalDate.init) ?? .first }
        /// A statement over the deals of `range` (its SQL says `?1` and `?2` for the bounds).
        func statement(_ sql: String) throws -> RawStatement {
            let s = try RawStatement(db, sql)
            s.bind(1, range.lowerBound)
            s.bind(2, range.upperBound)
            return s
        }
        arms = try KeyedStream(statement("SELECT deal_id, '', held_out FROM deal_arms WHERE deal_id BETWEEN ?1 AND ?2 ORDER BY deal_id")) {
            $0.int64(2) != 0
        }
        sales = try KeyedStream(
            statement(
                """
                SELECT deal_id, product_code, source, sold_on, price_cents, cost_cents, NULL FROM recoveries WHERE deal_id BETWEEN ?1 AND ?2
                UNION ALL
                SELECT deal_id, product_code, 'contract', sale_date, price_cents, cost_cents, contract_number FROM contracts
                WHERE deal_id BETWEEN ?1 AND ?2
                ORDER BY 1, 2
                """)
        ) { s in
            DeclineHistory.Sale(
                source: RecoverySource(rawValue: s.text(2) ?? "") ?? .task, soldOn: date(s, 3), priceCents: s.int64(4),
                costCents: s.isNull(5) ? nil : s.int64(5), contractNumber: s.text(6))
        }
        cancellations = try KeyedStream(
            statement(
                """
                SELECT c.deal_id, c.product_code, k.contract_number, c.cancel_date, c.chargeback_cents
                FROM cancellations c LEFT JOIN contracts k ON k.id = c.contract_id WHERE c.deal_id BETWEEN ?1 AND ?2 ORDER BY 1, 2
                """)
        ) { s in
            DeclineHistory.Cancellation(contractNumber: s.text(2), cancelDate: date(s, 3), chargebackCents: s.int64(4))
        }
        touches = try KeyedStream(
            statement(
                """
                SELECT i.deal_id, i.product_code, t.id, t.sent_at, t.action, i.template
                FROM touches t JOIN touch_items i ON i.touch_id = t.id WHERE t.sent_at IS NOT NULL AND i.deal_id BETWEEN ?1 AND ?2
                ORDER BY 1, 2
                """)
        ) { s in SentTouch(id: s.int64(2), sentAt: s.text(3) ?? "", channel: s.text(4) ?? "", template: s.text(5) ?? "") }
        // A task counts once, with the first product of the touch it came from.
        let nowText = Instant.iso8601(now)
        tasks = try KeyedStream(
            statement(
                """
                SELECT i.deal_id, i.product_code, t.status, t.sla_at, t.completed_at FROM tasks t
                JOIN touch_items i ON i.touch_id = t.touch_id
                WHERE i.deal_id BETWEEN ?1 AND ?2 AND NOT EXISTS (SELECT 1 FROM touch_items j WHERE j.touch_id = i.touch_id
                                  AND (j.deal_id < i.deal_id OR (j.deal_id = i.deal_id AND j.product_code < i.product_code)))
                ORDER BY 1, 2
                """)
        ) { s in
            let sla = s.text(3) ?? ""
            let done = s.text(2) == "done"
            return DeclineHistory.TaskState(done: done, onTime: done && (s.text(4) ?? "") <= sla, overdue: !done && sla < nowText)
        }
    }
}

/// The store's calendar day of an instant, with the zone's offset looked up once per half hour of UTC (offsets change
/// on the hour or the half hour): Foundation's offset lookup is slow for a ledger of millions of lines.
final class LocalDays {
    let zone: TimeZone
    private var offsets: [Int: Int] = [:]
    init(_ zone: TimeZone) { self.zone = zone }

    func day(of instant: Date) -> LocalDate {
        let seconds = instant.epochSeconds
        let slot = seconds >= 0 ? seconds / 1_800 : (seconds - 1_799) / 1_800
        let offset =
            offsets[slot]
            ?? {
                let o = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(slot * 1_800)))
                offsets[slot] = o
                return o
            }()
        let local = seconds + offset
        return LocalDate(daysSinceEpoch: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }
}
