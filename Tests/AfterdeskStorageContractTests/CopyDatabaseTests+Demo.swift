import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskDemo
import AfterdeskPostgres
import AfterdeskSQLite
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Testing

/// The source and targets of `CopyDatabaseTests`: a demo store made once per test run (30 days live, a deal a day, with
/// dispatch), given to each test as its own file (a backup of it), and a fresh PostgreSQL database per test.
enum CopyDemo {
    /// Tables the demo source leaves empty (nothing in it writes them).
    static let leftEmpty: Set<String> = ["follow_up_pauses", "odometer_readings", "web_imports"]

    /// A deal the demo does not have, in the canonical export.
    static let oneMoreDeal = """
        deal_number,store,status,contract_date,delivery_date,deal_type,buyer_first_name,buyer_last_name,buyer_email,buyer_phone,\
        buyer_state,buyer_zip,consent_sms,consent_email,consent_phone,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,\
        odometer,in_service_date,selling_price,vehicle_value,amount_financed,apr,term_months,first_payment_date,lender,salesperson_id,\
        salesperson_name,fi_manager_id,fi_manager_name,vsc_outcome,vsc_price,vsc_cost,vsc_reason,gap_outcome,gap_price,gap_cost,\
        gap_reason
        COPY-1,main,finalized,2026-11-02,2026-11-02,finance,Ada,Copy,ada.copy@example.com,(512) 555-0177,TX,78701,Y,Y,Y,\
        4T1B11HK7RU000001,2026,Toyota,Camry,new,12,,"$31,250.00",29000.00,"34,500.00",6.9,72,2026-12-15,Ally Financial,S101,\
        Dana Whitfield,F201,Karen Liu,declined,2495.00,,payment,declined,895.00,,think

        """

    /// Text with every character COPY's text format escapes, and some it does not.
    static let awkwardText = "back\\slash\ttab\nnewline\rreturn \\N é ✓"

    private static let made = Made()

    /// This test's own copy of the demo store, at `f`'s clock.
    static func source(in f: Fixture) async throws -> AfterdeskDatabase {
        let path = try await made.path(f)
        let mine = f.path("source.sqlite")
        _ = try await AfterdeskDatabase(path: path, clock: f.clock).backup(to: mine)
        return try AfterdeskDatabase(path: mine, clock: f.clock)
    }

    /// A new, empty PostgreSQL database.
    static func target(_ f: Fixture) async throws -> PostgresStorage {
        try await PostgresTestDatabases.shared.fresh(clock: f.clock, uploads: f.path("uploads"))
    }

    /// `db`'s figures as copy-database compares them: twenty years of report to `f`'s today, and explain of ten deals.
    static func figures(_ db: any Storage, _ f: Fixture, deals: [CopyCheck.DealKey]? = nil) async throws
        -> [(name: String, text: String)]
    {
        let today = LocalDate(f.now, in: f.menu.dealership.zone)
        let p = ReportParameters(asOf: today, from: today.adding(years: -20), to: today, menu: f.menu)
        var sample = deals ?? []
        if deals == nil { sample = try await CopyCheck.sample(db, limit: 10) }
        return try await CopyCheck.figures(db, report: p, planner: f.planner, explaining: sample, now: f.now)
    }

    /// The same figures on both sides, and figures worth comparing: declines in the ledger, deals explained.
    static func expectSameFigures(_ source: any Storage, _ target: any Storage, _ f: Fixture) async throws {
        let deals = try await CopyCheck.sample(source, limit: 10)
        #expect(deals.count == 10)
        let mine = try await figures(source, f, deals: deals)
        let theirs = try await figures(target, f, deals: deals)
        #expect(CopyCheck.differences(mine, theirs).isEmpty, "differ: \(CopyCheck.differences(mine, theirs))")
        let ledger = mine.first { $0.name == "report --by decline" }?.text ?? ""
        #expect(Int(ledger.prefix { $0.isNumber }) ?? 0 > 100, "\(ledger)")
        #expect(mine.filter { $0.name.hasPrefix("explain ") && $0.text != "none" }.count == 10)
        // The figures are not the same by accident of both sides being alike in their emptiness: they name deals.
        #expect(mine.first { $0.name == "report --by product" }?.text.contains("\"declines\"") == true)
    }

    /// The demo store, made once.
    actor Made {
        private var made: Task<String, any Error>?

        func path(_ f: Fixture) async throws -> String {
            let task = made ?? Task { try await CopyDemo.make(now: f.now) }
            made = task
            return try await task.value
        }
    }

    /// A demo store, then what the demo itself leaves out: users with passwords, an API token, a stored session (bytes),
    /// sign-in attempts, a do-not-call number, an opt-out lifted by recorded consent, and an SMS consent change.
    static func make(now: Date) async throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("afterdesk-copy-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let inForce = try await MenuFiles.resolve(path: nil, database: nil, workingDirectory: dir.path)
        let templates = try DispatchSetup.templates(
            directory: repositoryRoot.appendingPathComponent("templates").path, menu: inForce.menu)
        var settings = Settings()
        settings.emailFrom = "Lakeside Motors <service@dealership.example>"
        settings.publicURL = "http://127.0.0.1:8080"
        settings.crmLeadEmail = "leads@crm.example"
        let report = try await DemoRun(
            directory: dir.appendingPathComponent("demo").path, databasePath: dir.appendingPathComponent("demo.sqlite").path,
            seed: 3, dealsPerDay: 1, menu: inForce, clock: .fixed(now), days: 30, templates: templates, settings: settings
        ).run()
        let db = try AfterdeskDatabase(path: report.databasePath, clock: .fixed(now))
        _ = try await DemoUsers.add(to: db, now: now) { "hash:" + $0 }
        _ = try await db.addToken(user: "admin", tokenHash: "token-hash", label: "copy test", expiresAt: nil, now: now)
        try await db.persistSet(
            key: "session", value: Data([0, 1, 2, 0xFF]), expiresAt: now.addingTimeInterval(3600), keepExpiry: false,
            onlyNew: false, now: now)
        _ = try await db.reserveSignIn(user: "fi", address: "127.0.0.1", now: now)
        _ = try await db.claimLease(LeaseName.scheduler, holder: "copy-test", duration: 30, now: now)
        _ = try await db.countHit("offer-press:1", limit: 10, window: 3_600, now: now)
        _ = try await db.addDoNotCall(["+15125550100"], source: "test", now: now)
        _ = try await db.addOptOut(
            address: "copy@example.com", channel: .email, detail: "asked", by: "test", now: now.addingTimeInterval(-4 * 86_400))
        _ = try await db.recordConsent(
            address: "copy@example.com", channel: .email, evidence: "signed form", date: LocalDate(year: 2026, month: 11, day: 22)!,
            by: "test", now: now)
        try await db.setSMSConsent(phone: "+15125550142", consent: false, source: "test", reference: nil, now: now)
        try await db.setSetting("copy-test", CopyDemo.awkwardText)
        return report.databasePath
    }
}
