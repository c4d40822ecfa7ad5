import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// Issue 24, item 1: the opt-out ledger. Every path that stops contact writes it; no import turns a channel back on;
/// only the customer's START (first sight) or consent recorded with evidence restores one.
@Suite(.talliedByBackend) struct OptOutLedgerTests {
    static let header =
        "deal_number,contract_date,deal_type,buyer_first_name,buyer_last_name,buyer_email,buyer_phone,buyer_state,buyer_zip,consent_sms,consent_email,consent_phone,customer_number,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,odometer,selling_price,vehicle_value,vsc_outcome,vsc_price"

    /// A deal of Maria's (customer C-1, the same phone and email on every deal) with every consent Y.
    static func deal(_ number: String, date: String = "2026-10-01", vin: String = "4T1B11HK7RU000001", odometer: Int = 12) -> String {
        "\(number),\(date),cash,Maria,Lopez,Maria.Lopez@Example.com,(512) 555-0142,TX,78701,Y,Y,Y,C-1,\(vin),2026,Toyota,Camry,new,\(odometer),31250,29000,declined,2495"
    }

    static func importDeals(_ w: Workspace, _ db: any Storage, _ name: String, _ rows: [String], bulk: BulkMode = .off) async throws {
        let file = try w.write(name, ([header] + rows).joined(separator: "\n") + "\n")
        var options = ImportOptions(menu: try menu())
        options.bulk = bulk
        let s = try await db.importDeals(files: [file], options: options)
        #expect(s.rejected == 0, "\(s.rejects)")
    }

    /// Maria's consent on each channel, as stored (a customer not stored yet: every channel granted, so that a check
    /// of a stop fails).
    static func consent(_ db: any Storage) async throws -> (sms: Bool, email: Bool, phone: Bool) {
        let r = try await StoredSQL(db).rows(
            "SELECT consent_sms, consent_email, consent_phone FROM customers WHERE customer_number = 'C-1'"
        ).first
        guard let r else { return (true, true, true) }
        return (r["consent_sms"], r["consent_email"], r["consent_phone"])
    }

    static let now = Date(timeIntervalSince1970: 1_795_440_000)  // 2026-11-23T13:20:00Z

    @Test(arguments: TestBackend.all) func aStopSurvivesAChangedReExportAndANewDealWithConsentY(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        try await Self.importDeals(w, db, "1.csv", [Self.deal("D-1")])
        #expect(try await Self.consent(db).sms)
        _ = try await db.receiveInbound(
            providerID: "SM1", phone: "+15125550142", body: "STOP", keyword: .stop, source: "sms STOP SM1", now: Self.now)
        #expect(try await !Self.consent(db).sms)
        try await Self.importDeals(w, db, "2.csv", [Self.deal("D-1", odometer: 40)])
        #expect(try await !Self.consent(db).sms)
        try await Self.importDeals(w, db, "3.csv", [Self.deal("D-2", date: "2026-11-01", vin: "1HGCM82633A004352")])
        let c = try await Self.consent(db)
        #expect(!c.sms && c.email && c.phone, "only SMS was stopped; the flags still grant the other channels")
        let history = try await db.optOutHistory(address: "512-555-0142")
        #expect(history.count == 1)
        #expect(history.first?.source == .keyword && history.first?.reference == "SM1" && history.first?.detail == "STOP")
        #expect(history.first?.sentence(in: .gmt) == "SMS stopped on 2026-11-23 by the customer (STOP)")
    }

