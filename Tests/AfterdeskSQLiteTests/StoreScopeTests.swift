import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite

/// Deal numbers are unique per store, not per dealer group: two rooftops each have a D-1001. Every lookup by deal
/// number takes the store; without one, a number two stores use is an error that asks for it.
@Suite(.talliedByBackend) struct StoreScopeTests {
    let header =
        "deal_number,store,contract_date,deal_type,buyer_first_name,buyer_last_name,buyer_phone,buyer_state,consent_sms,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,odometer,selling_price,vehicle_value,amount_financed,apr,term_months,first_payment_date,vsc_outcome,vsc_price"

    func twoStores(_ backend: TestBackend) async throws -> (Workspace, any Storage) {
        let w = try Workspace()
        let db = try await w.storage(backend)
        let file = try w.write(
            "group.csv",
            header + "\n"
                + "D-1001,north,2026-06-01,finance,Maria,Lopez,(512) 555-0142,TX,Y,4T1B11HK7RU000001,2026,Toyota,Camry,new,12,31000,29000,30000,6.9,72,2026-07-15,declined,2495\n"
                + "D-1001,south,2026-06-02,finance,James,Smith,(512) 555-0199,TX,Y,1FTFW1E5XPFA00002,2026,Ford,F-150,new,15,45000,44000,40000,5.9,60,2026-07-15,declined,2495\n"
        )
        let s = try await db.importDeals(files: [file], options: ImportOptions(menu: try menu()))
        #expect(s.inserted == 2, "\(s.rejects)")
        _ = try await db.planCustomers(planner: Planner(menu: try menu(), warranties: try warranties()), now: fixedNow)
        return (w, db)
    }

    func warranties() throws -> WarrantyTable { try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml") }

    @Test(arguments: TestBackend.all) func everyLookupByDealNumberTakesTheStore(backend: TestBackend) async throws {
        let (_, db) = try await twoStores(backend)
        let ambiguous = "deal D-1001 is in several stores (north, south): say which with --store"
        func refused(_ body: () async throws -> Void) async {
            do {
                try await body()
                Issue.record("a lookup without the store succeeded")
            } catch let e as StoreError {
                #expect(e.description == ambiguous)
            } catch { Issue.record("\(error)") }
        }
        // deals show
        await refused { _ = try await db.deal(number: "D-1001") }
        #expect(try await db.deal(number: "D-1001", store: "north")?.buyer == "Maria Lopez")
        #expect(try await db.deal(number: "D-1001", store: "south")?.buyer == "James Smith")
        // explain
        await refused { _ = try await db.customerDeals(ofDeal: "D-1001") }
        let south = try #require(try await db.customerDeals(ofDeal: "D-1001", store: "south"))
        #expect(south.records.map(\.vehicleMake) == ["Ford"])
        let e = try #require(Explain.explain(south, planner: Planner(menu: try menu(), warranties: try warranties()), now: fixedNow))
        #expect(e.products.first?.warranty?.basic.expiresOn != nil)
        // plan --deal
        await refused { _ = try await db.customerIDs(ofDeals: ["D-1001"], store: nil) }
        let north = try await db.customerIDs(ofDeals: ["D-1001"], store: "north")
        let southID = try await db.customerIDs(ofDeals: ["D-1001"], store: "south")
        #expect(north.count == 1 && southID.count == 1 && north != southID)
        await refused { _ = try await db.plannedTouches(dealNumber: "D-1001") }
        let northTouches = try await db.plannedTouches(dealNumber: "D-1001", store: "north")
        #expect(!northTouches.isEmpty && northTouches.allSatisfy { $0.customer == "Maria Lopez" })
        // preview
        await refused { _ = try await db.previewFacts(dealNumber: "D-1001", store: nil, product: "vsc") }
        #expect(try await db.previewFacts(dealNumber: "D-1001", store: "south", product: "vsc")?.customer.firstName == "James")
        // stop
        await refused {
            _ = try await db.addStop(dealNumber: "D-1001", store: nil, product: nil, kind: .vehicleSold, source: "test", now: fixedNow)
        }
        await #expect(
            try db.addStop(dealNumber: "D-1001", store: "south", product: nil, kind: .vehicleSold, source: "test", now: fixedNow)
                == southID[0])
        // A number only one store has needs no store.
        #expect(try await db.deal(number: "D-9999") == nil)
    }

    /// `explain` promised touches planning never makes: it ignored stops and "stop contacting me". Both now take the
    /// declines to follow up from one function.
    @Test(arguments: TestBackend.all) func explainLeavesOutWhatPlanningLeavesOut(backend: TestBackend) async throws {
        let (_, db) = try await twoStores(backend)
        let planner = Planner(menu: try menu(), warranties: try warranties())
        let north = try #require(try await db.customerDeals(ofDeal: "D-1001", store: "north"))
        let before = try #require(Explain.explain(north, planner: planner, now: fixedNow))
        #expect(!(before.products.first { $0.code == "vsc" }?.touches.isEmpty ?? true))
        let customer = try await db.addStop(
            dealNumber: "D-1001", store: "north", product: "vsc", kind: .notInterested, source: "test", now: fixedNow)
        _ = try await db.planCustomers(planner: planner, now: fixedNow, customerIDs: [customer])
        let stopped = try #require(try await db.customerDeals(ofDeal: "D-1001", store: "north"))
        let after = try #require(Explain.explain(stopped, planner: planner, now: fixedNow))
        let vsc = try #require(after.products.first { $0.code == "vsc" })
        #expect(vsc.touches.isEmpty)
        #expect(vsc.note?.hasPrefix("follow-up stopped: ") == true)
        #expect(try await db.plannedTouches(dealNumber: "D-1001", store: "north").isEmpty)
    }
}
