import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

/// The deals in a report's scope (finalized, contracted within its dates), by id, sought as the declines go by. The store
/// is checked by the reader: an index on it would give the deals out of order.
struct DealStream {
    let rows: RawStatement
    private var more: Bool
    /// The id of the row `seek` last returned.
    private var returned: Int64?

    init(_ db: Database, _ p: ReportParameters, deals range: ClosedRange<Int64>) throws {
        rows = try RawStatement(
            db,
            """
            SELECT id, store_id, deal_number, contract_date, fi_manager_id FROM deals
            WHERE id BETWEEN ?4 AND ?5 AND status = 'finalized' AND contract_date >= ?1 AND contract_date <= ?2 AND contract_date <= ?3
            ORDER BY id
            """)
        rows.bind(1, p.from)
        rows.bind(2, p.to)
        rows.bind(3, p.asOf)
        rows.bind(4, range.lowerBound)
        rows.bind(5, range.upperBound)
        more = try rows.step()
    }

    /// The row of deal `id` (columns: id, store_id, deal_number, contract_date, fi_manager_id), or nil when it is out of
    /// scope; ids must come in increasing order.
    /// `passing` is given the rows passed over (but the one returned before).
    mutating func seek(_ id: Int64, passing: ((RawStatement) throws -> Void)? = nil) throws -> RawStatement? {
        while more && rows.int64(0) < id {
            if rows.int64(0) != returned { try passing?(rows) }
            more = try rows.step()
        }
        guard more && rows.int64(0) == id else { return nil }
        returned = id
        return rows
    }

    /// The rows after the last sought (but the one returned), to `passing`.
    mutating func drain(_ passing: (RawStatement) throws -> Void) throws {
        while more {
            if rows.int64(0) != returned { try passing(rows) }
            more = try rows.step()
        }
    }
}

/// The declines in (deal, product) order: the products declined on their deals, and those sold since, shown by a later
/// deal import (their rows say `sold` now), with the desk's quote the recovery kept. The two are disjoint by outcome.
/// With `withSold` (the scorecard), the products sold at the desk come too, marked, with their price and cost (those sold
/// since among them: both are given).
struct DeclineStream {
    let declined: RawStatement
    var soldSinceDesk: KeyedStream<Int64?>
    private var more: Bool
    /// The product codes seen so far (a menu has a handful), each kept once.
    private var codes = CodeTable()

    init(_ db: Database, deals range: ClosedRange<Int64>, withSold: Bool = false) throws {
        declined = try RawStatement(
            db,
            // With the products sold: every row, its outcome told apart here, cheaper than SQLite's test of each row.
            withSold
                ? """
                SELECT deal_id, product_code, price_cents, outcome, cost_cents FROM deal_products
                WHERE deal_id BETWEEN ?1 AND ?2 ORDER BY deal_id, product_code
                """
                : """
                SELECT deal_id, product_code, price_cents, 'declined', NULL FROM deal_products
                WHERE outcome = 'declined' AND deal_id BETWEEN ?1 AND ?2 ORDER BY deal_id, product_code
                """)
        declined.bind(1, range.lowerBound)
        declined.bind(2, range.upperBound)
        let sold = try RawStatement(
            db,
            """
            SELECT r.deal_id, r.product_code, r.quoted_cents FROM recoveries r
            JOIN deal_products p ON p.deal_id = r.deal_id AND p.product_code = r.product_code
            WHERE r.source = 'deal_import' AND p.outcome <> 'declined' AND r.deal_id BETWEEN ?1 AND ?2 ORDER BY 1, 2
            """)
        sold.bind(1, range.lowerBound)
        sold.bind(2, range.upperBound)
        soldSinceDesk = try KeyedStream(sold) { $0.isNull(2) ? nil : $0.int64(2) }
        more = try declined.step()
    }

    /// A decline, or (`withSold`) a product sold at the desk.
    typealias Product = LedgerProduct

