import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// The import's consent SQL (`BatchWriter.customerInsert`, `customerAssignments`) is the fast application of Core's
/// `ImportedConsent`: over every stored consent, flag and latest ledger entry, on every channel, they agree.
@Suite struct ImportedConsentAgreementTests {
    typealias C = CustomerParameter
    static let storedSource = "deals-1.csv:2"
    static let storedAt = "2026-01-01T00:00:00Z"
    static let importSource = "deals-2.csv:7"
    static let importAt = "2026-11-23T13:20:00Z"

    struct Case: CustomStringConvertible {
        var stored: Bool
        var flag: Bool
        var latest: OptOutSource?
        var description: String { "stored \(stored), flag \(flag), ledger \(latest?.rawValue ?? "none")" }
    }

    static var cases: [Case] {
        [false, true].flatMap { stored in
            [false, true].flatMap { flag in ([nil] + OptOutSource.allCases).map { Case(stored: stored, flag: flag, latest: $0) } }
        }
    }

    /// The import's parameters for customer `n`: phone and email of its own, every channel's flag `flag`.
    static func parameters(_ n: Int, id: Int64, flag: Bool) -> [(any DatabaseValueConvertible)?] {
        C.allCases.map { p -> (any DatabaseValueConvertible)? in
            switch p {
            case .storeOrID: id
            case .matchKey: "n:C-\(n)"
            case .firstName: "Maria"
            case .lastName: "Lopez"
            case .email: "Maria.\(n)@Example.com"
            case .phone: phone(n)
            case .state: "TX"
            case .zip: "78701"
            case .customerNumber: "C-\(n)"
            case .consentSMS, .consentEmail, .consentPhone: flag
            case .consentSource: importSource
            case .now: importAt
            case .lastDealOn: "2026-11-01"
            case .matchHash: Int64(n)
            }
        }
    }

    static func phone(_ n: Int) -> String { "+1512555\(String(format: "%04d", n))" }

    /// The ledger's latest entry for customer `n`'s phone (texts and calls) and email.
    static func record(_ latest: OptOutSource?, for n: Int, _ db: Database) throws {
        guard let latest else { return }
        for (address, channel) in [(phone(n), "sms"), (phone(n), "phone"), ("maria.\(n)@example.com", "email")] {
            try db.execute(
                sql:
                    "INSERT INTO opt_outs (address, channel, action, source, detail, recorded_by, at) VALUES (?, ?, ?, ?, 'test', 'test', ?)",
                arguments: [address, channel, latest.restores ? "restore" : "stop", latest.rawValue, storedAt])
        }
    }

    static func consent(_ db: Database, id: Int64, _ channel: ContactChannel) throws -> ChannelConsent? {
        let c = channel.rawValue
        return try Row.fetchOne(
            db, sql: "SELECT consent_\(c), consent_\(c)_source, consent_\(c)_at FROM customers WHERE id = ?", arguments: [id]
        )
        .map { ChannelConsent(granted: $0[0], source: $0[1], at: $0[2]) }
    }

    @Test func aNewCustomerTakesTheLedgerOverTheFlag() throws {
        let w = try Workspace()
        try w.database().writer.write { db in
            try db.execute(
                sql: "INSERT INTO stores (id, code, time_zone, created_at) VALUES (1, 'main', 'UTC', ?)", arguments: [Self.storedAt])
            for (n, c) in Self.cases.enumerated() where !c.stored {
                try Self.record(c.latest, for: n, db)
                try db.execute(sql: BatchWriter.customerInsert, arguments: StatementArguments(Self.parameters(n, id: 1, flag: c.flag)))
                let id = db.lastInsertedRowID
                for channel in ContactChannel.allCases {
                    let expected = ChannelConsent(granted: ImportedConsent.granted(flag: c.flag, latest: c.latest))
                    #expect(try Self.consent(db, id: id, channel) == expected, "\(c), \(channel)")
                }
            }
        }
    }

