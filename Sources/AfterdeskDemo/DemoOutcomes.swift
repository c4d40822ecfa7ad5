import AfterdeskCore
import AfterdeskSQLite
import AfterdeskStorage
import Foundation
import Synchronization

/// What the demo's customers buy after the desk, and what they cancel: SIMULATED, by the model below, so it can be
/// checked. Every coin is keyed by the decline (store, deal, product) and the seed, so a seed repeats itself.
///
/// The model, per declined product (percent of declines):
/// - **Base rate, both arms.** `ownRate` of the customers come back and buy the product on their own, on a day 10 to
///   179 days after the contract, whether or not they were followed up: held-out deals recover at this rate only.
/// - **Lift of a message (SMS or email), treated arm.** Of the declines that got a delivered message, `messageLift`
///   more buy 1 to 14 days after the first one (at the store: the F&I manager's after-sale contracts export).
/// - **Lift of a call (a task worked by a salesperson), treated arm.** When a salesperson works a task, `callLift` of
///   its declined products are sold on the call (recorded on the task, at the price of the day: the quote, the menu
///   price or the rate card); a customer who already bought on their own is not sold twice.
/// - **Chargebacks.** `cancelRate` of the after-sale contracts imported are cancelled 30 to 209 days after the sale:
///   the customer is refunded pro rata over 36 months, and the dealer's margin is charged back in the same share.
/// - **Offer pages.** Each link sent is opened by `openRate` of customers 1 to 48 hours later; of those, `pressRates`
///   press each button (counted in the report's offer funnel; they make no task or pause).
///
/// Prices are each product's own: the quote at the desk, else the menu's price (for a rate card, its first rate).
public struct DemoOutcomes: Sendable {
    public static let ownRate = ["vsc": 5, "gap": 3, "tire_wheel": 3, "appearance": 2, "maintenance": 3]
    public static let messageLift = ["vsc": 6, "gap": 5, "tire_wheel": 5, "appearance": 3, "maintenance": 5]
    public static let callLift = ["vsc": 18, "gap": 14, "tire_wheel": 12, "appearance": 8, "maintenance": 12]
    public static let cancelRate = 10
    public static let openRate = 45
    public static let pressRates: [(OfferEventKind, Int)] = [(.interested, 6), (.callMe, 4), (.notNow, 8)]

    public var seed: UInt64
    public var inForce: MenuInForce
    /// The declines sold after the desk so far (store|deal|product): each is sold once, on a call or at the store.
    public let sold = SoldRegistry()

    public init(seed: UInt64, menu: MenuInForce) {
        self.seed = seed
        self.inForce = menu
    }

    /// The declines already sold after the desk, shared by the simulated staff and the contracts export.
    public final class SoldRegistry: Sendable {
        private let keys = Mutex<Set<String>>([])
        public init() {}
        /// Marks the decline sold; false when it already was.
        public func insert(_ key: String) -> Bool { keys.withLock { $0.insert(key).inserted } }
        public func contains(_ key: String) -> Bool { keys.withLock { $0.contains(key) } }
        public var count: Int { keys.withLock { $0.count } }
    }

    /// An after-sale contract the simulation wrote, kept to cancel it later.
    public struct Contract: Sendable, Equatable {
        public var number: String
        public var store: String
        public var deal: String
        public var product: String
        public var sale: LocalDate
        public var priceCents: Int64
        public var costCents: Int64
    }

    func chance(_ key: String, _ percent: Int) -> Bool { draw(key) % 100 < UInt64(max(0, percent)) }
    func draw(_ key: String) -> UInt64 {
        var h = StableHasher()
        h.add(key)
        h.add("\(seed)")
        return h.value
    }

    static func key(store: String, deal: String, product: String) -> String { "\(store)|\(deal)|\(product)" }

    /// The day the customer comes back on their own for the declined product (both arms), or nil.
    public func ownDay(store: String, deal: String, product: String, contract: LocalDate) -> LocalDate? {
        let key = Self.key(store: store, deal: deal, product: product)
        guard chance(key + "own", Self.ownRate[product] ?? 1) else { return nil }
        return contract.adding(days: 10 + Int(draw(key + "own-day") % 170))
    }

    /// Whether a salesperson working a task about the declined product sells it on the call.
    public func callSells(store: String, deal: String, product: String) -> Bool {
        chance(Self.key(store: store, deal: deal, product: product) + "call", Self.callLift[product] ?? 5)
    }

    /// The day the customer of a ledger line buys at the store after the desk (on their own, or after a message), or nil.
    func saleDate(_ row: LedgerRow) -> LocalDate? {
        let key = Self.key(store: row.store, deal: row.dealNumber, product: row.product)
        let own = ownDay(store: row.store, deal: row.dealNumber, product: row.product, contract: row.contractDate)
        var lifted: LocalDate?
        if row.arm == .treated, row.touchesDelivered > 0, let first = row.firstTouchAt.flatMap({ LocalDate(String($0.prefix(10))) }),
            chance(key + "lift", Self.messageLift[row.product] ?? 3)
        {
            lifted = first.adding(days: 1 + Int(draw(key + "lift-day") % 14))
        }
        return [own, lifted].compactMap { $0 }.min()
    }

