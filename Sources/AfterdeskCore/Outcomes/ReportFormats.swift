import Foundation

/// The report as INTERFACES.md writes it: JSON (`report --format json`) and the summary's CSV. Money is a string with
/// two decimals, rates and shares a string with four; a figure that cannot be computed is null (JSON) or empty (CSV).
public enum ReportFormats {
    public static func rate(_ r: Double?) -> String? {
        guard let r, r.isFinite else { return nil }
        return String(format: "%.4f", r)
    }

    /// Cents as a money string, rounded to the cent.
    public static func money(_ cents: Double?) -> String? {
        guard let cents, cents.isFinite, abs(cents) < 9e15 else { return nil }
        return Money(cents: Int64(saturating: cents.rounded())).description
    }

    public static func json(_ report: MarginReport) throws -> Data {
        try encoder().encode(ReportDocument(report))
    }

    /// The encoder of every report's JSON (the margin report, the scorecard): keys sorted, slashes as they are.
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// The summary's columns: `key` (`total` on the first line), then the figures.
    public static let summaryColumns =
        [
            "key", "deals", "declines", "declines_in_exports", "capture_rate",
            "treated_declines", "treated_recontacted", "treated_recovered", "treated_recovery_rate", "treated_margin_gross",
            "treated_chargebacks", "treated_margin_net", "treated_margin_per_decline",
            "holdout_declines", "holdout_recovered", "holdout_recovery_rate", "holdout_margin_gross", "holdout_chargebacks",
            "holdout_margin_net", "holdout_margin_per_decline",
            "recontact_rate", "aged_without_follow_up", "rate_difference", "rate_difference_low", "rate_difference_high",
            "incremental_margin", "incremental_margin_low", "incremental_margin_high", "verdict", "attributed", "unattributed",
            "tasks_done", "tasks_done_on_time", "tasks_open", "tasks_overdue", "maturity",
        ] + NetToStoreColumns.summary

    public static func summaryCells(_ f: ReportFigures) -> [String] {
        let g = GroupDocument(f)
        func arm(_ a: ArmDocument, treated: Bool) -> [String] {
            (treated ? [String(a.declines), a.recontacted.map(String.init) ?? ""] : [String(a.declines)])
                + [String(a.recovered), a.recoveryRate ?? "", a.marginGross, a.chargebacks, a.marginNet, a.marginPerDecline ?? ""]
        }
        return [f.key ?? "total", String(g.deals), String(g.declines), g.declinesInExports.map(String.init) ?? "", g.captureRate ?? ""]
            + arm(g.treated, treated: true) + arm(g.holdout, treated: false)
            + [
                g.recontactRate ?? "", String(g.aged), g.rateDifference?.value ?? "", g.rateDifference?.low ?? "",
                g.rateDifference?.high ?? "", g.incrementalMargin?.value ?? "", g.incrementalMargin?.low ?? "",
                g.incrementalMargin?.high ?? "", g.verdict, String(g.attributed), String(g.unattributed), String(g.tasks.done),
                String(g.tasks.doneOnTime), String(g.tasks.open), String(g.tasks.overdue), g.maturity ?? "",
            ] + NetToStoreColumns.cells(f)
    }
}

struct ReportDocument: Encodable {
    var asOf, from, to: String
    var store: String?
    /// The stores of a report of some stores (a user of several), when it names no one store.
    var stores: [String]?
    var attributionDays, holdoutPercent: Int
    var measureBy: String
    var horizonCapDays: Int?
    var holdoutMonths: Int
    /// The anytime interval's window: "horizon", or its days as text ("120").
    var anytimeWindow: String
    var by: String?
    var total: GroupDocument
    var groups: [GroupDocument]
    var offers: OfferFunnel?
    /// `by` `sale_month`: the groups are the books view's months.
    var books: [BooksMonthDocument]?
    var stratified: StratifiedDocument?
    var reserveCurves: [ReserveCurveDocument]?

    init(_ r: MarginReport) {
        reserveCurves = ReserveCurveDocument.list(r.parameters.netToStore.reserve)
        let p = r.parameters
        asOf = p.asOf.description
        from = p.from.description
        to = p.to.description
        store = p.store
        stores = p.store == nil ? p.stores : nil
        attributionDays = p.attributionDays
        holdoutPercent = p.holdoutPercent
        // The cap measures nothing in window mode: null there.
        (measureBy, horizonCapDays, holdoutMonths) = (
            p.measureBy.rawValue, p.measureBy == .horizon ? p.horizonCapDays : nil, p.holdoutMonths
        )
        anytimeWindow = p.anytimeByHorizon ? "horizon" : String(p.defaultEvaluationDays)
        by = p.by?.rawValue
        total = GroupDocument(r.total)
        groups = r.groups.map(GroupDocument.init)
        offers = r.offers
        books = p.by == .saleMonth ? r.books.map(BooksMonthDocument.init) : nil
        stratified = r.stratified.map(StratifiedDocument.init)
    }

    enum CodingKeys: String, CodingKey {
        case asOf = "as_of"
        case from, to, store, stores
        case attributionDays = "attribution_days"
        case holdoutPercent = "holdout_percent"
        case measureBy = "measure_by"
        case horizonCapDays = "horizon_cap_days"
        case holdoutMonths = "holdout_months"
        case anytimeWindow = "anytime_window"
        case by, total, groups, offers, stratified
        case reserveCurves = "reserve_curves"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(asOf, forKey: .asOf)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(store, forKey: .store)
        try c.encodeIfPresent(stores, forKey: .stores)
        try c.encode(attributionDays, forKey: .attributionDays)
        try c.encode(holdoutPercent, forKey: .holdoutPercent)
        try c.encode(measureBy, forKey: .measureBy)
        try c.encode(horizonCapDays, forKey: .horizonCapDays)
        try c.encode(holdoutMonths, forKey: .holdoutMonths)
        try c.encode(anytimeWindow, forKey: .anytimeWindow)
        try c.encode(by, forKey: .by)
        try c.encode(total, forKey: .total)
        if let books { try c.encode(books, forKey: .groups) } else { try c.encode(groups, forKey: .groups) }
        try c.encodeIfPresent(offers, forKey: .offers)
        try c.encodeIfPresent(stratified, forKey: .stratified)
        try c.encodeIfPresent(reserveCurves, forKey: .reserveCurves)
    }
}

