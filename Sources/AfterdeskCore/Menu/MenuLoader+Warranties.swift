import Yams

extension MenuLoader {
    /// Parses and checks `menus/warranties.yaml`: bad model-year ranges and overlapping ones are errors; a fact with
    /// neither `source:` (and `checked:`) nor `unverified` is a warning in `WarrantyTable.warnings`.
    public static func loadWarranties(yaml text: String, file: String) throws(MenuErrors) -> WarrantyTable {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text), node.mapping != nil else {
                throw MenuErrors(issues: [
                    MenuIssue(file: file, line: 1, field: "(document)", message: "expected a mapping with default and makes")
                ])
            }
            root = node
        } catch let e as MenuErrors {
            throw e
        } catch let e as YamlError {
            throw MenuErrors(issues: [MenuIssue(file: file, line: yamlErrorLine(e), field: "(syntax)", message: "not valid YAML: \(e)")])
        } catch {
            throw MenuErrors(issues: [MenuIssue(file: file, line: 1, field: "(syntax)", message: "not valid YAML: \(error)")])
        }
        var w = WarrantyFileReader(r: YAMLReader(file: file))
        w.r.checkKeys(root, "", allowed: ["version", "default", "makes", "aliases"])
        let def = w.terms(root["default"], "default", parent: root, isDefault: true)
        var entries: [String: [WarrantyTable.Entry]] = [:]
        if let m = root["makes"]?.mapping {
            for (k, v) in m {
                guard let make = k.string else { continue }
                if entries[make.uppercased()] != nil {
                    w.r.fail(k, "makes.\(make)", "the make is listed twice")
                    continue
                }
                entries[make.uppercased()] = w.makeEntries(v, "makes.\(make)")
            }
        } else {
            w.r.fail(root["makes"] ?? root, "makes", "required mapping of make to warranty is missing")
        }
        var aliases: [String: String] = [:]
        if let a = root["aliases"]?.mapping {
            for (k, v) in a {
                guard let from = k.string, let to = v.string else { continue }
                if entries[to.uppercased()] == nil { w.r.fail(v, "aliases.\(from)", "alias points to '\(to)', which is not under makes") }
                aliases[from.uppercased()] = to.uppercased()
                if from != from.uppercased() { aliases[from] = to.uppercased() }
            }
        }
        // The file's own spellings ("Toyota", "Chevy") found without upper-casing: the planner looks a make up per deal.
        for key in entries.keys {
            if let spelled = root["makes"]?.mapping?.keys.compactMap(\.string).first(where: { $0.uppercased() == key }), spelled != key {
                aliases[spelled] = key
            }
        }
        guard w.r.issues.isEmpty, let def else { throw MenuErrors(issues: w.r.issues) }
        var table = WarrantyTable(defaultTerms: def, entries: entries, aliases: aliases)
        table.warnings = w.warnings.sorted { ($0.line, $0.field) < ($1.line, $1.field) }
        return table
    }
}

/// Reads the parts of a warranties file, keeping the errors in `r` and the warnings apart.
struct WarrantyFileReader {
    var r: YAMLReader
    var warnings: [MenuIssue] = []

    static let provenanceKeys: Set<String> = ["source", "checked", "unverified", "note"]

    /// A make's entries: one mapping (all model years unless it says `model_years`) or a list of them, in model-year order.
    mutating func makeEntries(_ node: Node, _ path: String) -> [WarrantyTable.Entry] {
        let items: [(Node, String)]
        if let seq = node.sequence {
            items = seq.enumerated().map { ($0.element, "\(path)[\($0.offset)]") }
            if items.isEmpty { r.fail(node, path, "expected at least one entry") }
        } else {
            items = [(node, path)]
        }
        var out: [WarrantyTable.Entry] = []
        for (item, p) in items {
            let years = modelYears(item, p)
            guard let terms = terms(item, p, parent: node, isDefault: false), let years else { continue }
            out.append(WarrantyTable.Entry(modelYears: years, terms: terms, line: item.mark?.line ?? 0))
        }
        out.sort { ($0.modelYears.from ?? Int.min) < ($1.modelYears.from ?? Int.min) }
        for (i, e) in out.enumerated() {
            for earlier in out[..<i] where earlier.modelYears.overlaps(e.modelYears) {
                r.issues.append(
                    MenuIssue(
                        file: r.file, line: e.line, field: "\(path).model_years",
                        message: "model years \(e.modelYears) overlap \(earlier.modelYears) at line \(earlier.line)"))
            }
        }
        return out
    }

    /// `model_years`: "2018-2019", "2020-" (and later), "-2017" (and earlier), "2019"; absent means all years.
    mutating func modelYears(_ node: Node, _ path: String) -> WarrantyTable.ModelYears? {
        guard let v = node["model_years"], v.null == nil else { return WarrantyTable.ModelYears() }
        let text = (v.string ?? "").trimmingSpaces
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        func year(_ s: String) -> Int?? {
            if s.isEmpty { return .some(nil) }
            guard let y = Int(s), (1950...2100).contains(y) else { return nil }
            return .some(y)
        }
        let bad = "expected model years such as 2018-2019, 2020- or -2017 (years 1950-2100), got '\(text)'"
        guard !text.isEmpty, let from = year(parts[0]), let through = parts.count == 2 ? year(parts[1]) : .some(from) else {
            r.fail(v, "\(path).model_years", bad)
            return nil
        }
        if from == nil && through == nil {
            r.fail(v, "\(path).model_years", bad)
            return nil
        }
        if let f = from, let t = through, f > t {
            r.fail(v, "\(path).model_years", "the range \(text) ends before it starts")
            return nil
        }
        return WarrantyTable.ModelYears(from: from, through: through)
    }

