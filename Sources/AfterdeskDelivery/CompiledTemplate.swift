/// A value of message facts as a Mustache template sees it, typed: rendering needs no dynamic casts.
public indirect enum MustacheValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case object([String: MustacheValue])
    case list([MustacheValue])

    /// As swift-mustache takes it (`[String: Any]`, `[Any]`, `String`, `Int`, `Bool`).
    public var any: Any {
        switch self {
        case .string(let s): s
        case .int(let i): i
        case .bool(let b): b
        case .object(let o): o.mapValues(\.any) as [String: Any]
        case .list(let l): l.map(\.any) as [Any]
        }
    }
}

/// A message template compiled for rendering typed facts: the part of Mustache that message templates use (text,
/// variables, sections, inverted sections, comments and the content type pragma), parsed and rendered as swift-mustache
/// 2.1.1 does, whitespace of standalone tags included. swift-mustache looks up every variable through a chain of
/// dynamic casts, which was two thirds of dispatch's own time; this walks typed values instead.
///
/// Anything else (partials, blocks, set delimiters, transforms) does not compile (`compile` is nil), and a variable
/// that names a whole object or list does not render (`render` is nil): swift-mustache renders those templates.
/// `CompiledTemplateTests` hold the two to the same text over generated templates and facts.
struct CompiledTemplate: Sendable {
    enum Lookup: Sendable {
        /// `.`: the innermost value.
        case current
        /// `.a.b`: from the innermost value only.
        case fromCurrent([String])
        /// `a.b`: `a` from the innermost value that has it, then `b` from that.
        case climbing([String])
    }

    indirect enum Node: Sendable {
        case text(String)
        case variable(Lookup, escaped: Bool)
        case section(Lookup, inverted: Bool, [Node])
        /// `{{% CONTENT_TYPE: TEXT }}`: escaping off (or on, `HTML`) for what follows in the same list.
        case contentType(text: Bool)
    }

    let nodes: [Node]

    /// The template of `source`, or nil when it uses what this does not render (or does not parse).
    static func compile(_ source: String) -> CompiledTemplate? {
        var cursor = Cursor(source)
        guard let nodes = try? parse(&cursor, section: nil, newLine: true) else { return nil }
        return CompiledTemplate(nodes: nodes)
    }

    /// The text for `root`, or nil when a variable names an object or a list (swift-mustache prints its description).
    func render(_ root: [String: MustacheValue]) -> String? {
        var out = ""
        var stack: [MustacheValue] = [.object(root)]
        guard Self.render(nodes, stack: &stack, text: false, into: &out) else { return nil }
        return out
    }

    // MARK: rendering

    private static func render(_ nodes: [Node], stack: inout [MustacheValue], text: Bool, into out: inout String) -> Bool {
        var text = text
        for node in nodes {
            switch node {
            case .text(let s):
                out += s
            case .variable(let lookup, let escaped):
                guard let value = find(lookup, in: stack) else { continue }
                switch value {
                case .string(let s): out += escaped && !text ? HTMLText.escaped(s) : s
                case .int(let i): out += String(i)
                case .bool(let b): out += b ? "true" : "false"
                case .object, .list: return false
                }
            case .section(let lookup, let inverted, let body):
                let value = find(lookup, in: stack)
                var ok = true
                switch (value, inverted) {
                case (.list(let items), false):
                    for item in items where ok { ok = within(item, body, &stack, text, &out) }
                case (.list(let items), true):
                    if items.isEmpty, let value { ok = within(value, body, &stack, text, &out) }
                case (.bool(let b), _):
                    if b != inverted { ok = render(body, stack: &stack, text: text, into: &out) }
                case (nil, true):
                    ok = render(body, stack: &stack, text: text, into: &out)
                case (.some(let v), false):
                    ok = within(v, body, &stack, text, &out)
                case (nil, false), (.some, true):
                    break
                }
                if !ok { return false }
            case .contentType(let isText):
                text = isText
            }
        }
        return true
    }

    /// Renders `body` with `value` as the innermost value.
    private static func within(
        _ value: MustacheValue, _ body: [Node], _ stack: inout [MustacheValue], _ text: Bool, _ out: inout String
    ) -> Bool {
        stack.append(value)
        defer { stack.removeLast() }
        return render(body, stack: &stack, text: text, into: &out)
    }

    private static func find(_ lookup: Lookup, in stack: [MustacheValue]) -> MustacheValue? {
        switch lookup {
        case .current:
            return stack.last
        case .fromCurrent(let path):
            return stack.last.flatMap { resolve(path[...], from: $0) }
        case .climbing(let path):
            guard let first = path.first else { return stack.last }
            for value in stack.reversed() {
                if let child = child(first, of: value) { return resolve(path.dropFirst(), from: child) }
            }
            return nil
        }
    }

