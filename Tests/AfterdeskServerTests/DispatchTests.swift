import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskDemo
import AfterdeskStorage
import Foundation
import GRDB
import Logging
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
/// The shipped menu with a lender's GAP product (`lenderGAPMenuYAML`); `shippedMenu` is the menu as shipped.
let menu = try! MenuLoader.loadMenu(yaml: lenderGAPMenuYAML(), file: "menus/default.yaml")
let shippedMenu = try! MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "menus/default.yaml")
let warranties = try! MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "menus/warranties.yaml")
let templates = try! DispatchSetup.templates(directory: repositoryRoot.appendingPathComponent("templates").path, menu: menu)

func utc(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }

let header =
    "deal_number,contract_date,deal_type,buyer_first_name,buyer_last_name,buyer_email,buyer_phone,buyer_state,buyer_zip,consent_sms,consent_email,consent_phone,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,odometer,selling_price,vehicle_value,amount_financed,apr,term_months,first_payment_date,salesperson_id,salesperson_name,fi_manager_id,fi_manager_name,vsc_outcome,vsc_price,gap_outcome,gap_price,tire_wheel_outcome,tire_wheel_price,appearance_outcome,appearance_price"

/// Three customers bought on 2026-10-01 in Austin (America/Chicago):
/// D-1 Maria consents to SMS and email, declined VSC, GAP and tire & wheel;
/// D-2 James consents to email only, declined appearance;
/// D-3 Ana consents to nothing, declined a VSC quoted above the task threshold.
let deals = """
    \(header)
    D-1,2026-10-01,finance,Maria,Lopez,maria@example.com,(512) 555-0142,TX,78701,Y,Y,Y,4T1B11HK7RU000001,2026,Toyota,Camry,new,12,31250,29000,34500,6.9,72,2026-11-15,S1,Dana Whitfield,F1,Karen Liu,declined,2495,declined,895,declined,799,not_offered,
    D-2,2026-10-01,cash,James,Smith,james@example.com,(512) 555-0199,TX,78704,N,Y,N,1FTFW1E5XPFA00002,2026,Ford,F-150,new,20,48000,46000,,,,,S2,Marcus Bell,F1,Karen Liu,not_offered,,not_offered,,not_offered,,declined,695
    D-3,2026-10-01,cash,Ana,Ruiz,,(512) 555-0123,TX,78702,N,N,N,1HGCV1F36RA000003,2026,Honda,Accord,new,8,33000,31000,,,,,S2,Marcus Bell,F2,Victor Osei,declined,3500,not_offered,,not_offered,,not_offered,

    """

/// A fresh database with the three deals, planned at 2026-10-01 20:00 UTC (15:00 in Austin), on `backend`.
final class Scenario: @unchecked Sendable {
    let dir: URL
    let backend: TestBackend
    let db: any Storage
    /// The test's own SQL on `db` (SQLite's dialect, `?` parameters; see `StoredSQL`).
    let sql: StoredSQL
    let channels = RecordingChannels()
    var settings = Settings()
    /// The menu the deals are imported, planned and dispatched with.
    let menu: Menu

