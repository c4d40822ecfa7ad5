/// How deep a JSON text nests, read in one pass over its bytes with constant memory and no recursion: strings (with
/// their escapes) are skipped, brackets counted. The deal importer runs it over a JSON file before importing anything,
/// so a file nested too deep is refused as a whole (`JSONDealReader` would stop at the same place, after the deals
/// before it had landed). Its default limit is the reader's from the deal object, plus the two levels a file may wrap
/// its deals in (`{"deals": [...]}`).
public struct JSONNesting {
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var line = 1
    public let limit: Int
    /// The line where the nesting first went past the limit.
    public private(set) var tooDeepAt: Int?

    public static var fileLimit: Int { JSONDealReader<BytesSource>.maxDepth + 2 }

    public init(limit: Int = JSONNesting.fileLimit) { self.limit = limit }

    /// Reads more bytes; stops counting once the limit is passed.
    public mutating func read(_ bytes: UnsafeRawBufferPointer) {
        guard tooDeepAt == nil else { return }
        for b in bytes {
            if b == 10 { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if b == UInt8(ascii: "\\") {
                    escaped = true
                } else if b == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit {
                    tooDeepAt = line
                    return
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
    }

    /// The whole of `source`, in chunks of 64 KiB: the line where it first nests deeper than `limit`, or nil.
    public static func firstTooDeep<S: ByteSource>(_ source: inout S, limit: Int = JSONNesting.fileLimit) throws
        -> Int?
    {
        var scan = JSONNesting(limit: limit)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while scan.tooDeepAt == nil {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            chunk.withUnsafeBytes { scan.read(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return scan.tooDeepAt
    }
}