    private static func resolve(_ path: ArraySlice<String>, from value: MustacheValue) -> MustacheValue? {
        var value = value
        for name in path {
            guard let next = child(name, of: value) else { return nil }
            value = next
        }
        return value
    }

    /// Only an object has named children (a string, number, flag or list has none: swift-mustache's `Mirror` finds
    /// no label on them).
    private static func child(_ name: String, of value: MustacheValue) -> MustacheValue? {
        if case .object(let o) = value { return o[name] }
        return nil
    }

    // MARK: parsing, as swift-mustache's `MustacheTemplate.parse` (Template+Parser.swift) does

    struct Unsupported: Error {}

    private static let nameCharacters = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")
    /// What swift-mustache reads as a tag's name: with brackets, which make a transform.
    private static let nameCharactersWithBrackets = nameCharacters.union("()")

    /// One list of nodes being parsed: the template's, or a section's.
    private struct Level {
        var nodes: [Node] = []
        /// At the start of a line (only blanks read on it): a tag here may stand alone.
        var newLine: Bool
        var whiteSpaceBefore: Substring = ""

        /// Whitespace before a tag that is not alone on its line is text.
        mutating func keepWhiteSpace() {
            if !whiteSpaceBefore.isEmpty {
                nodes.append(.text(String(whiteSpaceBefore)))
                whiteSpaceBefore = ""
            }
        }
    }

    private static func parse(_ p: inout Cursor, section: String?, newLine: Bool) throws -> [Node] {
        var level = Level(newLine: newLine)
        while !p.reachedEnd {
            if level.newLine { level.whiteSpaceBefore = p.read(while: { $0 == " " || $0 == "\t" }) }
            let text = try readUntilTagOrNewline(&p)
            if p.current.isNewline {
                level.nodes.append(.text(String(level.whiteSpaceBefore) + text + String(p.current)))
                level.newLine = true
                p.advance()
                continue
            }
            if !text.isEmpty {
                level.nodes.append(.text(String(level.whiteSpaceBefore) + text))
                level.whiteSpaceBefore = ""
                level.newLine = false
            }
            if p.reachedEnd { break }
            if try tag(&p, &level, section: section) { return level.nodes }
        }
        guard section == nil else { throw Unsupported() }
        return level.nodes
    }

    /// Parses the tag whose `{{` was just read into `level`; true when it closes `section`.
    private static func tag(_ p: inout Cursor, _ level: inout Level, section: String?) throws -> Bool {
        var setNewLine = false
        switch p.current {
        case "#", "^":
            let inverted = p.current == "^"
            p.advance()
            let name = try parseName(&p)
            if standalone(&p, newLine: level.newLine) { setNewLine = true } else { level.keepWhiteSpace() }
            let body = try parse(&p, section: name, newLine: setNewLine)
            level.nodes.append(.section(lookup(name), inverted: inverted, body))
        case "/":
            p.advance()
            let name = try parseName(&p)
            guard name == section else { throw Unsupported() }
            if !standalone(&p, newLine: level.newLine) { level.keepWhiteSpace() }
            return true
        case "!":
            p.advance()
            try skipComment(&p)
            setNewLine = standalone(&p, newLine: level.newLine)
        case "{":
            level.keepWhiteSpace()
            p.advance()
            let name = try parseName(&p)
            guard try p.read("}") else { throw Unsupported() }
            level.nodes.append(.variable(lookup(name), escaped: false))
        case "&":
            level.keepWhiteSpace()
            p.advance()
            level.nodes.append(.variable(lookup(try parseName(&p)), escaped: false))
        case "%":
            p.advance()
            level.nodes.append(try parseContentType(&p))
            setNewLine = standalone(&p, newLine: level.newLine)
        case ">", "<", "$", "=":
            // Partials, blocks and set delimiters: swift-mustache renders them.
            throw Unsupported()
        default:
            level.keepWhiteSpace()
            level.nodes.append(.variable(lookup(try parseName(&p)), escaped: true))
        }
        level.newLine = setNewLine
        return false
    }

    private static func lookup(_ name: String) -> Lookup {
        if name == "." { return .current }
        let path = name.split(separator: ".").map(String.init)
        return name.first == "." ? .fromCurrent(path) : .climbing(path)
    }

