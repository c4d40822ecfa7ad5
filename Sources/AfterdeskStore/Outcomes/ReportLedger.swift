import AfterdeskCore
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The margin report (DESIGN.md, "Measuring honestly"; docs/reporting.md): the ledger's lines, summed in one pass.
    /// `now` decides which open tasks are overdue.
    public func marginReport(_ p: ReportParameters, now: Date) throws -> MarginReport {
        try writer.read { db in
            var builder = ReportBuilder(p)
            try LedgerReader.forEach(db, p, now: now) { builder.add($0) }
            let report = builder.finish()
            let exported = try LedgerReader.declinesInExports(db, p, stored: report.total.declines)
            var out = report
            out.total.declinesInExports = exported
            return out
        }
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
    static func forEach(_ db: Database, _ p: ReportParameters, now: Date, _ body: (LedgerRow) throws -> Void) throws {
        let stores = try Row.fetchAll(db, sql: "SELECT id, code, time_zone FROM stores").reduce(into: [Int64: (String, TimeZone)]()) {
            $0[$1["id"]] = ($1["code"], TimeZone(identifier: $1["time_zone"]) ?? .gmt)
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
                   CASE WHEN p.outcome = 'declined' THEN p.price_cents ELSE r.quoted_cents END, d.fi_manager_id, a.held_out
            FROM deal_products p JOIN deals d ON d.id = p.deal_id
            LEFT JOIN recoveries r ON r.deal_id = p.deal_id AND r.product_code = p.product_code AND r.source = 'deal_import'
            LEFT JOIN deal_arms a ON a.deal_id = p.deal_id
            WHERE (p.outcome = 'declined' OR r.deal_id IS NOT NULL) AND d.status = 'finalized'
              AND d.contract_date >= ?1 AND d.contract_date <= ?2 AND d.contract_date <= ?3 \(storeFilter)
            ORDER BY p.deal_id, p.product_code
            """)
        declines.bind(1, p.from)
        declines.bind(2, p.to)
        declines.bind(3, p.asOf)
        var streams = try Streams(db, now: now)
        while try declines.step() {
            let dealID = declines.int64(0)
            let product = declines.text(1) ?? ""
            guard let (store, zone) = stores[declines.int64(2)], let contract = declines.text(4).flatMap(LocalDate.init) else { continue }
            let number = declines.text(3) ?? ""
            let heldOut =
                declines.isNull(7)
                ? Holdout.isHeldOut(store: store, dealNumber: number, percent: p.holdoutPercent) : declines.int64(7) != 0
            let key = StreamKey(deal: dealID, product: product)
            let history = DeclineHistory(
                store: store, dealNumber: number, product: product, contractDate: contract, heldOut: heldOut,
                quotedCents: declines.isNull(5) ? nil : declines.int64(5),
                fiManager: declines.isNull(6) ? nil : staff[declines.int64(6)],
                touches: try streams.touches.take(key).map { $0.touch(in: zone) },
                sales: try streams.sales.take(key), cancellations: try streams.cancellations.take(key),
                tasks: try streams.tasks.take(key))
            try body(LedgerRow(history, rules: p.rules))
        }
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

/// The five streams beside the declines.
struct Streams {
    struct SentTouch {
        var id: Int64
        var sentAt: String
        var channel: String
        var template: String
        func touch(in zone: TimeZone) -> DeclineHistory.Touch {
            let on = Instant.parse(sentAt).map { LocalDate($0, in: zone) } ?? LocalDate(String(sentAt.prefix(10))) ?? .first
            return DeclineHistory.Touch(id: id, sentAt: sentAt, sentOn: on, channel: channel, template: template)
        }
    }
    var sales: KeyedStream<DeclineHistory.Sale>
    var cancellations: KeyedStream<DeclineHistory.Cancellation>
    var touches: KeyedStream<SentTouch>
    var tasks: KeyedStream<DeclineHistory.TaskState>

    init(_ db: Database, now: Date) throws {
        func date(_ s: RawStatement, _ c: Int32) -> LocalDate { s.text(c).flatMap(LocalDate.init) ?? .first }
        sales = try KeyedStream(
            RawStatement(
                db,
                """
                SELECT deal_id, product_code, source, sold_on, price_cents, cost_cents, NULL FROM recoveries
                UNION ALL
                SELECT deal_id, product_code, 'contract', sale_date, price_cents, cost_cents, contract_number FROM contracts
                ORDER BY 1, 2
                """)
        ) { s in
            DeclineHistory.Sale(
                source: RecoverySource(rawValue: s.text(2) ?? "") ?? .task, soldOn: date(s, 3), priceCents: s.int64(4),
                costCents: s.isNull(5) ? nil : s.int64(5), contractNumber: s.text(6))
        }
        cancellations = try KeyedStream(
            RawStatement(
                db,
                """
                SELECT c.deal_id, c.product_code, k.contract_number, c.cancel_date, c.chargeback_cents
                FROM cancellations c LEFT JOIN contracts k ON k.id = c.contract_id ORDER BY 1, 2
                """)
        ) { s in
            DeclineHistory.Cancellation(contractNumber: s.text(2), cancelDate: date(s, 3), chargebackCents: s.int64(4))
        }
        touches = try KeyedStream(
            RawStatement(
                db,
                """
                SELECT i.deal_id, i.product_code, t.id, t.sent_at, t.action, i.template
                FROM touches t JOIN touch_items i ON i.touch_id = t.id WHERE t.sent_at IS NOT NULL ORDER BY 1, 2
                """)
        ) { s in SentTouch(id: s.int64(2), sentAt: s.text(3) ?? "", channel: s.text(4) ?? "", template: s.text(5) ?? "") }
        // A task counts once, with the first product of the touch it came from.
        let nowText = Instant.iso8601(now)
        tasks = try KeyedStream(
            RawStatement(
                db,
                """
                SELECT i.deal_id, i.product_code, t.status, t.sla_at, t.completed_at FROM tasks t
                JOIN touch_items i ON i.touch_id = t.touch_id
                WHERE NOT EXISTS (SELECT 1 FROM touch_items j WHERE j.touch_id = i.touch_id
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
