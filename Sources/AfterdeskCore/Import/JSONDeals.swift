/// Reads deals written as JSON: an array of deal objects (optionally inside `{"deals": [...]}`), or
/// JSON Lines (one object per line). Each object carries the canonical fields, with `products` as an
/// array of `{code, outcome, price, cost, reason}`. Objects are turned into canonical rows, so JSON
/// and CSV are validated by the same decoder. Elements are read one at a time: memory stays constant.
public final class JSONDealReader<Source: ByteSource> {
    private var source: Source
    private var buffer: [UInt8] = []
    private var pos = 0
    private var atEOF = false
    private var line = 1
    private var started = false
    private var inArray = false
    private var finished = false
    public let header: [String]
    private let columnOf: [String: Int]
    private let productCodes: Set<String>
    /// Object keys that are not canonical fields, collected for one warning.
    public private(set) var unknownKeys: Set<String> = []
    public let row: ValuesRow
    public private(set) var rowLine = 0
    /// The deepest nesting of arrays and objects a deal may have, counting the deal object itself: a deal needs three
    /// (the deal, its `products` array, each product). Anything deeper ends the file with a `.syntax` problem before it
    /// is built, so neither the reader nor the values it builds recurse deeper than this, whatever the file holds.
    public static var maxDepth: Int { 8 }
    public private(set) var bytesConsumed: Int64 = 0

    public init(source: Source, menu: Menu) {
        self.source = source
        var header = CanonicalField.allCases.filter { !CanonicalField.dmsOnly.contains($0) }.map(\.rawValue)
        for p in menu.products { header += ["\(p.code)_outcome", "\(p.code)_price", "\(p.code)_cost", "\(p.code)_reason"] }
        self.header = header
        self.columnOf = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        self.productCodes = Set(menu.products.map(\.code))
        self.row = ValuesRow(count: header.count)
    }

    public enum Problem: Error, CustomStringConvertible, Equatable {
        case syntax(line: Int, message: String)
        case notADeal(line: Int, message: String)
        public var description: String {
            switch self {
            case .syntax(let l, let m): return "line \(l): not valid JSON: \(m)"
            case .notADeal(let l, let m): return "line \(l): \(m)"
            }
        }
        public var isSyntax: Bool {
            if case .syntax = self { return true }
            return false
        }
    }

    /// Moves to the next deal object. A `.notADeal` problem leaves the reader usable for the next one;
    /// a `.syntax` problem ends the file.
    ///
    /// Longer than about 60 lines on purpose: the reader's states (before the array, between objects, after it) read
    /// best as one sequence, each with the problem it reports.
    public func nextDeal() throws(Problem) -> Bool {
        guard !finished else { return false }
        if !started {
            started = true
            skipSpace()
            guard let c = peek() else {
                finished = true
                return false
            }
            if c == UInt8(ascii: "[") {
                inArray = true
                pos += 1
            } else if c == UInt8(ascii: "{") {
                // Either {"deals": [...]} or JSON Lines. Look at the first key without consuming.
                let save = (pos, line)
                pos += 1
                skipSpace()
                if let key = try? parseString(), key == "deals" {
                    skipSpace()
                    guard peek() == UInt8(ascii: ":") else { throw .syntax(line: line, message: "expected ':' after \"deals\"") }
                    pos += 1
                    skipSpace()
                    guard peek() == UInt8(ascii: "[") else { throw .syntax(line: line, message: "\"deals\" must be an array") }
                    pos += 1
                    inArray = true
                } else {
                    (pos, line) = save
                }
            } else {
                throw .syntax(line: line, message: "expected an array of deals or one deal object per line")
            }
        }
        skipSpace()
        if inArray {
            if peek() == UInt8(ascii: ",") {
                pos += 1
                skipSpace()
            }
            if peek() == UInt8(ascii: "]") {
                finished = true
                return false
            }
        }
        guard let c = peek() else {
            if inArray { throw .syntax(line: line, message: "the array of deals is never closed") }
            finished = true
            return false
        }
        guard c == UInt8(ascii: "{") else {
            throw .syntax(line: line, message: "expected a deal object, found '\(Character(Unicode.Scalar(c)))'")
        }
        rowLine = line
        let value = try parseValue(depth: 0)
        compact()
        guard case .object(let pairs) = value else { throw .notADeal(line: rowLine, message: "expected a deal object") }
        row.clear()
        for (key, v) in pairs {
            if key == "products" {
                guard case .array(let items) = v else { throw .notADeal(line: rowLine, message: "products must be an array") }
                for item in items {
                    guard case .object(let fields) = item, let code = fields.first(where: { $0.0 == "code" })?.1.text else {
                        throw .notADeal(line: rowLine, message: "each product needs a code")
                    }
                    guard productCodes.contains(code) else {
                        unknownKeys.insert("products[].code=\(code)")
                        continue
                    }
                    for (fk, fv) in fields where fk != "code" {
                        guard let col = columnOf["\(code)_\(fk)"] else {
                            unknownKeys.insert("products[].\(fk)")
                            continue
                        }
                        row.set(col, fv.text ?? "")
                    }
                }
                continue
            }
            guard let col = columnOf[key] else {
                unknownKeys.insert(key)
                continue
            }
            if case .array = v { throw .notADeal(line: rowLine, message: "\(key) must be a single value") }
            if case .object = v { throw .notADeal(line: rowLine, message: "\(key) must be a single value") }
            row.set(col, v.text ?? "")
        }
        return true
    }

    // MARK: Parsing

    indirect enum Value {
        case string(String)
        case number(String)
        case bool(Bool)
        case null
        case array([Value])
        case object([(String, Value)])
        var text: String? {
            switch self {
            case .string(let s), .number(let s): return s
            case .bool(let b): return b ? "Y" : "N"
            case .null: return nil
            default: return nil
            }
        }
    }