    /// Text up to the next `{{` (read past) or line end (not read).
    private static func readUntilTagOrNewline(_ p: inout Cursor) throws -> String {
        var total = ""
        while !p.reachedEnd {
            total += p.read(while: { $0 != "\n" && $0 != "\r\n" && $0 != "{" })
            if p.current.isNewline {
                break
            } else if p.current == "{" {
                if try p.read(string: "{{") { break }
                total += "{"
                p.advance()
            }
        }
        return total
    }

    private static func parseName(_ p: inout Cursor) throws -> String {
        p.read(while: \.isWhitespace)
        let text = String(p.read(while: { nameCharactersWithBrackets.contains($0) }))
        p.read(while: \.isWhitespace)
        guard try p.read(string: "}}") else { throw Unsupported() }
        // A transform (`uppercase(name)`).
        guard !text.contains("("), !text.contains(")") else { throw Unsupported() }
        return text
    }

    private static func skipComment(_ p: inout Cursor) throws {
        let end: [Character] = ["}", "}"]
        var matched = 0
        while !p.reachedEnd {
            if p.current == end[matched] {
                matched += 1
                if matched == end.count {
                    p.advance()
                    return
                }
            } else {
                matched = 0
            }
            p.advance()
        }
        throw Unsupported()
    }

    private static func parseContentType(_ p: inout Cursor) throws -> Node {
        p.read(while: \.isWhitespace)
        let variable = p.read(while: { nameCharacters.contains($0) })
        p.read(while: \.isWhitespace)
        guard try p.read(":") else { throw Unsupported() }
        p.read(while: \.isWhitespace)
        let value = p.read(while: { nameCharacters.contains($0) })
        p.read(while: \.isWhitespace)
        guard try p.read(string: "}}"), variable == "CONTENT_TYPE", value == "TEXT" || value == "HTML" else { throw Unsupported() }
        return .contentType(text: value == "TEXT")
    }

    /// Whether the tag just read stands alone on its line; if so, the rest of the line (blanks and the line end) is
    /// read past.
    private static func standalone(_ p: inout Cursor, newLine: Bool) -> Bool {
        guard newLine else { return false }
        if p.reachedEnd { return true }
        var ahead = p
        ahead.read(while: { $0 == " " || $0 == "\t" })
        guard ahead.current.isNewline else { return false }
        ahead.advance()
        p = ahead
        return true
    }

    /// swift-mustache's `Parser`: characters of a string, `"\0"` past the end.
    struct Cursor {
        let buffer: String
        var position: String.Index

        init(_ s: String) {
            buffer = s
            position = s.startIndex
        }

        var reachedEnd: Bool { position == buffer.endIndex }
        var current: Character { reachedEnd ? "\0" : buffer[position] }
        mutating func advance() { position = buffer.index(after: position) }

        @discardableResult
        mutating func read(while test: (Character) -> Bool) -> Substring {
            let start = position
            while !reachedEnd, test(buffer[position]) { advance() }
            return buffer[start..<position]
        }

        /// Reads `c` if it is next; past the end, an error (as swift-mustache's).
        mutating func read(_ c: Character) throws -> Bool {
            guard !reachedEnd else { throw Unsupported() }
            guard buffer[position] == c else { return false }
            advance()
            return true
        }

        /// Reads `s` if it is next; fewer characters left than it has, an error (as swift-mustache's).
        mutating func read(string s: String) throws -> Bool {
            guard buffer.distance(from: position, to: buffer.endIndex) >= s.count else { throw Unsupported() }
            let end = buffer.index(position, offsetBy: s.count)
            guard buffer[position..<end] == s else { return false }
            position = end
            return true
        }
    }
}

extension String {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` (`newlines`) or `(in: .whitespaces)`, without Foundation's
    /// round trip through `NSString` (a sixth of dispatch's own time went there): the same scalars are blanks as in
    /// swift-corelibs-foundation's sets — tab, space, U+00A0, U+1680, U+2000–U+200B, U+202F, U+205F, U+3000, and with
    /// `newlines` U+000A–U+000D, U+0085, U+2028 and U+2029. `TrimTests` holds the two to the same answers.
    func trimmingBlanks(newlines: Bool) -> String {
        func blank(_ s: Unicode.Scalar) -> Bool {
            switch s.value {
            case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
            case 0x0A...0x0D, 0x85, 0x2028, 0x2029: newlines
            default: false
            }
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !blank($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !blank($0) }) ?? first
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }
}

/// Text for HTML: `& < > " '` escaped.
public enum HTMLText {
    /// swift-mustache's HTML escape, character by character (a `&` that a combining mark follows is another character,
    /// and stays as it is there too); the pages' SVG charts escape their text with it too.
    public static func escaped(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for c in s {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
