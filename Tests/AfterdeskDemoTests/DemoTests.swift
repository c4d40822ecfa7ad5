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

/// A demo run in a fresh folder: the imports and the plan, then `days` of simulated dispatch.
struct DemoFixture {
    let dir = temporaryDirectory()
    let inForce: MenuInForce
    let report: DemoRun.Report
    let database: AfterdeskDatabase

    init(seed: UInt64 = 3) async throws {
        inForce = try await MenuFiles.resolve(path: nil, database: nil, workingDirectory: dir.path)
        report = try await DemoRun(
            directory: dir.appendingPathComponent("demo").path, databasePath: dir.appendingPathComponent("demo.sqlite").path,
            seed: seed, dealsPerDay: 1, menu: inForce, clock: .fixed(fixedNow)
        ).run()
        database = try AfterdeskDatabase(path: report.databasePath, clock: .fixed(fixedNow))
    }

    func simulate(days: Int, seed: UInt64 = 3) async throws -> (DemoDispatch.Result, RecordingChannels) {
        let templates = try DispatchSetup.templates(directory: repositoryRoot.appendingPathComponent("templates").path, menu: inForce.menu)
        let recording = RecordingChannels()
        var settings = Settings()
        settings.emailFrom = "Lakeside Motors <service@dealership.example>"
        settings.publicURL = "http://127.0.0.1:8080"
        settings.crmLeadEmail = "leads@crm.example"
        let dispatcher = try await Dispatcher.recording(
            database: database, menu: inForce.menu, warranties: inForce.warranties, templates: templates, settings: settings,
            into: recording)
        let result = try await DemoDispatch(dispatcher: dispatcher, recording: recording, seed: seed, days: days).run(start: fixedNow)
        return (result, recording)
    }
}

@Suite struct DemoTests {
    @Test func demoRunsEndToEnd() async throws {
        let demo = try await DemoFixture()
        defer { try? FileManager.default.removeItem(at: demo.dir) }
        let report = demo.report
        #expect(report.first.inserted > 300)
        #expect(report.again.unchanged == report.first.inserted && report.again.inserted == 0)
        #expect(report.update.recoveries > 0)
        #expect(report.capture.deals == report.first.inserted)
        #expect(report.capture.products.reduce(0) { $0 + $1.declined } <= report.declinesInExport)
        #expect(report.planned.customers > 100 && report.planned.touches > 0)
        #expect(report.planned.touches == report.planned.sms + report.planned.email + report.planned.tasks)
        #expect(try await demo.database.storedMenu().menu == demo.inForce.menuText)
    }

    @Test func theSimulatedDaysAddUpAndRepeat() async throws {
        // Setup: two demo databases from the same seed.
        let first = try await DemoFixture()
        let second = try await DemoFixture()
        defer {
            try? FileManager.default.removeItem(at: first.dir)
            try? FileManager.default.removeItem(at: second.dir)
        }

        // Action: ten simulated days on each (the dealer GAP waiver sends no texts any more: five days of the small
        // demo held too few texts for a simulated STOP or reply).
        let (result, recording) = try await first.simulate(days: 10)
        let (again, _) = try await second.simulate(days: 10)

        // Check: the same seed gives the same days; the totals are the sum of the days and match what was recorded.
        #expect(result == again)
        #expect(result.days.count == 10)
        #expect(result.days.map(\.date) == (0..<10).map { LocalDate(year: 2026, month: 11, day: 23)!.adding(days: $0) })
        #expect(result.total.sms == result.days.reduce(0) { $0 + $1.summary.sms })
        #expect(result.total.sms == recording.sms.count)
        #expect(result.total.sms > 0 && result.total.tasks > 0)
        // Every simulated STOP and reply is one inbound text recorded; each STOP opted that number out.
        #expect(result.stops + result.replies > 0)
        #expect(result.soldValue == Money(cents: Int64(result.sold) * DemoDispatch.soldPrice.cents))
        let closed = try await first.database.tasks(status: .done, limit: 100_000, now: fixedNow)
        #expect(closed.count == result.sold + result.notInterested + result.noAnswer)
    }

