import AfterdeskCore
import Foundation
import Testing

/// Every workflow builds its planner through `Planner.make`: the menu's state calendar unless the rules name one.
@Suite struct PlannerMakeTests {
    @Test func rulesTakeTheMenusCalendarOnlyWhenTheyNameNone() throws {
        let menu = try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
        #expect(CadenceRules().contactRules == nil)
        #expect(CadenceRules().withCalendar(of: menu).contactRules == menu.contactRules)
        var own = CadenceRules()
        own.contactRules = menu.contactRules.with(emergencies: ["TX"])
        #expect(own.withCalendar(of: menu).contactRules == own.contactRules)
        #expect(own.withCalendar(of: menu).contactRules != menu.contactRules)
    }
}