struct EstimateDocument: Encodable {
    var value, low, high: String
}

struct ArmDocument: Encodable {
    var declines: Int
    var recontacted: Int?
    var recovered: Int
    var recoveryRate: String?
    var marginGross, chargebacks, marginNet: String
    var marginPerDecline: String?
    var costs: NetToStoreDocument

    init(_ a: ArmFigures, treated: Bool) {
        costs = NetToStoreDocument(a)
        declines = a.declines
        recontacted = treated ? a.recontacted : nil
        recovered = a.recovered
        recoveryRate = ReportFormats.rate(a.recoveryRate)
        marginGross = Money(cents: a.grossCents).description
        chargebacks = Money(cents: a.chargebacksCents).description
        marginNet = Money(cents: a.netCents).description
        marginPerDecline = a.marginPerDeclineCents.map { Money(cents: $0).description }
    }

    enum CodingKeys: String, CodingKey {
        case declines, recontacted, recovered
        case recoveryRate = "recovery_rate"
        case marginGross = "margin_gross"
        case chargebacks
        case
            marginNet = "margin_net"
        case marginPerDecline = "margin_per_decline"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(declines, forKey: .declines)
        try c.encodeIfPresent(recontacted, forKey: .recontacted)
        try c.encode(recovered, forKey: .recovered)
        try c.encode(recoveryRate, forKey: .recoveryRate)
        try c.encode(marginGross, forKey: .marginGross)
        try c.encode(chargebacks, forKey: .chargebacks)
        try c.encode(marginNet, forKey: .marginNet)
        try c.encode(marginPerDecline, forKey: .marginPerDecline)
        try costs.encode(to: encoder)
    }
}

struct TasksDocument: Encodable {
    var done, doneOnTime, open, overdue: Int
    enum CodingKeys: String, CodingKey {
        case done
        case doneOnTime = "done_on_time"
        case open, overdue
    }
}

struct GroupDocument: Encodable {
    var key: String?
    var deals, declines: Int
    var declinesInExports: Int?
    var captureRate: String?
    var treated, holdout: ArmDocument
    var recontactRate: String?
    var aged: Int
    var rateDifference, incrementalMargin: EstimateDocument?
    var verdict: String
    var attributed, unattributed: Int
    var tasks: TasksDocument
    var costs: NetToStoreDocument
    var anytime: AnytimeDocument
    var maturity: String?

    init(_ f: ReportFigures) {
        costs = NetToStoreDocument(f)
        key = f.key
        anytime = AnytimeDocument(f)
        deals = f.deals
        declines = f.declines
        declinesInExports = f.declinesInExports
        captureRate = ReportFormats.rate(f.captureRate)
        treated = ArmDocument(f.treated, treated: true)
        holdout = ArmDocument(f.holdout, treated: false)
        recontactRate = ReportFormats.rate(f.recontactRate)
        aged = f.aged
        rateDifference = f.rateDifference.flatMap { d in
            ReportFormats.rate(d.value).map {
                EstimateDocument(value: $0, low: ReportFormats.rate(d.low) ?? "", high: ReportFormats.rate(d.high) ?? "")
            }
        }
        incrementalMargin = f.incrementalMargin.flatMap { m in
            ReportFormats.money(m.value).map {
                EstimateDocument(value: $0, low: ReportFormats.money(m.low) ?? "", high: ReportFormats.money(m.high) ?? "")
            }
        }
        verdict = f.verdict.rawValue
        attributed = f.attributed
        unattributed = f.unattributed
        tasks = TasksDocument(done: f.tasksDone, doneOnTime: f.tasksDoneOnTime, open: f.tasksOpen, overdue: f.tasksOverdue)
        maturity = ReportFormats.rate(f.maturity.share)
    }

    enum CodingKeys: String, CodingKey {
        case key, deals, declines
        case declinesInExports = "declines_in_exports"
        case captureRate = "capture_rate"
        case treated, holdout
        case
            recontactRate = "recontact_rate"
        case aged = "aged_without_follow_up"
        case rateDifference = "rate_difference"
        case
            incrementalMargin = "incremental_margin"
        case verdict, attributed, unattributed, tasks, maturity
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(key, forKey: .key)
        try c.encode(deals, forKey: .deals)
        try c.encode(declines, forKey: .declines)
        // Null in a group: a refused row cannot be placed in one.
        try c.encode(declinesInExports, forKey: .declinesInExports)
        try c.encode(captureRate, forKey: .captureRate)
        try c.encode(treated, forKey: .treated)
        try c.encode(holdout, forKey: .holdout)
        try c.encode(recontactRate, forKey: .recontactRate)
        try c.encode(aged, forKey: .aged)
        try c.encode(rateDifference, forKey: .rateDifference)
        try c.encode(incrementalMargin, forKey: .incrementalMargin)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(attributed, forKey: .attributed)
        try c.encode(unattributed, forKey: .unattributed)
        try c.encode(tasks, forKey: .tasks)
        try costs.encode(to: encoder)
        try anytime.encode(to: encoder)
        try c.encode(maturity, forKey: .maturity)
    }
}