    @Test(arguments: TestBackend.all, [BulkMode.off, .on])
    func aStopFromAnUnknownNumberAppliesWhenTheNumberArrives(backend: TestBackend, bulk: BulkMode) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let receipt = try await db.receiveInbound(
            providerID: "SM9", phone: "+15125550142", body: "Please stop texting me", keyword: .stop, source: "sms STOP SM9", now: Self.now)
        #expect(receipt.customers.isEmpty)
        try await Self.importDeals(w, db, "1.csv", [Self.deal("D-1")], bulk: bulk)
        #expect(try await !Self.consent(db).sms)
        #expect(try await db.optOutsInForce().map(\.address) == ["+15125550142"])
    }

    @Test(arguments: TestBackend.all) func anEmailUnsubscribeSurvivesAReExportAndKeepsHowItCame(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        try await Self.importDeals(w, db, "1.csv", [Self.deal("D-1")])
        let id = try #require(try await db.customerIDs(ofDeals: ["D-1"], store: nil).first)
        #expect(try await db.unsubscribeEmail(customerID: id, source: "one-click unsubscribe", oneClick: true, now: Self.now))
        #expect(try await db.unsubscribeEmail(customerID: id, source: "email unsubscribe link", now: Self.now))
        try await Self.importDeals(w, db, "2.csv", [Self.deal("D-1", odometer: 40)])
        #expect(try await !Self.consent(db).email)
        // Kept under the lower-cased address; pressed twice, recorded once.
        let history = try await db.optOutHistory(address: "maria.lopez@example.com")
        #expect(history.map(\.source) == [.oneClick])
        #expect(history.first?.byWhom == "by the customer (one-click unsubscribe)")
    }

    @Test(arguments: TestBackend.all) func theLinkAndTheOneClickAreTwoSources(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        try await Self.importDeals(w, db, "1.csv", [Self.deal("D-1")])
        let id = try #require(try await db.customerIDs(ofDeals: ["D-1"], store: nil).first)
        _ = try await db.unsubscribeEmail(customerID: id, source: "email unsubscribe link", now: Self.now)
        #expect(try await db.optOutHistory(address: "maria.lopez@example.com").map(\.source) == [.unsubscribeLink])
    }

    @Test(arguments: TestBackend.all) func staffStopContactingIsKeptPerAddressAndPerCustomer(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        try await Self.importDeals(w, db, "1.csv", [Self.deal("D-1")])
        let id = try #require(try await db.customerIDs(ofDeals: ["D-1"], store: nil).first)
        let task = try await db.createReplyTask(customerID: id, title: "Call back", detail: "", now: Self.now, slaHours: 4)
        try await db.completeTask(id: task, outcome: .stopContacting, by: "vosei", now: Self.now)
        try await Self.importDeals(w, db, "2.csv", [Self.deal("D-1", odometer: 40)])
        let c = try await Self.consent(db)
        #expect(!c.sms && !c.email && !c.phone)
        let inForce = try await db.optOutsInForce(customer: id)
        #expect(
            Set(inForce.map { "\($0.address) \($0.channel.rawValue)" }) == [
                "+15125550142 sms", "+15125550142 phone", "maria.lopez@example.com email",
                "customer:\(id) sms", "customer:\(id) email", "customer:\(id) phone",
            ])
        #expect(inForce.allSatisfy { $0.source == .staffOutcome && $0.reference == "task \(task)" && $0.recordedBy == "vosei" })
    }

    @Test(arguments: TestBackend.all) func anAdminsStopHoldsAndConsentWithEvidenceRestores(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        try await Self.importDeals(w, db, "1.csv", [Self.deal("D-1")])
        let added = try await db.addOptOut(
            address: "(512) 555-0142", channel: nil, detail: "asked at the service desk", by: "admin1", now: Self.now)
        #expect(added.map(\.channel) == [.sms, .phone] && added.allSatisfy { $0.source == .admin && $0.recordedBy == "admin1" })
        try await Self.importDeals(w, db, "2.csv", [Self.deal("D-1", odometer: 40)])
        let held = try await Self.consent(db)
        #expect(!held.sms && !held.phone)
        // Without evidence, or dated in the future: refused, nothing restored.
        await #expect(throws: StoreError.self) {
            try await db.recordConsent(
                address: "5125550142", channel: .sms, evidence: " ", date: LocalDate("2026-11-20")!, by: "admin1", now: Self.now)
        }
        await #expect(throws: StoreError.self) {
            try await db.recordConsent(
                address: "5125550142", channel: .sms, evidence: "signed form", date: LocalDate("2027-01-01")!, by: "admin1", now: Self.now)
        }
        // Dated before the stop (2026-11-23): the stop revoked it (the review's finding: a STOP undone by old evidence).
        await #expect(throws: StoreError.self) {
            try await db.recordConsent(
                address: "5125550142", channel: .sms, evidence: "signed the credit application", date: LocalDate("2026-11-20")!,
                by: "kliu", now: Self.now)
        }
        #expect(try await !Self.consent(db).sms)
        let e = try await db.recordConsent(
            address: "5125550142", channel: .sms, evidence: "signed SMS consent form, deal D-1", date: LocalDate("2026-11-23")!,
            by: "kliu", now: Self.now)
        #expect(!e.stop && e.source == .consentRestore && e.effectiveOn == "2026-11-23" && e.recordedBy == "kliu")
        let restored = try await Self.consent(db)
        #expect(restored.sms && !restored.phone)
        // A restore stands through imports too: recorded consent is not undone by a flag.
        try await Self.importDeals(w, db, "3.csv", [Self.deal("D-1", odometer: 60).replacingOccurrences(of: ",Y,Y,Y,", with: ",N,Y,Y,")])
        #expect(try await Self.consent(db).sms)
    }

    @Test(arguments: TestBackend.all) func aStartRestoresTheFirstTimeItsMessageIsSeenOnly(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        try await Self.importDeals(w, db, "1.csv", [Self.deal("D-1")])
        func text(_ body: String, _ kw: InboundKeyword, _ sid: String) async throws {
            _ = try await db.receiveInbound(providerID: sid, phone: "+15125550142", body: body, keyword: kw, source: "", now: Self.now)
        }
        try await text("STOP", .stop, "SM1")
        try await text("START", .start, "SM2")
        #expect(try await Self.consent(db).sms)
        try await text("STOP", .stop, "SM3")
        try await text("START", .start, "SM2")  // replayed: seen before
        #expect(try await !Self.consent(db).sms)
        let history = try await db.optOutHistory(address: "+15125550142")
        #expect(history.map(\.stop) == [true, false, true])
        #expect(history[1].source == .start && history[1].reference == "SM2")
    }

    @Test(arguments: TestBackend.all) func theLedgerRefusesUpdatesAndDeletes(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        _ = try await db.addOptOut(address: "someone@example.com", channel: nil, detail: "letter", by: "admin1", now: Self.now)
        let sql = StoredSQL(db)
        for change in ["UPDATE opt_outs SET action = 'restore'", "DELETE FROM opt_outs"] {
            do {
                try await sql.execute(change)
                Issue.record("\(change) was not refused")
            } catch {
                #expect(String(reflecting: error).contains("opt_outs is append-only"), "\(change): \(String(reflecting: error))")
            }
        }
        #expect(try await db.optOutsInForce().count == 1)
        #expect(try await sql.value("SELECT COUNT(*) FROM opt_outs WHERE action = 'stop'", as: Int.self) == 1)
    }
}

