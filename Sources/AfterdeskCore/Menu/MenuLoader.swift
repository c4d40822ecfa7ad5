import Foundation
import Yams

/// One problem in a menu or warranty file, with where it is.
public struct MenuIssue: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var field: String
    public var message: String
    public init(file: String, line: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }
    public var description: String { "\(file):\(line): \(field): \(message)" }
}

/// All the problems found in a menu file; loading reports every one, not just the first.
public struct MenuErrors: Error, Sendable, CustomStringConvertible {
    public var issues: [MenuIssue]
    public init(issues: [MenuIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

public enum MenuLoader {
    /// Parses and checks a menu. `file` is the name used in messages.
    public static func loadMenu(yaml text: String, file: String) throws(MenuErrors) -> Menu {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw MenuErrors(issues: [MenuIssue(file: file, line: 1, field: "(document)", message: "the file is empty")])
            }
            root = node
        } catch let e as MenuErrors {
            throw e
        } catch let e as YamlError {
            throw MenuErrors(issues: [MenuIssue(file: file, line: yamlErrorLine(e), field: "(syntax)", message: "not valid YAML: \(e)")])
        } catch {
            throw MenuErrors(issues: [MenuIssue(file: file, line: 1, field: "(syntax)", message: "not valid YAML: \(error)")])
        }
        guard root.mapping != nil else {
            throw MenuErrors(issues: [
                MenuIssue(
                    file: file, line: root.mark?.line ?? 1, field: "(document)",
                    message: "expected a mapping with version, dealership and products")
            ])
        }
        var menu = try load(root, file: file)
        menu.stores = try stores(root, file: file, group: menu)
        return menu
    }

    /// The menu of one document (the group's, or a store's laid over it).
    static func load(_ root: Node, file: String) throws(MenuErrors) -> Menu {
        var r = YAMLReader(file: file)
        r.checkKeys(
            root, "",
            allowed: [
                "version", "dealership", "holdout_percent", "attribution_days", "depreciation", "pothole_season_starts", "products",
                "contact_rules", "measure_by", "horizon_cap_days", "holdout_months", "anytime_window", "stores",
            ])
        if let v = r.int(root, "version", "", required: true, range: 1...1), v != 1 {
            r.fail(root["version"], "version", "only version 1 is known")
        }

        let dealership = self.dealership(root, &r)
        let holdout = r.int(root, "holdout_percent", "", range: 0...50) ?? 10
        let attribution = r.int(root, "attribution_days", "", range: 1...730) ?? 120
        let depreciation = self.depreciation(root, &r)
        let season = potholeSeason(root, &r)
        let products = self.products(root, &r)
        let contactRules = self.contactRules(root["contact_rules"], &r)
        if !r.issues.isEmpty { throw MenuErrors(issues: r.issues) }
        var menu = Menu(
            dealership: dealership, holdoutPercent: holdout, depreciation: depreciation,
            potholeSeasonStart: season, products: products, attributionDays: attribution)
        menu.contactRules = contactRules
        measurement(root, &r, into: &menu)
        if !r.issues.isEmpty { throw MenuErrors(issues: r.issues) }
        menu.warnings = r.warnings
        return menu
    }

    private static func dealership(_ root: Node, _ r: inout YAMLReader) -> Dealership {
        // (A placeholder: a menu without a known zone does not load.)
        var dealership = Dealership(name: "", zone: .gmt, address: "")
        guard let d = root["dealership"], d.mapping != nil else {
            r.fail(root["dealership"] ?? root, "dealership", "required section is missing (name, time_zone, address)")
            return dealership
        }
        r.checkKeys(d, "dealership", allowed: ["name", "time_zone", "address", "phone", "hours", "closed_on"])
        dealership.name = r.string(d, "name", "dealership") ?? ""
        if let tz = r.string(d, "time_zone", "dealership") {
            do {
                try dealership.setZone(named: tz)
            } catch {
                r.fail(d["time_zone"], "dealership.time_zone", "unknown time zone '\(tz)' (use an IANA name such as America/Chicago)")
            }
        }
        dealership.address = r.string(d, "address", "dealership") ?? ""
        dealership.phone = r.string(d, "phone", "dealership", required: false)
        dealership.hours = hours(d, &r)
        return dealership
    }

    private static func depreciation(_ root: Node, _ r: inout YAMLReader) -> Depreciation {
        var depreciation = Depreciation(new: [], used: [])
        if let dep = root["depreciation"], dep.mapping != nil {
            r.checkKeys(dep, "depreciation", allowed: ["new", "used"])
            depreciation.new = curve(dep, "new", &r)
            depreciation.used = curve(dep, "used", &r)
        } else {
            r.fail(root["depreciation"] ?? root, "depreciation", "required section is missing (new and used curves)")
        }
        return depreciation
    }

    /// When pothole season starts (MM-DD), March 1 unless the menu says.
    private static func potholeSeason(_ root: Node, _ r: inout YAMLReader) -> MonthDay {
        let march = MonthDay(month: 3, day: 1)!  // a valid constant
        guard let text = r.string(root, "pothole_season_starts", "", required: false) else { return march }
        let parts = text.split(separator: "-")
        if parts.count == 2, let m = Int(parts[0]), let d = Int(parts[1]), let md = MonthDay(month: m, day: d) { return md }
        r.fail(root["pothole_season_starts"], "pothole_season_starts", "expected MM-DD such as 02-15, got '\(text)'")
        return march
    }

    private static func products(_ root: Node, _ r: inout YAMLReader) -> [MenuProduct] {
        guard let list = root["products"]?.sequence, !list.isEmpty else {
            r.fail(root["products"] ?? root, "products", "required list is missing or empty")
            return []
        }
        var products: [MenuProduct] = []
        var seen: [String: Int] = [:]
        for (i, node) in list.enumerated() {
            let path = "products[\(i)]"
            guard node.mapping != nil else {
                r.fail(node, path, "expected a product mapping")
                continue
            }
            // Duplicates are checked on the code alone, so they are found even when a product has other errors.
            if let code = node["code"]?.string?.trimmingSpaces, !code.isEmpty {
                if let first = seen[code] {
                    r.fail(node["code"], "\(path).code", "product code '\(code)' is already used at line \(first)")
                    continue
                }
                seen[code] = node.mark?.line ?? 0
            }
            if let p = product(node, path, &r) { products.append(p) }
        }
        return products
    }

    private static func curve(_ dep: Node, _ key: String, _ r: inout YAMLReader) -> [Depreciation.Point] {
        let path = "depreciation.\(key)"
        guard let seq = dep[key]?.sequence, !seq.isEmpty else {
            r.fail(dep[key] ?? dep, path, "expected a list of {month, remaining_percent} points")
            return []
        }
        var points: [Depreciation.Point] = []
        for (i, p) in seq.enumerated() {
            let pp = "\(path)[\(i)]"
            r.checkKeys(p, pp, allowed: ["month", "remaining_percent"])
            guard let month = r.int(p, "month", pp, required: true, range: 0...240) else { continue }
            guard let v = p["remaining_percent"], let text = v.string, let pct = Money(text), pct.cents >= 0, pct.cents <= 10000 else {
                r.fail(p["remaining_percent"] ?? p, "\(pp).remaining_percent", "expected a percent between 0 and 100 such as 80 or 62.5")
                continue
            }
            if let last = points.last {
                if month <= last.month { r.fail(p["month"], "\(pp).month", "months must increase (previous point is month \(last.month))") }
                if pct.cents > last.remainingBasisPoints { r.fail(v, "\(pp).remaining_percent", "value cannot rise with age") }
            } else if month != 0 {
                r.fail(p["month"], "\(pp).month", "the first point must be month 0")
            }
            points.append(.init(month: month, remainingBasisPoints: Int(pct.cents)))
        }
        return points
    }

    private static func product(_ node: Node, _ path: String, _ r: inout YAMLReader) -> MenuProduct? {
        r.checkKeys(
            node, path,
            allowed: [
                "code", "name", "kind", "provider", "retail_price", "dealer_cost",
                "presented_on_every_deal", "task_threshold", "included_with_lease",
                "eligibility", "timing", "dms_names", "coverage", "pause_days", "gap", "rate_card", "installments",
                "commission", "cancellation",
            ])
        let before = r.issues.count
        let code = r.string(node, "code", path) ?? ""
        if !code.isEmpty, !code.allSatisfy({ ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "_" }) || code.first?.isLetter != true
        {
            r.fail(
                node["code"], "\(path).code",
                "a product code is lower-case letters, digits and _ starting with a letter (it names CSV columns such as \(code)_outcome)")
        }
        let name = r.string(node, "name", path) ?? ""
        var kind = ProductKind.other
        if let k = r.string(node, "kind", path) {
            if let pk = ProductKind(rawValue: k) {
                kind = pk
            } else {
                r.fail(
                    node["kind"], "\(path).kind",
                    "unknown kind '\(k)' (one of \(ProductKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        let provider = r.string(node, "provider", path) ?? ""
        let retail = r.money(node, "retail_price", path, required: true) ?? .zero
        let cost = r.money(node, "dealer_cost", path, required: true) ?? .zero
        if cost > retail { r.fail(node["dealer_cost"], "\(path).dealer_cost", "dealer cost \(cost) is above the retail price \(retail)") }
        let presented = r.bool(node, "presented_on_every_deal", path, default: true)
        let threshold = r.money(node, "task_threshold", path, required: false)
        let lease = r.bool(node, "included_with_lease", path, default: false)

        let gap = gapRules(node, path, kind: kind, &r)
        let waiver = gap.flatMap { $0.soldAs == .dealerWaiver ? $0 : nil }
        let eligibility = waiver.map { waiverEligibility(node, path, $0, &r) } ?? self.eligibility(node, path, kind: kind, &r)
        let timing = waiver.map { waiverTiming(node, path, code: code, $0, &r) } ?? self.timing(node, path, code: code, &r)
        checkExposureTiming(timing, gap: gap, node, path, &r)
        let dmsNames = r.stringList(node, "dms_names", path)
        let coverage = r.string(node, "coverage", path, required: false)
        if let c = coverage, c.count > 400 {
            r.fail(node["coverage"], "\(path).coverage", "keep the coverage summary under 400 characters (it has \(c.count))")
        }
        let pauseDays = r.int(node, "pause_days", path, range: 1...365) ?? 30
        let product = MenuProduct(
            code: code, name: name, kind: kind, provider: provider, retailPrice: retail, dealerCost: cost,
            presentedOnEveryDeal: presented, taskThreshold: threshold, includedWithLease: lease,
            eligibility: eligibility, timing: timing, dmsNames: dmsNames, line: node.mark?.line ?? 0, coverage: coverage,
            pauseDays: pauseDays)
        let withTerms = withSaleTerms(product, gap: gap, node, path, &r)
        return r.issues.count == before ? withTerms : nil
    }

    private static func timing(_ node: Node, _ path: String, code: String, _ r: inout YAMLReader) -> Timing {
        var timing = Timing(anchor: .delivery, touches: [])
        guard let t = node["timing"], t.mapping != nil else {
            r.fail(node["timing"] ?? node, "\(path).timing", "required section is missing")
            return timing
        }
        let tp = "\(path).timing"
        r.checkKeys(t, tp, allowed: ["anchor", "touches", "first_service_months", "first_service_miles"])
        var anchorKnown = false
        if let a = r.string(t, "anchor", tp) {
            if let anchor = Anchor(rawValue: a) {
                timing.anchor = anchor
                anchorKnown = true
            } else {
                r.fail(
                    t["anchor"], "\(tp).anchor", "unknown anchor '\(a)' (one of \(Anchor.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
        }
        timing.firstServiceMonths = r.int(t, "first_service_months", tp, range: 1...60)
        timing.firstServiceMiles = r.int(t, "first_service_miles", tp, range: 500...100_000)
        if timing.anchor == .firstService && timing.firstServiceMonths == nil && timing.firstServiceMiles == nil {
            r.fail(t, tp, "anchor first_service needs first_service_months or first_service_miles")
        }
        guard let list = t["touches"]?.sequence, !list.isEmpty else {
            r.fail(t["touches"] ?? t, "\(tp).touches", "required list of touches is missing or empty")
            return timing
        }
        var names = Set<String>()
        for (i, tn) in list.enumerated() {
            let tpp = "\(tp).touches[\(i)]"
            if let rule = touchRule(tn, tpp, code: code, deliveryOnly: anchorKnown && timing.anchor == .delivery, names: &names, &r) {
                timing.touches.append(rule)
            }
        }
        return timing
    }

    /// One touch of a product's timing; `deliveryOnly` when the anchor is delivery, which takes days_after_delivery only.
    /// `names` are the touch names seen so far in the product.
    private static func touchRule(
        _ tn: Node, _ tpp: String, code: String, deliveryOnly: Bool, names: inout Set<String>,
        _ r: inout YAMLReader
    ) -> TouchRule? {
        r.checkKeys(
            tn, tpp,
            allowed: [
                "name", "days_after_delivery", "days_before_anchor", "days_after_anchor", "percent_of_exposure", "action", "template",
                "classes",
            ])
        guard let tname = r.string(tn, "name", tpp) else { return nil }
        if !names.insert(tname).inserted { r.fail(tn["name"], "\(tpp).name", "touch name '\(tname)' is used twice") }
        let after = r.int(tn, "days_after_delivery", tpp, range: 0...3650)
        let before = r.int(tn, "days_before_anchor", tpp, range: 0...3650)
        let afterA = r.int(tn, "days_after_anchor", tpp, range: 0...3650)
        let share = exposurePercent(tn, tpp, &r)
        let offset: TouchRule.Offset
        switch (after, before, afterA, share) {
        case (let days?, nil, nil, nil): offset = .afterDelivery(days: days)
        case (nil, let days?, nil, nil): offset = .beforeAnchor(days: days)
        case (nil, nil, let days?, nil): offset = .afterAnchor(days: days)
        case (nil, nil, nil, let percent?): offset = .percentOfExposure(percent)
        default:
            r.fail(tn, tpp, "give exactly one of days_after_delivery, days_before_anchor, days_after_anchor, percent_of_exposure")
            return nil
        }
        if deliveryOnly && after == nil {
            r.fail(tn, tpp, "anchor delivery takes days_after_delivery only")
        }
        var action = TouchRule.Action.message
        if let a = r.string(tn, "action", tpp, required: false) {
            if let act = TouchRule.Action(rawValue: a) {
                action = act
            } else {
                r.fail(tn["action"], "\(tpp).action", "unknown action '\(a)' (message or task)")
            }
        }
        let template = r.string(tn, "template", tpp, required: false) ?? "\(code)-\(tname)"
        return TouchRule(name: tname, offset: offset, action: action, template: template, classes: touchClasses(tn, tpp, &r))
    }

    static func yamlErrorLine(_ e: YamlError) -> Int {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return 1
        }
    }
}
