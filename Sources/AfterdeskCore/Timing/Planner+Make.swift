import Foundation

extension CadenceRules {
    /// These rules with the menu's state calendar when they name none: what the dispatch gate checks.
    public func withCalendar(of menu: Menu) -> CadenceRules {
        var rules = self
        if rules.contactRules == nil { rules.contactRules = menu.contactRules }
        return rules
    }

    /// These rules for a store of `group`: the store's own state calendar where the rules took the group menu's (a
    /// calendar given outright, as a test gives one, stays).
    public func forStore(_ store: Menu, of group: Menu) -> CadenceRules {
        var rules = self
        if rules.contactRules == nil || rules.contactRules == group.contactRules { rules.contactRules = store.contactRules }
        return rules
    }
}

extension Planner {
    /// The one way the command line, the server, the scheduler and the demo build a planner: the menu in force, its
    /// warranties, and the rules the dispatch gate checks, so a plan made anywhere is the plan the gate expects.
    public static func make(menu: Menu, warranties: WarrantyTable, rules: CadenceRules = CadenceRules()) -> Planner {
        Planner(menu: menu, warranties: warranties, rules: rules.withCalendar(of: menu))
    }
}

extension MenuInForce {
    /// The planner for this menu (`Planner.make`).
    public var planner: Planner { .make(menu: menu, warranties: warranties) }
}
