import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// A certified pre-owned car is stored as `certified` in deals.vehicle_condition and read back as such.
@Suite(.talliedByBackend) struct CertifiedStoreTests {
    @Test(arguments: TestBackend.all) func aCertifiedDealIsStoredAndReadBackAsCertified(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let header =
            "deal_number,contract_date,deal_type,buyer_first_name,buyer_last_name,buyer_email,buyer_phone,buyer_state,buyer_zip,consent_sms,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,odometer,in_service_date,selling_price,vehicle_value,amount_financed,apr,term_months,first_payment_date,vsc_outcome,vsc_price"
        let row =
            "D-CPO-1,2026-06-01,finance,Maria,Lopez,maria@example.com,(512) 555-0142,tx,78701,Y,4T1B11HK7RU000001,2025,Toyota,Camry,certified,8000,2025-09-01,31250.00,29000,34500.00,6.9,72,2026-07-15,declined,2495.00"
        let file = try w.write("cpo.csv", header + "\n" + row + "\n")
        let s = try await db.importDeals(files: [file], options: ImportOptions(menu: try menu()))
        #expect(s.rejected == 0, "\(s.rejects)")
        let stored = try await StoredSQL(db).value(
            "SELECT vehicle_condition FROM deals WHERE deal_number = 'D-CPO-1'", as: String.self)
        #expect(stored == "certified")
        let found = try #require(try await db.customerDeals(ofDeal: "D-CPO-1"))
        #expect(found.records.first?.vehicleCondition == .certified)
        #expect(found.records.first?.inServiceDate == LocalDate(year: 2025, month: 9, day: 1))
    }
}
