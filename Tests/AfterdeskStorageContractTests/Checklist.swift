import Foundation

/// Every requirement the storage protocols declare, read from their sources
/// (`Sources/AfterdeskStorage/Protocols/*.swift`): a function as its name and argument labels
/// (`claimOutbox(now:limit:)`, `claimOutbox(id:now:)`), a property as its name (`location`). Requirements of protocol
/// extensions (the defaults) are not requirements and are not listed.
enum Checklist {
    static let protocolsFolder = repositoryRoot.appendingPathComponent("Sources/AfterdeskStorage/Protocols")

    /// Requirement keys by protocol name.
    static func requirements() throws -> [String: [String]] {
        let files = try FileManager.default.contentsOfDirectory(atPath: protocolsFolder.path).filter { $0.hasSuffix(".swift") }
        var all: [String: [String]] = [:]
        for file in files.sorted() {
            let text = try String(contentsOf: protocolsFolder.appendingPathComponent(file), encoding: .utf8)
            for (name, keys) in requirements(in: text) { all[name, default: []] += keys }
        }
        return all
    }

    /// The protocols declared in `source` and their requirements' keys.
    static func requirements(in source: String) -> [(String, [String])] {
        let code = Array(withoutComments(source))
        var found: [(String, [String])] = []
        var i = 0
        while let start = find("protocol ", in: code, from: i) {
            let name = word(in: code, from: start + 9)
            guard let open = code[start...].firstIndex(of: "{") else { break }
            let close = matching(code, open, "{", "}")
            found.append((name, keys(in: Array(code[(open + 1)..<close]))))
            i = close
        }
        return found
    }

    /// The keys of the `func` and `var` declarations of a protocol's body.
    static func keys(in body: [Character]) -> [String] {
        var keys: [String] = []
        var i = 0
        while i < body.count {
            if starts("func ", body, i), i == 0 || !body[i - 1].isLetter {
                let name = word(in: body, from: i + 5)
                guard let open = body[i...].firstIndex(of: "(") else { break }
                let close = matching(body, open, "(", ")")
                let labels = parameters(String(body[(open + 1)..<close])).map { $0 + ":" }.joined()
                keys.append("\(name)(\(labels))")
                i = close
            } else if starts("var ", body, i), i == 0 || !body[i - 1].isLetter {
                keys.append(word(in: body, from: i + 4))
                i += 4
            } else {
                i += 1
            }
        }
        return keys
    }

    /// The argument labels of a parameter list: `_ p: T, by user: String?, now: Date` → `_`, `by`, `now`.
    static func parameters(_ list: String) -> [String] {
        var labels: [String] = []
        var depth = 0
        var current = ""
        var previous: Character = " "
        for c in list + "," {
            if "([<".contains(c) { depth += 1 }
            if ")]".contains(c) || (c == ">" && previous != "-") { depth -= 1 }
            previous = c
            if c == ",", depth == 0 {
                let head = current.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
                if let label = head.split(whereSeparator: \.isWhitespace).first { labels.append(String(label)) }
                current = ""
            } else {
                current.append(c)
            }
        }
        return labels
    }

    static func withoutComments(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard let r = line.range(of: "//") else { return String(line) }
            return String(line[..<r.lowerBound])
        }.joined(separator: "\n")
    }

    static func find(_ s: String, in code: [Character], from: Int) -> Int? {
        var i = from
        while i < code.count {
            if starts(s, code, i), i == 0 || !code[i - 1].isLetter { return i }
            i += 1
        }
        return nil
    }

    static func starts(_ s: String, _ code: [Character], _ i: Int) -> Bool {
        let p = Array(s)
        return i + p.count <= code.count && Array(code[i..<(i + p.count)]) == p
    }

    static func word(in code: [Character], from: Int) -> String {
        String(code[from...].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
    }

    static func matching(_ code: [Character], _ open: Int, _ o: Character, _ c: Character) -> Int {
        var depth = 0
        for j in open..<code.count {
            if code[j] == o { depth += 1 }
            if code[j] == c {
                depth -= 1
                if depth == 0 { return j }
            }
        }
        return code.count
    }
}