    /// The next decline (or product sold at the desk); nil after the last.
    mutating func next() throws -> Product? {
        // A row of neither outcome (none is written) is passed over.
        while more && DeclineStream.outcome(declined.bytes(3)) == nil { more = try declined.step() }
        let nextDeclined =
            more ? StreamKey(deal: declined.int64(0), product: codes.code(declined.bytes(1))) : nil
        let desk = soldSinceDesk.head(atOrBefore: nextDeclined?.deal ?? .max)
        if let desk, nextDeclined.map({ desk < $0 }) ?? true {
            let product = codes.code(desk.product)
            return Product(deal: desk.deal, product: product, priceCents: try soldSinceDesk.next() ?? nil)
        }
        guard let key = nextDeclined else { return nil }
        var row = Product(deal: key.deal, product: key.product, priceCents: declined.optionalInt64(2))
        if DeclineStream.outcome(declined.bytes(3)) == .sold {
            row.sold = true
            row.costCents = declined.optionalInt64(4)
            row.soldSinceDesk = desk.map { $0 == key } ?? false
        }
        more = try declined.step()
        return row
    }

    /// `sold` or `declined`, from the outcome's bytes; nil for anything else. Compared as one integer each: this runs
    /// once a product of every deal.
    static func outcome(_ b: UnsafeBufferPointer<UInt8>) -> ProductOutcome? {
        guard let base = b.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        if b.count == 8 && raw.loadUnaligned(as: UInt64.self) == declined { return .declined }
        if b.count == 4 && raw.loadUnaligned(as: UInt32.self) == sold { return .sold }
        return nil
    }
    private static let declined = word(UInt64.self, "declined")
    private static let sold = word(UInt32.self, "sold")
    private static func word<T: FixedWidthInteger>(_: T.Type, _ s: StaticString) -> T {
        var w = T.zero
        withUnsafeMutableBytes(of: &w) { $0.copyMemory(from: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        return w
    }
}

struct StreamKey {
    var deal: Int64
    var product: String

    /// SQLite's order: by deal, then by the product code's bytes (BINARY collation).
    static func < (a: StreamKey, b: StreamKey) -> Bool {
        guard a.deal == b.deal else { return a.deal < b.deal }
        guard a.product != b.product else { return false }
        var x = a.product
        var y = b.product
        return x.withUTF8 { x in
            y.withUTF8 { y in
                guard let xs = x.baseAddress, let ys = y.baseAddress else { return x.count < y.count }
                let c = memcmp(xs, ys, min(x.count, y.count))
                return c != 0 ? c < 0 : x.count < y.count
            }
        }
    }
    static func == (a: StreamKey, b: StreamKey) -> Bool { a.deal == b.deal && a.product == b.product }
}

/// A query ordered by (deal_id, product_code), its first two columns, read as it is merged with the declines.
struct KeyedStream<Item> {
    let statement: RawStatement
    let decode: (RawStatement) -> Item
    /// The next row's key and item; no item once the query is done (a step past its end would run it again).
    private var headKey = StreamKey(deal: .max, product: "")
    private var headItem: Item?

    init(_ statement: RawStatement, decode: @escaping (RawStatement) -> Item) throws {
        self.statement = statement
        self.decode = decode
        try advance()
    }

    private mutating func advance() throws {
        guard try statement.step() else {
            headItem = nil
            return
        }
        headKey = StreamKey(deal: statement.int64(0), product: statement.text(1) ?? "")
        headItem = decode(statement)
    }

    /// The items for `key`, after skipping those before it.
    mutating func take(_ key: StreamKey) throws -> [Item] {
        guard headKey.deal <= key.deal else { return [] }  // most declines: nothing in this stream
        var out: [Item] = []
        while headItem != nil {
            if headKey == key {
                if let item = headItem { out.append(item) }
            } else if !(headKey < key) {
                break
            }
            try advance()
        }
        return out
    }

    /// The first item for `key`, after skipping those before it and the others for it: `take(key).first` without
    /// gathering them.
    mutating func first(_ key: StreamKey) throws -> Item? {
        guard headKey.deal <= key.deal else { return nil }
        var found: Item?
        while headItem != nil {
            if headKey == key {
                if found == nil { found = headItem }
            } else if !(headKey < key) {
                break
            }
            try advance()
        }
        return found
    }

    /// The deal of the next row (Int64.max once done): the streams have nothing for a decline of an earlier deal.
    var headDeal: Int64 { headItem == nil ? .max : headKey.deal }

    /// The next row's key, when the query has one for a deal up to `deal`.
    func head(atOrBefore deal: Int64) -> StreamKey? { headItem != nil && headKey.deal <= deal ? headKey : nil }

    /// The next row's item, and the stream moved past it; nil once done.
    mutating func next() throws -> Item? {
        let item = headItem
        if item != nil { try advance() }
        return item
    }
}

/// The streams beside the declines.
struct Streams {
    struct SentTouch {
        var id: Int64
        var sentAt: String
        /// `sentAt` read, when it is in the form Afterdesk writes.
        var instant: Date?
        var channel: String
        var template: String
        /// The touch's first item (by deal, then product): the decline its cost is charged to.
        var carriesCost = true
        func touch(in zone: LocalDays) -> DeclineHistory.Touch {
            let on =
                (instant ?? Instant.parse(sentAt)).map { zone.day(of: $0) } ?? LocalDate(String(sentAt.prefix(10))) ?? .first
            return DeclineHistory.Touch(id: id, sentAt: sentAt, sentOn: on, channel: channel, template: template, carriesCost: carriesCost)
        }
    }
    /// The first deal any of the streams of what happened after the desk has something for.
    var nextDeal: Int64 { min(touches.headDeal, sales.headDeal, cancellations.headDeal, tasks.headDeal) }

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
        touches = try KeyedStream(statement(Streams.touchesSQL)) { s in
            SentTouch(
                id: s.int64(2), sentAt: s.text(3) ?? "", instant: Instant.parse(bytes: s.bytes(3)), channel: s.text(4) ?? "",
                template: s.text(5) ?? "", carriesCost: s.int64(6) != 0)
        }
        tasks = try Streams.tasks(statement, now: now)
    }

    /// The delivered touches' items of a run of deals, in (deal, product) order: a range of the index `touch_items_deal`
    /// (v15), no sort.
    static let touchesSQL = """
        SELECT i.deal_id, i.product_code, t.id, t.sent_at, t.action, i.template, \(Streams.carriesCost)
        FROM touch_items i CROSS JOIN touches t ON t.id = i.touch_id WHERE t.sent_at IS NOT NULL AND i.deal_id BETWEEN ?1 AND ?2
        ORDER BY 1, 2
        """

    /// Whether item `i` is its touch's first by deal, then product: as planning wrote it (v15), else looked up.
    static let carriesCost = """
        COALESCE(i.carries_cost, NOT EXISTS (SELECT 1 FROM touch_items j WHERE j.touch_id = i.touch_id
            AND (j.deal_id < i.deal_id OR (j.deal_id = i.deal_id AND j.product_code < i.product_code))))
        """

    /// The tasks the declines' touches created. A task counts once, with the first product of the touch it came from.
    /// The tasks are read first (CROSS JOIN): they are few next to the touch items.
    static func tasks(_ statement: (String) throws -> RawStatement, now: Date) throws -> KeyedStream<DeclineHistory.TaskState> {
        let nowText = Instant.iso8601(now)
        return try KeyedStream(
            statement(
                """
                SELECT i.deal_id, i.product_code, t.status, t.sla_at, t.completed_at FROM tasks t
                CROSS JOIN touch_items i ON i.touch_id = t.touch_id
                WHERE i.deal_id BETWEEN ?1 AND ?2 AND \(Streams.carriesCost)
                ORDER BY 1, 2
                """)
        ) { s in
            let sla = s.text(3) ?? ""
            let done = s.text(2) == "done"
            return DeclineHistory.TaskState(done: done, onTime: done && (s.text(4) ?? "") <= sla, overdue: !done && sla < nowText)
        }
    }
}

/// Values by row id: an array when the ids are small, as stores' and staff's are, else a dictionary. Looked up once per
/// deal of a ledger of millions of lines, where hashing each id would show.
struct ByID<Value> {
    private var dense: [Value?] = []
    private var sparse: [Int64: Value] = [:]

    init(_ pairs: [(Int64, Value)]) {
        if let top = pairs.map(\.0).max(), pairs.allSatisfy({ $0.0 >= 0 }), top < 1 << 16 {
            dense = Array(repeating: nil, count: Int(top) + 1)
            for (id, value) in pairs where dense[Int(id)] == nil { dense[Int(id)] = value }
        } else {
            sparse = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        }
    }

    subscript(id: Int64) -> Value? {
        guard !dense.isEmpty else { return sparse[id] }
        return id >= 0 && id < Int64(dense.count) ? dense[Int(id)] : nil
    }
}
