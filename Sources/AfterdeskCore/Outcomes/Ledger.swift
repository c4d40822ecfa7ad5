import Foundation

/// Who reported that a declined product was sold after the desk. When several did, the figures come from the first in
/// this order (DESIGN.md): the after-sale contract, else the deal import, else the task.
public enum RecoverySource: String, Sendable, Equatable, Codable, CaseIterable {
    case contract
    case dealImport = "deal_import"
    case task

    var precedence: Int {
        switch self {
        case .contract: 0
        case .dealImport: 1
        case .task: 2
        }
    }
}

/// The arm of a decline: its deal was followed up (treated) or held out.
public enum Arm: String, Sendable, Equatable, Codable {
    case treated, holdout
}

/// What the store knows of one decline: the desk, the deal's arm, the touches delivered, the sales reported after the
/// desk and their cancellations. `LedgerRow` turns it into the ledger's line by the report's rules.
public struct DeclineHistory: Sendable, Equatable {
    public struct Touch: Sendable, Equatable {
        public var id: Int64
        /// UTC instant, ISO 8601.
        public var sentAt: String
        /// The dealership's calendar date of `sentAt`.
        public var sentOn: LocalDate
        public var channel: String
        public var template: String
        /// The touch's cost is charged to this decline: a touch about several declines is charged to its first (by deal,
        /// then product), so the ledger's message costs are not counted twice.
        public var carriesCost: Bool
        public init(id: Int64, sentAt: String, sentOn: LocalDate, channel: String, template: String, carriesCost: Bool = true) {
            self.id = id
            self.sentAt = sentAt
            self.sentOn = sentOn
            self.channel = channel
            self.template = template
            self.carriesCost = carriesCost
        }
    }
    public struct Sale: Sendable, Equatable {
        public var source: RecoverySource
        public var soldOn: LocalDate
        public var priceCents: Int64
        public var costCents: Int64?
        public var contractNumber: String?
        public init(source: RecoverySource, soldOn: LocalDate, priceCents: Int64, costCents: Int64?, contractNumber: String? = nil) {
            self.source = source
            self.soldOn = soldOn
            self.priceCents = priceCents
            self.costCents = costCents
            self.contractNumber = contractNumber
        }
    }
    /// A cancellation of an after-sale contract (`contractNumber`), or of the product on the deal (nil).
    public struct Cancellation: Sendable, Equatable {
        public var contractNumber: String?
        public var cancelDate: LocalDate
        public var chargebackCents: Int64
        public init(contractNumber: String?, cancelDate: LocalDate, chargebackCents: Int64) {
            self.contractNumber = contractNumber
            self.cancelDate = cancelDate
            self.chargebackCents = chargebackCents
        }
    }
    /// A follow-up task the decline's touch created.
    public struct TaskState: Sendable, Equatable {
        public var done: Bool
        public var onTime: Bool
        public var overdue: Bool
        public init(done: Bool, onTime: Bool, overdue: Bool) {
            self.done = done
            self.onTime = onTime
            self.overdue = overdue
        }
    }

    public var store: String
    public var dealNumber: String
    public var product: String
    public var contractDate: LocalDate
    public var heldOut: Bool
    public var quotedCents: Int64?
    public var fiManager: String?
    public var touches: [Touch]
    public var sales: [Sale]
    public var cancellations: [Cancellation]
    public var tasks: [TaskState]
    /// The last day the declined product could be bought, from the facts at contract, stored when it was planned (nil:
    /// no rule closes it, or never planned). The report's horizon (`MeasureBy.horizon`).
    public var horizon: LocalDate?

    public init(
        store: String, dealNumber: String, product: String, contractDate: LocalDate, heldOut: Bool, quotedCents: Int64? = nil,
        fiManager: String? = nil, touches: [Touch] = [], sales: [Sale] = [], cancellations: [Cancellation] = [],
        tasks: [TaskState] = [], horizon: LocalDate? = nil
    ) {
        self.store = store
        self.dealNumber = dealNumber
        self.product = product
        self.contractDate = contractDate
        self.heldOut = heldOut
        self.quotedCents = quotedCents
        self.fiManager = fiManager
        self.touches = touches
        self.sales = sales
        self.cancellations = cancellations
        self.tasks = tasks
        self.horizon = horizon
    }
}