    @Test func anotherSeedSimulatesOtherCustomers() async throws {
        let demo = try await DemoFixture()
        let other = try await DemoFixture()
        defer {
            try? FileManager.default.removeItem(at: demo.dir)
            try? FileManager.default.removeItem(at: other.dir)
        }
        let (a, _) = try await demo.simulate(days: 10, seed: 3)
        let (b, _) = try await other.simulate(days: 10, seed: 4)
        // The first day's messages are the same (the deals are the same); the simulated answers differ, and a STOP
        // on one seed's day holds back that customer's later texts.
        #expect(a.days[0].summary.sms == b.days[0].summary.sms && a.days[0].summary.sms > 0)
        #expect((a.stops, a.replies, a.sold, a.noAnswer) != (b.stops, b.replies, b.sold, b.noAnswer))
    }

    /// The demo's texts keep the state calendar: every SMS a touch sent was allowed, at the instant it was written, by
    /// Afterdesk's window and the rules of the customer's states (Texas's 9:00 and Sunday 12:00, Louisiana's Sunday,
    /// Florida's and Oklahoma's 3 in 24 hours).
    @Test func noTextOutsideTheStateCalendar() async throws {
        let demo = try await DemoFixture()
        defer { try? FileManager.default.removeItem(at: demo.dir) }
        let (result, _) = try await demo.simulate(days: 14)
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

@Suite struct DemoOutcomeTests {
    /// The demo's last step: simulated after-sale contracts and cancellations, imported, and the report on them.
    @Test func theDemoEndsWithAReportOverBothArms() async throws {
        // Setup: a demo with a week of dispatch.
        let demo = try await DemoFixture()
        defer { try? FileManager.default.removeItem(at: demo.dir) }
        _ = try await demo.simulate(days: 7)
        let asOf = LocalDate(fixedNow, in: TimeZone(identifier: "America/Chicago")!).adding(days: 6)
        let outcomes = DemoOutcomes(directory: demo.dir.appendingPathComponent("demo").path, seed: 3, menu: demo.inForce, asOf: asOf)
        let end = fixedNow.addingTimeInterval(6 * 86_400 + 8 * 3_600)

        // Action: twice, on the same database (the second import changes nothing).
        let first = try await outcomes.run(database: try AfterdeskDatabase(path: demo.report.databasePath, clock: .fixed(end)), now: end)
        let second = try await outcomes.run(database: try AfterdeskDatabase(path: demo.report.databasePath, clock: .fixed(end)), now: end)

        // Check: every simulated contract landed; both arms have declines; the report repeats itself.
        let t = first.report.total
        #expect(first.contracts.inserted > 0 && first.contracts.rejected == 0 && first.cancellations.rejected == 0)
        #expect(second.contracts.inserted == 0)
        #expect(t.treated.declines > 0 && t.holdout.declines > 0 && t.treated.recovered > 0)
        #expect(t.treated.netCents == t.treated.grossCents - t.treated.chargebacksCents)
        #expect(first.report.groups.map(\.key) == ["appearance", "gap", "maintenance", "tire_wheel", "vsc"])
        #expect(first.report == second.report)
        #expect(ReportText.render(first.report).contains("held out"))
        // Read in two halves at once, the report equals the sum of the ledger read in one pass.
        let db = try AfterdeskDatabase(path: demo.report.databasePath, clock: .fixed(end))
        let builder = Mutex(ReportBuilder(first.report.parameters))
        try await db.forEachLedgerRow(first.report.parameters, now: end) { row in builder.withLock { $0.add(row) } }
        let single = builder.withLock { $0.finish(declinesInExports: first.report.total.declinesInExports) }
        #expect(single.total == first.report.total && single.groups == first.report.groups)
        // Made in one pass (the later builders counting only their groups), the dashboard's three reports are the ones
        // made one by one.
        let p = first.report.parameters
        var byMonth = p
        byMonth.by = .month
        var byStaff = p
        byStaff.by = .staff
        let together = try await db.marginReports([p, byMonth, byStaff], now: end)
        var apart: [MarginReport] = []
        for q in [p, byMonth, byStaff] { apart.append(try await db.marginReport(q, now: end)) }
        #expect(together == apart && together[1].groups.count > 1 && together[2].total == together[0].total)
    }
}