    /// The after-sale contracts sold before `day` and not yet recorded (`day` excluded: the export is made that morning).
    /// Each is marked in `sold`.
    public func contracts(before day: LocalDate, database db: any Storage, now: Date) async throws -> [Contract] {
        let menu = inForce.menu
        var parameters = ReportParameters(asOf: day, from: day.adding(years: -3), to: day, menu: menu)
        parameters.attributionDays = 3_650
        let found = Mutex<[Contract]>([])
        try await db.forEachLedgerRow(parameters, now: now) { [self] row in
            guard !row.recovered, let sale = saleDate(row), sale < day else { return }
            let product = menu.product(row.product)
            let price = row.quotedCents ?? product?.retailPrice.cents ?? 0
            let cost = min(price, product?.dealerCost.cents ?? 0)
            let number = "AS-\(row.dealNumber)-\(row.product)"
            guard sold.insert(Self.key(store: row.store, deal: row.dealNumber, product: row.product)) else { return }
            let c = Contract(
                number: number, store: row.store, deal: row.dealNumber, product: row.product, sale: sale, priceCents: price,
                costCents: cost)
            found.withLock { $0.append(c) }
        }
        return found.withLock { $0 }.sorted { ($0.sale, $0.number) < ($1.sale, $1.number) }
    }

    /// The day a contract is cancelled, or nil if it is kept.
    public func cancelDay(_ c: Contract) -> LocalDate? {
        // A group's stores number their contracts alike: the store is in the key (a single store's keys are as before).
        let key = inForce.menu.stores.isEmpty ? c.number : "\(c.store)|\(c.number)"
        guard chance(key + "cancel", Self.cancelRate) else { return nil }
        return c.sale.adding(days: 30 + Int(draw(key + "cancel-day") % 180))
    }

    /// The refund and the chargeback of a cancelled contract: pro rata over 36 months (1,095 days) from the sale.
    public static func cancellation(_ c: Contract, on day: LocalDate) -> (refund: Int64, chargeback: Int64) {
        let left = max(0, 1_095 - (day.daysSinceEpoch - c.sale.daysSinceEpoch))
        return (c.priceCents * Int64(left) / 1_095, (c.priceCents - c.costCents) * Int64(left) / 1_095)
    }

    /// Writes the contracts and the cancellations of one export to `directory` and imports them, as a dealership would.
    public func importAfterSale(
        contracts: [Contract], cancellations: [(Contract, LocalDate)], stamp: String, directory: String, database db: any Storage,
        now: Date
    ) async throws -> (contracts: AfterSaleSummary, cancellations: AfterSaleSummary) {
        let menu = inForce.menu
        let contractsFile = (directory as NSString).appendingPathComponent("after-sale-contracts-\(stamp).csv")
        let cancellationsFile = (directory as NSString).appendingPathComponent("cancellations-\(stamp).csv")
        try write(
            ["contract_number", "store", "deal_number", "product", "sale_date", "price", "cost"],
            contracts.map { c in
                [
                    c.number, c.store, c.deal, c.product, c.sale.description, Money(cents: c.priceCents).description,
                    Money(cents: c.costCents).description,
                ]
            }, to: contractsFile)
        try write(
            ["contract_number", "store", "cancel_date", "customer_refund", "chargeback"],
            cancellations.map { c, day in
                let (refund, chargeback) = Self.cancellation(c, on: day)
                return [c.number, c.store, day.description, Money(cents: refund).description, Money(cents: chargeback).description]
            }, to: cancellationsFile)
        let planner = Planner.make(menu: menu, warranties: inForce.warranties)
        let c = try await db.importContracts(file: contractsFile, menu: menu, planner: planner, now: now)
        let k = try await db.importCancellations(file: cancellationsFile, menu: menu)
        return (c, k)
    }

    /// SIMULATED visits and presses of the offer pages sent, up to `now`; how many were opened.
    @discardableResult
    public func simulateOfferPages(_ db: any Storage, now: Date) async throws -> Int {
        var opened = 0
        for (id, sent) in try await db.offerLinkTimes() {
            let key = "offer|\(id)"
            let at = sent.addingTimeInterval(Double(3_600 * (1 + Int(draw(key + "open-hour") % 48))))
            guard chance(key + "open", Self.openRate), at <= now else { continue }
            try await db.recordOfferOpened(linkID: id, now: at)
            opened += 1
            for (kind, rate) in Self.pressRates where chance(key + kind.rawValue, rate) {
                _ = try await db.pressOffer(OfferPress(linkID: id, kind: kind), now: min(now, at.addingTimeInterval(120)))
            }
        }
        return opened
    }

    private func write(_ header: [String], _ rows: [[String]], to path: String) throws {
        var text = CSVWriter.line(header)
        for r in rows { text += CSVWriter.line(r) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
