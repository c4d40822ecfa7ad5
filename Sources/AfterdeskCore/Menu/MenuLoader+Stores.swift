import Yams

/// `stores:` in a menu: a dealer group's rooftops, each the group's menu with the store's own fields laid over it
/// (docs/menus.md, "A dealer group").
extension MenuLoader {
    /// What a store may set for itself; measurement (`measure_by`, `attribution_days`, the holdout's months) is the
    /// group's, so the pooled report measures every store alike.
    static let storeKeys: Set<String> = [
        "code", "dealership", "holdout_percent", "pothole_season_starts", "depreciation", "contact_rules", "products", "without",
    ]

    /// Each store's menu, checked as a whole menu; every problem of every store is reported with its line.
    static func stores(_ root: Node, file: String, group: Menu) throws(MenuErrors) -> [String: Menu] {
        guard let node = root["stores"] else { return [:] }
        var r = YAMLReader(file: file)
        guard let list = node.sequence, !list.isEmpty else {
            r.fail(node, "stores", "expected a list of stores, each with its code")
            throw MenuErrors(issues: r.issues)
        }
        var stores: [String: Menu] = [:]
        var lines: [String: Int] = [:]
        for (i, store) in list.enumerated() {
            let path = "stores[\(i)]"
            guard store.mapping != nil else {
                r.fail(store, path, "expected a store mapping with its code")
                continue
            }
            r.checkKeys(store, path, allowed: storeKeys)
            guard let code = r.string(store, "code", path) else { continue }
            guard StoreCode.isValid(code) else {
                r.fail(store["code"], "\(path).code", "'\(code)' is not a store code (letters, digits, '-' and '_', at most 32)")
                continue
            }
            if let first = lines[code] {
                r.fail(store["code"], "\(path).code", "store '\(code)' is already listed at line \(first)")
                continue
            }
            lines[code] = store["code"]?.mark?.line ?? 1
            guard let merged = laid(store, over: root, path: "stores.\(code)", &r) else { continue }
            do {
                var menu = try load(merged, file: file)
                menu.warnings = menu.warnings.filter { w in !group.warnings.contains(w) }.map { w in prefixed(w, code) }
                looserThanGroup(store, menu, group, code: code, &r)
                stores[code] = menu
            } catch {
                r.issues += error.issues.map { prefixed($0, code) }
            }
        }
        if !r.issues.isEmpty { throw MenuErrors(issues: r.issues) }
        return stores
    }

    private static func prefixed(_ issue: MenuIssue, _ code: String) -> MenuIssue {
        var issue = issue
        issue.field = "stores.\(code): \(issue.field)"
        return issue
    }

    /// The group's document with `store`'s fields laid over it: mappings merged key by key (the store's value wins),
    /// products matched by code (a code the group does not sell is the store's own product), `without` removed.
    static func laid(_ store: Node, over root: Node, path: String, _ r: inout YAMLReader) -> Node? {
        var pairs: [(Node, Node)] = []
        for (key, value) in root.mapping ?? [:] {
            guard let name = key.string, name != "stores" else { continue }
            if name == "products" {
                guard let products = laidProducts(store, over: value, path: path, &r) else { return nil }
                pairs.append((key, products))
            } else if name == "contact_rules" {
                if let rules = laidRules(store[name], over: value) { pairs.append((key, rules)) }
            } else if let own = store[name] {
                pairs.append((key, merged(own, over: value)))
            } else {
                pairs.append((key, value))
            }
        }
        for (key, value) in store.mapping ?? [:] {
            guard let name = key.string, !["code", "products", "without"].contains(name), root[name] == nil else { continue }
            pairs.append((key, value))
        }
        return .mapping(Node.Mapping(pairs, .implicit, .any, root.mapping?.mark))
    }

    private static func laidProducts(_ store: Node, over group: Node, path: String, _ r: inout YAMLReader) -> Node? {
        var list = group.sequence.map(Array.init) ?? []
        var removed = Set<String>()
        if let without = store["without"] {
            for code in without.sequence.map(Array.init) ?? [without] {
                guard let c = code.string, list.contains(where: { $0["code"]?.string == c }) else {
                    r.fail(code, "\(path).without", "'\(code.string ?? "")' is not a product of the group's menu")
                    continue
                }
                removed.insert(c)
            }
        }
        if let own = store["products"] {
            guard let items = own.sequence else {
                r.fail(own, "\(path).products", "expected a list of products, each with its code")
                return nil
            }
            for item in items {
                guard let code = item["code"]?.string else {
                    r.fail(item, "\(path).products", "a store's product needs its code")
                    continue
                }
                if let i = list.firstIndex(where: { $0["code"]?.string == code }) {
                    list[i] = merged(item, over: list[i])
                } else {
                    list.append(item)
                }
            }
        }
        list.removeAll { p in p["code"]?.string.map(removed.contains) ?? false }
        return .sequence(Node.Sequence(list, .implicit, .any, group.sequence?.mark))
    }

