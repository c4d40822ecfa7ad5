import AfterdeskCore
import AfterdeskSQLite
import AfterdeskStorage
import Foundation
import Synchronization

/// The demo's last step: what customers bought after the desk over the simulated year, and the margin report on it.
///
/// The outcomes are SIMULATED, by this model, so they can be checked. Each decline draws coins keyed by its store,
/// deal, product and the seed:
/// - in both arms, some customers come back on their own: `ownRate` percent of declines per product, on a day 10 to
///   109 days after the contract;
/// - in the treated arm only, a delivered touch persuades some more: `liftRate` percent of the declines that got one,
///   1 to 14 days after the first;
/// - each such sale is an after-sale contract at the desk's quote (the menu's price when none was quoted) and the
///   menu's cost, and `cancelRate` percent of them are cancelled 30 to 89 days later, charging back 60% of the margin.
/// - each offer page link sent is opened by `openRate` percent of customers, 1 to 48 hours after the message; of
///   those, `pressRates` percent press each button. The simulated presses are counted in the report's offer funnel,
///   and make no task or pause (those are the server's, when a real customer presses).
///
/// Sales dated after the report's day are left out, as they have not happened yet. The contracts and cancellations
/// are written as CSV files and imported like a dealership's (`import-contracts`, `import-cancellations`).
public struct DemoOutcomes: Sendable {
    public static let ownRate = ["vsc": 3, "gap": 2, "tire_wheel": 2, "appearance": 1, "maintenance": 2]
    public static let liftRate = ["vsc": 8, "gap": 6, "tire_wheel": 6, "appearance": 4, "maintenance": 6]
    public static let cancelRate = 10
    public static let openRate = 45
    public static let pressRates: [(OfferEventKind, Int)] = [(.interested, 6), (.callMe, 4), (.notNow, 8)]

    public var directory: String
    public var seed: UInt64
    public var inForce: MenuInForce
    public var asOf: LocalDate

    public init(directory: String, seed: UInt64, menu: MenuInForce, asOf: LocalDate) {
        self.directory = directory
        self.seed = seed
        self.inForce = menu
        self.asOf = asOf
    }

    public struct Result: Sendable {
        public var contractsFile: String
        public var cancellationsFile: String
        public var contracts: AfterSaleSummary
        public var cancellations: AfterSaleSummary
        public var report: MarginReport
    }

    func chance(_ key: String, _ percent: Int) -> Bool { draw(key) % 100 < UInt64(max(0, percent)) }
    func draw(_ key: String) -> UInt64 {
        var h = StableHasher()
        h.add(key)
        h.add("\(seed)")
        return h.value
    }

    public func run(database db: any Storage, now: Date) async throws -> Result {
        let menu = inForce.menu
        var parameters = ReportParameters(
            asOf: asOf, from: asOf.adding(years: -1), to: asOf, attributionDays: menu.attributionDays,
            holdoutPercent: menu.holdoutPercent)
        let rows = Mutex<(contracts: [[String]], cancellations: [[String]])>(([], []))
        try await db.forEachLedgerRow(parameters, now: now) { [self] row in
            guard !row.recovered, let sale = saleDate(row) else { return }
            let product = menu.product(row.product)
            let price = row.quotedCents ?? product?.retailPrice.cents ?? 0
            let cost = min(price, product?.dealerCost.cents ?? 0)
            let number = "AS-\(row.dealNumber)-\(row.product)"
            rows.withLock {
                $0.contracts.append([
                    number, row.store, row.dealNumber, row.product, sale.description, Money(cents: price).description,
                    Money(cents: cost).description,
                ])
            }
            let key = "\(row.store)|\(row.dealNumber)|\(row.product)"
            let cancelled = sale.adding(days: 30 + Int(draw(key + "cancel-day") % 60))
            if chance(key + "cancel", Self.cancelRate), cancelled <= asOf {
                let chargeback = (price - cost) * 6 / 10
                rows.withLock {
                    $0.cancellations.append([
                        number, cancelled.description, Money(cents: price * 7 / 10).description, Money(cents: chargeback).description,
                    ])
                }
            }
        }
        let (contracts, cancellations) = rows.withLock { $0 }
        let contractsFile = (directory as NSString).appendingPathComponent("after-sale-contracts.csv")
        let cancellationsFile = (directory as NSString).appendingPathComponent("cancellations.csv")
        try write(["contract_number", "store", "deal_number", "product", "sale_date", "price", "cost"], contracts, to: contractsFile)
        try write(["contract_number", "cancel_date", "customer_refund", "chargeback"], cancellations, to: cancellationsFile)
        let planner = Planner.make(menu: menu, warranties: inForce.warranties)
        let c = try await db.importContracts(file: contractsFile, menu: menu, planner: planner, now: now)
        let k = try await db.importCancellations(file: cancellationsFile, menu: menu)
        try await simulateOfferPages(db, now: now)
        parameters.by = .product
        parameters.netToStore = NetToStoreRules(menu: menu)
        let report = try await db.marginReport(parameters, now: now)
        return Result(
            contractsFile: contractsFile, cancellationsFile: cancellationsFile, contracts: c, cancellations: k, report: report)
    }

    /// SIMULATED visits and presses of the offer pages sent, up to `now`.
    func simulateOfferPages(_ db: any Storage, now: Date) async throws {
        for (id, sent) in try await db.offerLinkTimes() {
            let key = "offer|\(id)"
            let opened = sent.addingTimeInterval(Double(3_600 * (1 + Int(draw(key + "open-hour") % 48))))
            guard chance(key + "open", Self.openRate), opened <= now else { continue }
            try await db.recordOfferOpened(linkID: id, now: opened)
            for (kind, rate) in Self.pressRates where chance(key + kind.rawValue, rate) {
                _ = try await db.pressOffer(OfferPress(linkID: id, kind: kind), now: min(now, opened.addingTimeInterval(120)))
            }
        }
    }

    /// The day the simulated customer buys the declined product after the desk, or nil.
    func saleDate(_ row: LedgerRow) -> LocalDate? {
        let key = "\(row.store)|\(row.dealNumber)|\(row.product)"
        var day: LocalDate?
        if chance(key + "own", Self.ownRate[row.product] ?? 1) {
            day = row.contractDate.adding(days: 10 + Int(draw(key + "own-day") % 100))
        } else if row.arm == .treated, let first = row.firstTouchAt.flatMap({ LocalDate(String($0.prefix(10))) }),
            chance(key + "lift", Self.liftRate[row.product] ?? 4)
        {
            day = first.adding(days: 1 + Int(draw(key + "lift-day") % 14))
        }
        guard let day, day <= asOf else { return nil }
        return day
    }

    private func write(_ header: [String], _ rows: [[String]], to path: String) throws {
        var text = CSVWriter.line(header)
        for r in rows { text += CSVWriter.line(r) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