/// The rules a report applies to every decline: its date and the attribution window.
public struct ReportRules: Sendable, Equatable {
    public var asOf: LocalDate
    public var attributionDays: Int
    /// A treated decline older than this with no touch delivered is "aged".
    public var agedAfterDays = 30
    /// The menu's dealer cost per product, in cents: the cost of a sale reported without one (a task closed as sold
    /// with a price only).
    public var dealerCosts: [String: Int64]
    /// A group's stores' own dealer costs (`ReportParameters.storeDealerCosts`).
    public var storeDealerCosts: [String: [String: Int64]] = [:]
    /// Reserve, commissions and message costs (`NetToStoreRules`).
    public var netToStore = NetToStoreRules()
    /// How a decline's measurement end is found (Horizon.swift): `.window` is `attributionDays` after the contract.
    public var measureBy = MeasureBy.window
    public var horizonCapDays: Int?
    public var holdoutMonths = MeasurementRule.defaultHoldoutMonths
    public init(asOf: LocalDate, attributionDays: Int, dealerCosts: [String: Int64] = [:]) {
        self.asOf = asOf
        self.attributionDays = attributionDays
        self.dealerCosts = dealerCosts
    }

    public var measurement: MeasurementRule {
        MeasurementRule(by: measureBy, attributionDays: attributionDays, horizonCapDays: horizonCapDays, holdoutMonths: holdoutMonths)
    }
}

/// One line of the decline ledger (`afterdesk report --by decline`): every figure of the report is a sum of its columns
/// (docs/reporting.md).
public struct LedgerRow: Sendable, Equatable {
    public var store: String
    public var dealNumber: String
    public var product: String
    public var contractDate: LocalDate
    public var arm: Arm
    public var quotedCents: Int64?
    public var touchesDelivered: Int
    public var firstTouchAt: String?
    public var recoveredOn: LocalDate?
    public var recoverySource: RecoverySource?
    public var contractNumber: String?
    public var priceCents: Int64?
    public var costCents: Int64?
    public var marginGrossCents: Int64 = 0
    public var chargebacksCents: Int64 = 0
    public var marginNetCents: Int64 = 0
    public var attributedTouch: Int64?
    public var attributedChannel: String?
    public var attributedTemplate: String?
    public var fiManager: String?
    // Columns after those INTERFACES.md lists: what the re-contact, aged and task figures are sums of.
    public var aged = false
    public var tasksDone = 0
    public var tasksDoneOnTime = 0
    public var tasksOpen = 0
    public var tasksOverdue = 0
    /// The cancellations `chargebacksCents` sums, by date (`charged_back_on`): the books view puts each in its month.
    public var chargedBack: [Chargeback] = []
    // Then the net to the store's (docs/reporting.md, "Net to the store").
    public var reserveCents: Int64 = 0
    /// The reserve left to the report (`NetToStoreRules.defersReserve`): `reserveCents` is 0 until it is settled.
    public var reserveDue: ReserveDue?
    public var commissionsCents: Int64 = 0
    public var messageCostsCents: Int64 = 0
    /// margin net − reserve − commissions − message costs.
    public var netToStoreCents: Int64 { marginNetCents - reserveCents - commissionsCents - messageCostsCents }
    /// The last day a sale counts (`MeasurementRule.end`), and the days of the window from the contract elapsed at `as_of`.
    public var measuredUntil: LocalDate
    public var measuredDays = 0

    public var recovered: Bool { recoveredOn != nil }
    public var recontacted: Bool { arm == .treated && touchesDelivered > 0 }
    public var attributed: Bool { attributedTouch != nil }

    public static let columns = [
        "store", "deal_number", "product", "contract_date", "arm", "quoted_price", "touches_delivered", "first_touch_at",
        "recovered_on", "recovery_source", "contract_number", "price", "cost", "margin_gross", "chargebacks", "margin_net",
        "attributed_touch", "attributed_channel", "attributed_template", "fi_manager", "aged", "tasks_done", "tasks_done_on_time",
        "tasks_open", "tasks_overdue", "charged_back_on", "reserve", "commissions", "message_costs", "net_to_store",
        "measured_until",
    ]

