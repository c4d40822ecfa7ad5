import AfterdeskCore
import Foundation
import Testing

/// A dealer group's menu (`stores:`, docs/menus.md "A dealer group"): each store the group's menu with its own fields
/// laid over, checked as a whole menu, and planned under its own menu.
@Suite struct StoreMenuTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let groupYAML = try! String(contentsOf: root.appendingPathComponent("menus/group.yaml"), encoding: .utf8)
    let warranties = try! MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")

    func load(_ stores: String) throws(MenuErrors) -> Menu {
        try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML + "\nstores:\n" + stores, file: "group.yaml")
    }

    func issues(_ stores: String) -> [String] {
        do {
            _ = try load(stores)
            return []
        } catch { return error.issues.map(\.description) }
    }

    @Test func theShippedGroupMenuLaysEachStoreOverTheGroup() throws {
        let menu = try MenuLoader.loadMenu(yaml: Self.groupYAML, file: "menus/group.yaml")
        #expect(menu.stores.keys.sorted() == ["austin", "tampa", "tulsa"])
        let tulsa = menu.store("tulsa")
        #expect(tulsa.dealership.name == "Riverside Toyota" && tulsa.dealership.phone == "(918) 555-0188")
        #expect(tulsa.holdoutPercent == 15 && tulsa.potholeSeasonStart.description == "03-01")
        #expect(tulsa.products.map(\.code) == ["vsc", "gap", "tire_wheel", "maintenance"])
        // A store's price replaces the group's; the rest of the product is the group's.
        #expect(tulsa.product("vsc")?.retailPrice == Money(dollars: 2_295) && tulsa.product("vsc")?.dealerCost == Money(dollars: 1_090))
        #expect(tulsa.product("vsc")?.timing == menu.product("vsc")?.timing)
        // Austin names itself but keeps the group's zone, hours and products.
        let austin = menu.store("austin")
        #expect(austin.dealership.name == "Lakeside Ford" && austin.dealership.timeZone == "America/Chicago")
        #expect(austin.products == menu.products && austin.holdoutPercent == 10)
        // Tampa: its zone, and Florida's hours tightened to 09:00-19:00; the cap of 3 texts a day stays the state's.
        let tampa = menu.store("tampa")
        #expect(tampa.dealership.timeZone == "America/New_York" && tampa.dealership.address.hasSuffix("Tampa, FL 33606"))
        let florida = try #require(tampa.contactRules.states["FL"])
        #expect(florida.hours[0]?.text == "9:00–19:00" && florida.per24Hours == 3)
        #expect(menu.contactRules.states["FL"]?.hours[0]?.text == "8:00–20:00")
        // Measurement is the group's in every store.
        #expect(tampa.measureBy == menu.measureBy && tampa.attributionDays == menu.attributionDays)
        // A store the menu does not name reads the group's menu.
        #expect(menu.store("orlando") == menu && menu.dealership(of: "orlando") == menu.dealership)
        #expect(menu.product("appearance", store: "tulsa") == nil && menu.product("appearance", store: "austin") != nil)
    }

    /// At 00:30 in Tampa it is still yesterday in Austin: a deal dated today in Tampa is not in the future for the group.
    @Test func theGroupsTodayIsItsEasternmostStores() throws {
        let menu = try MenuLoader.loadMenu(yaml: Self.groupYAML, file: "menus/group.yaml")
        let at = ISO8601DateFormatter().date(from: "2026-12-08T05:30:00Z")!
        #expect(menu.latestToday(at: at) == LocalDate("2026-12-08")!)
        #expect(menu.store("austin").latestToday(at: at) == LocalDate("2026-12-07")!)
    }

    @Test func aSingleStoreMenuIsAGroupOfOne() throws {
        let menu = try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
        #expect(menu.stores.isEmpty && menu.store("main") == menu && menu.product("vsc", store: "main") == menu.product("vsc"))
    }

    @Test func aStoresOwnProductIsAddedAndChecked() throws {
        let menu = try load(
            """
              - code: tampa
                products:
                  - code: key_fob
                    name: Key Replacement
                    kind: other
                    provider: Bay Key Co
                    retail_price: 399.00
                    dealer_cost: 120.00
                    eligibility: { days_from_contract: 60 }
                    timing: { anchor: delivery, touches: [{ name: first, days_after_delivery: 14 }] }
            """)
        #expect(menu.store("tampa").products.last?.code == "key_fob" && menu.product("key_fob") == nil)
    }

    @Test func everyProblemOfEveryStoreIsReportedWithItsLine() {
        let found = issues(
            """
              - code: tampa
                attribution_days: 30
                products:
                  - { code: vsc, dealer_cost: 9999.00 }
                without: [floor_mats]
              - code: tampa
              - code: "no spaces"
              - dealership: { name: Nameless }
            """)
        #expect(found.contains { $0.contains("stores[0].attribution_days: unknown field") })
        #expect(
            found.contains { $0.contains("stores.tampa: products[0].dealer_cost: dealer cost 9999.00 is above the retail price 2495.00") })
        #expect(found.contains { $0.contains("stores.tampa.without: 'floor_mats' is not a product of the group's menu") })
        #expect(found.contains { $0.contains("stores[1].code: store 'tampa' is already listed at line") })
        #expect(found.contains { $0.contains("stores[2].code: 'no spaces' is not a store code") })
        #expect(found.contains { $0.contains("stores[3].code: required field is missing") })
        #expect(found.allSatisfy { $0.hasPrefix("group.yaml:") && !$0.hasPrefix("group.yaml:1:") })
    }

    @Test func aStoreMayTightenTheStateCalendarButNotLoosenIt() {
        let looser = issues(
            """
              - code: tampa
                contact_rules: { states: { FL: { per_24_hours: 5 } } }
            """)
        #expect(looser.contains { $0.contains("stores.tampa: contact_rules.states.FL") && $0.contains("more than 3 texts in 24 hours") })
        #expect(issues("  - code: tampa\n    contact_rules: { states: { FL: { per_24_hours: 2 } } }\n").isEmpty)
    }

    /// A group's own tightening holds in every store: a store's hours replace the group's whole, and what they loosen
    /// of the group's is an error unless the store says `loosen: true` itself.
    @Test func aStoreMayNotLoosenTheGroupsOwnRules() throws {
        let group =
            DefaultMenus.menuYAML + "\ncontact_rules: { states: { FL: { hours: { all: \"08:00-20:00\", sunday: \"12:00-17:00\" } } } }\n"
        func issues(_ stores: String) -> [String] {
            do {
                _ = try MenuLoader.loadMenu(yaml: group + "stores:\n" + stores, file: "group.yaml")
                return []
            } catch { return error.issues.map(\.description) }
        }
        let sunday = issues("  - code: tampa\n    contact_rules: { states: { FL: { hours: { all: \"09:00-19:00\" } } } }\n")
        #expect(sunday.contains { $0.contains("stores.tampa.contact_rules.states.FL: sunday hours 9:00–19:00 are wider than 12:00–17:00") })
        // Within the group's hours on every day: it loads, and the store's hours are its own.
        let ok = try MenuLoader.loadMenu(
            yaml: group + "stores:\n  - code: tampa\n    contact_rules: { states: { FL: { hours: { all: \"12:00-17:00\" } } } }\n",
            file: "group.yaml")
        #expect(ok.store("tampa").contactRules.states["FL"]?.hours[1]?.text == "12:00–17:00")
        #expect(ok.contactRules.states["FL"]?.hours[1]?.text == "8:00–20:00")
        // A store that says nothing keeps the group's tightening.
        let quiet = try MenuLoader.loadMenu(yaml: group + "stores:\n  - code: tulsa\n", file: "group.yaml")
        #expect(quiet.store("tulsa").contactRules == quiet.contactRules)
    }

    /// A store inherits what the group loosened (approved at the group, with `loosen: true`), but may not loosen the
    /// group's rules further unless it says `loosen: true` itself.
    @Test func aStoreInheritsTheGroupsLooseningButMayNotGoFurtherUnasked() throws {
        let group = DefaultMenus.menuYAML + "\ncontact_rules: { loosen: true, states: { FL: { per_24_hours: 5 } } }\n"
        let inherited = try MenuLoader.loadMenu(yaml: group + "stores:\n  - code: tampa\n", file: "group.yaml")
        #expect(inherited.store("tampa").contactRules.states["FL"]?.per24Hours == 5)
        do {
            _ = try MenuLoader.loadMenu(
                yaml: group + "stores:\n  - code: tampa\n    contact_rules: { states: { FL: { per_24_hours: 6 } } }\n", file: "group.yaml")
            Issue.record("a store loosened the group's rule unasked")
        } catch {
            #expect(
                error.issues.contains { $0.description.contains("stores.tampa.contact_rules.states.FL: more than 5 texts in 24 hours") })
        }
        let said = try MenuLoader.loadMenu(
            yaml: group + "stores:\n  - code: tampa\n    contact_rules: { loosen: true, states: { FL: { per_24_hours: 6 } } }\n",
            file: "group.yaml")
        #expect(said.store("tampa").contactRules.states["FL"]?.per24Hours == 6)
        // A store's contact_rules that is not a mapping is refused with its line.
        do {
            _ = try MenuLoader.loadMenu(yaml: group + "stores:\n  - code: tampa\n    contact_rules: strict\n", file: "group.yaml")
            Issue.record("a malformed contact_rules loaded")
        } catch {
            #expect(error.issues.contains { $0.description.hasPrefix("group.yaml:") && $0.description.contains("stores.tampa") })
        }
    }

    /// A report of one store states and uses the store's holdout share; its dealer costs are the store's.
    @Test func aStoresReportUsesItsOwnShareAndCosts() throws {
        let menu = try MenuLoader.loadMenu(yaml: Self.groupYAML, file: "menus/group.yaml")
        let day = LocalDate("2026-12-01")!
        #expect(ReportParameters(asOf: day, from: day, to: day, store: "tulsa", menu: menu).holdoutPercent == 15)
        let pooled = ReportParameters(asOf: day, from: day, to: day, menu: menu)
        #expect(pooled.holdoutPercent == 10 && pooled.holdoutPercent(of: "tulsa") == 15 && pooled.holdoutPercent(of: "austin") == 10)
        #expect(pooled.dealerCost("vsc", store: "tulsa") == 109_000 && pooled.dealerCost("vsc", store: "austin") == 115_000)
    }

    /// Planning reads the deal's store: Tulsa does not sell appearance protection and holds out 15%, Austin sells it.
    @Test func eachDeclineIsPlannedUnderItsStoresMenu() throws {
        let menu = try MenuLoader.loadMenu(yaml: Self.groupYAML, file: "menus/group.yaml")
        var deal = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        deal.products = [ProductLine(code: "appearance", outcome: .declined, price: Money(dollars: 695))]
        let planner = Planner.make(menu: menu, warranties: warranties)
        func plan(_ store: String, _ number: String = "D-1") -> CustomerPlan {
            var d = deal
            d.store = store
            d.dealNumber = number
            let facts = DeclineFacts(store: store, dealNumber: number, product: d.products[0], deal: d, heldOut: nil)
            return planner.plan(
                declines: [facts], permissions: ContactPermissions(sms: true, email: true, phone: true),
                now: ISO8601DateFormatter().date(from: "2026-06-01T15:00:00Z")!)
        }
        #expect(plan("tulsa").products.isEmpty && plan("tulsa").touches.isEmpty)
        #expect(plan("austin").products.map(\.product) == ["appearance"])
        // The holdout share is the store's: some deal number held out at Tulsa's 15% is treated at Austin's 10%.
        let numbers = (1...400).map { "D-\($0)" }
        let differs = numbers.first { n in
            Holdout.isHeldOut(store: "tulsa", dealNumber: n, percent: 15) != Holdout.isHeldOut(store: "tulsa", dealNumber: n, percent: 10)
        }
        deal.products = [ProductLine(code: "vsc", outcome: .declined, price: Money(dollars: 2_495))]
        let n = try #require(differs)
        #expect(plan("tulsa", n).products.first?.holdout == true)
        let asAustinRules = Planner.make(menu: menu.store("austin"), warranties: warranties)
        var d = deal
        d.store = "tulsa"
        d.dealNumber = n
        let facts = DeclineFacts(store: "tulsa", dealNumber: n, product: d.products[0], deal: d, heldOut: nil)
        let austinPlan = asAustinRules.plan(
            declines: [facts], permissions: ContactPermissions(sms: true, email: true, phone: true),
            now: ISO8601DateFormatter().date(from: "2026-06-01T15:00:00Z")!)
        #expect(austinPlan.products.first?.holdout == false)
    }
}
