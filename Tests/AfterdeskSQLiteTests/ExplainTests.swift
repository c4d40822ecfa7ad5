import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite

@Suite(.talliedByBackend) struct ExplainTests {
    @Test(arguments: TestBackend.all) func explainsAStoredDealInTheShapeOfINTERFACES(backend: TestBackend) async throws {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let m = try menu()
        _ = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: ImportOptions(menu: m))
        let warranties = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
        let found = try #require(try await db.customerDeals(ofDeal: "D-10001"))
        // The planning facts of the deal, and none of the buyer's contact details.
        #expect(found.records.count == 1)
        let record = found.records[0]
        #expect(record.buyerState == "TX" && record.buyerZip == "78701" && record.vehicleMake == "Toyota" && record.odometer == 12)
        #expect(record.amountFinanced == Money(cents: 3_450_000) && record.consent == Consent(sms: true, email: true, phone: true))
        #expect(record.buyerPhone == nil && record.buyerEmail == nil && record.buyerLastName.isEmpty)
        let now = ISO8601DateFormatter().date(from: "2026-06-02T14:00:00Z")!
        let e = try #require(Explain.explain(found, planner: Planner(menu: m, warranties: warranties), now: now))
        let data = try JSONEncoder().encode(e)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["deal_number"] as? String == "D-10001")
        let products = try #require(json["products"] as? [[String: Any]])
        let vsc = try #require(products.first { $0["code"] as? String == "vsc" })
        #expect(vsc["outcome"] as? String == "declined")
        let warranty = try #require(vsc["warranty"] as? [String: Any])
        let basic = try #require(warranty["basic"] as? [String: Any])
        #expect(basic["expires_on"] as? String == "2029-05-31" && basic["limit"] as? String == "miles")
        #expect(warranty["miles_per_year"] as? Int == 12_000)
        let gap = try #require(products.first { $0["code"] as? String == "gap" })
        // The loan projection is explained whether or not the deal is held out (D-10001 is not: checked, so this
        // half of the test always runs).
        #expect(gap["holdout"] as? Bool == false)
        let g = try #require(gap["gap"] as? [String: Any])
        #expect((g["schedule"] as? [Any])?.count == 72)
        #expect(g["ltv_at_contract"] as? String == "1.19")
        #expect(g.keys.contains("exposure_ends_on"))
        let touches = products.flatMap { ($0["touches"] as? [[String: Any]]) ?? [] }
        #expect(!touches.isEmpty)
        for t in touches {
            #expect(t["status"] as? String == "planned")
            #expect((t["reason"] as? String)?.isEmpty == false)
            #expect(["sms", "email", "task"].contains(t["action"] as? String ?? ""))
        }
        // The sold product says so; the unwound deal plans nothing.
        #expect(products.first { $0["code"] as? String == "tire_wheel" }?["note"] as? String == "sold at the desk")
        let unwound = try #require(try await db.customerDeals(ofDeal: "D-10008"))
        let u = try #require(Explain.explain(unwound, planner: Planner(menu: m, warranties: warranties), now: now))
        #expect(
            !u.products.isEmpty && u.products.allSatisfy { $0.touches.isEmpty && $0.note == "the deal was unwound: nothing is followed up" }
        )
        #expect(try await db.customerDeals(ofDeal: "NOPE") == nil)
    }
}
