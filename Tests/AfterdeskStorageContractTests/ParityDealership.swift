import AfterdeskCore
import AfterdeskDemo
import AfterdeskStorage
import Foundation
import Testing

/// The files of the parity test's dealership, made once by AfterdeskDemo's generator and imported alike into both
/// backends: two stores' first exports (about 10% of rows spoiled the ways real exports are, most refused), an update
/// export of the first store (deals unwound, declined products now sold, a buyer's name corrected), and a readings file
/// (good readings, an unknown VIN, a date that is no date, a reading below the sale).
struct ParityDealership {
    /// The files: the first store's, the second's, the first store's update and the readings.
    let main, north, update, readings: String

    init(_ f: Fixture) throws {
        let end = LocalDate(year: 2026, month: 11, day: 22)!
        let mainStore = SyntheticDealership(seed: 29, menu: f.menu, endDate: end, days: 80, dealsPerDay: 2, errorRate: 0.1)
        let northStore = SyntheticDealership(
            seed: 30, menu: f.menu, endDate: end, days: 60, dealsPerDay: 1.5, errorRate: 0.1, store: "north")
        let header = mainStore.header
        var rows: [[String]] = []
        mainStore.forEachRow { rows.append($0) }
        main = try f.write("parity-main.csv", Self.csv(header, rows))
        north = try f.write("parity-north.csv", northStore.csv())
        update = try f.write("parity-main-update.csv", Self.csv(header, Self.updated(rows, header: header, menu: f.menu)))
        readings = try f.write("parity-readings.csv", Self.readings(rows, header: header))
    }