    private func peek() -> UInt8? {
        if pos >= buffer.count { fill() }
        return pos < buffer.count ? buffer[pos] : nil
    }

    private func fill() {
        guard !atEOF else { return }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let n = (try? chunk.withUnsafeMutableBytes { try source.read(into: $0) }) ?? 0
        if n == 0 { atEOF = true } else { buffer.append(contentsOf: chunk[0..<n]) }
    }

    /// Drops what has been parsed so the buffer holds at most one element.
    private func compact() {
        if pos > 1 << 16 {
            bytesConsumed += Int64(pos)
            buffer.removeFirst(pos)
            pos = 0
        }
    }

    private func skipSpace() {
        while let c = peek() {
            if c == 10 { line += 1 } else if c != 32 && c != 9 && c != 13 { return }
            pos += 1
        }
    }

    /// One JSON value at `pos`, inside `depth` arrays and objects of its deal. Longer than about 60 lines on purpose: one
    /// case per kind of value, as the grammar has them.
    private func parseValue(depth: Int) throws(Problem) -> Value {
        skipSpace()
        guard let c = peek() else { throw .syntax(line: line, message: "unexpected end of file") }
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            guard depth < Self.maxDepth else {
                throw .syntax(line: line, message: "arrays and objects nested deeper than \(Self.maxDepth) levels (a deal needs 3)")
            }
        }
        switch c {
        case UInt8(ascii: "{"):
            pos += 1
            var pairs: [(String, Value)] = []
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                pos += 1
                return .object(pairs)
            }
            while true {
                skipSpace()
                let key = try parseString()
                skipSpace()
                guard peek() == UInt8(ascii: ":") else { throw .syntax(line: line, message: "expected ':' after \"\(key)\"") }
                pos += 1
                pairs.append((key, try parseValue(depth: depth + 1)))
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    pos += 1
                    continue
                }
                if peek() == UInt8(ascii: "}") {
                    pos += 1
                    return .object(pairs)
                }
                throw .syntax(line: line, message: "expected ',' or '}' in an object")
            }
        case UInt8(ascii: "["):
            pos += 1
            var items: [Value] = []
            skipSpace()
            if peek() == UInt8(ascii: "]") {
                pos += 1
                return .array(items)
            }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    pos += 1
                    continue
                }
                if peek() == UInt8(ascii: "]") {
                    pos += 1
                    return .array(items)
                }
                throw .syntax(line: line, message: "expected ',' or ']' in an array")
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            // Numbers keep their text, so money stays exact.
            var text = [UInt8]()
            while let d = peek(),
                (d >= 48 && d <= 57) || d == UInt8(ascii: "-") || d == UInt8(ascii: "+") || d == UInt8(ascii: ".") || d == UInt8(ascii: "e")
                    || d == UInt8(ascii: "E")
            {
                text.append(d)
                pos += 1
            }
            guard !text.isEmpty else { throw .syntax(line: line, message: "unexpected character '\(Character(Unicode.Scalar(c)))'") }
            return .number(String(decoding: text, as: UTF8.self))
        }
    }

    private func literal(_ word: String) throws(Problem) {
        for b in word.utf8 {
            guard peek() == b else { throw .syntax(line: line, message: "expected \(word)") }
            pos += 1
        }
    }

    private func parseString() throws(Problem) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw .syntax(line: line, message: "expected a string in double quotes") }
        pos += 1
        var out = [UInt8]()
        while true {
            guard let c = peek() else { throw .syntax(line: line, message: "a string is never closed") }
            pos += 1
            if c == UInt8(ascii: "\"") { break }
            if c == 10 { throw .syntax(line: line, message: "a line break inside a string") }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                continue
            }
            guard let e = peek() else { throw .syntax(line: line, message: "a string is never closed") }
            pos += 1
            switch e {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"):
                var hex = 0
                for _ in 0..<4 {
                    guard let h = peek(), let v = Int(String(Unicode.Scalar(h)), radix: 16) else {
                        throw .syntax(line: line, message: "bad \\u escape")
                    }
                    hex = hex * 16 + v
                    pos += 1
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(UInt32(hex)).map(Character.init) ?? "\u{FFFD}").utf8))
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A row of owned values, for sources that are not CSV.
public final class ValuesRow: RowFields {
    private var values: [[UInt8]]
    private var storage: UnsafeMutableBufferPointer<UInt8>
    private var offsets: [Int]
    private var dirty = true

    init(count: Int) {
        values = Array(repeating: [], count: count)
        storage = .allocate(capacity: 0)
        offsets = Array(repeating: 0, count: count + 1)
    }

    deinit { storage.deallocate() }

    public var fieldCount: Int { values.count }

    func clear() {
        for i in values.indices { values[i].removeAll(keepingCapacity: true) }
        dirty = true
    }
    func set(_ i: Int, _ s: String) {
        values[i] = Array(s.utf8)
        dirty = true
    }

    public func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        if dirty { pack() }
        return UnsafeBufferPointer(rebasing: storage[offsets[i]..<offsets[i + 1]])
    }

    /// Lays the values out in one buffer so `field` can hand out stable pointers.
    private func pack() {
        let total = values.reduce(0) { $0 + $1.count }
        if storage.count < total {
            storage.deallocate()
            storage = .allocate(capacity: max(total, 256))
        }
        var o = 0
        for (i, v) in values.enumerated() {
            offsets[i] = o
            for b in v {
                storage[o] = b
                o += 1
            }
        }
        offsets[values.count] = o
        dirty = false
    }
}
