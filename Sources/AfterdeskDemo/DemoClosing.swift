import AfterdeskCore
import AfterdeskSQLite
import AfterdeskStorage
import Foundation

/// The demo's last lines: what customers bought after the desk (simulated), the margin report on the year, the F&I
/// scorecard and the compliance line, every figure read from the database as of today.
public struct DemoClosing: Sendable {
    public var report: MarginReport
    /// The books view of the same year (`booksView`).
    public var books: MarginReport?
    public var scorecard: Scorecard
    public var optOuts: OptOutSummary
    public var compliance: DemoCompliance.Check
    /// Sales after the desk recorded: sold on a task, and after-sale contracts imported; cancellations imported.
    public var soldOnTasks: Int
    public var contracts: Int
    public var cancellations: Int
    public var offersOpened: Int
    /// Declines with a sale after the desk by today, whatever its date (a decline bought twice counts once).
    public var recoveredByToday: Int
    /// Declined products stored (unwound deals included), and the deals unwound.
    public var declinedStored: Int
    public var unwoundDeals: Int
    /// Tasks from the plan closed (replies to a customer's text left out).
    public var planTasksDone: Int
    /// A group's report by store: pooled (stratified by store), and each store's own figures (nil for one store).
    public var byStore: MarginReport?

    public static func make(report r: DemoRun.Report, database db: any Storage, menu: Menu, now: Date) async throws -> DemoClosing {
        var p = ReportParameters(asOf: r.today, from: r.today.adding(years: -1), to: r.today, menu: menu)
        p.by = .product
        let report = try await db.marginReport(p, now: now)
        var wide = p
        wide.by = nil
        wide.measureBy = .window
        wide.attributionDays = 3_650
        let anyDay = try await db.marginReport(wide, now: now).total
        let scorecard = try await db.scorecard(ScorecardParameters(report: p, by: .fiManager), now: now)
        return DemoClosing(
            report: report, books: try await booksView(p, database: db, now: now), scorecard: scorecard,
            optOuts: try await db.optOutSummary(),
            compliance: try await DemoCompliance.check(database: db, dealershipZone: menu.dealership.timeZone),
            soldOnTasks: r.dispatch?.sold ?? 0, contracts: r.contracts, cancellations: r.cancellations, offersOpened: r.offersOpened,
            recoveredByToday: anyDay.treated.recovered + anyDay.holdout.recovered,
            declinedStored: r.capture.products.reduce(0) { $0 + $1.declined }, unwoundDeals: r.capture.unwound,
            planTasksDone: try await db.tasks(status: .done, limit: 10_000_000, now: now).filter { $0.kind == .followUp }.count,
            byStore: menu.stores.isEmpty ? nil : try await db.marginReport(with(p) { $0.by = .store }, now: now))
    }

    private static func with(_ p: ReportParameters, _ change: (inout ReportParameters) -> Void) -> ReportParameters {
        var p = p
        change(&p)
        return p
    }

    /// The books view (recoveries by the month sold, chargebacks by the month charged back: `report --by sale_month`).
    /// It prints after the cohort view.
    static func booksView(_ parameters: ReportParameters, database db: any Storage, now: Date) async throws -> MarginReport? {
        var p = parameters
        p.by = .saleMonth
        return try await db.marginReport(p, now: now)
    }

    public func text(dealership: String) -> String {
        let t = report.total
        let counted = t.treated.recovered + t.holdout.recovered
        var out =
            "\n5. What customers bought after the desk — SIMULATED (the model is written in DemoOutcomes.swift): in both arms some "
            + "come back on their own; in the treated arm a message or a call persuades more; a tenth of the contracts are cancelled.\n"
        out +=
            "  Sales recorded: \((soldOnTasks + contracts).grouped) — \(soldOnTasks.grouped) sold on tasks, \(contracts.grouped) "
            + "after-sale contracts imported (\(cancellations.grouped) of them cancelled since). They recovered "
            + "\(recoveredByToday.grouped) declines by today; the report below counts the \(counted.grouped) that its "
            + "measurement window credits (its second line says which), in both arms alike; the other "
            + "\((recoveredByToday - counted).grouped) came after it.\n"
        out += "  Offer pages: \(offersOpened.grouped) of the links sent were opened by simulated customers.\n"
        let exported = t.declinesInExports ?? t.declines
        out +=
            "  The report counts the \(t.declines.grouped) declines on deals not unwound (\(declinedStored.grouped) stored, less "
            + "\((declinedStored - t.declines).grouped) on the \(unwoundDeals.grouped) unwound deals); with the "
            + "\((exported - t.declines).grouped) on refused rows the exports held \(exported.grouped). Its \(t.tasksDone.grouped) tasks "
            + "done are the \(planTasksDone.grouped) from the plan, less \((planTasksDone - t.tasksDone).grouped) on the unwound deals.\n\n"
        out += "6. The margin report on the year's declines followed to today (the cohort view), by product:\n"
        out += Self.indent(ReportText.render(report, dealership: dealership)) + "\n"
        if let books {
            // The same declines and figures as above: only the months differ (`report --by sale_month` prints them too).
            out += "\n"
            out += Self.indent(BooksFormats.text(books.books)) + "\n"
        }
        if let byStore {
            out += "\n6b. The group's rooftops: the report above pools them, stratified by store; here each store's own:\n"
            out += Self.indent(ReportText.render(byStore, dealership: dealership)) + "\n"
        }
        out += "\n7. " + Self.indent(ScorecardFormats.text(scorecard, dealership: dealership)).dropFirst(2) + "\n"
        let c = compliance
        out +=
            "8. Compliance, counted from the outbox and the opt-out ledger: \(optOuts.stopped["sms", default: 0].grouped) numbers "
            + "stopped texts, \(optOuts.stopped["email", default: 0].grouped) addresses email, \(optOuts.stopped["phone", default: 0].grouped) "
            + "calls; \(optOuts.sentAfterStop.grouped) messages sent to any of them after the stop. Of \(c.texts.grouped) texts, "
            + "\(c.textsOutsideCalendar.grouped) were written outside the customer's contact hours or state calendar "
            + "(`afterdesk compliance rules TX`); the most touches one customer received in any 30 days: "
            + "\(c.mostTouchesIn30Days) (the limit is 3).\n"
        return out
    }

    static func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}
