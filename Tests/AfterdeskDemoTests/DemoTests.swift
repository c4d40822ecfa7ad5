import AfterdeskCore
import AfterdeskDelivery
import AfterdeskDemo
import AfterdeskSQLite
import AfterdeskStorage
import AfterdeskTestSupport
import AfterdeskWorkflows
import Foundation
import Synchronization
import Testing

/// 2026-11-23T13:20:00Z, a Monday.
let fixedNow = Date(timeIntervalSince1970: 1_795_440_000)

/// A demo run in a fresh folder: the store live `days` days before `fixedNow`, a deal a day.
struct DemoFixture {
    let dir = temporaryDirectory()
    let inForce: MenuInForce
    let report: DemoRun.Report
    let database: AfterdeskDatabase

    init(days: Int = 0, seed: UInt64 = 3, menu: MenuInForce? = nil) async throws {
        if let menu { inForce = menu } else { inForce = try await MenuFiles.resolve(path: nil, database: nil, workingDirectory: dir.path) }
        let templates = try DispatchSetup.templates(directory: repositoryRoot.appendingPathComponent("templates").path, menu: inForce.menu)
        var settings = Settings()
        settings.emailFrom = "Lakeside Motors <service@dealership.example>"
        settings.publicURL = "http://127.0.0.1:8080"
        settings.crmLeadEmail = "leads@crm.example"
        report = try await DemoRun(
            directory: dir.appendingPathComponent("demo").path, databasePath: dir.appendingPathComponent("demo.sqlite").path,
            seed: seed, dealsPerDay: 1, menu: inForce, clock: .fixed(fixedNow), days: days, templates: templates, settings: settings
        ).run()
        database = try AfterdeskDatabase(path: report.databasePath, clock: .fixed(fixedNow))
    }

    func closing() async throws -> DemoClosing {
        try await DemoClosing.make(report: report, database: database, menu: inForce.menu, now: fixedNow)
    }
}

@Suite struct DemoTests {
    @Test func theDataOnlyDemoImportsAndPlans() async throws {
        let demo = try await DemoFixture()
        defer { try? FileManager.default.removeItem(at: demo.dir) }
        let report = demo.report
        // Live today: the year's deals are the store's history, imported in one export, planned as of now; no dispatch.
        #expect(report.goLive == report.today && report.exports == 1 && report.dispatch == nil)
        #expect(report.imported.inserted > 300)
        // The one export had refused rows: it is not imported again (they would count twice in the exports' declines).
        #expect(report.imported.rejected > 0 && report.again == nil)
        #expect(report.capture.deals == report.imported.inserted)
        #expect(report.planned.customers > 100 && report.planned.touches > 0)
        #expect(report.planned.touches == report.planned.sms + report.planned.email + report.planned.tasks)
        #expect(try await demo.database.storedMenu().menu == demo.inForce.menuText)
    }

    @Test func theSimulatedDaysAddUpAndRepeat() async throws {
        // Setup and action: two demos from the same seed, live 40 days before now.
        let first = try await DemoFixture(days: 40)
        let second = try await DemoFixture(days: 40)
        defer {
            try? FileManager.default.removeItem(at: first.dir)
            try? FileManager.default.removeItem(at: second.dir)
        }
        let result = try #require(first.report.dispatch)
        let recording = try #require(first.report.recording)

        // Check: the same seed gives the same days, up to yesterday; the totals are the sum of the days and match what was
        // recorded and what the outbox holds.
        #expect(result == second.report.dispatch)
        let today = first.report.today
        #expect(result.days.map(\.date) == (0..<40).map { today.adding(days: $0 - 40) })
        #expect(first.report.months.map(\.exports).reduce(0, +) == first.report.exports && first.report.exports >= 6)
        #expect(result.total.sms == result.days.reduce(0) { $0 + $1.summary.sms })
        #expect(result.total.sms == recording.sms.count)
        #expect(result.total.sms > 0 && result.total.tasks > 0)
        // The last export with no refused row, imported again: nothing changes.
        let again = try #require(first.report.again)
        #expect(again.read > 0 && again.unchanged == again.read && again.inserted == 0 && again.updated == 0)
        let closing = try await first.closing()
        #expect(closing.compliance.texts == result.total.sms && closing.compliance.emails == result.total.email)
        // Every simulated STOP and reply is one inbound text recorded; tasks done are the outcomes recorded.
        #expect(result.stops + result.replies > 0)
        let closed = try await first.database.tasks(status: .done, limit: 100_000, now: fixedNow)
        #expect(closed.count == result.tasksDone && closed.count == result.sold + result.notInterested + result.noAnswer)
        #expect(closed.filter { $0.outcome == .sold }.count == result.sold)
    }

