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

public enum CSVError: Error, Equatable, CustomStringConvertible, Sendable {
    case unterminatedQuote(line: Int)
    case notText(line: Int)
    case rowTooLong(line: Int, limit: Int)
    case tooManyFields(line: Int, limit: Int)

    public var description: String {
        switch self {
        case .unterminatedQuote(let line): return "line \(line): a quoted field is never closed"
        case .notText(let line): return "line \(line): the file is not UTF-8 text (is it a spreadsheet, not a CSV?)"
        case .rowTooLong(let line, let limit): return "line \(line): a row is longer than \(limit) bytes"
        case .tooManyFields(let line, let limit): return "line \(line): a row has more than \(limit) fields"
        }
    }
}

/// A streaming RFC 4180 reader that works on bytes in a reusable buffer.
///
/// Memory stays constant: the buffer holds one chunk plus the unfinished row.
/// Fields are handed out as pointers into that buffer, valid until the next
/// `nextRow()`; quoted fields with doubled quotes are unescaped in place.
public final class CSVReader<Source: ByteSource>: RowFields {
    private var source: Source
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0          // first unconsumed byte
    private var end = 0            // one past the last valid byte
    private var atEOF = false
    // Field positions of the current row, in raw buffers allocated once: no allocation and no
    // exclusivity checks per field.
    private let fieldStart: UnsafeMutablePointer<Int>
    private let fieldEnd: UnsafeMutablePointer<Int>
    private let quoted: UnsafeMutablePointer<Bool>
    public static var maxFields: Int { 4096 }
    public private(set) var fieldCount = 0
    private let maxRowBytes: Int
    /// Line number (1-based) where the last returned row began.
    public private(set) var rowLine = 0
    private var nextLine = 1
    /// Bytes consumed so far, for progress.
    public private(set) var bytesConsumed: Int64 = 0
    private var skippedBOM = false

    public init(source: Source, chunkSize: Int = 1 << 20, maxRowBytes: Int = 1 << 20) {
        self.source = source
        self.maxRowBytes = maxRowBytes
        self.buffer = .allocate(byteCount: chunkSize + maxRowBytes, alignment: 16)
        fieldStart = .allocate(capacity: Self.maxFields)
        fieldEnd = .allocate(capacity: Self.maxFields)
        quoted = .allocate(capacity: Self.maxFields)
    }

    deinit {
        buffer.deallocate(); fieldStart.deallocate(); fieldEnd.deallocate(); quoted.deallocate()
    }

    @inline(__always) private func addField(_ s: Int, _ e: Int, _ q: Bool) throws {
        guard fieldCount < Self.maxFields else { throw CSVError.tooManyFields(line: nextLine, limit: Self.maxFields) }
        fieldStart[fieldCount] = s; fieldEnd[fieldCount] = e; quoted[fieldCount] = q
        fieldCount += 1
    }

    /// The raw bytes of field `i` of the current row (empty when the row is shorter).
    @inline(__always)
    public func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        guard i < fieldCount else { return UnsafeBufferPointer(start: nil, count: 0) }
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        return UnsafeBufferPointer(start: base + fieldStart[i], count: fieldEnd[i] - fieldStart[i])
    }

    public func string(_ i: Int) -> String { String(decoding: field(i), as: UTF8.self) }

    /// Moves to the next row. Returns false at the end of input. Blank lines are skipped.
    public func nextRow() throws -> Bool {
        while true {
            if let found = try scanRow() {
                if found { return true }
                continue // blank line
            }
            if atEOF { return false }
            try refill()
        }
    }

    /// Tries to parse one row from `start`. nil: need more bytes; false: blank line consumed.
    ///
    /// The scan does not write: a row cut by the end of the buffer is rescanned after a refill.
    /// Only once the whole row is present are quoted fields unescaped in place.
    private func scanRow() throws -> Bool? {
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        fieldCount = 0
        // Locals: the loop below reads them per byte, and class properties cost an access check each.
        let end = self.end, atEOF = self.atEOF, nextLine = self.nextLine
        if start >= end { return nil }
        if !skippedBOM {
            if end - start < 3 && !atEOF { return nil }
            if end - start >= 3, base[start] == 0xEF, base[start + 1] == 0xBB, base[start + 2] == 0xBF {
                start += 3; bytesConsumed += 3
            }
            skippedBOM = true
            if start >= end { return nil }
        }
        var i = start
        var newlines = 0
        // Blank line.
        if base[i] == 10 || base[i] == 13 {
            if base[i] == 13 {
                if i + 1 >= end && !atEOF { return nil }
                if i + 1 < end && base[i + 1] == 10 { i += 1 }
            }
            consume(to: i + 1, newlines: 1)
            return false
        }
        var rowEnded = false
        while !rowEnded {
            let s = i
            var inQuotes = false
            var hasQuote = false
            while true {
                if i >= end {
                    if !atEOF { return nil }
                    if inQuotes { throw CSVError.unterminatedQuote(line: nextLine) }
                    try addField(s, i, hasQuote)
                    rowEnded = true
                    break
                }
                let c = base[i]
                if inQuotes {
                    if c == 34 {
                        if i + 1 >= end && !atEOF { return nil }
                        if i + 1 < end && base[i + 1] == 34 { i += 2; continue }
                        inQuotes = false
                    } else if c == 10 { newlines += 1 }
                    i += 1
                    continue
                }
                if c == 44 { try addField(s, i, hasQuote); i += 1; break }
                if c == 10 || c == 13 {
                    if c == 13 {
                        if i + 1 >= end && !atEOF { return nil }
                        try addField(s, i, hasQuote)
                        i += (i + 1 < end && base[i + 1] == 10) ? 2 : 1
                    } else {
                        try addField(s, i, hasQuote)
                        i += 1
                    }
                    newlines += 1
                    rowEnded = true
                    break
                }
                if c == 34 { inQuotes = true; hasQuote = true }
                i += 1
            }
        }
        // The row is complete: unescape quoted fields in place.
        for f in 0..<fieldCount where quoted[f] {
            var w = fieldStart[f], inQ = false, r = fieldStart[f]
            let e = fieldEnd[f]
            while r < e {
                let c = base[r]
                if c == 34 {
                    if inQ, r + 1 < e, base[r + 1] == 34 { base[w] = 34; w += 1; r += 2; continue }
                    inQ.toggle(); r += 1; continue
                }
                base[w] = c; w += 1; r += 1
            }
            fieldEnd[f] = w
        }
        rowLine = nextLine
        consume(to: i, newlines: newlines)
        return true
    }

    private func consume(to i: Int, newlines: Int) {
        bytesConsumed += Int64(i - start)
        start = i
        nextLine += newlines
    }

    private func refill() throws {
        // Move the unfinished row to the front, then read more behind it.
        let leftover = end - start
        if leftover >= maxRowBytes { throw CSVError.rowTooLong(line: nextLine, limit: maxRowBytes) }
        if start > 0, leftover > 0 {
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: leftover)
        }
        start = 0
        end = leftover
        let room = UnsafeMutableRawBufferPointer(rebasing: buffer[end...])
        let n = try source.read(into: room)
        if n == 0 { atEOF = true } else { end += n }
    }
}
