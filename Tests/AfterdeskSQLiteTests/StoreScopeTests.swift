import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite

/// Deal numbers are unique per store, not per dealer group: two rooftops each have a D-1001. Every lookup by deal
/// number takes the store; without one, a number two stores use is an error that asks for it.
@Suite struct StoreScopeTests {
    let header =
        "deal_number,store,contract_date,deal_type,buyer_first_name,buyer_last_name,buyer_phone,buyer_state,consent_sms,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,odometer,selling_price,vehicle_value,amount_financed,apr,term_months,first_payment_date,vsc_outcome,vsc_price"

    func twoStores() throws -> (Workspace, AfterdeskDatabase) {
        let w = try Workspace()
        let db = try w.database()
        let file = try w.write(
            "group.csv",
            header + "\n"
                + "D-1001,north,2026-06-01,finance,Maria,Lopez,(512) 555-0142,TX,Y,4T1B11HK7RU000001,2026,Toyota,Camry,new,12,31000,29000,30000,6.9,72,2026-07-15,declined,2495\n"
                + "D-1001,south,2026-06-02,finance,James,Smith,(512) 555-0199,TX,Y,1FTFW1E5XPFA00002,2026,Ford,F-150,new,15,45000,44000,40000,5.9,60,2026-07-15,declined,2495\n"
        )
        let s = try db.importDeals(files: [file], options: ImportOptions(menu: try menu()))
        #expect(s.inserted == 2, "\(s.rejects)")
        _ = try db.planCustomers(planner: Planner(menu: try menu(), warranties: try warranties()), now: fixedNow)
        return (w, db)
    }

    func warranties() throws -> WarrantyTable { try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml") }

    @Test func everyLookupByDealNumberTakesTheStore() throws {
        let (_, db) = try twoStores()
        let ambiguous = "deal D-1001 is in several stores (north, south): say which with --store"
        func refused(_ body: () throws -> Void) {
            do {
                try body()
                Issue.record("a lookup without the store succeeded")
            } catch let e as StoreError {
                #expect(e.description == ambiguous)
            } catch { Issue.record("\(error)") }
        }
        // deals show
        refused { _ = try db.deal(number: "D-1001") }
        #expect(try db.deal(number: "D-1001", store: "north")?.buyer == "Maria Lopez")
        #expect(try db.deal(number: "D-1001", store: "south")?.buyer == "James Smith")
        // explain
        refused { _ = try db.customerDeals(ofDeal: "D-1001") }
        let south = try #require(try db.customerDeals(ofDeal: "D-1001", store: "south"))
        #expect(south.records.map(\.vehicleMake) == ["Ford"])
        let e = try #require(Explain.explain(south, planner: Planner(menu: try menu(), warranties: try warranties()), now: fixedNow))
        #expect(e.products.first?.warranty?.basic.expiresOn != nil)
        // plan --deal
        refused { _ = try db.customerIDs(ofDeals: ["D-1001"]) }
        let north = try db.customerIDs(ofDeals: ["D-1001"], store: "north")
        let southID = try db.customerIDs(ofDeals: ["D-1001"], store: "south")
        #expect(north.count == 1 && southID.count == 1 && north != southID)
        refused { _ = try db.plannedTouches(dealNumber: "D-1001") }
        let northTouches = try db.plannedTouches(dealNumber: "D-1001", store: "north")
        #expect(!northTouches.isEmpty && northTouches.allSatisfy { $0.customer == "Maria Lopez" })
        // preview
        refused { _ = try db.previewFacts(dealNumber: "D-1001", product: "vsc") }
        #expect(try db.previewFacts(dealNumber: "D-1001", store: "south", product: "vsc")?.customer.firstName == "James")
        // stop
        refused { _ = try db.addStop(dealNumber: "D-1001", product: nil, kind: .vehicleSold, source: "test", now: fixedNow) }
        #expect(
            try db.addStop(dealNumber: "D-1001", store: "south", product: nil, kind: .vehicleSold, source: "test", now: fixedNow)
                == southID[0])
        // A number only one store has needs no store.
        #expect(try db.deal(number: "D-9999") == nil)
    }

    /// `explain` promised touches planning never makes: it ignored stops and "stop contacting me". Both now take the
    /// declines to follow up from one function.
    @Test func explainLeavesOutWhatPlanningLeavesOut() throws {
        let (_, db) = try twoStores()
        let planner = Planner(menu: try menu(), warranties: try warranties())
        let north = try #require(try db.customerDeals(ofDeal: "D-1001", store: "north"))
        let before = try #require(Explain.explain(north, planner: planner, now: fixedNow))
        #expect(!(before.products.first { $0.code == "vsc" }?.touches.isEmpty ?? true))
        let customer = try db.addStop(
            dealNumber: "D-1001", store: "north", product: "vsc", kind: .notInterested, source: "test", now: fixedNow)
        _ = try db.planCustomers(planner: planner, now: fixedNow, customerIDs: [customer])
        let stopped = try #require(try db.customerDeals(ofDeal: "D-1001", store: "north"))
        let after = try #require(Explain.explain(stopped, planner: planner, now: fixedNow))
        let vsc = try #require(after.products.first { $0.code == "vsc" })
        #expect(vsc.touches.isEmpty)
        #expect(vsc.note?.hasPrefix("follow-up stopped: ") == true)
        #expect(try db.plannedTouches(dealNumber: "D-1001", store: "north").isEmpty)
    }
}