    /// - Parameter withMenu: the menu in force; the tests' menu (`menu`, with a lender's GAP) when nil.
    init(backend: TestBackend = .sqlite, csv: String = deals, withMenu: Menu? = nil) async throws {
        self.menu = withMenu ?? AfterdeskServerTests.menu
        self.backend = backend
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("afterdesk-dispatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        db = try await backend.make(clock: .fixed(utc("2026-10-01T20:00:00Z")), directory: dir)
        sql = StoredSQL(db)
        let file = dir.appendingPathComponent("deals.csv").path
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let summary = try await db.importDeals(files: [file], options: ImportOptions(menu: menu))
        precondition(summary.rejected == 0, "fixture rows rejected: \(summary)")
        settings.emailFrom = "Lakeside Motors <service@lakeside.example>"
        settings.publicURL = "https://afterdesk.lakeside.example"
        settings.smsAuthToken = "tok"
        _ = try await db.planCustomers(planner: Planner(menu: menu, warranties: warranties), now: utc("2026-10-01T20:00:00Z"))
    }
    deinit { try? FileManager.default.removeItem(at: dir) }

    var dispatcher: Dispatcher {
        Dispatcher(
            database: db, menu: menu, warranties: warranties, templates: templates, settings: settings,
            channels: .recording(channels), signingSecret: "secret")
    }

    /// The test's own SQL on either backend (`StoredSQL`: SQLite's dialect, `?` parameters).
    func rows(_ query: String, _ args: [(any DatabaseValueConvertible & Sendable)?] = []) async throws -> [StoredRow] {
        try await sql.rows(query, args)
    }
    func execute(_ query: String, _ args: [(any DatabaseValueConvertible & Sendable)?] = []) async throws {
        try await sql.execute(query, args)
    }
    /// The customer of a deal.
    func customer(_ deal: String) async throws -> Int64 {
        try #require(try await sql.value("SELECT customer_id FROM deals WHERE deal_number = ?", [deal], as: Int64.self))
    }
    /// The touches of a deal's customer in `status`, by due time: (id, due, action).
    func touches(_ deal: String, status: String = "planned") async throws -> [(id: Int64, due: String, action: String)] {
        try await sql.rows(
            "SELECT id, due_at, action FROM touches WHERE customer_id = ? AND status = ? ORDER BY due_at, id",
            [try await customer(deal), status]
        )
        .map { ($0[0], $0[1], $0[2]) }
    }
}

@Suite(.serialized, .talliedByBackend) struct DispatchTests {
    /// The scheduler of `serve` dispatched at `Date()` whatever clock the server was given. It now takes the server's.
    @Test(arguments: TestBackend.all) func theSchedulerTakesTimeFromTheInjectedClock(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let james = try #require(try await s.touches("D-2").first)
        let at = utc(james.due).addingTimeInterval(60)
        let scheduler = Task {
            await Scheduler(interval: .seconds(3600), dispatcher: s.dispatcher, clock: .fixed(at), logger: Logger(label: "test")).run()
        }
        for _ in 0..<200 where try await s.rows("SELECT COUNT(*) FROM outbox")[0][0] as Int == 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
        scheduler.cancel()
        await scheduler.value
        let created = try await s.rows("SELECT created_at FROM outbox").map { $0[0] as String }
        #expect(!created.isEmpty && created.allSatisfy { $0 == Instant.iso8601(at) }, "\(created)")
    }

    /// The defect: `run --dry-run` bound up to 100,000 touch ids into one IN (…), which a SQLite built with the default
    /// limit of 32,766 variables refuses. Here the limit is 1,100 and more touches than that are due.
    /// SQLite only: the limit is SQLite's own (`variableLimit`).
    @Test func aDryRunWorksUnderALowSQLiteVariableLimit() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("afterdesk-limit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try AfterdeskDatabase(
            path: dir.appendingPathComponent("limit.sqlite").path, clock: .fixed(utc("2026-11-01T20:00:00Z")),
            variableLimit: 1_100)
        let gen = SyntheticDealership(
            seed: 3, menu: menu, endDate: LocalDate(year: 2026, month: 10, day: 31)!, days: 120, dealsPerDay: 14,
            errorRate: 0)
        let file = dir.appendingPathComponent("deals.csv").path
        try gen.csv().write(toFile: file, atomically: true, encoding: .utf8)
        _ = try await db.importDeals(files: [file], options: ImportOptions(menu: menu))
        _ = try await db.planCustomers(planner: Planner(menu: menu, warranties: warranties), now: utc("2026-11-01T20:00:00Z"))
        let dispatcher = Dispatcher(
            database: db, menu: menu, warranties: warranties, templates: templates, settings: Settings(),
            channels: .recording(RecordingChannels()), signingSecret: "secret")
        let summary = try await dispatcher.run(now: utc("2031-01-01T16:00:00Z"), dryRun: true)
        #expect(summary.due > 1_100)
    }