    @Test func aReturningCustomerChangesOnlyWhatTheRuleChanges() throws {
        let w = try Workspace()
        // The importer's update (`customerTable`); its last parameter is the deal's date, the match's are not used.
        let update = """
            UPDATE customers SET \(BatchWriter.customerAssignments(\.placeholder, throughLedger: true))
            WHERE id = \(C.storeOrID.placeholder) AND \(C.lastDealOn.placeholder) >= last_deal_on
            """
        var checked = 0
        try w.database().writer.write { db in
            try db.execute(
                sql: "INSERT INTO stores (id, code, time_zone, created_at) VALUES (1, 'main', 'UTC', ?)", arguments: [Self.storedAt])
            for (n, c) in Self.cases.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO customers (store_id, match_key, match_hash, first_name, last_name, email, phone, consent_sms, consent_email,
                            consent_phone, consent_source, consent_at, consent_sms_source, consent_sms_at, consent_email_source, consent_email_at,
                            consent_phone_source, consent_phone_at, last_deal_on, created_at, updated_at)
                        VALUES (1, ?, ?, 'Maria', 'Lopez', ?, ?, ?, ?, ?, 'first', ?, ?, ?, ?, ?, ?, ?, '2026-01-01', ?, ?)
                        """,
                    arguments: [
                        "n:C-\(n)", n, "maria.\(n)@example.com", Self.phone(n), c.stored, c.stored, c.stored, Self.storedAt,
                        Self.storedSource, Self.storedAt, Self.storedSource, Self.storedAt, Self.storedSource, Self.storedAt,
                        Self.storedAt, Self.storedAt,
                    ])
                let id = db.lastInsertedRowID
                try Self.record(c.latest, for: n, db)
                let parameters = Self.parameters(n, id: id, flag: c.flag).prefix(Int(C.lastDealOn.rawValue))
                try db.execute(sql: update, arguments: StatementArguments(Array(parameters)))
                for channel in ContactChannel.allCases {
                    let stored = ChannelConsent(granted: c.stored, source: Self.storedSource, at: Self.storedAt)
                    let expected = ImportedConsent.refreshed(
                        stored, flag: c.flag, latest: c.latest, source: Self.importSource, at: Self.importAt)
                    #expect(try Self.consent(db, id: id, channel) == expected, "\(c), \(channel)")
                    checked += 1
                }
            }
        }
        // Every combination ran, and the rule both changed and kept consent somewhere.
        #expect(checked == Self.cases.count * ContactChannel.allCases.count)
        let outcomes = Self.cases.map {
            ImportedConsent.refreshed(
                ChannelConsent(granted: $0.stored), flag: $0.flag, latest: $0.latest, source: Self.importSource, at: Self.importAt)
        }
        #expect(outcomes.contains { $0.source == Self.importSource } && outcomes.contains { $0.source == nil })
    }
}

/// The same agreement through a deal import, on either backend (PostgreSQL's import applies the rule in SQL of its
/// own, `DealWriter.ledgerConsent`): over every stored consent, flag and latest ledger entry, on every channel, bulk
/// load or not. (The suite above runs SQLite's statements alone, on the rows it writes itself.)
@Suite(.talliedByBackend) struct ImportedConsentThroughTheImportTests {
    typealias Agreement = ImportedConsentAgreementTests
    static let header =
        "deal_number,contract_date,deal_type,buyer_first_name,buyer_last_name,buyer_email,buyer_phone,buyer_state,buyer_zip,consent_sms,consent_email,consent_phone,customer_number,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,odometer,selling_price,vehicle_value"

    /// Imports a deal `deal`-n of customer `n` for each of `cases` (n, every consent flag), dated `date`; the line of
    /// each customer's row, by n.
    static func importDeals(
        _ w: Workspace, _ db: any Storage, _ name: String, _ cases: [(n: Int, flag: Bool)], deal: String, date: String, bulk: BulkMode
    ) async throws -> [Int: Int] {
        let rows = cases.map { n, flag in
            let f = flag ? "Y" : "N"
            return "\(deal)-\(n),\(date),cash,Maria,Lopez,Maria.\(n)@Example.com,\(Agreement.phone(n)),TX,78701,\(f),\(f),\(f),C-\(n),"
                + "4T1B11HK7RU000001,2026,Toyota,Camry,new,12,31250,29000"
        }
        var options = ImportOptions(menu: try menu())
        options.bulk = bulk
        let s = try await db.importDeals(files: [try w.write(name, ([header] + rows).joined(separator: "\n") + "\n")], options: options)
        #expect(s.rejected == 0 && s.inserted == cases.count, "\(s.rejects)")
        return Dictionary(uniqueKeysWithValues: cases.enumerated().map { ($1.n, $0 + 2) })
    }

    /// The ledger's latest entry for customer `n`'s phone (texts and calls) and email, written as the ledger's own rows.
    static func record(_ latest: OptOutSource?, for n: Int, _ sql: StoredSQL) async throws {
        guard let latest else { return }
        for (address, channel) in [(Agreement.phone(n), "sms"), (Agreement.phone(n), "phone"), ("maria.\(n)@example.com", "email")] {
            try await sql.execute(
                "INSERT INTO opt_outs (address, channel, action, source, detail, recorded_by, at) VALUES (?, ?, ?, ?, 'test', 'test', ?)",
                [address, channel, latest.restores ? "restore" : "stop", latest.rawValue, Agreement.storedAt])
        }
    }

    static func consent(_ sql: StoredSQL, customer n: Int, _ channel: ContactChannel) async throws -> ChannelConsent? {
        let c = channel.rawValue
        return try await sql.rows(
            "SELECT consent_\(c), consent_\(c)_source, consent_\(c)_at FROM customers WHERE customer_number = ?", ["C-\(n)"]
        ).first.map { ChannelConsent(granted: $0[0], source: $0.optional(1), at: $0.optional(2)) }
    }

    @Test(arguments: TestBackend.all, [BulkMode.off, .on])
    func aNewCustomerTakesTheLedgerOverTheFlag(backend: TestBackend, bulk: BulkMode) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let sql = StoredSQL(db)
        let cases = Agreement.cases.enumerated().filter { !$0.element.stored }
        for (n, c) in cases { try await Self.record(c.latest, for: n, sql) }
        _ = try await Self.importDeals(
            w, db, "new.csv", cases.map { ($0.offset, $0.element.flag) }, deal: "D", date: "2026-11-01", bulk: bulk)
        for (n, c) in cases {
            for channel in ContactChannel.allCases {
                let expected = ChannelConsent(granted: ImportedConsent.granted(flag: c.flag, latest: c.latest))
                #expect(try await Self.consent(sql, customer: n, channel) == expected, "\(c), \(channel)")
            }
        }
    }

    @Test(arguments: TestBackend.all, [BulkMode.off, .on])
    func aReturningCustomerChangesOnlyWhatTheRuleChanges(backend: TestBackend, bulk: BulkMode) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let sql = StoredSQL(db)
        let cases = Array(Agreement.cases.enumerated())
        _ = try await Self.importDeals(
            w, db, "first.csv", cases.map { ($0.offset, $0.element.stored) }, deal: "D", date: "2026-01-01", bulk: .off)
        var before: [String: ChannelConsent] = [:]
        for (n, c) in cases {
            for channel in ContactChannel.allCases {
                let stored = try #require(try await Self.consent(sql, customer: n, channel))
                #expect(stored.granted == c.stored, "\(c), \(channel)")
                before["\(n) \(channel)"] = stored
            }
            try await Self.record(c.latest, for: n, sql)
        }
        let lines = try await Self.importDeals(
            w, db, "second.csv", cases.map { ($0.offset, $0.element.flag) }, deal: "E", date: "2026-11-01", bulk: bulk)
        var changed = 0
        for (n, c) in cases {
            for channel in ContactChannel.allCases {
                let stored = try #require(before["\(n) \(channel)"])
                let expected = ImportedConsent.refreshed(
                    stored, flag: c.flag, latest: c.latest, source: "import second.csv line \(lines[n] ?? 0)", at: Agreement.importAt)
                #expect(try await Self.consent(sql, customer: n, channel) == expected, "\(c), \(channel)")
                if expected != stored { changed += 1 }
            }
        }
        // Both halves of the rule ran: consent changed on some channels and stayed on others.
        #expect(changed > 0 && changed < cases.count * ContactChannel.allCases.count)
    }
}