    @Test func theClosingLinesReconcile() async throws {
        let demo = try await DemoFixture(days: 60)
        defer { try? FileManager.default.removeItem(at: demo.dir) }
        let closing = try await demo.closing()
        let report = closing.report
        // The report is as of today, over the year to today: no window past the demo's today.
        #expect(report.parameters.asOf == demo.report.today && report.parameters.to == demo.report.today)
        // Each decline is sold once after the desk: the sales recorded are the declines recovered by today, and the
        // report counts those of them within its window.
        #expect(closing.soldOnTasks + closing.contracts == closing.recoveredByToday)
        #expect(closing.contracts == demo.report.contracts && closing.contracts > 0)
        let t = report.total
        #expect(t.treated.recovered + t.holdout.recovered <= closing.recoveredByToday)
        #expect(t.treated.declines > 0 && t.holdout.declines > 0 && t.treated.recovered > 0)
        #expect(t.treated.netCents == t.treated.grossCents - t.treated.chargebacksCents)
        // Prices are each product's own: the recoveries' average price differs by product.
        let averages = Set(
            report.groups.compactMap { g in g.treated.recovered > 0 ? g.treated.grossCents / Int64(g.treated.recovered) : nil })
        #expect(averages.count > 1)
        // The compliance line: nothing outside the calendar, nothing after a stop, the cap kept.
        #expect(closing.compliance.textsOutsideCalendar == 0 && closing.optOuts.sentAfterStop == 0)
        #expect(closing.compliance.mostTouchesIn30Days <= 3 && closing.compliance.notSent == 0)
        // Tasks: the report's are the plan's tasks done on deals not unwound; the staff's are those and the replies.
        let dispatch = try #require(demo.report.dispatch)
        let replies = try await demo.database.tasks(status: .done, limit: 100_000, now: fixedNow).filter { $0.kind == .reply }.count
        #expect(dispatch.tasksDone == closing.planTasksDone + replies && t.tasksDone <= closing.planTasksDone && t.tasksDone > 0)
        // Declines: the report's are those stored on deals not unwound.
        #expect(t.declines <= closing.declinedStored && (closing.unwoundDeals > 0 || t.declines == closing.declinedStored))
        let text = closing.text(dealership: "Lakeside Motors")
        #expect(text.contains("Sales recorded: \(closing.soldOnTasks + closing.contracts)"))
        #expect(text.contains("F&I scorecard"))
        // Read in one pass, the ledger sums to the report; made together, the dashboard's reports are the ones made apart.
        let p = report.parameters
        let builder = Mutex(ReportBuilder(p))
        try await demo.database.forEachLedgerRow(p, now: fixedNow) { row in builder.withLock { $0.add(row) } }
        let single = builder.withLock { $0.finish(declinesInExports: report.total.declinesInExports) }
        #expect(single.total == report.total && single.groups == report.groups)
        var byMonth = p
        byMonth.by = .month
        let together = try await demo.database.marginReports([p, byMonth], now: fixedNow)
        let apart = try await demo.database.marginReport(byMonth, now: fixedNow)
        #expect(together[0] == report && together[1] == apart)
    }

    @Test func anotherSeedSimulatesOtherCustomers() async throws {
        let demo = try await DemoFixture(days: 20, seed: 3)
        let other = try await DemoFixture(days: 20, seed: 4)
        defer {
            try? FileManager.default.removeItem(at: demo.dir)
            try? FileManager.default.removeItem(at: other.dir)
        }
        let a = try #require(demo.report.dispatch)
        let b = try #require(other.report.dispatch)
        #expect((a.total.sms, a.stops, a.replies, a.sold, a.noAnswer) != (b.total.sms, b.stops, b.replies, b.sold, b.noAnswer))
    }

    /// The demo's texts keep the state calendar: every SMS a touch sent was allowed, at the instant it was written, by
    /// Afterdesk's window and the rules of the customer's states (Texas's 9:00 and Sunday 12:00, Louisiana's Sunday,
    /// Florida's and Oklahoma's 3 in 24 hours).
    @Test func noTextOutsideTheStateCalendar() async throws {
        let demo = try await DemoFixture(days: 30)
        defer { try? FileManager.default.removeItem(at: demo.dir) }
        let result = try #require(demo.report.dispatch)
        // The synthetic dealership's places, by area code (SyntheticDealership.places).
        let places: [String: (String, String)] = [
            "512": ("TX", "78701"), "737": ("TX", "78701"), "405": ("OK", "73102"), "918": ("OK", "74103"),
            "813": ("FL", "33602"), "407": ("FL", "32801"), "602": ("AZ", "85004"), "504": ("LA", "70112"), "303": ("CO", "80202"),
        ]
        let texts = try await demo.database.outbox(limit: 100_000).filter { $0.channel == .sms && $0.idempotencyKey.hasPrefix("touch-") }
        #expect(texts.count == result.total.sms && !texts.isEmpty)
        var sundays = 0
        for m in texts {
            let code = AreaCodes.areaCode(of: m.recipient).map(String.init) ?? ""
            let (state, zip) = try #require(places[code], "area code \(code)")
            let zone = try #require(TimeZone(identifier: CustomerTimeZone.zone(state: state, zip: zip, dealershipZone: "America/Chicago")))
            let calendar = ContactCalendar(rulebook: .shipped, home: zone, state: state, phone: m.recipient)
            let at = m.createdAt
            #expect(calendar.block(at: at, noun: "texts") == nil, "\(state) text at \(Instant.iso8601(m.createdAt))")
            if StoreHours.weekday(LocalDate(at, in: zone)) == 0 { sundays += 1 }
        }
        #expect(sundays > 0, "the simulation crosses a Sunday")
        // The demo's other compliance line: every simulated STOP is in the ledger, and nothing went to it afterwards.
        let optOuts = try await demo.database.optOutSummary()
        #expect(result.stops > 0 && optOuts.stopped["sms"] == result.stops && optOuts.sentAfterStop == 0, "\(optOuts)")
    }
}
