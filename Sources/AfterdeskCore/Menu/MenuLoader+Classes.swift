import Yams

extension MenuLoader {
    /// A product's `eligibility`: `classes` (the plans it can be bought as after the sale, best first), or the window
    /// fields of the previous release. `until_basic_warranty_expires` still loads, as one `manufacturer_new` class, and
    /// `menu check` says how to write it now.
    static func eligibility(_ node: Node, _ path: String, kind: ProductKind, _ r: inout YAMLReader) -> Eligibility {
        var eligibility = Eligibility()
        guard let e = node["eligibility"], e.mapping != nil else {
            r.fail(node["eligibility"] ?? node, "\(path).eligibility", "required section is missing")
            return eligibility
        }
        let ep = "\(path).eligibility"
        r.checkKeys(
            e, ep, allowed: ["days_from_contract", "until_basic_warranty_expires", "max_vehicle_age_years", "max_odometer", "classes"])
        if let list = e["classes"] {
            for key in ["days_from_contract", "until_basic_warranty_expires", "max_vehicle_age_years", "max_odometer"] where e[key] != nil {
                r.fail(e[key], "\(ep).\(key)", "with classes, give each class its own limits")
            }
            eligibility.classes = classes(list, "\(ep).classes", &r)
            return eligibility
        }
        eligibility.daysFromContract = r.int(e, "days_from_contract", ep, range: 0...3650)
        let untilBasic = r.bool(e, "until_basic_warranty_expires", ep, default: false)
        eligibility.maxVehicleAgeYears = r.int(e, "max_vehicle_age_years", ep, range: 0...30)
        eligibility.maxOdometer = r.int(e, "max_odometer", ep, range: 0...1_000_000)
        if eligibility.daysFromContract == nil && !untilBasic {
            r.fail(e, ep, "set days_from_contract or classes: a follow-up needs a window that closes")
        }
        if untilBasic {
            // The previous release's rule: as it was, one class closed by the basic warranty.
            eligibility = Eligibility(
                daysFromContract: eligibility.daysFromContract, untilBasicWarrantyExpires: true,
                maxVehicleAgeYears: eligibility.maxVehicleAgeYears, maxOdometer: eligibility.maxOdometer)
            r.warn(
                e["until_basic_warranty_expires"], "\(ep).until_basic_warranty_expires",
                "a manufacturer's new-vehicle rule: used cars and cars out of basic warranty get no follow-up. "
                    + (kind == .serviceContract
                        ? "Replace it with classes (docs/menus.md, \"Plan classes\"): "
                            + "classes: [{ class: manufacturer_new }, { class: used, max_vehicle_age_years: 10, max_odometer: 125000 }, "
                            + "{ class: after_warranty, max_vehicle_age_years: 15, max_odometer: 150000 }]"
                        : "Replace it with classes: [{ class: manufacturer_new }] (docs/menus.md, \"Plan classes\")"))
        }
        return eligibility
    }

    /// `classes: [{ class: used, max_vehicle_age_years: 10, max_odometer: 125000 }, …]`
    private static func classes(_ list: Node, _ path: String, _ r: inout YAMLReader) -> [PlanClass] {
        guard let items = list.sequence, !items.isEmpty else {
            r.fail(list, path, "expected a list of classes, best first")
            return []
        }
        var out: [PlanClass] = []
        for (i, c) in items.enumerated() {
            let cp = "\(path)[\(i)]"
            guard c.mapping != nil else {
                r.fail(c, cp, "expected a mapping such as { class: used, max_vehicle_age_years: 10 }")
                continue
            }
            r.checkKeys(c, cp, allowed: ["class", "name", "days_from_contract", "max_vehicle_age_years", "max_odometer", "inspection"])
            guard let k = r.string(c, "class", cp) else { continue }
            guard let kind = PlanClass.Kind(rawValue: k) else {
                r.fail(
                    c["class"], "\(cp).class", "unknown class '\(k)' (\(PlanClass.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            if out.contains(where: { $0.kind == kind }) { r.fail(c["class"], "\(cp).class", "class '\(k)' is listed twice") }
            let days = r.int(c, "days_from_contract", cp, range: 1...3650)
            let age = r.int(c, "max_vehicle_age_years", cp, range: 1...30)
            let miles = r.int(c, "max_odometer", cp, range: 1000...1_000_000)
            if kind != .manufacturerNew && days == nil && age == nil && miles == nil {
                r.fail(c, cp, "a \(k) class needs a limit that closes it: max_vehicle_age_years, max_odometer or days_from_contract")
            }
            let inspection = c["inspection"] == nil ? nil : r.bool(c, "inspection", cp, default: kind == .afterWarranty)
            out.append(
                PlanClass(
                    kind: kind, name: r.string(c, "name", cp, required: false), daysFromContract: days, maxVehicleAgeYears: age,
                    maxOdometer: miles, inspection: inspection))
        }
        return out
    }

    /// A touch's `classes: [used, after_warranty]`: it is raised only when the class open on its day is one of them.
    static func touchClasses(_ tn: Node, _ tpp: String, _ r: inout YAMLReader) -> Set<PlanClass.Kind>? {
        guard tn["classes"] != nil else { return nil }
        var out = Set<PlanClass.Kind>()
        for name in r.stringList(tn, "classes", tpp) {
            guard let k = PlanClass.Kind(rawValue: name) else {
                r.fail(
                    tn["classes"], "\(tpp).classes",
                    "unknown class '\(name)' (\(PlanClass.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            out.insert(k)
        }
        return out
    }
}