    /// The ledger line of a decline, as of `rules.asOf`:
    /// - touches count when delivered on or before `as_of`;
    /// - the recovery is the first sale, by source precedence (contract, deal import, task) then date, reported on or
    ///   after the contract date and on or before `as_of`; it counts when it is no later than the decline's measurement
    ///   end (`MeasurementRule.end`: `attribution_days` after the contract date in window mode);
    /// - its chargebacks are the cancellations of that sale (the contract's, or the deal's product for the other two
    ///   sources) dated on or before `as_of`;
    /// - the credit goes to the latest touch delivered within `attribution_days` before the sale; held-out declines are
    ///   never attributed.
    public init(_ h: DeclineHistory, rules: borrowing ReportRules) {
        self.init(
            QuietLine(
                store: h.store, dealNumber: h.dealNumber, product: h.product, contractDate: h.contractDate, heldOut: h.heldOut,
                quotedCents: h.quotedCents, fiManager: h.fiManager, rules: rules, horizon: h.horizon))
        guard !(h.touches.isEmpty && h.sales.isEmpty && h.tasks.isEmpty) else { return }
        // Most lines have one touch, delivered before `as_of`: no copy, no sort.
        var touches = h.touches
        if touches.contains(where: { $0.sentOn > rules.asOf }) { touches.removeAll { $0.sentOn > rules.asOf } }
        if touches.count > 1 { touches.sort { ($0.sentAt, $0.id) < ($1.sentAt, $1.id) } }
        touchesDelivered = touches.count
        firstTouchAt = touches.first?.sentAt
        if !touches.isEmpty { aged = false }
        // Costs are cut where sales are: a touch after the decline's measurement end (a held-out deal followed up once its
        // holdout ended, a reminder past the window) buys nothing the report counts, in either arm.
        messageCostsCents = LedgerRow.messageCosts(touches, until: measuredUntil, rules.netToStore.messageCosts)
        for t in h.tasks {
            if t.done {
                tasksDone += 1
                if t.onTime { tasksDoneOnTime += 1 }
            } else {
                tasksOpen += 1
                if t.overdue { tasksOverdue += 1 }
            }
        }
        guard let sale = LedgerRow.recovery(h, rules: rules, until: measuredUntil) else { return }
        recoveredOn = sale.soldOn
        recoverySource = sale.source
        contractNumber = sale.contractNumber
        priceCents = sale.priceCents
        costCents =
            sale.costCents ?? (rules.storeDealerCosts.isEmpty ? nil : rules.storeDealerCosts[h.store]?[h.product])
            ?? rules.dealerCosts[h.product]
        marginGrossCents = sale.priceCents - (costCents ?? 0)
        chargedBack = h.cancellations.filter { $0.contractNumber == sale.contractNumber && $0.cancelDate <= rules.asOf }
            .map { Chargeback(on: $0.cancelDate, cents: $0.chargebackCents) }.sorted { ($0.on, $0.cents) < ($1.on, $1.cents) }
        chargebacksCents = chargedBack.reduce(0) { $0 + $1.cents }
        marginNetCents = marginGrossCents - chargebacksCents
        chargeRecovery(h, sale: sale, rules: rules)
        guard arm == .treated else { return }
        let earliest = sale.soldOn.adding(days: -rules.attributionDays)
        if let credited = touches.last(where: { $0.sentOn <= sale.soldOn && $0.sentOn >= earliest }) {
            attributedTouch = credited.id
            attributedChannel = credited.channel
            attributedTemplate = credited.template
        }
    }

    /// The full line of a decline with nothing after the desk.
    public init(_ q: QuietLine) {
        store = q.store
        dealNumber = q.dealNumber
        product = q.product
        contractDate = q.contractDate
        arm = q.arm
        quotedCents = q.quotedCents
        fiManager = q.fiManager
        touchesDelivered = 0
        aged = q.aged
        measuredUntil = q.measuredUntil
        measuredDays = q.measuredDays
    }

    /// The sale that counts as the decline's recovery, or nil.
    static func recovery(_ h: DeclineHistory, rules: borrowing ReportRules, until end: LocalDate? = nil) -> DeclineHistory.Sale? {
        let (from, asOf) = (h.contractDate, rules.asOf)
        let first = h.sales.lazy.filter { $0.soldOn >= from && $0.soldOn <= asOf }.min {
            ($0.source.precedence, $0.soldOn, $0.contractNumber ?? "") < ($1.source.precedence, $1.soldOn, $1.contractNumber ?? "")
        }
        let end = end ?? rules.measurement.end(contract: h.contractDate, horizon: h.horizon)
        guard let first, first.soldOn <= end else { return nil }
        return first
    }