    /// A dry run pages through what is due (it used to bind up to 100,000 ids into one IN (…), past the 32,766 variables
    /// of a default SQLite build), decides every touch once and records nothing.
    @Test(arguments: TestBackend.all) func aDryRunPagesThroughEverythingDueAndRecordsNothing(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let at = utc("2027-06-01T15:00:00Z")
        let planned =
            try await s.rows("SELECT COUNT(*) FROM touches WHERE status = 'planned' AND due_at <= ?", [Instant.iso8601(at)])[0][0] as Int
        #expect(planned >= 3)
        var decided: [Int64] = []
        let summary = try await s.dispatcher.run(now: at, dryRun: true, pageSize: 1) { decided.append($0.touch) }
        #expect(summary.due == planned && decided.count == planned && Set(decided).count == planned)
        #expect(
            try await s.rows("SELECT COUNT(*) FROM touches WHERE status = 'planned' AND due_at <= ?", [Instant.iso8601(at)])[0][0] as Int
                == planned)
        #expect(try await s.rows("SELECT COUNT(*) FROM outbox")[0][0] as Int == 0 && s.channels.sms.isEmpty)
    }

    @Test(arguments: TestBackend.all) func dueTouchesBecomeMessagesAndTasksOnce(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        // Maria: SMS; James: email; Ana: task (quote above the threshold). Pick the first touch of each.
        let maria = try #require(try await s.touches("D-1").first)
        #expect(maria.action == "sms")
        #expect(try await s.touches("D-2").first?.action == "email")
        #expect(try await s.touches("D-3").first?.action == "task")
        let at = utc(maria.due)
        let summary = try await s.dispatcher.run(now: at)
        #expect(summary.sms == 1)
        let sms = try #require(s.channels.sms.first)
        #expect(sms.to == "+15125550142")
        #expect(sms.body.hasPrefix("Hi Maria,"))
        #expect(sms.body.hasSuffix("Reply STOP to opt out."))
        #expect(
            try await s.rows("SELECT status, provider_id FROM outbox").map { [$0[0] as String, $0[1] as String] } == [["sent", sms.sid]])
        #expect(try await s.touches("D-1", status: "sent").map(\.id) == [maria.id])
        // Running again at the same instant sends nothing more.
        let again = try await s.dispatcher.run(now: at)
        #expect(again.due == 0 && again.delivered == 0)
        #expect(s.channels.sms.count == 1)
    }

    @Test(arguments: TestBackend.all) func emailCarriesUnsubscribeAndAddress(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let james = try #require(try await s.touches("D-2").first)
        _ = try await s.dispatcher.run(now: utc(james.due))
        let email = try #require(s.channels.emails.first { $0.recipients == ["james@example.com"] })
        #expect(email.from == "service@lakeside.example")
        #expect(
            email.data.contains("List-Unsubscribe: <https://afterdesk.lakeside.example/unsubscribe?c=\(try await s.customer("D-2"))&t="))
        #expect(email.data.contains("Message-ID: <touch-\(james.id)-email@afterdesk>"))
        #expect(email.data.contains("multipart/alternative"))
        let text = String(
            decoding: Data(
                base64Encoded: email.data.components(separatedBy: "base64\r\n\r\n")[1].components(separatedBy: "--=_")[0]
                    .replacingOccurrences(of: "\r\n", with: ""))!, as: UTF8.self)
        #expect(text.contains("1200 Lakeshore Drive, Austin, TX 78701"))
        #expect(text.contains("Appearance Protection"))
    }

    @Test(arguments: TestBackend.all) func nothingOutsideTheContactWindow(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let maria = try #require(try await s.touches("D-1").first)
        // 03:00 UTC is 22:00 the evening before in Austin.
        let day = String(maria.due.prefix(10))
        let night = utc(day + "T03:00:00Z").addingTimeInterval(86_400)
        let summary = try await s.dispatcher.run(now: night)
        #expect(summary.due >= 1 && summary.moved >= 1 && summary.sms == 0)
        #expect(s.channels.sms.isEmpty)
        // It moved to 9:00 the next morning (a Monday), Austin time (14:00 UTC in October): Afterdesk's window opens at
        // 8:00, Texas's at 9:00. It goes out then.
        let moved = try #require(try await s.rows("SELECT due_at, status_reason FROM touches WHERE id = ?", [maria.id]).first)
        #expect((moved[0] as String).hasSuffix("T14:00:00Z"))
        #expect((moved[1] as String).contains("outside contact hours (8:00–20:00 America/Chicago); Texas: no texts before 9:00 on Monday"))
        let later = try await s.dispatcher.run(now: utc(moved[0]))
        #expect(later.sms == 1)
    }

    @Test(arguments: TestBackend.all) func noSendWithoutConsentEvenIfPlannedWithIt(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let maria = try #require(try await s.touches("D-1").first)
        // Consent withdrawn behind the plan's back (another system wrote it): the gate re-checks at sending time.
        try await s.execute("UPDATE customers SET consent_sms = ? WHERE id = ?", [false, try await s.customer("D-1")])
        let summary = try await s.dispatcher.run(now: utc(maria.due))
        #expect(summary.skipped == 1 && summary.sms == 0)
        #expect(s.channels.sms.isEmpty)
        #expect(
            try await s.rows("SELECT status, status_reason FROM touches WHERE id = ?", [maria.id]).map {
                [$0[0] as String, $0[1] as String]
            }
                == [["skipped", "no SMS consent (never given, or opted out)"]])
    }

    @Test(arguments: TestBackend.all) func noSendOverTheCap(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let maria = try #require(try await s.touches("D-1").first)
        let customer = try await s.customer("D-1")
        // Three touches already sent in the last 30 days (e.g. by a run on another day).
        let at = utc(maria.due)
        for days in [3.0, 10, 20] {
            let sent = Instant.iso8601(at.addingTimeInterval(-days * 86_400))
            try await s.execute(
                "INSERT INTO touches (customer_id, due_at, due_on, action, status, planned_at, sent_at) VALUES (?, ?, ?, 'sms', 'sent', ?, ?)",
                [customer, sent, String(sent.prefix(10)), sent, sent])
        }
        let summary = try await s.dispatcher.run(now: at)
        #expect(summary.sms == 0)
        #expect(s.channels.sms.isEmpty)
        let reason: String = try await s.rows("SELECT status_reason FROM touches WHERE id = ?", [maria.id])[0][0]
        #expect(reason.contains("3 touches in the last 30 days") || reason.contains("window closes"))
    }

    /// Two of a customer's touches due at the same instant (both moved to the same opening) went out in one run: the
    /// gate counted the customer's touches from the database, before either was recorded. One a day holds now.
    @Test(arguments: TestBackend.all) func twoTouchesDueAtOnceAreNotBothSent(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let planned = try await s.touches("D-1").filter { $0.action == "sms" }
        try #require(planned.count >= 2)
        let at = utc(planned[0].due)
        try await s.execute("UPDATE touches SET due_at = ? WHERE id = ?", [planned[0].due, planned[1].id])
        let summary = try await s.dispatcher.run(now: at)
        #expect(summary.sms == 1 && s.channels.sms.count == 1)
        #expect(summary.moved == 1, "\(summary)")
        let sentToday: Int = try await s.rows(
            "SELECT COUNT(*) FROM touches WHERE customer_id = ? AND status = 'sent'", [try await s.customer("D-1")])[0][0]
        #expect(sentToday == 1)
    }

    /// Pages are read ahead: the next page is read while the one before is decided and recorded. A customer's second
    /// touch read ahead, while their first was still being recorded, is left for a later pass, which reads their facts
    /// again: one a day still holds, the first touch is the one sent, and another customer's touch in between goes out.
    @Test(arguments: TestBackend.all) func aTouchReadAheadOfItsCustomersRecordWaitsForIt(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let planned = try await s.touches("D-1").filter { $0.action == "sms" }
        try #require(planned.count >= 2)
        let james = try #require(try await s.touches("D-2").first)
        // In due order at one instant: by id, so Maria's second touch comes between her first and James's.
        try #require(planned[0].id < planned[1].id && planned[1].id < james.id)
        let at = utc(planned[0].due)
        try await s.execute("UPDATE touches SET due_at = ? WHERE id IN (?, ?)", [planned[0].due, planned[1].id, james.id])
        var order: [Int64] = []
        // A page of one: Maria's first touch, then her second (read ahead while the first is recorded), then James's.
        let summary = try await s.dispatcher.run(now: at, pageSize: 1) { order.append($0.touch) }
        #expect(summary.due == 3 && summary.sms == 1 && summary.email == 1 && summary.moved == 1, "\(summary)")
        #expect(summary.delivered == 2 && s.channels.sms.count == 1 && s.channels.emails.count == 1)
        #expect(order == [planned[0].id, james.id, planned[1].id])
        #expect(try await s.touches("D-1", status: "sent").map(\.id) == [planned[0].id])
        let reason: String = try await s.rows("SELECT status_reason FROM touches WHERE id = ?", [planned[1].id])[0][0]
        #expect(reason.hasPrefix("moved:") && reason.contains("one touch a day"), "\(reason)")
    }

    @Test(arguments: TestBackend.all) func aStopAtAnyMomentCancelsEveryPendingSMS(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let customer = try await s.customer("D-1")
        let pendingSMS = try await s.touches("D-1").filter { $0.action == "sms" }
        #expect(pendingSMS.count >= 2)
        // One SMS queued in the outbox but not yet sent (the provider was down).
        s.channels.fail(next: 1)
        _ = try await s.dispatcher.run(now: utc(pendingSMS[0].due))
        #expect(try await s.rows("SELECT status FROM outbox").map { $0[0] as String } == ["queued"])
        let ids = try await s.db.setSMSConsent(phone: "+15125550142", consent: false, source: "sms STOP SM1", now: utc(pendingSMS[0].due))
        #expect(ids == [customer])
        #expect(try await s.touches("D-1").filter { $0.action == "sms" }.isEmpty)
        #expect(try await s.rows("SELECT status FROM outbox").map { $0[0] as String } == ["cancelled"])
        // Nothing goes out afterwards, at any time.
        for t in pendingSMS { _ = try await s.dispatcher.run(now: utc(t.due).addingTimeInterval(3_600)) }
        #expect(s.channels.sms.isEmpty)
        // Re-planning routes the products to email, which Maria consents to.
        _ = try await s.dispatcher.replan(customers: [customer], now: utc(pendingSMS[0].due))
        let after = try await s.touches("D-1")
        #expect(!after.isEmpty && after.allSatisfy { $0.action != "sms" })
    }

    @Test(arguments: TestBackend.all) func providerFailuresRetryWithBackoffThenDeadLetter(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        s.settings.maxAttempts = 3
        s.settings.retryBaseSeconds = 60
        let maria = try #require(try await s.touches("D-1").first)
        var at = utc(maria.due)
        s.channels.fail(next: 10)
        _ = try await s.dispatcher.run(now: at)
        var row = try await s.rows("SELECT status, attempts, next_attempt_at FROM outbox")[0]
        #expect(row[0] as String == "queued" && row[1] as Int == 1)
        #expect(row[2] as String == Instant.iso8601(at.addingTimeInterval(60)))
        at = at.addingTimeInterval(60)
        _ = try await s.dispatcher.run(now: at)
        row = try await s.rows("SELECT status, attempts, next_attempt_at FROM outbox")[0]
        #expect(row[0] as String == "queued" && row[1] as Int == 2)
        #expect(row[2] as String == Instant.iso8601(at.addingTimeInterval(120)))
        // Not yet due: nothing tried.
        _ = try await s.dispatcher.run(now: at.addingTimeInterval(60))
        #expect(try await s.rows("SELECT attempts FROM outbox")[0][0] as Int == 2)
        let last = try await s.dispatcher.run(now: at.addingTimeInterval(120))
        #expect(last.dead == 1)
        #expect(try await s.db.outbox(status: .dead).count == 1)
        #expect(s.channels.sms.isEmpty)
        // Put back by a person once the provider works again: sent once.
        s.channels.fail(next: 0)
        #expect(try await s.db.retryDeadLetter(id: try s.db.outbox(status: .dead)[0].id, now: at.addingTimeInterval(200)))
        _ = try await s.dispatcher.run(now: at.addingTimeInterval(200))
        #expect(s.channels.sms.count == 1)
    }

    @Test(arguments: TestBackend.all) func aCrashMidSendIsReconciledWithoutSendingTwice(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let maria = try #require(try await s.touches("D-1").first)
        let james = try #require(try await s.touches("D-2").first)
        let at = max(utc(maria.due), utc(james.due))
        // The process claims the messages, hands them to the providers, and dies before recording the results.
        try await s.db.record([], now: at)
        let d = s.dispatcher
        var records: [DispatchRecord] = []
        var staff = Dispatcher.StaffCache()
        for t in try await s.db.dueTouches(now: at, limit: 10) where t.action != .task {
            await records.append(try d.decide(t, now: at, staff: &staff))
        }
        try await s.db.record(records, now: at)
        let claimed = try await s.db.claimOutbox(now: at, limit: 10)
        #expect(claimed.count == 2)
        let sms = try #require(claimed.first { $0.channel == .sms })
        _ = await d.send(sms, now: at)  // reached the provider…
        #expect(s.channels.sms.count == 1)  // …and the process died here.
        #expect(try await s.db.outboxCounts()["sending"] == 2)

        // The restart reconciles: the SMS the provider has is marked sent with its id; the email never left and goes now.
        let summary = try await s.dispatcher.run(now: at.addingTimeInterval(5))
        #expect(summary.reconciled == 2)
        #expect(s.channels.sms.count == 1)
        #expect(s.channels.emails.count == 1)
        let rows = try await s.rows("SELECT channel, status, provider_id FROM outbox ORDER BY channel")
        #expect(rows.map { $0[1] as String } == ["sent", "sent"])
        #expect(rows.first { ($0[0] as String) == "sms" }?[2] as String? == s.channels.sms[0].sid)
    }

    @Test(arguments: TestBackend.all) func suppressedProductsAreNotRaised(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let maria = try await s.touches("D-1")
        // The vehicle was traded in: every pending touch for the deal stops, with the reason.
        let customer = try await s.db.addStop(
            dealNumber: "D-1", store: nil, product: nil, kind: .vehicleSold, source: "test", now: utc("2026-10-02T15:00:00Z"))
        // At dispatch time, before any re-planning, the gate already refuses.
        let summary = try await s.dispatcher.run(now: utc(maria[0].due))
        #expect(summary.skipped == 1 && summary.sms == 0)
        #expect(
            (try await s.rows("SELECT status_reason FROM touches WHERE id = ?", [maria[0].id])[0][0] as String).contains(
                "traded in or sold"))
        _ = try await s.dispatcher.replan(customers: [customer], now: utc("2026-10-02T15:00:00Z"))
        #expect(try await s.touches("D-1").isEmpty)
        let cancelled = try await s.rows(
            "SELECT DISTINCT status_reason FROM touches WHERE customer_id = ? AND status = 'cancelled'", [customer])
        #expect(cancelled.map { $0[0] as String } == ["the vehicle was traded in or sold"])
    }
}
