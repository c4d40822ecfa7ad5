import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskWorkflows

/// A group's stores through import, planning and the holdout ledger: each deal under its store's menu.
@Suite(.serialized, .talliedByBackend) struct GroupStoresPlanTests {
    /// The shipped group menu with a product of Tampa's own: key replacement, followed up by a person.
    static let withKeyFob = try! MenuLoader.loadMenu(
        yaml: try! String(contentsOf: repositoryRoot.appendingPathComponent("menus/group.yaml"), encoding: .utf8) + """
                products:
                  - code: key_fob
                    name: Key Replacement
                    kind: other
                    provider: Bay Key Co
                    retail_price: 399.00
                    dealer_cost: 120.00
                    presented_on_every_deal: false
                    eligibility: { days_from_contract: 90 }
                    timing: { anchor: delivery, touches: [{ name: first, days_after_delivery: 14, action: task }] }

            """, file: "group.yaml")

    /// A Tulsa deal number held out at Tulsa's 15% but treated at the group's 10%.
    static let between: String =
        (1...2_000).lazy.map { "T-\($0)" }.first {
            Holdout.isHeldOut(store: "tulsa", dealNumber: $0, percent: 15)
                && !Holdout.isHeldOut(store: "tulsa", dealNumber: $0, percent: 10)
        } ?? "none"

    /// An Austin deal number treated at Austin's 10%.
    static let austin: String =
        (1...100).lazy.map { "A-\($0)" }.first { !Holdout.isHeldOut(store: "austin", dealNumber: $0, percent: 10) } ?? "A-1"

    static func row(_ number: String, store: String, appearance: Bool, keyFob: Bool, vin: String) -> String {
        "\(number),2026-10-01,cash,Lee,Wong,lee\(number)@example.com,(512) 555-0101,TX,78701,N,Y,N,\(vin),2026,Ford,F-150,new,20,48000,46000,"
            + ",,,,S2,Marcus Bell,F1,Karen Liu,declined,2495,not_offered,,not_offered,,\(appearance ? "declined,695" : "not_offered,"),"
            + "\(store),\(keyFob ? "declined,399" : "not_offered,")"
    }

    static var csv: String {
        """
        \(header),store,key_fob_outcome,key_fob_price
        \(row(austin, store: "austin", appearance: true, keyFob: true, vin: "1FTFW1E5XPFA00002"))
        \(row("P-1", store: "tampa", appearance: false, keyFob: true, vin: "1FTFW1E53PFA00004"))
        \(row("U-1", store: "tulsa", appearance: true, keyFob: false, vin: "1FTFW1E55PFA00005"))
        \(row(between, store: "tulsa", appearance: false, keyFob: false, vin: "4T1B11HK7RU000001"))

        """
    }

    /// Products planned per deal: `deal:product` of every plan that is not "no follow-up", in order.
    func followedUp(_ s: Scenario) async throws -> [String] {
        try await s.rows(
            """
            SELECT d.deal_number || ':' || p.product_code FROM plans p JOIN deals d ON d.id = p.deal_id
            WHERE p.no_follow_up IS NULL ORDER BY d.deal_number, p.product_code
            """
        ).map { $0[0] as String }
    }

    @Test(arguments: TestBackend.all) func eachDealIsPlannedUnderItsStoresMenu(backend: TestBackend) async throws {
        #expect(Self.between != "none")
        let s = try await Scenario(backend: backend, csv: Self.csv, withMenu: Self.withKeyFob)
        // Tampa's own product is read and followed up at Tampa only; Tulsa does not sell appearance protection.
        let declined = try await s.rows(
            "SELECT d.deal_number || ':' || p.product_code FROM deal_products p JOIN deals d ON d.id = p.deal_id WHERE p.outcome = 'declined' ORDER BY 1"
        ).map { $0[0] as String }
        #expect(declined.contains("P-1:key_fob") && declined.contains(Self.austin + ":key_fob") && declined.contains("U-1:appearance"))
        let planned = try await followedUp(s)
        #expect(planned.contains("P-1:key_fob") && !planned.contains(Self.austin + ":key_fob"))
        #expect(planned.contains(Self.austin + ":appearance") && !planned.contains("U-1:appearance"))
        // The holdout arm is drawn at the store's share, and the plan keeps the arm it records.
        let arm = try #require(
            try await s.rows(
                "SELECT a.held_out, a.percent FROM deal_arms a JOIN deals d ON d.id = a.deal_id WHERE d.deal_number = ?", [Self.between]
            ).first)
        #expect(arm[0] as Bool == true && arm[1] as Int == 15)
        #expect(!planned.contains { $0.hasPrefix(Self.between + ":") })
        let austin = try #require(
            try await s.rows("SELECT a.percent FROM deal_arms a JOIN deals d ON d.id = a.deal_id WHERE d.deal_number = ?", [Self.austin])
                .first)
        #expect(austin[0] as Int == 10)
    }
}
