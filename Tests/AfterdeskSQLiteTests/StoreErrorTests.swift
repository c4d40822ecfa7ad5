import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite

/// Every application error of the store is a `StoreError` of the kind its callers map to an exit code or a status.
@Suite(.talliedByBackend) struct StoreErrorTests {
    func kind(_ body: () async throws -> Void) async -> StoreError.Kind? {
        do {
            try await body()
            return nil
        } catch let e as StoreError {
            return e.kind
        } catch {
            Issue.record("not a StoreError: \(type(of: error)) \(error)")
            return nil
        }
    }

    @Test(arguments: TestBackend.all) func eachFailureHasItsKind(backend: TestBackend) async throws {
        // Setup: a database with one imported deal.
        let w = try Workspace()
        let db = try await w.storage(backend)
        _ = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: ImportOptions(menu: try menu()))
        _ = try await db.addUser(name: "kliu", role: .financeDirector, staffCode: nil, store: nil, now: fixedNow)

        // Action and check.
        #expect(await kind { _ = try await db.completeTask(id: 999, outcome: .booked, now: fixedNow) } == .notFound)
        #expect(await kind { try await db.revokeToken(id: 999, now: fixedNow) } == .notFound)
        #expect(await kind { _ = try await db.addUser(name: "kliu", role: .admin, staffCode: nil, store: nil, now: fixedNow) } == .conflict)
        #expect(
            await kind {
                _ = try await db.addStaff(store: "main", code: "X1", name: nil, role: .sales, timeZone: "Mars/Olympus", now: fixedNow)
            }
                == .invalid)
        let empty = try w.write("empty.csv", "")
        #expect(
            await kind {
                _ = try await db.importReadings(
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