    static func csv(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(SyntheticDealership.quote).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The first store's deals as a later export shows them: every 11th finalized deal unwound, the first declined
    /// product of every 7th deal sold after all, and every 13th buyer's last name corrected.
    static func updated(_ rows: [[String]], header: [String], menu: Menu) -> [[String]] {
        let column = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var out = rows
        for i in out.indices {
            if i % 11 == 3, out[i][2] == "finalized" { out[i][2] = "unwound" }
            if i % 7 == 1, let p = menu.products.first(where: { out[i][column["\($0.code)_outcome"] ?? 0] == "declined" }),
                let outcome = column["\(p.code)_outcome"]
            {
                out[i][outcome] = "sold"
                out[i][outcome + 1] = p.retailPrice.description
                out[i][outcome + 2] = p.dealerCost.description
                out[i][outcome + 3] = ""
            }
            if i % 13 == 5 { out[i][7] += "-Reyes" }
        }
        return out
    }

    /// Service visits of every 6th vehicle a month after its delivery (those delivered a month ago or more), and the
    /// rows a readings file gets wrong.
    static func readings(_ rows: [[String]], header: [String]) -> String {
        var lines = ["vin,date,odometer,source"]
        let today = LocalDate(year: 2026, month: 11, day: 22)!
        for (i, r) in rows.enumerated() where i % 6 == 0 {
            guard let delivered = LocalDate(r[4]), let miles = Int(r[20]), delivered.adding(days: 30) <= today else { continue }
            lines.append("\(r[15]),\(delivered.adding(days: 30)),\(miles + 1_500 + i),service")
            if i % 4 == 0 { lines.append("\(r[15]),\(delivered.adding(days: 31)),\(max(0, miles - 1)),quick-lube") }
        }
        if let r = rows.first {
            lines.append("\(r[15]),not-a-date,12000,service")
            lines.append("1HGCM82633A004352,2026-11-01,12000,service")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// An after-sale contract of the parity test, and the day it is cancelled (nil: kept).
struct ParitySale {
    var number, store, deal, product: String
    var sale: LocalDate
    var priceCents, costCents: Int64
    var cancelOn: LocalDate?

    /// The simulation's contracts (cancelled when it says, or else every other one five days after its sale), and one on
    /// every fifth other decline of `declines` twelve days after its deal (every third of those cancelled a week later):
    /// those sold and cancelled before `today`.
    static func all(_ simulated: [DemoOutcomes.Contract], _ simulation: DemoOutcomes, declines: [LedgerRow], before today: LocalDate)
        -> [ParitySale]
    {
        var sales = simulated.enumerated().map { i, c in
            ParitySale(
                number: c.number, store: c.store, deal: c.deal, product: c.product, sale: c.sale, priceCents: c.priceCents,
                costCents: c.costCents, cancelOn: simulation.cancelDay(c) ?? (i % 2 == 0 ? c.sale.adding(days: 5) : nil))
        }
        let taken = Set(simulated.map { "\($0.store)|\($0.deal)|\($0.product)" })
        for (i, r) in declines.enumerated() where i % 5 == 2 && !r.recovered && !taken.contains("\(r.store)|\(r.dealNumber)|\(r.product)") {
            let price = r.quotedCents ?? 99_500
            sales.append(
                ParitySale(
                    number: "AS-P-\(r.store)-\(r.dealNumber)-\(r.product)", store: r.store, deal: r.dealNumber, product: r.product,
                    sale: r.contractDate.adding(days: 12), priceCents: price, costCents: price / 3,
                    cancelOn: i % 3 == 0 ? r.contractDate.adding(days: 19) : nil))
        }
        return sales.filter { $0.sale < today }.map { s in
            var s = s
            s.cancelOn = s.cancelOn.flatMap { $0 < today ? $0 : nil }
            return s
        }
    }

    /// The contracts file (and a contract on a deal no store has) and the cancellations file (and one of no contract):
    /// refunds and chargebacks pro rata over 36 months from the sale, as the simulation writes them.
    static func files(_ sales: [ParitySale], _ f: Fixture) throws -> (contracts: String, cancellations: String) {
        var sold = [["contract_number", "store", "deal_number", "product", "sale_date", "price", "cost"]]
        var cancelled = [["contract_number", "store", "cancel_date", "customer_refund", "chargeback"]]
        for s in sales {
            sold.append([
                s.number, s.store, s.deal, s.product, s.sale.description, Money(cents: s.priceCents).description,
                Money(cents: s.costCents).description,
            ])
            guard let day = s.cancelOn else { continue }
            let left = Int64(max(0, 1_095 - (day.daysSinceEpoch - s.sale.daysSinceEpoch)))
            let (refund, chargeback) = (s.priceCents * left / 1_095, (s.priceCents - s.costCents) * left / 1_095)
            cancelled.append([s.number, s.store, day.description, Money(cents: refund).description, Money(cents: chargeback).description])
        }
        sold.append(["AS-NOWHERE", "main", "D-99999", "vsc", "2026-10-01", "$1,000.00", "$400.00"])
        cancelled.append(["AS-NEVER-SOLD", "main", "2026-11-01", "$10.00", "$5.00"])
        return (
            try f.write("parity-contracts.csv", sold.map(CSVWriter.line).joined()),
            try f.write("parity-cancellations.csv", cancelled.map(CSVWriter.line).joined())
        )
    }
}

/// SQLite and PostgreSQL side by side: each read made on both, its two answers compared (the first difference shown).
struct BothBackends {
    let sqlite: any Storage
    let postgres: any Storage

    /// Makes `read` on both backends (at once unless `inTurn`); expects the answers equal. Returns SQLite's.
    @discardableResult
    func same<T: Equatable & Sendable>(_ what: String, inTurn: Bool = false, _ read: @escaping @Sendable (any Storage) async throws -> T)
        async throws -> T
    {
        let (x, y) = try await answers(inTurn: inTurn, read)
        #expect(x == y, "\(what): SQLite and PostgreSQL differ")
        return x
    }

    /// Makes `read` on both backends (at once unless `inTurn`); expects the same rows, the first that differs shown. Returns SQLite's.
    @discardableResult
    func same<E: Equatable & Sendable>(_ what: String, inTurn: Bool = false, _ read: @escaping @Sendable (any Storage) async throws -> [E])
        async throws -> [E]
    {
        let (x, y) = try await answers(inTurn: inTurn, read)
        Self.expectSameRows(what, x, y)
        return x
    }

    /// `read`'s answers on SQLite and on PostgreSQL: both at once, or one after the other when `inTurn` (an import, which
    /// writes its rejects file beside the input both read).
    private func answers<T: Sendable>(inTurn: Bool, _ read: @escaping @Sendable (any Storage) async throws -> T) async throws -> (T, T) {
        if inTurn { return (try await read(sqlite), try await read(postgres)) }
        async let a = read(sqlite)
        async let b = read(postgres)
        return try await (a, b)
    }

    /// `body` of each of `items`, a few at a time (a backend on a server answers them on several connections), in order.
    static func each<I: Sendable, T: Sendable>(_ items: [I], _ body: @escaping @Sendable (I) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for (i, item) in items.enumerated() { group.addTask { (i, try await body(item)) } }
            var out: [(Int, T)] = []
            for try await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Expects `a` (SQLite's) and `b` (PostgreSQL's) equal, row by row: a failure names the first row that differs.
    static func expectSameRows<E: Equatable>(_ what: String, _ a: [E], _ b: [E]) {
        if let i = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            #expect(a[i] == b[i], "\(what): first difference at row \(i) of \(a.count)")
        }
        #expect(a.count == b.count, "\(what): \(a.count) rows on SQLite, \(b.count) on PostgreSQL")
    }
}

/// What `explain` shows of a declined product (`previewFacts`), without the customer's and the deal's identities.
struct ExplainFacts: Equatable {
    let customer: CustomerContact
    let item: DueItem
    let planned: [String: String]

    init(_ facts: (customer: CustomerContact, item: DueItem, planned: [String: String])) {
        var (customer, item) = (facts.customer, facts.item)
        customer.id = 0
        item.dealID = 0
        (self.customer, self.item, planned) = (customer, item, facts.planned)
    }
}

extension ParityTests {
    /// A planned touch without its id.
    static func withoutIdentity(_ row: PlannedTouchRow) -> PlannedTouchRow {
        var r = row
        r.id = 0
        return r
    }

    /// A due touch without its own, its store's, its customer's and its deals' ids.
    static func withoutIdentity(_ touch: DueTouch) -> DueTouch {
        var t = touch
        (t.id, t.storeID, t.customer.id) = (0, 0, 0)
        for i in t.items.indices { t.items[i].dealID = 0 }
        return t
    }

    /// A ledger row with whether a touch is credited, not which (its id).
    static func withoutIdentity(_ row: LedgerRow) -> LedgerRow {
        var r = row
        r.attributedTouch = r.attributedTouch.map { _ in 0 }
        return r
    }
}
