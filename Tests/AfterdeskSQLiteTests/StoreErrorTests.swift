import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite

/// Every application error of the store is a `StoreError` of the kind its callers map to an exit code or a status.
@Suite struct StoreErrorTests {
    func kind(_ body: () throws -> Void) -> StoreError.Kind? {
        do {
            try body()
            return nil
        } catch let e as StoreError {
            return e.kind
        } catch {
            Issue.record("not a StoreError: \(type(of: error)) \(error)")
            return nil
        }
    }

    @Test func eachFailureHasItsKind() throws {
        // Setup: a database with one imported deal.
        let w = try Workspace()
        let db = try w.database()
        _ = try db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: ImportOptions(menu: try menu()))
        _ = try db.addUser(name: "kliu", role: .financeDirector, staffCode: nil, store: nil, now: fixedNow)

        // Action and check.
        #expect(kind { _ = try db.completeTask(id: 999, outcome: .booked, now: fixedNow) } == .notFound)
        #expect(kind { try db.revokeToken(id: 999, now: fixedNow) } == .notFound)
        #expect(kind { _ = try db.addUser(name: "kliu", role: .admin, staffCode: nil, store: nil, now: fixedNow) } == .conflict)
        #expect(kind { _ = try db.addUser(name: "two words", role: .admin, staffCode: nil, store: nil, now: fixedNow) } == .invalid)
        #expect(
            kind { _ = try db.addStaff(store: "main", code: "X1", name: nil, role: .sales, timeZone: "Mars/Olympus", now: fixedNow) }
                == .invalid)
        let empty = try w.write("empty.csv", "")
        #expect(
            kind {
                _ = try db.importReadings(
                    file: empty, dealershipTimeZone: "America/Chicago", planner: nil, now: nil,
                    writeRejectsFile: false)
            } == .refusedFile)
        do {
            _ = try FileByteSource(path: w.path("missing.csv"))
            Issue.record("a missing file opened")
        } catch {
            #expect(error.kind == .refusedFile)
            #expect(error.problem == .cannotOpen(w.path("missing.csv"), "No such file or directory"))
        }
    }
}