    /// The line's cells, in `columns` order: money with two decimals, empty for what does not apply.
    public var cells: [String] {
        func money(_ c: Int64?) -> String { c.map { Money(cents: $0).description } ?? "" }
        return [
            store, dealNumber, product, contractDate.description, arm.rawValue, money(quotedCents), String(touchesDelivered),
            firstTouchAt ?? "", recoveredOn?.description ?? "", recoverySource?.rawValue ?? "", contractNumber ?? "",
            money(priceCents), money(costCents), money(marginGrossCents), money(chargebacksCents), money(marginNetCents),
            attributedTouch.map(String.init) ?? "", attributedChannel ?? "", attributedTemplate ?? "", fiManager ?? "",
            aged ? "1" : "0", String(tasksDone), String(tasksDoneOnTime), String(tasksOpen), String(tasksOverdue),
            Chargeback.cell(chargedBack),
            money(reserveCents), money(commissionsCents), money(messageCostsCents), money(netToStoreCents),
            measuredUntil.description,
        ]
    }
}

/// What the report sums of a ledger line. `LedgerRow` is the whole line; `QuietLine` the few facts of a decline with
/// nothing after the desk, which most of a ledger's lines are and which the report adds without building the line.
public protocol LedgerFigures {
    var store: String { get }
    var dealNumber: String { get }
    var product: String { get }
    var contractDate: LocalDate { get }
    var arm: Arm { get }
    var fiManager: String? { get }
    var aged: Bool { get }
    var recontacted: Bool { get }
    var recovered: Bool { get }
    var recoveredOn: LocalDate? { get }
    var attributed: Bool { get }
    var marginGrossCents: Int64 { get }
    var chargebacksCents: Int64 { get }
    var marginNetCents: Int64 { get }
    var tasksDone: Int { get }
    var tasksDoneOnTime: Int { get }
    var tasksOpen: Int { get }
    var tasksOverdue: Int { get }
    var reserveCents: Int64 { get }
    var reserveDue: ReserveDue? { get }
    var commissionsCents: Int64 { get }
    var messageCostsCents: Int64 { get }
    var netToStoreCents: Int64 { get }
    var measuredUntil: LocalDate { get }
    var measuredDays: Int { get }
}

extension LedgerRow: LedgerFigures {}

/// A decline with nothing after the desk: no touch delivered, no sale, no task (a cancellation counts only against a
/// sale). `LedgerRow(_:)` gives its full line, which is what `LedgerRow(_:rules:)` gives for its history (a test holds
/// the two together).
public struct QuietLine: LedgerFigures, Sendable, Equatable {
    public var store: String
    public var dealNumber: String
    public var product: String
    public var contractDate: LocalDate
    public var arm: Arm
    public var quotedCents: Int64?
    public var fiManager: String?
    /// Treated, and older than `rules.agedAfterDays` on `rules.asOf` with no touch delivered.
    public var aged: Bool
    /// The last day a sale would count, and the days to it elapsed at `as_of` (`LedgerRow`'s).
    public var measuredUntil: LocalDate
    public var measuredDays: Int
    public var recontacted: Bool { false }
    public var recovered: Bool { false }
    public var recoveredOn: LocalDate? { nil }
    public var attributed: Bool { false }
    public var marginGrossCents: Int64 { 0 }
    public var chargebacksCents: Int64 { 0 }
    public var marginNetCents: Int64 { 0 }
    public var tasksDone: Int { 0 }
    public var tasksDoneOnTime: Int { 0 }
    public var tasksOpen: Int { 0 }
    public var tasksOverdue: Int { 0 }
    public var reserveCents: Int64 { 0 }
    public var reserveDue: ReserveDue? { nil }
    public var commissionsCents: Int64 { 0 }
    public var messageCostsCents: Int64 { 0 }
    public var netToStoreCents: Int64 { 0 }

    public init(
        store: String, dealNumber: String, product: String, contractDate: LocalDate, heldOut: Bool, quotedCents: Int64?,
        fiManager: String?, rules: borrowing ReportRules, horizon: LocalDate? = nil
    ) {
        self.store = store
        self.dealNumber = dealNumber
        self.product = product
        self.contractDate = contractDate
        arm = heldOut ? .holdout : .treated
        self.quotedCents = quotedCents
        self.fiManager = fiManager
        aged = !heldOut && contractDate.days(until: rules.asOf) > rules.agedAfterDays
        measuredUntil = rules.measurement.end(contract: contractDate, horizon: horizon)
        measuredDays = Maturity.days(contract: contractDate, end: measuredUntil, asOf: rules.asOf).elapsed
    }
}
