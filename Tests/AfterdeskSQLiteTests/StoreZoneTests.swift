import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// A store's time zone is checked where it is read: an unknown name is an error, never GMT.
@Suite(.talliedByBackend) struct StoreZoneTests {
    @Test func aNameTheSystemDoesNotKnowIsRefused() throws {
        #expect(try TimeZone.store("America/Chicago").identifier == "America/Chicago")
        #expect(throws: UnknownTimeZone.self) { try TimeZone.store("Mars/Olympus") }
        #expect(throws: UnknownTimeZone.self) { try TimeZone.store("") }
    }

    @Test(arguments: TestBackend.all) func aNewStoreNeedsAKnownZone(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let sql = StoredSQL(db)
        await #expect(throws: StoreError("time zone: unknown time zone 'Mars/Olympus' (use an IANA name such as America/Chicago)")) {
            _ = try await db.addStaff(store: "north", code: "S1", name: nil, role: .sales, timeZone: "Mars/Olympus", now: fixedNow)
        }
        let stores = try await sql.value("SELECT COUNT(*) FROM stores", as: Int.self)
        #expect(stores == 0)
        _ = try await db.addStaff(store: "north", code: "S1", name: nil, role: .sales, timeZone: "America/Denver", now: fixedNow)
        #expect(try await sql.value("SELECT time_zone FROM stores WHERE code = 'north'", as: String.self) == "America/Denver")
        if let sqlite = db as? AfterdeskDatabase {
            #expect(try await sqlite.writer.read { try AfterdeskDatabase.zone(ofStore: "north", $0).identifier } == "America/Denver")
        }
    }

    /// A row written around the checks (by hand, or an older release) stops what reads it, with the reason.
    @Test(arguments: TestBackend.all) func aStoredUnknownZoneStopsTheReportInsteadOfMovingItsDates(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        _ = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: ImportOptions(menu: try menu()))
        try await StoredSQL(db).execute("UPDATE stores SET time_zone = 'Mars/Olympus'")
        do {
            let day = LocalDate(year: 2026, month: 11, day: 20)!
            _ = try await db.marginReport(
                ReportParameters(asOf: day, from: day.adding(days: -400), to: day, menu: try menu()), now: fixedNow)
            Issue.record("the report's stores were read with an unknown zone")
        } catch let e as StoreError {
            #expect(e.kind == .integrity)
            #expect(e.message.contains("Mars/Olympus"))
        }
    }
}