    /// A store's `contact_rules` over the group's: state by state, each field the store gives replacing the group's whole
    /// (a store's `hours` are its hours, not merged day by day). The group's `loosen` stands for what the store inherits
    /// (the group's loosening was approved there); what the store loosens of the group's is `looserThanGroup`'s.
    static func laidRules(_ own: Node?, over group: Node) -> Node? {
        // Not a mapping: the store's own, for the loader to refuse with its line.
        if let own, own.mapping == nil { return own }
        var states: [(Node, Node)] = []
        let groupStates = group["states"]?.mapping
        for (code, rules) in groupStates ?? [:] {
            let mine = code.string.flatMap { own?["states"]?[$0] }
            states.append((code, mine.map { shallow($0, over: rules) } ?? rules))
        }
        for (code, rules) in own?["states"]?.mapping ?? [:] where code.string.flatMap({ group["states"]?[$0] }) == nil {
            states.append((code, rules))
        }
        var pairs: [(Node, Node)] = []
        if !states.isEmpty { pairs.append((Node("states"), .mapping(Node.Mapping(states, .implicit, .any, own?.mapping?.mark)))) }
        if let loosen = own?["loosen"] ?? group["loosen"] { pairs.append((Node("loosen"), loosen)) }
        for (key, value) in own?.mapping ?? [:] where !["states", "loosen"].contains(key.string ?? "") { pairs.append((key, value)) }
        return pairs.isEmpty ? nil : .mapping(Node.Mapping(pairs, .implicit, .any, own?.mapping?.mark ?? group.mapping?.mark))
    }

    /// `own`'s keys over `base`'s, each value replaced whole.
    static func shallow(_ own: Node, over base: Node) -> Node {
        guard let a = base.mapping, let b = own.mapping else { return own }
        var pairs: [(Node, Node)] = a.map { key, value in (key, key.string.flatMap { own[$0] } ?? value) }
        for (key, value) in b where key.string.flatMap({ base[$0] }) == nil { pairs.append((key, value)) }
        return .mapping(Node.Mapping(pairs, b.tag, b.style, b.mark))
    }

    /// What a store's rules loosen of the group's own (a group's tightening holds in every store), unless the store
    /// says `loosen: true` itself.
    static func looserThanGroup(_ store: Node, _ own: Menu, _ group: Menu, code: String, _ r: inout YAMLReader) {
        guard store["contact_rules"]?["loosen"]?.bool != true else { return }
        for (state, rules) in own.contactRules.states.sorted(by: { $0.key < $1.key }) {
            guard let groupRules = group.contactRules.states[state] else { continue }
            for l in ContactRulebook.loosenings(of: groupRules, by: rules, federal: group.contactRules.federal) {
                r.fail(
                    store["contact_rules"]?["states"]?[state] ?? store, "stores.\(code).contact_rules.states.\(state)",
                    "\(l): loosens the group's rule; set loosen: true in the store's contact_rules to keep it")
            }
        }
    }

    /// `own` laid over `base`: two mappings merge key by key, anything else is replaced.
    static func merged(_ own: Node, over base: Node) -> Node {
        guard let a = base.mapping, let b = own.mapping else { return own }
        var pairs: [(Node, Node)] = []
        for (key, value) in a {
            pairs.append((key, key.string.flatMap { own[$0] }.map { merged($0, over: value) } ?? value))
        }
        for (key, value) in b where key.string.flatMap({ base[$0] }) == nil { pairs.append((key, value)) }
        return .mapping(Node.Mapping(pairs, b.tag, b.style, b.mark))
    }
}

/// A store's code: what deal files give in their `store` column.
public enum StoreCode {
    public static func isValid(_ code: String) -> Bool {
        !code.isEmpty && code.count <= 32
            && code.unicodeScalars.allSatisfy { c in
                ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-" || c == "_"
            }
    }
}