/// v11 carries the opt-outs recorded before the ledger into it: STOP and START texts in the order received (a number
/// not imported yet included), email unsubscribes, staff's "stop contacting" and "wrong number". SQLite's own migration:
/// SQLite only (a PostgreSQL database starts at the ledger).
@Suite struct OptOutMigrationTests {
    @Test func theOptOutsOfAV10DatabaseAreCarriedIntoTheLedger() async throws {
        let w = try Workspace()
        let path = w.path("old.sqlite")
        do {
            let q = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(q, upTo: "v10-import-scope")
            try await q.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO stores (id, code, time_zone, created_at) VALUES (1, 'main', 'America/Chicago', 'x');
                        INSERT INTO customers (id, store_id, match_key, match_hash, first_name, last_name, email, phone, consent_sms,
                            consent_email, consent_phone, consent_source, consent_at, consent_email_source, consent_email_at,
                            contact_stopped_at, contact_stopped_source, last_deal_on, created_at, updated_at)
                        VALUES (1, 1, 'p:+15125550142', 1, 'Maria', 'Lopez', 'Maria@Example.com', '+15125550142', 0, 0, 1, 'import:1',
                                'x', 'email unsubscribe link', '2026-10-03T00:00:00Z', NULL, NULL, '2026-01-01', 'x', 'x'),
                               (2, 1, 'p:+15125550199', 2, 'James', 'Smith', NULL, '+15125550199', 0, 0, 0, 'import:1', 'x', NULL,
                                NULL, '2026-10-04T00:00:00Z', 'task:9', '2026-01-01', 'x', 'x');
                        INSERT INTO customers (id, store_id, match_key, match_hash, first_name, last_name, phone, consent_sms,
                            consent_email, consent_phone, consent_source, consent_at, consent_sms_source, consent_sms_at, last_deal_on,
                            created_at, updated_at)
                        VALUES (3, 1, 'p:+15125550177', 3, 'Ana', 'Ruiz', '+15125550177', 0, 0, 0, 'import:1', 'x',
                                'task 12 by vosei wrong number', '2026-10-05T00:00:00Z', '2026-01-01', 'x', 'x');
                        INSERT INTO inbound_messages (provider_id, customer_id, from_phone, body, keyword, received_at) VALUES
                            ('SM1', 1, '+15125550142', 'STOP', 'stop', '2026-10-01T00:00:00Z'),
                            ('SM2', 1, '+15125550142', 'START', 'start', '2026-10-02T00:00:00Z'),
                            ('SM3', 1, '+15125550142', 'stop please', 'stop', '2026-10-02T01:00:00Z'),
                            ('SM4', NULL, '+15125550111', 'STOP', 'stop', '2026-10-02T02:00:00Z');
                        """)
            }
        }
        let db = try AfterdeskDatabase(path: path, clock: .fixed(fixedNow))
        await #expect(
            try db.optOutHistory(address: "+15125550142").map { "\($0.source.rawValue) \($0.reference ?? "")" } == [
                "keyword SM1", "start SM2", "keyword SM3",
            ])
        let stopped = await Set(try db.optOutsInForce().map { "\($0.address) \($0.channel.rawValue)" })
        #expect(
            stopped == [
                "+15125550142 sms", "+15125550111 sms", "maria@example.com email",
                "customer:2 sms", "customer:2 email", "customer:2 phone", "+15125550199 sms", "+15125550199 phone",
                "+15125550177 sms", "+15125550177 phone",
            ])
    }
}
