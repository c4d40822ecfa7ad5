import AfterdeskCore
import Foundation
import Testing

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func defaultMenu() throws -> Menu { try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml") }

/// Loads a menu expected to fail and returns its issues.
func menuIssues(_ yaml: String) -> [MenuIssue] {
    do {
        _ = try MenuLoader.loadMenu(yaml: yaml, file: "m.yaml")
        return []
    } catch { return error.issues }
}

@Suite struct MenuTests {
    @Test func theBuiltInMenuIsTheFileInTheRepository() throws {
        let menu = try String(contentsOf: repositoryRoot.appendingPathComponent("menus/default.yaml"), encoding: .utf8)
        let warranties = try String(contentsOf: repositoryRoot.appendingPathComponent("menus/warranties.yaml"), encoding: .utf8)
        #expect(DefaultMenus.menuYAML + "\n" == menu, "run scripts/embed-menus.sh after editing menus/")
        #expect(DefaultMenus.warrantiesYAML + "\n" == warranties, "run scripts/embed-menus.sh after editing menus/")
        let group = try String(contentsOf: repositoryRoot.appendingPathComponent("menus/group.yaml"), encoding: .utf8)
        #expect(DefaultMenus.groupYAML + "\n" == group, "run scripts/embed-menus.sh after editing menus/")
    }

    @Test func theDefaultMenuHasTheFiveProducts() throws {
        let menu = try defaultMenu()
        #expect(menu.products.map(\.code) == ["vsc", "gap", "tire_wheel", "appearance", "maintenance"])
        #expect(menu.product("vsc")?.timing.anchor == .warrantyExpiry)
        #expect(menu.product("vsc")?.eligibility.classes.map(\.kind) == [.manufacturerNew, .used, .afterWarranty])
        #expect(menu.warnings.isEmpty)
        // The dealer GAP waiver's window is its funding window (issue 25, item 3), no longer a 60-day enrolment.
        #expect(menu.product("gap")?.eligibility.daysFromContract == 5)
        #expect(menu.product("gap")?.includedWithLease == true)
        #expect(menu.product("maintenance")?.timing.firstServiceMiles == 5000)
        #expect(menu.product("vsc")?.timing.touches.last?.action == .task)
        #expect(menu.product("vsc")?.timing.touches.first?.template == "vsc-second-chance")
        #expect(menu.dealership.timeZone == "America/Chicago")
        #expect(menu.holdoutPercent == 10)
        #expect(menu.depreciation.new[1] == .init(month: 12, remainingBasisPoints: 8000))
        #expect(menu.potholeSeasonStart.description == "02-15")
    }

    @Test(arguments: [
        ("TOYOTACARE PLATINUM VSC", "vsc"), ("Honda Care Extended Warranty", "vsc"), ("Ally GAP Plus", "gap"),
        ("GUARANTEED AUTO PROTECTION", "gap"), ("TIRE & WHEEL ROAD HAZARD", "tire_wheel"), ("Tire&Wheel", "tire_wheel"),
        ("PAINT & FABRIC PROTECTION", "appearance"), ("Prepaid Maintenance 2yr", "maintenance"),
    ])
    func dmsNamesMapToMenuProducts(name: String, code: String) throws {
        #expect(try defaultMenu().product(matchingDMSName: name)?.code == code)
    }

    @Test(arguments: ["DOC FEE", "CREDIT LIFE", "Singapore Export Fee", "", "ETCH"])
    func otherLineItemsAreNotMenuProducts(name: String) throws {
        #expect(try defaultMenu().product(matchingDMSName: name) == nil)
    }

    @Test func everyErrorNamesLineAndField() {
        let yaml = DefaultMenus.menuYAML
            .replacingOccurrences(of: "anchor: warranty_expiry", with: "anchor: warranty_end")
            .replacingOccurrences(of: "dealer_cost: 300.00", with: "dealer_cost: 3000.00")
            .replacingOccurrences(of: "  - code: appearance", with: "  - code: vsc")
            .replacingOccurrences(of: "holdout_percent: 10", with: "holdout_percent: 80\nholdout: 5")
        let issues = menuIssues(yaml)
        func line(of text: String) -> Int {
            yaml.components(separatedBy: "\n").firstIndex { $0.contains(text) }! + 1
        }
        #expect(
            issues.contains(
                MenuIssue(
                    file: "m.yaml", line: line(of: "anchor: warranty_end"), field: "products[0].timing.anchor",
                    message:
                        "unknown anchor 'warranty_end' (one of delivery, basic_warranty_expiry, warranty_expiry, loan_to_value, season, first_service)"
                )
            ))
        #expect(issues.contains { $0.field == "products[1].dealer_cost" && $0.line == line(of: "dealer_cost: 3000.00") })
        #expect(issues.contains { $0.field == "products[3].code" && $0.message.contains("already used") })
        #expect(issues.contains { $0.field == "holdout_percent" && $0.message.contains("out of range") })
        #expect(issues.contains { $0.field == "holdout" && $0.message.contains("unknown field") })
        #expect(issues.count == 5, "\(issues.map(\.description).joined(separator: "\n"))")
    }

    @Test func structuralMistakes() {
        #expect(menuIssues("").first?.message == "the file is empty")
        #expect(menuIssues("version: 1\nproducts: [\n").first?.field == "(syntax)")
        #expect(menuIssues("- a\n- b\n").first?.field == "(document)")
        let noWindow = DefaultMenus.menuYAML.replacingOccurrences(of: "      days_from_contract: 90\n", with: "      max_odometer: 10000\n")
        #expect(menuIssues(noWindow).contains { $0.field == "products[2].eligibility" && $0.message.contains("window") })
        let twoOffsets = DefaultMenus.menuYAML.replacingOccurrences(
            of: "{ name: first, days_after_delivery: 5 }",
            with: "{ name: first, days_after_delivery: 5, days_before_anchor: 4 }")
        #expect(menuIssues(twoOffsets).contains { $0.field == "products[2].timing.touches[0]" })
        let badCurve = DefaultMenus.menuYAML.replacingOccurrences(
            of: "{ month: 24, remaining_percent: 70 }", with: "{ month: 24, remaining_percent: 90 }")
        #expect(menuIssues(badCurve).contains { $0.field == "depreciation.new[2].remaining_percent" && $0.message.contains("rise") })
    }

    @Test func warrantiesByMakeWithAliasesAndDefault() throws {
        let t = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
        #expect(t.terms(forMake: "HYUNDAI").powertrain == .init(years: 10, miles: 100_000))
        #expect(t.terms(forMake: "Hyundai").powertrainSubsequentOwner == .init(years: 5, miles: 60_000))
        #expect(t.terms(forMake: "chevy").basic == .init(years: 3, miles: 36_000))
        #expect(t.terms(forMake: "VW").basic == .init(years: 4, miles: 50_000))
        #expect(t.terms(forMake: "Zastava") == t.defaultTerms)
        #expect(throws: MenuErrors.self) {
            try MenuLoader.loadWarranties(yaml: "default: {basic: {years: 3, miles: 36000}}\nmakes: {}\n", file: "w.yaml")
        }
    }
}