    mutating func coverage(_ node: Node, _ key: String, _ path: String, required: Bool) -> WarrantyTable.Coverage? {
        guard let c = node[key], c.mapping != nil else {
            if required { r.fail(node[key] ?? node, "\(path).\(key)", "expected years and miles") }
            return nil
        }
        r.checkKeys(c, "\(path).\(key)", allowed: ["years", "miles"])
        guard let y = r.int(c, "years", "\(path).\(key)", required: true, range: 1...25),
            let m = r.int(c, "miles", "\(path).\(key)", required: true, range: 1000...1_000_000)
        else { return nil }
        return .init(years: y, miles: m)
    }

    /// An entry's terms (or the default's, which need no source).
    mutating func terms(_ node: Node?, _ path: String, parent: Node, isDefault: Bool) -> WarrantyTable.Terms? {
        guard let node, node.mapping != nil else {
            r.fail(node ?? parent, path, "expected basic and powertrain")
            return nil
        }
        let parts: Set<String> = ["basic", "powertrain", "powertrain_subsequent_owner", "cpo", "free_maintenance"]
        r.checkKeys(node, path, allowed: parts.union(Self.provenanceKeys).union(isDefault ? [] : ["model_years"]))
        let basic = coverage(node, "basic", path, required: true)
        let pt = coverage(node, "powertrain", path, required: true)
        let sub = coverage(node, "powertrain_subsequent_owner", path, required: false)
        let provenance = self.provenance(node, path, parts: parts, warn: !isDefault)
        let cpo = node["cpo"].flatMap { certified($0, "\(path).cpo") }
        let free = node["free_maintenance"].flatMap { freeMaintenance($0, "\(path).free_maintenance") }
        guard let basic, let pt else { return nil }
        return .init(
            basic: basic, powertrain: pt, powertrainSubsequentOwner: sub, certified: cpo, freeMaintenance: free,
            provenance: provenance)
    }

    mutating func certified(_ node: Node, _ path: String) -> WarrantyTable.CertifiedTerms? {
        guard node.mapping != nil else {
            r.fail(node, path, "expected powertrain, basic or basic_from_sale with their years and miles")
            return nil
        }
        let parts: Set<String> = ["powertrain", "basic", "basic_from_sale"]
        r.checkKeys(node, path, allowed: parts.union(Self.provenanceKeys))
        let t = WarrantyTable.CertifiedTerms(
            powertrain: coverage(node, "powertrain", path, required: false), basic: coverage(node, "basic", path, required: false),
            basicFromSale: coverage(node, "basic_from_sale", path, required: false),
            provenance: provenance(node, path, parts: parts, warn: true))
        if t.powertrain == nil && t.basic == nil && t.basicFromSale == nil {
            r.fail(node, path, "give powertrain, basic or basic_from_sale")
            return nil
        }
        return t
    }

    mutating func freeMaintenance(_ node: Node, _ path: String) -> WarrantyTable.FreeMaintenance? {
        guard node.mapping != nil else {
            r.fail(node, path, "expected name, years and miles")
            return nil
        }
        let parts: Set<String> = ["name", "years", "miles"]
        r.checkKeys(node, path, allowed: parts.union(Self.provenanceKeys))
        let name = r.string(node, "name", path)
        let years = r.int(node, "years", path, required: true, range: 1...25)
        let miles = r.int(node, "miles", path, required: true, range: 1000...1_000_000)
        let provenance = self.provenance(node, path, parts: parts, warn: true)
        guard let name, let years, let miles else { return nil }
        return .init(name: name, coverage: .init(years: years, miles: miles), provenance: provenance)
    }

    /// `source:` (a web address, or a list of them) with `checked:` (the day it was read), or `unverified: true`, or
    /// `unverified: [part, …]` naming the parts nobody checked. Without either, a warning (`warn`).
    mutating func provenance(_ node: Node, _ path: String, parts: Set<String>, warn: Bool) -> WarrantyTable.Provenance {
        var p = WarrantyTable.Provenance()
        if let s = node["source"], s.null == nil {
            let list = s.sequence.map { $0.compactMap(\.string) } ?? [s.string ?? ""]
            for url in list.map(\.trimmingSpaces) {
                if url.hasPrefix("https://") || url.hasPrefix("http://"), !url.contains(" ") {
                    p.sources.append(url)
                } else {
                    r.fail(s, "\(path).source", "expected the web address of the source, got '\(url)'")
                }
            }
        }
        if let c = node["checked"], c.null == nil {
            if let text = c.string, let day = LocalDate(text.trimmingSpaces) {
                p.checked = day
            } else {
                r.fail(c, "\(path).checked", "expected the day the source was read, such as 2026-12-04, got '\(c.string ?? "")'")
            }
        }
        if let u = node["unverified"], u.null == nil {
            if let b = u.bool {
                p.unverified = b
            } else if let seq = u.sequence {
                for item in seq {
                    guard let part = item.string, parts.contains(part) else {
                        r.fail(
                            item, "\(path).unverified",
                            "expected one of \(parts.sorted().joined(separator: ", ")), got '\(item.string ?? "")'")
                        continue
                    }
                    p.unverifiedParts.append(part)
                }
            } else {
                r.fail(u, "\(path).unverified", "expected true or a list of the parts nobody checked")
            }
        }
        guard warn, !p.unverified else { return p }
        let line = node.mark?.line ?? 1
        if p.sources.isEmpty {
            warnings.append(
                MenuIssue(file: r.file, line: line, field: path, message: "no source: add source: and checked:, or unverified: true"))
        } else if p.checked == nil {
            warnings.append(MenuIssue(file: r.file, line: line, field: path, message: "source without checked: (the day it was read)"))
        }
        return p
    }
}
