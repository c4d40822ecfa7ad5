import Yams

/// Walks a YAML document, recording problems with their line and dotted field path.
struct YAMLReader {
    let file: String
    var issues: [MenuIssue] = []
    /// What loads but deserves a change: `menu check` prints them.
    var warnings: [MenuIssue] = []

    init(file: String) { self.file = file }

    mutating func warn(_ node: Node?, _ path: String, _ message: String) {
        warnings.append(MenuIssue(file: file, line: node?.mark?.line ?? 1, field: path, message: message))
    }

    mutating func fail(_ node: Node?, _ path: String, _ message: String, fallbackLine: Int = 1) {
        issues.append(MenuIssue(file: file, line: node?.mark?.line ?? fallbackLine, field: path, message: message))
    }

    /// Flags keys that the format does not know, which are usually typos.
    mutating func checkKeys(_ node: Node, _ path: String, allowed: Set<String>) {
        guard let m = node.mapping else { return }
        for (k, _) in m {
            guard let key = k.string else { continue }
            if !allowed.contains(key) {
                let hint = allowed.sorted().joined(separator: ", ")
                fail(k, join(path, key), "unknown field (known fields: \(hint))")
            }
        }
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func string(_ node: Node, _ key: String, _ path: String, required: Bool = true) -> String? {
        guard let v = node[key] else {
            if required { fail(node, join(path, key), "required field is missing") }
            return nil
        }
        guard case .scalar(let s) = v, v.null == nil else {
            if required { fail(v, join(path, key), "expected text") }
            return nil
        }
        let text = s.string.trimmingSpaces
        if required && text.isEmpty {
            fail(v, join(path, key), "must not be empty")
            return nil
        }
        return text
    }

    mutating func int(_ node: Node, _ key: String, _ path: String, required: Bool = false, range: ClosedRange<Int>) -> Int? {
        guard let v = node[key], v.null == nil else {
            if required { fail(node, join(path, key), "required field is missing") }
            return nil
        }
        guard case .scalar(let s) = v, let n = Int(s.string.replacingUnderscoresAndCommas) else {
            fail(v, join(path, key), "expected a whole number, got '\(v.string ?? "")'")
            return nil
        }
        guard range.contains(n) else {
            fail(v, join(path, key), "\(n) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return n
    }

    mutating func bool(_ node: Node, _ key: String, _ path: String, default value: Bool) -> Bool {
        guard let v = node[key], v.null == nil else { return value }
        guard let b = v.bool else {
            fail(v, join(path, key), "expected true or false, got '\(v.string ?? "")'")
            return value
        }
        return b
    }

    mutating func money(_ node: Node, _ key: String, _ path: String, required: Bool) -> Money? {
        guard let v = node[key], v.null == nil else {
            if required { fail(node, join(path, key), "required field is missing") }
            return nil
        }
        guard let text = v.string, let m = Money(text), m.cents >= 0 else {
            fail(v, join(path, key), "expected an amount such as 1295.00, got '\(v.string ?? "")'")
            return nil
        }
        return m
    }

    mutating func stringList(_ node: Node, _ key: String, _ path: String) -> [String] {
        guard let v = node[key], v.null == nil else { return [] }
        guard let seq = v.sequence else {
            fail(v, join(path, key), "expected a list")
            return []
        }
        var out: [String] = []
        for (i, item) in seq.enumerated() {
            guard let s = item.string, !s.trimmingSpaces.isEmpty else {
                fail(item, "\(join(path, key))[\(i)]", "expected text")
                continue
            }
            out.append(s.trimmingSpaces)
        }
        return out
    }
}

extension String {
    var replacingUnderscoresAndCommas: String { filter { $0 != "_" && $0 != "," } }
}
