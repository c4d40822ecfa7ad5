/// Where the CSV reader gets its bytes. The file implementation lives in the store
/// (Core touches no file system); tests use `BytesSource`.
public protocol ByteSource {
    /// Fills up to `buffer.count` bytes; returns 0 at the end of input.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// In-memory source, for tests and for JSON-to-row conversion.
public struct BytesSource: ByteSource {
    var bytes: [UInt8]
    var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<(offset + n)]))
        }
        offset += n
        return n
    }
}

/// What is wrong with one row of a CSV file. Every case concerns that row alone: the reader skips it and
/// `nextRow()` goes on with the next line, so one broken row never costs the rows after it.
public enum CSVError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A field opened with `"` whose closing quote never comes, or comes only lines later in a place no closing
    /// quote can be (not before a comma or the end of a line): a stray quote, which would otherwise swallow every
    /// row up to the next one. Reading resumes on the line after the one where the quote opened.
    case unterminatedQuote(line: Int)
    case notText(line: Int)
    /// A field longer than `CSVReader.maxFieldBytes`: refused like an unclosed quote.
    case fieldTooLong(line: Int, limit: Int)
    case rowTooLong(line: Int, limit: Int)
    case tooManyFields(line: Int, limit: Int)

    public var description: String {
        switch self {
        case .unterminatedQuote(let line): return "line \(line): a quoted field opened here is never closed"
        case .notText(let line): return "line \(line): the file is not UTF-8 text (is it a spreadsheet, not a CSV?)"
        case .fieldTooLong(let line, let limit):
            return "line \(line): a field longer than \(limit / 1024) KB starts here (an unclosed quote?)"
        case .rowTooLong(let line, let limit): return "line \(line): a row is longer than \(limit) bytes"
        case .tooManyFields(let line, let limit): return "line \(line): a row has more than \(limit) fields"
        }
    }

    /// The line the broken row begins on.
    public var line: Int {
        switch self {
        case .unterminatedQuote(let l), .notText(let l), .fieldTooLong(let l, _), .rowTooLong(let l, _), .tooManyFields(let l, _): return l
        }
    }
}

/// A streaming RFC 4180 reader that works on bytes in a reusable buffer.
///
/// Memory stays constant: the buffer holds one chunk plus the unfinished row.
/// Fields are handed out as pointers into that buffer, valid until the next
/// `nextRow()`; quoted fields with doubled quotes are unescaped in place.
///
/// A row it cannot read (see `CSVError`) is thrown as an error, and the next call to `nextRow()` reads on from the
/// next line: callers refuse that row and carry on.
public final class CSVReader<Source: ByteSource>: RowFields {
    private var source: Source
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0  // first unconsumed byte
    private var end = 0  // one past the last valid byte
    private var atEOF = false
    // Field positions of the current row, in raw buffers allocated once: no allocation and no
    // exclusivity checks per field.
    private let fieldStart: UnsafeMutablePointer<Int>
    private let fieldEnd: UnsafeMutablePointer<Int>
    private let quoted: UnsafeMutablePointer<Bool>
    public static var maxFields: Int { 4096 }
    /// The longest field read: no deal field comes near it, and a longer one is a quote left open.
    public static var maxFieldBytes: Int { 64 * 1024 }
    public private(set) var fieldCount = 0
    private let maxRowBytes: Int
    private let maxFieldBytes: Int
    /// Line number (1-based) where the last returned row began.
    public private(set) var rowLine = 0
    private var nextLine = 1
    /// Bytes consumed so far, for progress.
    public private(set) var bytesConsumed: Int64 = 0
    private var skippedBOM = false
    /// After a broken row with no line break in sight: bytes are dropped up to the next line break, which begins
    /// line `skipLine + 1`.
    private var skipping = false
    private var skipLine = 0

    public init(source: Source, chunkSize: Int = 1 << 20, maxRowBytes: Int = 1 << 20, maxFieldBytes: Int = CSVReader.maxFieldBytes) {
        self.source = source
        self.maxRowBytes = maxRowBytes
        self.maxFieldBytes = min(maxFieldBytes, maxRowBytes)
        self.buffer = .allocate(byteCount: chunkSize + maxRowBytes, alignment: 16)
        fieldStart = .allocate(capacity: Self.maxFields)
        fieldEnd = .allocate(capacity: Self.maxFields)
        quoted = .allocate(capacity: Self.maxFields)
    }

    deinit {
        buffer.deallocate()
        fieldStart.deallocate()
        fieldEnd.deallocate()
        quoted.deallocate()
    }

