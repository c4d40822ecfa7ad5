import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// Issue 24, item 4: a DMS's `Block Phone`/`Block Email` = Y is an opt-out entry (the import's file and line) that a
/// later N never lifts; N is an existing business relationship, not consent; the co-buyer's blocks are kept too.
@Suite(.talliedByBackend) struct DMSBlockTests {
    static let header =
        "Deal Number,Deal Status,Contract Date,Delivery Date,Deal Type,New/Used,First Name,Last Name,Email 1,Cell Phone,State,Zip,Customer Number,Block Email,Block Phone,Co-Buyer Cell Phone,Co-Buyer Email 1,Co Buyer Block Email,Co Buyer Block Phone,VIN,Year,Make,Model,Delivery Mileage,Sales Price,Amount Financed,APR,Term,First Pay Date"

    static func row(blockEmail: String, blockPhone: String, mileage: Int = 11, coBlock: String = "N") -> String {
        "55001,Finalized,05/02/2026,05/02/2026,Cash,N,Maria,Lopez,maria.lopez@example.com,(512) 555-0142,TX,78701,C-9001,\(blockEmail),\(blockPhone),(512) 555-0177,Co.Buyer@Example.com,\(coBlock),\(coBlock),4T1B11HK7RU000001,2026,Toyota,Camry,\(mileage),31250.00,,,,"
    }

    static func importRow(_ w: Workspace, _ db: any Storage, _ name: String, _ row: String) async throws {
        let file = try w.write(name, Self.header + "\n" + row + "\n")
        let s = try await db.importDeals(files: [file], options: ImportOptions(profile: .dealervault, menu: try menu()))
        #expect(s.rejected == 0, "\(s.rejects)")
    }

    static func consent(_ db: any Storage) async throws -> [Bool] {
        let r = try await StoredSQL(db).rows("SELECT consent_sms, consent_email, consent_phone FROM customers").first
        guard let r else { return [true, true, true] }
        return [r["consent_sms"], r["consent_email"], r["consent_phone"]]
    }

    @Test(arguments: TestBackend.all) func notBlockedIsARelationshipNotConsent(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        try await Self.importRow(w, db, "n.csv", Self.row(blockEmail: "N", blockPhone: "N"))
        // A person may call; no SMS, no email: a DMS carries no express consent for them.
        #expect(try await Self.consent(db) == [false, false, true])
        #expect(try await db.optOutsInForce().isEmpty)
    }

    @Test(arguments: TestBackend.all) func aBlockIsAnOptOutThatALaterNNeverLifts(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        try await Self.importRow(w, db, "y.csv", Self.row(blockEmail: "Y", blockPhone: "Y"))
        #expect(try await Self.consent(db) == [false, false, false])
        let phone = try await db.optOutHistory(address: "+15125550142")
        #expect(phone.map(\.channel) == [.sms, .phone])
        #expect(phone.allSatisfy { $0.source == .dmsBlock && $0.reference == "import y.csv line 2" && $0.detail == "Block Phone = Y" })
        #expect(try await db.optOutHistory(address: "maria.lopez@example.com").map(\.detail) == ["Block Email = Y"])
        // The same file again appends nothing; the next export says N: still blocked.
        try await Self.importRow(w, db, "y.csv", Self.row(blockEmail: "Y", blockPhone: "Y"))
        try await Self.importRow(w, db, "n.csv", Self.row(blockEmail: "N", blockPhone: "N", mileage: 30))
        #expect(try await Self.consent(db) == [false, false, false])
        #expect(try await db.optOutHistory(address: "+15125550142").count == 2)
    }

    @Test(arguments: TestBackend.all) func theCoBuyersBlocksAreKeptForItsOwnAddresses(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        try await Self.importRow(w, db, "co.csv", Self.row(blockEmail: "N", blockPhone: "N", coBlock: "Y"))
        #expect(try await Self.consent(db) == [false, false, true], "the buyer's own contact is not the co-buyer's")
        #expect(
            try await db.optOutHistory(address: "(512) 555-0177").map(\.detail) == ["Co Buyer Block Phone = Y", "Co Buyer Block Phone = Y"])
        #expect(try await db.optOutHistory(address: "co.buyer@example.com").map(\.detail) == ["Co Buyer Block Email = Y"])
    }
}