    /// The raw bytes of field `i` of the current row (empty when the row is shorter).
    @inline(__always)
    public func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        guard i >= 0, i < fieldCount, let base = buffer.baseAddress else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self) + fieldStart[i], count: fieldEnd[i] - fieldStart[i])
    }

    public func string(_ i: Int) -> String { String(decoding: field(i), as: UTF8.self) }

    /// Moves to the next row. Returns false at the end of input. Blank lines are skipped. Throws a `CSVError` for
    /// a row that cannot be read; calling again goes on with the line after it.
    public func nextRow() throws -> Bool {
        while true {
            if skipping {
                if skipToLineEnd() { continue }
                if atEOF {
                    skipping = false
                    start = end
                    return false
                }
                try refill()
                continue
            }
            switch try scanRow() {
            case .row: return true
            case .blank: continue
            case .broken(let error, let resume):
                fieldCount = 0
                if let resume {
                    consume(to: resume.at, newlines: 0)
                    nextLine = resume.line
                } else {
                    skipping = true
                    skipLine = error.line
                }
                throw error
            case .needMore:
                if atEOF { return false }
                if end - start >= maxRowBytes {
                    // The row does not fit: refused, and the rest of its line dropped.
                    fieldCount = 0
                    skipping = true
                    skipLine = nextLine
                    throw CSVError.rowTooLong(line: nextLine, limit: maxRowBytes)
                }
                try refill()
            }
        }
    }

    private enum Scan {
        case needMore, blank, row
        /// A row that cannot be read, and where reading resumes: after a line break already in the buffer (`at`,
        /// beginning line `line`), or, when nil, after the next line break still to come.
        case broken(CSVError, resume: (at: Int, line: Int)?)
    }

    /// Drops bytes up to and including the next line break; false when the buffer ran out first.
    private func skipToLineEnd() -> Bool {
        guard let raw = buffer.baseAddress else { return false }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        var i = start
        while i < end {
            if base[i] == 10 || base[i] == 13 {
                var next = i + 1
                if base[i] == 13, next < end, base[next] == 10 { next += 1 }
                consume(to: next, newlines: 0)
                nextLine = skipLine + 1
                skipping = false
                return true
            }
            i += 1
        }
        consume(to: end, newlines: 0)
        return false
    }

    /// The first position after the line break that follows `from`, if the buffer holds one before `limit`.
    private func afterLineBreak(from: Int, limit: Int, _ base: UnsafeMutablePointer<UInt8>) -> Int? {
        var i = from
        while i < limit {
            if base[i] == 10 { return i + 1 }
            if base[i] == 13 { return i + 1 < limit && base[i + 1] == 10 ? i + 2 : i + 1 }
            i += 1
        }
        return nil
    }

    /// Tries to parse one row from `start`.
    ///
    /// The scan does not write: a row cut by the end of the buffer is rescanned after a refill.
    /// Only once the whole row is present are quoted fields unescaped in place.
    ///
    /// Longer than the other functions on purpose: this is the import's innermost loop (every byte of a million-row
    /// export passes here), and its state lives in locals; split up, that state would be passed around or kept in the
    /// class, where each access per byte costs an exclusivity check.
    private func scanRow() throws -> Scan {
        guard let raw = buffer.baseAddress else { return .needMore }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        fieldCount = 0
        // Locals: the loop below reads them per byte, and class properties cost an access check each.
        let end = self.end
        let atEOF = self.atEOF
        let nextLine = self.nextLine
        let maxFieldBytes = self.maxFieldBytes
        if start >= end { return .needMore }
        if !skippedBOM {
            if end - start < 3 && !atEOF { return .needMore }
            if end - start >= 3, base[start] == 0xEF, base[start + 1] == 0xBB, base[start + 2] == 0xBF {
                start += 3
                bytesConsumed += 3
            }
            skippedBOM = true
            if start >= end { return .needMore }
        }
        var i = start
        var newlines = 0
        // Blank line.
        if base[i] == 10 || base[i] == 13 {
            if base[i] == 13 {
                if i + 1 >= end && !atEOF { return .needMore }
                if i + 1 < end && base[i + 1] == 10 { i += 1 }
            }
            consume(to: i + 1, newlines: 1)
            return .blank
        }
        var rowEnded = false
        while !rowEnded {
            let s = i
            // A quote opens a quoted field only as its first byte; elsewhere it is a plain character (17" wheels).
            let isQuoted = i < end && base[i] == 34
            var inQuotes = isQuoted
            // Where the field's quote opened, and whether the quoted part crossed a line break.
            let quoteLine = nextLine + newlines
            var spanned = false
            if isQuoted { i += 1 }
            // A field longer than the limit is refused like an unclosed quote (checked where the field ends or the
            // buffer does, not per byte).
            while true {
                if i >= end {
                    if i - s > maxFieldBytes { return tooLong(from: s, to: i, spanned: spanned, line: quoteLine, base) }
                    if !atEOF { return .needMore }
                    if inQuotes {
                        // The end of the file inside quotes: the row where the quote opened is refused, and the
                        // lines after it are read again as rows.
                        let resume = afterLineBreak(from: s, limit: end, base).map { ($0, quoteLine + 1) } ?? (end, quoteLine + 1)
                        return .broken(.unterminatedQuote(line: quoteLine), resume: resume)
                    }
                    guard addField(s, i, isQuoted) else {
                        return .broken(
                            .tooManyFields(line: nextLine + newlines, limit: Self.maxFields), resume: (end, nextLine + newlines + 1))
                    }
                    rowEnded = true
                    break
                }
                let c = base[i]
                if inQuotes {
                    if c == 34 {
                        if i + 1 >= end && !atEOF { return .needMore }
                        if i + 1 < end && base[i + 1] == 34 {
                            i += 2
                            continue
                        }
                        inQuotes = false
                        if i - s > maxFieldBytes { return tooLong(from: s, to: i, spanned: spanned, line: quoteLine, base) }
                        // A closing quote stands before a comma or a line break. One that does not, after the field
                        // crossed a line break, is the opening quote of a later field: the real one never closed.
                        if spanned, i + 1 < end, base[i + 1] != 44, base[i + 1] != 10, base[i + 1] != 13 {
                            let resume = afterLineBreak(from: s, limit: i, base).map { ($0, quoteLine + 1) }
                            return .broken(.unterminatedQuote(line: quoteLine), resume: resume)
                        }
                    } else if c == 10 || (c == 13 && !(i + 1 < end && base[i + 1] == 10)) {
                        newlines += 1
                        spanned = true
                    }
                    i += 1
                    continue
                }
                if c == 44 {
                    if i - s > maxFieldBytes { return tooLong(from: s, to: i, spanned: spanned, line: quoteLine, base) }
                    guard addField(s, i, isQuoted) else {
                        return .broken(.tooManyFields(line: nextLine + newlines, limit: Self.maxFields), resume: nil)
                    }
                    i += 1
                    break
                }
                if c == 10 || c == 13 {
                    if i - s > maxFieldBytes { return tooLong(from: s, to: i, spanned: spanned, line: quoteLine, base) }
                    if c == 13, i + 1 >= end && !atEOF { return .needMore }
                    guard addField(s, i, isQuoted) else {
                        return .broken(.tooManyFields(line: nextLine + newlines, limit: Self.maxFields), resume: (i, nextLine + newlines))
                    }
                    i += (c == 13 && i + 1 < end && base[i + 1] == 10) ? 2 : 1
                    newlines += 1
                    rowEnded = true
                    break
                }
                i += 1
            }
        }
        // The row is complete: unescape quoted fields in place (the opening quote, doubled quotes, the closing one).
        for f in 0..<fieldCount where quoted[f] {
            var w = fieldStart[f]
            var inQ = false
            var r = fieldStart[f]
            let e = fieldEnd[f]
            while r < e {
                let c = base[r]
                if c == 34 {
                    if inQ, r + 1 < e, base[r + 1] == 34 {
                        base[w] = 34
                        w += 1
                        r += 2
                        continue
                    }
                    inQ.toggle()
                    r += 1
                    continue
                }
                base[w] = c
                w += 1
                r += 1
            }
            fieldEnd[f] = w
        }
        rowLine = nextLine
        consume(to: i, newlines: newlines)
        return .row
    }

    /// A field that ran from `from` to `to` past the limit. A quoted one that crossed a line break is a quote that never
    /// closed. (A method, not a closure in the scan: a closure capturing the scan's position would keep it in memory.)
    private func tooLong(from s: Int, to i: Int, spanned: Bool, line: Int, _ base: UnsafeMutablePointer<UInt8>) -> Scan {
        let resume = spanned ? afterLineBreak(from: s, limit: i, base).map { ($0, line + 1) } : nil
        return .broken(spanned ? .unterminatedQuote(line: line) : .fieldTooLong(line: line, limit: maxFieldBytes), resume: resume)
    }

    /// Records a field; false when the row already has `maxFields`.
    @inline(__always) private func addField(_ s: Int, _ e: Int, _ q: Bool) -> Bool {
        guard fieldCount < Self.maxFields else { return false }
        fieldStart[fieldCount] = s
        fieldEnd[fieldCount] = e
        quoted[fieldCount] = q
        fieldCount += 1
        return true
    }

    private func consume(to i: Int, newlines: Int) {
        bytesConsumed += Int64(i - start)
        start = i
        nextLine += newlines
    }

    private func refill() throws {
        // Move the unfinished row to the front, then read more behind it.
        guard let raw = buffer.baseAddress else { return }
        let leftover = end - start
        if start > 0, leftover > 0 {
            raw.copyMemory(from: raw + start, byteCount: leftover)
        }
        start = 0
        end = leftover
        let room = UnsafeMutableRawBufferPointer(rebasing: buffer[end...])
        let n = try source.read(into: room)
        if n == 0 { atEOF = true } else { end += n }
    }
}
